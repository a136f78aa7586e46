package dev.brine.torch;

import dev.brine.cpython.CPython;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code /usr/bin/python3}, which on this machine has torch (1.13) where pyenv's interpreters do not: the
 * peer that the torch tests check against. Tests call {@link #requireTorch()} first, which skips them (or fails
 * them under {@code BRINE_REQUIRE_PYTHON=1}) as {@link CPython#require} does when it is missing.
 */
final class DebianPython {
    static final Path EXECUTABLE = Path.of("/usr/bin/python3");
    private static Boolean hasTorch;

    private DebianPython() {
    }

    /** Skips or fails the calling test unless {@code /usr/bin/python3} can import torch. */
    static synchronized void requireTorch() {
        if (hasTorch == null) {
            hasTorch = Files.isExecutable(EXECUTABLE) && exitCode("import torch") == 0;
        }
        CPython.require(hasTorch, EXECUTABLE + " with torch not found");
    }

    /** Runs {@code script} with {@code args} and returns its stdout; fails the test with its stderr if it fails. */
    static byte[] run(String script, String... args) {
        List<String> command = new ArrayList<>(List.of(EXECUTABLE.toString(), "-c", script));
        command.addAll(List.of(args));
        Path err = null;
        try {
            err = Files.createTempFile("brine-python", ".err");
            Process p = new ProcessBuilder(command).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(EXECUTABLE + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(EXECUTABLE + " exited " + p.exitValue() + ":\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            if (err != null) {
                try {
                    Files.deleteIfExists(err);
                } catch (IOException ignored) {
                    // A leftover temp file is harmless.
                }
            }
        }
    }

    /** {@link #run} as text. */
    static String runText(String script, String... args) {
        return new String(run(script, args), StandardCharsets.UTF_8);
    }

    private static int exitCode(String script) {
        try {
            Process p = new ProcessBuilder(EXECUTABLE.toString(), "-c", script)
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(2, TimeUnit.MINUTES) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
