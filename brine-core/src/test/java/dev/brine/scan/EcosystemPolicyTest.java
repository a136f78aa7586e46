package dev.brine.scan;

import dev.brine.testing.MlPython;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scanner's data-only policy for the libraries model registries hold: real files written by pandas 1.5, numpy,
 * pytz, scipy 1.10 and scikit-learn 1.2 (Debian's python3) are SAFE; a file the scanner cannot decompress is
 * UNREADABLE naming its codec, never SAFE; the gadgets of published bypasses are DANGEROUS; a library class is
 * SAFE to instantiate from its state and SUSPICIOUS to call.
 */
class EcosystemPolicyTest {
    private static final Scanner SCANNER = Scanner.create();

    @Test
    void benignFilesOfTheDataLibrariesAreSafe() throws IOException {
        MlPython python = MlPython.require("pandas", "numpy", "scipy", "sklearn", "joblib");
        Map<String, int[]> counts = new TreeMap<>();   // source -> {SAFE, UNREADABLE (codec named), SAFE archives}
        List<String> wrong = new ArrayList<>();
        for (String script : List.of("scan_benign.py", "sparse_fixtures.py", "joblib_fixtures.py")) {
            Path dir = python.fixtures(script);
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(p -> !p.getFileName().toString().endsWith(".json")
                        && !p.getFileName().toString().startsWith(".")).sorted().toList();
            }
            assertThat(files).as(script).hasSizeGreaterThan(40);
            int[] c = counts.computeIfAbsent(script, k -> new int[3]);
            for (Path f : files) {
                FileReport r = SCANNER.scanFile(f);
                String name = f.getFileName().toString();
                String codec = name.endsWith(".bz2") || name.contains(".bz2.") ? "bzip2"
                        : name.endsWith(".xz") || name.contains(".xz.") ? "xz"
                        : name.contains(".lzma.") ? "lzma" : null;
                if (codec != null) {
                    // pandas' .bz2/.xz and joblib's bz2/lzma/xz: the JDK has no decompressor; fail closed, say why.
                    if (r.verdict() != Verdict.UNREADABLE || !r.format().equals(codec)) {
                        wrong.add(name + ": " + r.verdict() + " (" + r.format() + "), expected UNREADABLE (" + codec + ")");
                    }
                    c[1]++;
                } else if (name.endsWith(".tar") || name.endsWith(".zip")) {
                    // pandas' tar and zip: the only member is read whatever it is called.
                    if (r.verdict() != Verdict.SAFE || r.pickles() != 1) {
                        wrong.add(name + ": " + r.verdict() + " (" + r.format() + ", " + r.pickles() + " pickles) "
                                + r.findings());
                    }
                    c[2]++;
                } else {
                    if (r.verdict() != Verdict.SAFE) {
                        wrong.add(name + ": " + r.verdict() + " " + r.findings());
                    }
                    c[0]++;
                }
            }
        }
        StringBuilder summary = new StringBuilder("EcosystemPolicyTest:");
        counts.forEach((k, c) -> summary.append(' ').append(k).append(" SAFE ").append(c[0]).append(", UNREADABLE ")
                .append(c[1]).append(", SAFE tar/zip archives ").append(c[2]).append(';'));
        System.out.println(summary);
        assertThat(wrong).isEmpty();
        assertThat(counts.values().stream().mapToInt(c -> c[0] + c[2]).sum()).isGreaterThan(300);
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            } else if (p instanceof Character c) {
                out.write(c);
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    /** {@code module.name("x")} at protocol 2: GLOBAL, BINUNICODE, TUPLE1, REDUCE, STOP. */
    private static byte[] call(String module, String name) {
        return bytes(0x80, 2, "c" + module + "\n" + name + "\n", 'X', 1, 0, 0, 0, "x", 0x85, 'R', '.');
    }

    /** {@code cls.__new__(cls)} then BUILD with an empty dict, at protocol 2. */
    private static byte[] instantiate(String module, String name) {
        return bytes(0x80, 2, "c" + module + "\n" + name + "\n", ')', 0x81, '}', 'b', '.');
    }

    @Test
    void gadgetsOfPublishedBypassesAreDangerous() {
        List<String[]> gadgets = List.of(
                new String[] {"lib2to3.pgen2.pgen", "ParserGenerator.make_label"},
                new String[] {"_xxsubinterpreters", "run_string"},
                new String[] {"_interpreters", "run_string"},
                new String[] {"typing", "ForwardRef._evaluate"},
                new String[] {"typing", "_eval_type"},
                new String[] {"dataclasses", "_create_fn"},
                new String[] {"pipes", "Template"},
                new String[] {"logging.config", "_resolve"},
                new String[] {"logging.handlers", "RotatingFileHandler"},
                new String[] {"torch.utils.bottleneck.__main__", "run_cprofile"},
                new String[] {"torch.fx.graph_module", "reduce_graph_module"},
                new String[] {"torch.fx.graph_module", "_forward_from_src"},
                // the same gadgets reached through another module that imported them (CVE-2025-10157's class)
                new String[] {"mypkg.vendored", "run_cprofile"},
                new String[] {"somelib.compat", "_create_fn"});
        for (String[] g : gadgets) {
            FileReport r = SCANNER.scan("gadget.pkl", call(g[0], g[1]));
            assertThat(r.verdict()).as(g[0] + "." + g[1]).isEqualTo(Verdict.DANGEROUS);
        }
    }

    @Test
    void aLibraryClassIsSafeToInstantiateAndSuspiciousToCall() {
        for (String[] cls : List.of(new String[] {"sklearn.linear_model._logistic", "LogisticRegression"},
                new String[] {"torch.nn.modules.linear", "Linear"},
                new String[] {"scipy.sparse._csr", "csr_matrix"},
                new String[] {"pandas.core.frame", "DataFrame"})) {
            FileReport made = SCANNER.scan("made.pkl", instantiate(cls[0], cls[1]));
            assertThat(made.verdict()).as(String.join(".", cls) + " instantiated").isEqualTo(Verdict.SAFE);
            FileReport called = SCANNER.scan("called.pkl", call(cls[0], cls[1]));
            assertThat(called.verdict()).as(String.join(".", cls) + " called").isEqualTo(Verdict.SUSPICIOUS);
            assertThat(called.findings()).singleElement().satisfies(f ->
                    assertThat(f.message()).contains("runs its __init__"));
        }
        // A module with I/O is dangerous whatever the class is called.
        assertThat(SCANNER.scan("io.pkl", instantiate("pandas.io.pytables", "HDFStore")).verdict())
                .isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void aNameIsNotDangerousForItsSpellingAlone() {
        FileReport r = SCANNER.scan("spelling.pkl", call("mypkg.helpers", "unpickle_config"));
        assertThat(r.verdict()).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(SCANNER.scan("rebuild.pkl", call("pandas._libs.internals", "_unpickle_block")).verdict())
                .isEqualTo(Verdict.SAFE);
        // What loads a pickle is still dangerous, by what it does.
        assertThat(SCANNER.scan("loads.pkl", call("pickle", "loads")).verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(SCANNER.scan("read.pkl", call("pandas", "read_pickle")).verdict()).isEqualTo(Verdict.DANGEROUS);
    }
}
