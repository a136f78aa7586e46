package dev.brine.torch;

import dev.brine.PickleException;
import dev.brine.testing.MlPython;
import dev.brine.value.PyComplex;
import dev.brine.value.PyObject;
import dev.brine.value.PyOrderedDict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Checkpoints written by the real torch 1.13 ({@code torch_fixtures.py}: every dtype, shared storages and views,
 * state dicts of several models, optimizer states, a whole module, each in the zip, legacy and plain-pickle forms)
 * read by {@link TorchFile} to the tensors torch sees, and written back to files torch loads to the same values.
 */
class TorchFileTest {
    @TempDir
    static Path dir;
    static Path fixtures;
    static List<FixtureFile> manifest;

    record Expected(String path, String dtype, long[] shape, long[] stride, long offset, long group, boolean grad,
                    boolean parameter, String[] values) {
    }

    record FixtureFile(String name, String format, List<Expected> tensors) {
    }

    @BeforeAll
    static void generate() throws IOException {
        DebianPython.requireTorch();
        // The same cached directory MlPythonTest checks: generated once per machine, not once per run.
        fixtures = MlPython.require("torch").fixtures("torch_fixtures.py");
        String lines = DebianPython.runText(resource("manifest_lines.py"), fixtures.resolve("manifest.json").toString());
        manifest = new ArrayList<>();
        for (String line : lines.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("F")) {
                manifest.add(new FixtureFile(f[1], f[2], new ArrayList<>()));
            } else if (f[0].equals("T")) {
                manifest.get(manifest.size() - 1).tensors().add(new Expected(f[1], f[2], longs(f[3]), longs(f[4]),
                        Long.parseLong(f[5]), Long.parseLong(f[6]), f[7].equals("1"), f[8].equals("1"),
                        f[9].isEmpty() ? new String[0] : f[9].split(" ")));
            }
        }
        assertThat(manifest).hasSizeGreaterThan(30);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = TorchFileTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static long[] longs(String csv) {
        return csv.isEmpty() ? new long[0] : Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }

    /** The tensors of a value in the order torch_fixtures.py walks it: dict values, list items, a module's vars. */
    static void tensorsInOrder(Object v, List<Tensor> out) {
        if (v instanceof Tensor t) {
            out.add(t);
        } else if (v instanceof Map<?, ?> m) {
            for (Object x : m.values()) {
                tensorsInOrder(x, out);
            }
        } else if (v instanceof List<?> l) {
            for (Object x : l) {
                tensorsInOrder(x, out);
            }
        } else if (v instanceof PyObject o) {
            for (Object state : o.states()) {
                tensorsInOrder(state, out);
            }
        }
    }

    @Test
    void readsEveryFixtureToWhatTorchSees() throws IOException {
        Map<String, Integer> perFormat = new TreeMap<>();
        Map<String, Integer> perDtype = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (FixtureFile f : manifest) {
            Object value = TorchFile.read(fixtures.resolve(f.name()));
            List<Tensor> got = new ArrayList<>();
            tensorsInOrder(value, got);
            if (got.size() != f.tensors().size()) {
                failures.add(f.name() + ": " + got.size() + " tensors read, torch has " + f.tensors().size());
                continue;
            }
            Map<Long, Tensor> groups = new HashMap<>();
            for (int i = 0; i < got.size(); i++) {
                Tensor t = got.get(i);
                Expected e = f.tensors().get(i);
                String where = f.name() + " " + e.path();
                String problem = compare(t, e);
                if (problem != null) {
                    failures.add(where + ": " + problem);
                }
                Tensor first = groups.putIfAbsent(e.group(), t);
                if (first != null && !first.sharesStorageWith(t)) {
                    failures.add(where + ": torch shares its storage with another tensor, Brine does not");
                }
                for (Map.Entry<Long, Tensor> g : groups.entrySet()) {
                    if (g.getKey() != e.group() && g.getValue().sharesStorageWith(t)) {
                        failures.add(where + ": Brine shares a storage torch does not");
                    }
                }
                perDtype.merge(e.dtype(), 1, Integer::sum);
            }
            perFormat.merge(f.format(), 1, Integer::sum);
        }
        System.out.println("torch fixtures read: files per format " + perFormat + ", tensors per dtype " + perDtype
                + ", " + failures.size() + " failures");
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        assertThat(perDtype.keySet()).contains("float64", "float32", "float16", "bfloat16", "int64", "int32", "int16",
                "int8", "uint8", "bool", "complex64", "complex128", "qint8", "quint8", "qint32");
        assertThat(perFormat.keySet()).containsExactlyInAnyOrder("zip", "legacy", "pickle");
    }

