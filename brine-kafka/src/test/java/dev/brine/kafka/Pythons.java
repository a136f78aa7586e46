package dev.brine.kafka;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs CPython for the tests: {@code python3} from the PATH, and pyenv's Python 2.7. A missing interpreter skips
 * the test, or fails it under {@code BRINE_REQUIRE_PYTHON=1}, as in brine-core's tests.
 */
final class Pythons {
    private Pythons() {
    }

    /** Skips the calling test with {@code message}, or fails it under {@code BRINE_REQUIRE_PYTHON=1}. */
    static void require(boolean condition, String message) {
        if (condition) {
            return;
        }
        if ("1".equals(System.getenv("BRINE_REQUIRE_PYTHON"))) {
            throw new AssertionError(message + " and BRINE_REQUIRE_PYTHON=1 is set");
        }
        System.err.println("WARNING: SKIPPING a test that needs CPython: " + message);
        Assumptions.abort(message);
    }

    /** pyenv's Python 2.7 executable; skips or fails if there is none. */
    static String python27() {
        List<Path> roots = new ArrayList<>();
        String env = System.getenv("PYENV_ROOT");
        if (env != null) {
            roots.add(Path.of(env));
        }
        roots.add(Path.of(System.getProperty("user.home"), ".pyenv"));
        for (Path root : roots) {
            Path versions = root.resolve("versions");
            if (!Files.isDirectory(versions)) {
                continue;
            }
            try (Stream<Path> s = Files.list(versions)) {
                Path found = s.filter(p -> p.getFileName().toString().startsWith("2.7"))
                        .map(p -> p.resolve("bin/python")).filter(Files::isExecutable).sorted()
                        .reduce((a, b) -> b).orElse(null);
                if (found != null) {
                    return found.toString();
                }
            } catch (IOException e) {
                // try the next root
            }
        }
        require(false, "no pyenv Python 2.7 found (looked in $PYENV_ROOT and ~/.pyenv)");
        throw new AssertionError("unreachable");
    }

    /** Runs {@code command}; its stdout, or an AssertionError with its stderr if it fails. */
    static byte[] run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).start();
        } catch (IOException e) {
            require(false, command[0] + " cannot run: " + e.getMessage());
            throw e;
        }
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream errIn = p.getErrorStream();
        Thread drain = new Thread(() -> {
            try {
                errIn.transferTo(err);
            } catch (IOException ignored) {
                // the exit code tells
            }
        });
        drain.start();
        byte[] out;
        try (InputStream o = p.getInputStream()) {
            out = o.readAllBytes();
        }
        drain.join();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: "
                    + err.toString(StandardCharsets.UTF_8));
        }
        return out;
    }
}
