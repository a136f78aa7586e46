package dev.brine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code brine portable} on a cloudpickle stream written by python3 (pyenv's, with cloudpickle 2.1): the written
 * file loads in {@code python3 -I -S} without cloudpickle and computes what the closure computes; refusals exit 2
 * with one line; usage errors exit 64. The full matrix is brine-core's PortableLibraryTest.
 */
class PortableCommandTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    private static CliRun python(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(args)).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new CliRun(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip(),
                new String(err, StandardCharsets.UTF_8));
    }

    private static final String WRITE = String.join("\n",
            "import sys, cloudpickle",
            "def make(n):",
            "    def add(x):",
            "        return x + n",
            "    return add",
            "open(sys.argv[1], 'wb').write(cloudpickle.dumps(make(40), protocol=4))",
            "print(sys.version_info[0], sys.version_info[1])");

    @Test
    void rewritesACloudpickleStreamThatStockPickleLoadsWithoutCloudpickle() throws Exception {
        Path in = dir.resolve("closure.pkl");
        CliRun w;
        try {
            w = python("python3", "-c", WRITE, in.toString());
        } catch (IOException e) {
            w = new CliRun(-1, "", e.getMessage());
        }
        if (w.code() != 0) {
            if ("1".equals(System.getenv("BRINE_REQUIRE_PYTHON"))) {
                throw new AssertionError("python3 with cloudpickle is needed: " + w.err());
            }
            org.junit.jupiter.api.Assumptions.abort("no python3 with cloudpickle: " + w.err());
        }
        String version = w.out().replace(' ', '.');
        Path out = dir.resolve("portable.pkl");

        CliRun refused = run("portable", in.toString(), "-o", out.toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err().strip()).doesNotContain("\n").contains("code object").contains("--python");
        assertThat(out).doesNotExist();

        CliRun wrongLayout = run("portable", "--python", "3.7", in.toString(), "-o", out.toString());
        assertThat(wrongLayout.code()).isEqualTo(2);
        assertThat(wrongLayout.err()).contains("not that of CPython 3.7");

        CliRun dry = run("portable", "--python", version, in.toString(), "--dry-run");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("redirect cloudpickle.cloudpickle._make_function -> _brine1.cp_function")
                .contains("version lock: CPython " + version).contains("would write");
        assertThat(out).doesNotExist();

        CliRun ok = run("portable", "--python", version, in.toString(), "-o", out.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        CliRun loaded = python("python3", "-I", "-S", "-c", String.join("\n",
                "import sys, pickle",
                "try:",
                "    import cloudpickle",
                "    print('cloudpickle imports')",
                "except ImportError:",
                "    pass",
                "print(pickle.load(open(sys.argv[1], 'rb'))(2))"), out.toString());
        assertThat(loaded.code()).as(loaded.err()).isZero();
        assertThat(loaded.out()).isEqualTo("42");
    }

    @Test
    void usageErrorsExit64AndUnreadableInputIsRefused() {
        assertThat(run("portable", "--python", "three", "x.pkl", "-o", "y.pkl").code()).isEqualTo(64);
        assertThat(run("portable", "x.pkl").code()).isEqualTo(64);
        assertThat(run("portable").code()).isEqualTo(64);
        CliRun missing = run("portable", dir.resolve("absent.pkl").toString(), "-o", dir.resolve("o").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
    }
}
