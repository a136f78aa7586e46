package dev.brine.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixture cache of {@link MlPython} and what the generator scripts' manifests promise. */
class MlPythonTest {
    /** Prints one summary line of a manifest: sorted, space-separated; files listed but absent fail. */
    private static final String SUMMARY = String.join("\n",
            "import json, os, sys",
            "d = sys.argv[1]",
            "m = json.load(open(os.path.join(d, 'manifest.json')))",
            "for f in m['files']:",
            "    assert os.path.isfile(os.path.join(d, f['file'])), f['file']",
            "print(sorted({t['dtype'] for f in m['files'] for t in f.get('tensors', ())}))",
            "print(sorted({f.get('format', f.get('codec')) for f in m['files']}))",
            "print(len(m.get('models', ())), len(m['files']))");

    @Test
    void torchFixturesAreCachedWithEveryDtype() throws IOException {
        MlPython ml = MlPython.require("torch");
        Path dir = ml.fixtures("torch_fixtures.py");
        assertThat(ml.fixtures("torch_fixtures.py")).isEqualTo(dir);
        assertThat(dir.resolve("manifest.json")).isRegularFile();
        assertThat(dir.getParent().getFileName().toString()).isEqualTo("fixture-cache");
        assertThat(dir.getFileName().toString()).matches("torch_fixtures-[0-9a-f]{16}");

        String[] summary = ml.run(SUMMARY, dir.toString()).split("\n");
        Set<String> dtypes = Set.of("float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8",
                "uint8", "bool", "complex64", "complex128", "qint8", "quint8", "qint32", "quint4x2", "quint2x4");
        assertThat(summary[0]).isEqualTo(list(dtypes));
        assertThat(summary[1]).isEqualTo(list(Set.of("zip", "legacy", "pickle")));

        // A directory without its marker (an interrupted run) is regenerated.
        Path marker = dir.resolve(MlPython.COMPLETE_MARKER);
        Files.delete(marker);
        Files.writeString(dir.resolve("dtypes.pt"), "half-written");
        assertThat(ml.fixtures("torch_fixtures.py")).isEqualTo(dir);
        assertThat(marker).isRegularFile();
        assertThat(Files.readAllBytes(dir.resolve("dtypes.pt"))).startsWith('P', 'K');
    }

    @Test
    void joblibFixturesHaveTenModelsAndEveryCodec() {
        MlPython ml = MlPython.require("sklearn", "joblib");
        Path dir = ml.fixtures("joblib_fixtures.py");
        assertThat(ml.fixtures("joblib_fixtures.py")).isEqualTo(dir);
        String[] summary = ml.run(SUMMARY, dir.toString()).split("\n");
        assertThat(summary[1]).isEqualTo(list(Set.of("none", "zlib", "gzip", "bz2", "lzma", "xz")));
        int models = Integer.parseInt(summary[2].split(" ")[0]);
        assertThat(models).isGreaterThanOrEqualTo(10);
    }

    @Test
    void runReturnsStdoutAndFailsWithStderr() {
        MlPython ml = MlPython.require("numpy");
        assertThat(ml.run("import sys, numpy; print(sys.argv[1:], numpy.arange(3).sum())", "a", "b"))
                .isEqualTo("['a', 'b'] 3\n");
        try {
            ml.run("import sys; sys.exit('boom')");
        } catch (AssertionError e) {
            assertThat(e).hasMessageContaining("boom");
            return;
        }
        throw new AssertionError("a failing script did not fail the test");
    }

    /** Python's repr of a sorted list of strings. */
    private static String list(Set<String> items) {
        return items.stream().sorted().map(s -> "'" + s + "'").toList().toString();
    }
}