    private static String compare(Tensor t, Expected e) {
        if (!t.dtype().equals(e.dtype())) {
            return "dtype " + t.dtype() + ", torch " + e.dtype();
        }
        if (!Arrays.equals(t.shape(), e.shape()) || !Arrays.equals(t.stride(), e.stride())
                || t.storageOffset() != e.offset()) {
            return "layout " + t + ", torch shape " + Arrays.toString(e.shape()) + " stride "
                    + Arrays.toString(e.stride()) + " offset " + e.offset();
        }
        if (t.requiresGrad() != e.grad() || t.isParameter() != e.parameter()) {
            return "requires_grad " + t.requiresGrad() + " parameter " + t.isParameter() + ", torch " + e.grad()
                    + " " + e.parameter();
        }
        if (e.dtype().equals("quint4x2") || e.dtype().equals("quint2x4")) {
            return null; // packed sub-byte integers: the manifest gives unpacked values, the storage packed bytes
        }
        List<String> got = new ArrayList<>();
        for (long i = 0; i < t.numel(); i++) {
            Object x = t.get(i);
            if (x instanceof PyComplex c) {
                got.add(Double.toString(c.real()));
                got.add(Double.toString(c.imag()));
            } else if (x instanceof Boolean b) {
                got.add(b ? "1" : "0");
            } else {
                got.add(x.toString());
            }
        }
        if (got.size() != e.values().length) {
            return got.size() + " values, torch " + e.values().length;
        }
        for (int i = 0; i < got.size(); i++) {
            String want = e.values()[i];
            boolean floating = want.contains(".") || want.contains("e") || want.contains("N") || want.contains("I");
            boolean same = floating ? Double.valueOf(got.get(i)).equals(Double.valueOf(want))
                    : Long.parseLong(got.get(i).replace(".0", "")) == Long.parseLong(want);
            if (!same) {
                return "value " + i + " is " + got.get(i) + ", torch " + want;
            }
        }
        return null;
    }

    @Test
    void writesCheckpointsTorchLoadsToTheSameValues() throws IOException {
        String check = resource("same_checkpoint.py");
        int same = 0;
        int weightsOnly = 0;
        List<String> failures = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        for (FixtureFile f : manifest) {
            Path original = fixtures.resolve(f.name());
            Path rewrite = dir.resolve("rewrite-" + f.name() + ".pt");
            TorchFile.write(rewrite, TorchFile.read(original));
            pairs.addAll(List.of(original.toString(), rewrite.toString(), f.format()));
        }
        String[] results = DebianPython.runText(check, pairs.toArray(String[]::new)).split("\n");
        assertThat(results).hasSize(manifest.size());
        for (int i = 0; i < manifest.size(); i++) {
            FixtureFile f = manifest.get(i);
            String out = results[i].trim();
            if (!out.startsWith("same")) {
                failures.add(f.name() + ": " + out);
                continue;
            }
            same++;
            String[] flags = out.split(" ");
            if (flags[1].equals("True")) {
                // What torch.load(weights_only=True) accepts from torch must load from Brine's rewrite too.
                if (!flags[2].equals("True")) {
                    failures.add(f.name() + ": torch loads the original with weights_only=True but not the rewrite");
                }
                weightsOnly++;
            }
        }
        System.out.println("torch rewrites: " + same + " of " + manifest.size() + " load to the same values, "
                + weightsOnly + " of them with weights_only=True");
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        assertThat(weightsOnly).isGreaterThan(10);
    }

    @Test
    void aStateDictKeepsItsMetadataAndReadsFromAStream() throws IOException {
        for (String name : List.of("linear.pt", "linear.legacy.pt")) {
            Object sd;
            try (InputStream in = Files.newInputStream(fixtures.resolve(name))) {
                sd = TorchFile.read(in);
            }
            assertThat(sd).isInstanceOf(PyOrderedDict.class);
            assertThat(((PyOrderedDict) sd).state()).as(name).isInstanceOf(Map.class);
            assertThat(((Map<?, ?>) ((PyOrderedDict) sd).state()).containsKey("_metadata")).isTrue();
            assertThat(TorchFile.tensors(sd)).containsOnlyKeys("weight", "bias");
        }
    }

    @Test
    void strictReadingRefusesWhatWeightsOnlyRefuses() throws IOException {
        TorchFile.Reader strict = TorchFile.reader().strict(true);
        assertThat(strict.read(fixtures.resolve("cnn.pt"))).isInstanceOf(PyOrderedDict.class);
        assertThatThrownBy(() -> strict.read(fixtures.resolve("module.pt")))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("torch.nn.modules.container")
                .hasMessageContaining("weights_only=True");
        assertThat(TorchFile.read(fixtures.resolve("module.pt"))).isInstanceOf(PyObject.class);
    }

    @Test
    void badArchivesFailNamingTheEntry() throws IOException {
        byte[] good = Files.readAllBytes(fixtures.resolve("linear.pt"));
        Set<Class<?>> seen = new java.util.HashSet<>();
        // Every truncation fails as a PickleException, never anything else.
        for (int n = 0; n < good.length; n += Math.max(1, good.length / 97)) {
            byte[] cut = Arrays.copyOf(good, n);
            try {
                TorchFile.read(new ByteArrayInputStream(cut));
            } catch (PickleException e) {
                seen.add(e.getClass());
                continue;
            }
            throw new AssertionError("a checkpoint cut to " + n + " of " + good.length + " bytes read without error");
        }
        assertThat(seen).isNotEmpty();
        // A storage shorter than the pickle says: rewritten with one record cut short.
        Path sd = dir.resolve("short.pt");
        Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("w", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        TorchFile.write(sd, value);
        byte[] bytes = Files.readAllBytes(sd);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("short/data.pkl");
        assertThat(at).isPositive();
        // The pickle's numel 4 becomes 5: the record then holds fewer bytes than the storage needs.
        byte[] pickle = bytes.clone();
        int numel = text.indexOf("cpuq", at);
        assertThat(numel).isPositive();
        int k = text.indexOf('K', numel);
        pickle[k + 1] = 5;
        Files.write(sd, pickle);
        assertThatThrownBy(() -> TorchFile.read(sd))
                .isInstanceOf(PickleException.class)
                .satisfies(e -> assertThat(((PickleException) e).entry()).isNotNull());
    }
}
