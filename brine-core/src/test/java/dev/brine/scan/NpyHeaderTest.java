package dev.brine.scan;

import dev.brine.cpython.CPython;
import dev.brine.testing.MlPython;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code .npy} headers read as numpy reads them ({@code ast.literal_eval}), not with a pattern: the header tricks of
 * the published bypasses (a repeated {@code 'descr'}, {@code 'object'} spelled out, {@code '|\x4f'} escaped,
 * concatenated literals, object fields) hide an object array whose pickle numpy runs. {@code npy_headers.py} writes
 * each one and keeps it only if {@code np.load(allow_pickle=True)} really ran its payload, under numpy 2.4 (pyenv's
 * python3) and numpy 1.24 (Debian's).
 */
class NpyHeaderTest {
    private static final Scanner SCANNER = Scanner.create();

    @Test
    void everyHeaderTrickThatRunsUnderNumpyIsDangerousAndBenignFilesAreSafe(@TempDir Path dir) {
        Path numpy2 = dir.resolve("numpy2");
        numpy2.toFile().mkdirs();
        String out2 = new String(CPython.python3().check(new byte[0],
                MlPython.scriptDir().resolve("npy_headers.py").toString(), numpy2.toString()), StandardCharsets.UTF_8);
        Path numpy1 = MlPython.require("numpy").fixtures("npy_headers.py");
        int verified = 0;
        for (Map.Entry<Path, String> run : Map.of(numpy2, out2, numpy1,
                readMarker(numpy1)).entrySet()) {
            for (String line : run.getValue().lines().filter(l -> l.endsWith(" benign") || l.endsWith(" verified"))
                    .toList()) {
                String[] parts = line.split(" ");
                FileReport r = SCANNER.scanFile(run.getKey().resolve(parts[0]));
                if (parts[1].equals("benign")) {
                    assertThat(r.verdict()).as(run.getKey() + " " + line + " " + r.findings()).isEqualTo(Verdict.SAFE);
                } else {
                    assertThat(r.verdict()).as(run.getKey() + " " + line + " " + r.findings())
                            .isEqualTo(Verdict.DANGEROUS);
                    verified++;
                }
            }
        }
        System.out.println("NpyHeaderTest: " + verified + " header tricks verified under numpy, all DANGEROUS");
        assertThat(verified).as("tricks that ran their payload under numpy 2 and numpy 1").isEqualTo(18);
    }

    private static String readMarker(Path fixtures) {
        try {
            return java.nio.file.Files.readString(fixtures.resolve(MlPython.COMPLETE_MARKER));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void literalsAreReadAsPythonReadsThem() throws Exception {
        @SuppressWarnings("unchecked")
        Map<Object, Object> d = (Map<Object, Object>) PyLiteral.parse("{'descr': '<f8', \"shape\": (2, 3), 'descr': '|\\x4f', "
                + "'fortran_order': False, 'x': [None, True, -12, b'a\\x00'], 'y': ('a' \"b\" ), 'z': (1,), }");
        assertThat(d.keySet()).containsExactlyInAnyOrder("descr", "shape", "fortran_order", "x", "y", "z");
        assertThat(d.get("descr")).isEqualTo("|O");
        assertThat(((PyLiteral.Tuple) d.get("shape")).items()).containsExactly(2L, 3L);
        @SuppressWarnings("unchecked")
        List<Object> x = (List<Object>) d.get("x");
        assertThat(x.subList(0, 3)).containsExactly(null, Boolean.TRUE, -12L);
        assertThat((byte[]) x.get(3)).containsExactly('a', 0);
        assertThat(d.get("y")).isEqualTo("ab");
        assertThat(((PyLiteral.Tuple) d.get("z")).items()).containsExactly(1L);
        assertThat(PyLiteral.parse("'\\117\\u004f\\q'")).isEqualTo("OO\\q");
        assertThat(PyLiteral.parse("r'\\x4f'")).isEqualTo("\\x4f");
        for (String bad : List.of("{'a': 1", "{'a' 1}", "'abc", "[1, 2", "{[1]: 2}", "1.5", "0x10", "b'\u00e9'",
                "'a' b'b'", "'\\N'", "{'a': 1} x", "[".repeat(100) + "]".repeat(100),
                // beyond Unicode, and past Integer.MAX_VALUE (found by fuzzing: crash-9cc3e452... in
                // PickleFuzzTestInputs/scanner/ threw IllegalArgumentException from appendCodePoint)
                "'\\U00110000'", "'\\U9002f600'", "'\\Uffffffff'")) {
            assertThatThrownBy(() -> PyLiteral.parse(bad)).as(bad).isInstanceOf(PyLiteral.SyntaxError.class);
        }
    }

    @Test
    void descrsAreSortedIntoObjectsPlainAndUnknown() {
        assertThat(PyLiteral.holdsObjects("|O", 0)).isTrue();
        assertThat(PyLiteral.holdsObjects("object", 0)).isTrue();
        assertThat(PyLiteral.holdsObjects("O8", 0)).isTrue();
        assertThat(PyLiteral.holdsObjects("<f8", 0)).isFalse();
        assertThat(PyLiteral.holdsObjects("<M8[ns]", 0)).isFalse();
        assertThat(PyLiteral.holdsObjects("<U3", 0)).isFalse();
        assertThat(PyLiteral.holdsObjects("float64", 0)).isFalse();
        assertThat(PyLiteral.holdsObjects("something", 0)).isNull();
        assertThat(PyLiteral.holdsObjects(List.of(new PyLiteral.Tuple(List.of("a", "<i4")),
                new PyLiteral.Tuple(List.of("b", "|O", new PyLiteral.Tuple(List.of(2L))))), 0)).isTrue();
        assertThat(PyLiteral.holdsObjects(List.of(new PyLiteral.Tuple(List.of("a", "<i4"))), 0)).isFalse();
        assertThat(PyLiteral.holdsObjects(List.of("not a field"), 0)).isNull();
    }
}
