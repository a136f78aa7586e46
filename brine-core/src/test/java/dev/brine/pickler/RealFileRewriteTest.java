package dev.brine.pickler;

import dev.brine.Pickle;
import dev.brine.testing.MlPython;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real pickles of pandas 1.5 DataFrames and Series, scikit-learn 1.2 models, every scipy.sparse format, numpy arrays
 * and generator states and {@code array.array} of every typecode ({@code rewrite_corpus.py}, at protocols 0 to 5
 * and by {@code DataFrame.to_pickle}), and the standard-library values Brine maps ({@code serial_values.py}), read
 * and written back at the protocol each was written at. Each rewrite must
 * be the same bytes, because the values the reader maps to Java types keep the memo sharing they were read with
 * (docs/WRITING.md, "Sharing kept"). The files listed in {@link #NOT_IDENTICAL} cannot be, for the reason given
 * there; each of those must still load in Python to a value equal to the original's.
 */
class RealFileRewriteTest {
    /**
     * Files whose rewrite is allowed to differ, each with the reason; empty means every file is byte-identical.
     */
    static final Map<String, String> NOT_IDENTICAL = notIdentical();

    private static Map<String, String> notIdentical() {
        Map<String, String> m = new java.util.HashMap<>();
        String complex = "complex(...) is written with Brine's own builtins.complex (PyComplex is a record and keeps"
                + " no read form), so the 'builtins' string the pickle shared with range's is written again";
        m.put("numbers__p4.pkl", complex);
        m.put("numbers__p5.pkl", complex);
        for (int p = 0; p <= 5; p++) {
            m.put("datetimes__p" + p + ".pkl", "two datetimes shared one timezone object; java.time's OffsetDateTime"
                    + " cannot keep which tzinfo object it was read with (ZoneOffsets are cached and shared)");
        }
        return Map.copyOf(m);
    }

    @TempDir
    static Path dir;
    static MlPython python;
    static List<String[]> manifest;

    @BeforeAll
    static void generate() throws IOException {
        python = MlPython.require("pandas", "sklearn", "scipy", "numpy");
        manifest = new ArrayList<>();
        for (String script : List.of("rewrite_corpus.py", "serial_values.py")) {
            Path dir = python.fixtures(script);
            Files.readAllLines(dir.resolve("manifest.txt")).stream().filter(l -> !l.isBlank())
                    .map(l -> l.split(" ")).forEach(e -> manifest.add(new String[] {dir.resolve(e[0]).toString(),
                            e[1], e[2], e[0]}));
        }
        assertThat(manifest).hasSizeGreaterThan(350);
    }

    @Test
    void everyRealFileRewritesByteForByte() throws IOException {
        Map<String, int[]> perLibrary = new TreeMap<>();    // library -> {identical, total}
        List<String> differing = new ArrayList<>();
        StringBuilder pairs = new StringBuilder();
        for (String[] entry : manifest) {
            String name = entry[3];
            int protocol = Integer.parseInt(entry[2]);
            byte[] original = Files.readAllBytes(Path.of(entry[0]));
            byte[] rewrite = Pickle.dumps(Pickle.loads(original), protocol);
            boolean same = Arrays.equals(original, rewrite);
            int[] count = perLibrary.computeIfAbsent(entry[1], k -> new int[2]);
            count[1]++;
            if (same) {
                count[0]++;
            } else {
                differing.add(name);
                // -Dbrine.rewriteDir=DIR keeps the differing rewrites for a look with pickletools.dis.
                Path keep = Path.of(System.getProperty("brine.rewriteDir", dir.toString()));
                Path out = Files.write(Files.createDirectories(keep).resolve(name), rewrite);
                pairs.append(entry[0]).append('\t').append(out).append('\n');
            }
        }
        StringBuilder report = new StringBuilder("byte-identical rewrites (identical/total):");
        perLibrary.forEach((lib, c) -> report.append(' ').append(lib).append(' ').append(c[0]).append('/').append(c[1]));
        report.append("; python versions ").append(python.versions());
        System.out.println(report);
        System.out.println("differing: " + differing);

        // Every rewrite that differs must still load to an equal value in the real libraries.
        List<String> unequal = new ArrayList<>();
        if (!differing.isEmpty()) {
            String[] lines = python.run("import runpy, sys; sys.stdin = open(sys.argv[2]); "
                    + "runpy.run_path(sys.argv[1], run_name='__main__')", script("same_pickle.py"),
                    Files.writeString(dir.resolve("pairs.txt"), pairs).toString()).split("\n");
            for (int i = 0; i < differing.size(); i++) {
                if (i >= lines.length || !lines[i].equals("same")) {
                    unequal.add(differing.get(i) + ": " + (i < lines.length ? lines[i] : "no answer"));
                }
            }
        }
        assertThat(unequal).as("rewrites Python loads to a different value").isEmpty();
        assertThat(differing).as("rewrites that are not byte-identical").isSubsetOf(NOT_IDENTICAL.keySet());
        assertThat(perLibrary.keySet()).containsAll(Set.of("pandas", "sklearn", "scipy", "numpy", "array", "stdlib"));
    }

    /**
     * The other side of sharing: objects that were equal but distinct in the pickle stay distinct in the rewrite,
     * shared ones stay shared, at every protocol. CPython writes each case; Brine must write it back the same.
     */
    @Test
    void equalButDistinctObjectsStayDistinct() {
        String script = String.join("\n",
                "import pickle, sys, numpy as np",
                "a = np.arange(3)",
                "b = bytes([98, 99])",
                "cases = {",
                "    'distinct bytes': [bytes([98, 99]), bytes([98, 99])],",
                "    'shared bytes': [b, b],",
                "    'label and bytes': ['b', b'b', 'latin1', b'x'],",
                "    'shared array': [a, a, np.arange(3)],",
                "    'arrays and dtypes': [np.arange(2), np.dtype('i8'), np.arange(2.0), np.zeros(2, 'i8')],",
                "}",
                "for name, value in cases.items():",
                "    for p in range(6):",
                "        print(name, p, pickle.dumps(value, p).hex())");
        List<String> differ = new ArrayList<>();
        int checked = 0;
        for (String line : python.run(script).split("\n")) {
            int last = line.lastIndexOf(' ');
            int before = line.lastIndexOf(' ', last - 1);
            int protocol = Integer.parseInt(line.substring(before + 1, last));
            byte[] original = java.util.HexFormat.of().parseHex(line.substring(last + 1));
            if (!Arrays.equals(original, Pickle.dumps(Pickle.loads(original), protocol))) {
                differ.add(line.substring(0, last));
            }
            checked++;
        }
        assertThat(checked).isEqualTo(30);
        assertThat(differ).isEmpty();
    }

    private static String script(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = RealFileRewriteTest.class.getResourceAsStream(name)) {
            Files.write(p, in.readAllBytes());
        }
        return p.toString();
    }
}
