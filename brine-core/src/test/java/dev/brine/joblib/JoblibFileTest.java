package dev.brine.joblib;

import dev.brine.PickleException;
import dev.brine.testing.MlPython;
import dev.brine.value.NDArray;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Files written by the real joblib 1.2 with scikit-learn 1.2 ({@code joblib_fixtures.py}: thirteen fitted models
 * and arrays in C and Fortran order, each uncompressed, zlib and gzip, some with lzma, bz2 and xz) read by
 * {@link JoblibFile} and written back to files {@code joblib.load} reads to equal values.
 */
class JoblibFileTest {
    @TempDir
    static Path dir;
    static MlPython python;
    static Path fixtures;
    static List<Path> files;

    @BeforeAll
    static void generate() throws IOException {
        python = MlPython.require("joblib", "sklearn", "numpy");
        fixtures = python.fixtures("joblib_fixtures.py");
        try (Stream<Path> s = Files.list(fixtures)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".joblib")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(40);
    }

    private static String codec(Path p) throws IOException {
        byte[] head = Arrays.copyOf(Files.readAllBytes(p), 6);
        int b0 = head[0] & 0xff;
        return b0 == 0x80 ? "none" : b0 == 0x78 ? "zlib" : b0 == 0x1f ? "gzip" : b0 == 'B' ? "bz2"
                : b0 == 0xfd ? "xz" : b0 == 0x5d ? "lzma" : "unknown";
    }

    @Test
    void readsEveryFileAndWritesFilesJoblibLoadsToEqualValues() throws IOException {
        Map<String, Integer> perCodec = new TreeMap<>();
        StringBuilder pairs = new StringBuilder();
        List<String> names = new ArrayList<>();
        int arrays = 0;
        for (Path f : files) {
            String codec = codec(f);
            if (List.of("bz2", "xz", "lzma").contains(codec)) {
                continue;
            }
            Object value = JoblibFile.read(f);
            arrays += countArrays(value);
            Path plain = dir.resolve(f.getFileName() + ".none");
            Path zlib = dir.resolve(f.getFileName() + ".zlib");
            JoblibFile.write(plain, value);
            JoblibFile.write(zlib, value, JoblibFile.Compression.ZLIB);
            pairs.append(f).append('\t').append(plain).append('\n');
            pairs.append(f).append('\t').append(zlib).append('\n');
            names.add(f.getFileName() + " (uncompressed)");
            names.add(f.getFileName() + " (zlib)");
            perCodec.merge(codec, 1, Integer::sum);
        }
        Path gzip = dir.resolve("arrays.gzip");
        JoblibFile.write(gzip, JoblibFile.read(fixtures.resolve("arrays.joblib")), JoblibFile.Compression.GZIP);
        String out = python.run("import runpy, sys; sys.stdin = open(sys.argv[2]); "
                + "runpy.run_path(sys.argv[1], run_name='__main__')", script("same_joblib.py"),
                Files.writeString(dir.resolve("pairs.txt"), pairs).toString());
        String[] lines = out.split("\n");
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (i >= lines.length || !lines[i].equals("same")) {
                failures.add(names.get(i) + ": " + (i < lines.length ? lines[i] : "no answer"));
            }
        }
        System.out.println("joblib files read: " + perCodec + ", " + arrays + " arrays; " + names.size()
                + " rewrites checked by joblib.load, " + failures.size() + " differ");
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        assertThat(perCodec.keySet()).containsExactlyInAnyOrder("none", "zlib", "gzip");
        assertThat(arrays).isGreaterThan(100);
        assertThat(python.run("import joblib, sys; print(type(joblib.load(sys.argv[1])).__name__)", gzip.toString()))
                .contains("dict");
    }

    private static String script(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = JoblibFileTest.class.getResourceAsStream(name)) {
            Files.write(p, in.readAllBytes());
        }
        return p.toString();
    }

    private static int countArrays(Object v) {
        if (v instanceof NDArray) {
            return 1;
        }
        int n = 0;
        if (v instanceof Map<?, ?> m) {
            for (Object x : m.values()) {
                n += countArrays(x);
            }
        } else if (v instanceof List<?> l) {
            for (Object x : l) {
                n += countArrays(x);
            }
        } else if (v instanceof dev.brine.value.PyObject o) {
            for (Object s : o.states()) {
                n += countArrays(s);
            }
            n += countArrays(o.args());
        }
        return n;
    }

    @Test
    void otherCompressionsFailNamingTheCodec() throws IOException {
        int checked = 0;
        for (Path f : files) {
            String codec = codec(f);
            if (List.of("bz2", "xz", "lzma").contains(codec)) {
                assertThatThrownBy(() -> JoblibFile.read(f)).isInstanceOf(PickleException.class)
                        .hasMessageContaining("compressed with " + codec);
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(9);
    }

    @Test
    void truncatedFilesFailAsPickleExceptions() throws IOException {
        Path f = fixtures.resolve("arrays.joblib");
        byte[] good = Files.readAllBytes(f);
        assertThat(JoblibFile.read(new ByteArrayInputStream(good))).isNotNull();
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            try {
                JoblibFile.read(new ByteArrayInputStream(cut));
            } catch (PickleException e) {
                continue;
            }
            throw new AssertionError(f + " cut to " + n + " of " + good.length + " bytes read without error");
        }
    }

    @Test
    void aDeclaredArrayLargerThanTheFileFailsWithoutAllocatingIt() {
        // A wrapper whose shape claims 2^27 float64 items (1 GiB), followed by three bytes.
        String pickle = "\u0080\u0002cjoblib.numpy_pickle\nNumpyArrayWrapper\n)\u0081}(X\u0005\u0000\u0000\u0000shape"
                + "\u008a\u0004\u0000\u0000\u0000\u0008\u0085X\u0005\u0000\u0000\u0000orderX\u0001\u0000"
                + "\u0000\u0000CX\u0005\u0000\u0000\u0000dtypecnumpy\ndtype\nX\u0002\u0000\u0000\u0000f8\u0089\u0088"
                + "\u0087R(K\u0003X\u0001\u0000\u0000\u0000<NNNJ\u00ff\u00ff\u00ff\u00ffJ\u00ff\u00ff\u00ff\u00ffK"
                + "\u0000tbub\u0000\u0001\u0002";
        byte[] data = pickle.getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> JoblibFile.read(new ByteArrayInputStream(data)))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("truncated");
    }
}
