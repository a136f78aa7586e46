package dev.brine.cpython;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real CPython interpreter found on this machine, for tests that check Brine against it.
 *
 * <p>Interpreters are found under {@code pyenv root} (every {@code versions/X.Y.Z/bin/python}) and as
 * {@code python3} on the PATH. When none is found, {@link #all()} makes the calling test skip with a loud
 * warning, or fail when the environment variable {@code BRINE_REQUIRE_PYTHON=1} is set, as CI sets it.
 */
public final class CPython {
    private static final List<CPython> FOUND = discover();
    /** The version of {@code python3} on the PATH, or null; pyenv's copy of that version stands for it. */
    private static String pathPython3Version;

    private final Path executable;
    private final int major;
    private final int minor;
    private final String version;

    private CPython(Path executable, String version) {
        this.executable = executable;
        this.version = version;
        String[] parts = version.split("\\.");
        this.major = Integer.parseInt(parts[0]);
        this.minor = Integer.parseInt(parts[1]);
    }

    /** Every interpreter found, oldest first; skips (or fails, under BRINE_REQUIRE_PYTHON=1) if there is none. */
    public static List<CPython> all() {
        require(!FOUND.isEmpty(), "no CPython interpreter found (looked in `pyenv root`/versions and for python3 on PATH)");
        return FOUND;
    }

    /** Every Python 3 interpreter found; skips or fails as {@link #all()} if there is none. */
    public static List<CPython> python3s() {
        List<CPython> list = FOUND.stream().filter(p -> p.major == 3).toList();
        require(!list.isEmpty(), "no CPython 3 interpreter found");
        return list;
    }

    /** The newest interpreter found. */
    public static CPython newest() {
        List<CPython> all = all();
        return all.get(all.size() - 1);
    }

    /**
     * {@code python3} from the PATH (on this machine 3.11, with numpy, cloudpickle and hypothesis), or the newest
     * Python 3 found.
     */
    public static CPython python3() {
        return FOUND.stream().filter(p -> p.version.equals(pathPython3Version))
                .findFirst().orElseGet(() -> python3s().get(python3s().size() - 1));
    }

    /** The interpreter of a given version, if present; skips or fails if absent. */
    public static CPython version(int major, int minor) {
        Optional<CPython> p = FOUND.stream().filter(c -> c.major == major && c.minor == minor).findFirst();
        require(p.isPresent(), "no CPython " + major + "." + minor + " found");
        return p.get();
    }

    /**
     * The interpreter at {@code executable} (such as Debian's {@code /usr/bin/python3}, whose packages differ from
     * pyenv's), if it exists and runs; it need not be one of those {@link #all()} finds.
     */
    public static Optional<CPython> at(Path executable) {
        String version = Files.isExecutable(executable) ? probeVersion(executable) : null;
        return Optional.ofNullable(version).map(v -> new CPython(executable, v));
    }

    /** Skips the calling test with {@code message}, or fails it under {@code BRINE_REQUIRE_PYTHON=1}. */
    public static void require(boolean condition, String message) {
        if (condition) {
            return;
        }
        if ("1".equals(System.getenv("BRINE_REQUIRE_PYTHON"))) {
            throw new AssertionError(message + " and BRINE_REQUIRE_PYTHON=1 is set");
        }
        System.err.println("WARNING: SKIPPING a test that needs CPython: " + message);
        Assumptions.abort(message);
    }

    public Path executable() {
        return executable;
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }

    /** The full version, such as {@code 3.11.7}. */
    public String version() {
        return version;
    }

    /** Whether this interpreter can import {@code module}. */
    public boolean hasModule(String module) {
        return run(new byte[0], "-c", "import " + module).exitCode == 0;
    }

    /** The highest pickle protocol this interpreter writes. */
    public int highestProtocol() {
        if (major == 2) {
            return 2;
        }
        return minor >= 8 ? 5 : minor >= 4 ? 4 : 3;
    }

    /** Runs the interpreter with {@code args}, feeding {@code stdin}; waits at most five minutes. */
    public Result run(byte[] stdin, String... args) {
        return run(Duration.ofMinutes(5), stdin, args);
    }

    /**
     * As {@link #run(byte[], String...)}, waiting at most {@code limit}: for corpus-wide jobs (every case through
     * {@code pickletools}) that take minutes on a busy 2-core machine. The limit only guards against a hang.
     */
    public Result run(Duration limit, byte[] stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        pb.environment().put("PYTHONHASHSEED", "0");
        pb.environment().remove("PYTHONPATH");
        try {
            Process process = pb.start();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            try (var stdinStream = process.getOutputStream()) {
                stdinStream.write(stdin);
            } catch (IOException ignored) {
                // The script may exit without reading its input.
            }
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(this + " timed out running " + command);
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs {@code args} and returns stdout, failing the test if the interpreter exits with an error. */
    public byte[] check(byte[] stdin, String... args) {
        return check(Duration.ofMinutes(5), stdin, args);
    }

    /** As {@link #check(byte[], String...)}, waiting at most {@code limit}. */
    public byte[] check(Duration limit, byte[] stdin, String... args) {
        Result r = run(limit, stdin, args);
        if (r.exitCode != 0) {
            throw new AssertionError(this + " " + String.join(" ", args) + " exited " + r.exitCode + ":\n"
                    + r.stderrText());
        }
        return r.stdout;
    }

    /** The output of a finished interpreter run. */
    public record Result(int exitCode, byte[] stdout, byte[] stderr) {
        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        public String stderrText() {
            return new String(stderr, StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return "CPython " + version;
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<CPython> discover() {
        List<Path> candidates = new ArrayList<>();
        Path root = pyenvRoot();
        if (root != null && Files.isDirectory(root.resolve("versions"))) {
            try (Stream<Path> versions = Files.list(root.resolve("versions"))) {
                versions.map(v -> v.resolve("bin/python")).filter(Files::isExecutable).forEach(candidates::add);
            } catch (IOException ignored) {
                // No pyenv interpreters.
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, "python3");
                if (Files.isExecutable(p)) {
                    candidates.add(p);
                    break;
                }
            }
        }
        List<CPython> found = new ArrayList<>();
        for (Path candidate : candidates) {
            String version = probeVersion(candidate);
            if (version == null) {
                continue;
            }
            if (candidate.getFileName().toString().equals("python3")) {
                pathPython3Version = version;
            }
            boolean duplicate = found.stream().anyMatch(p -> p.version.equals(version));
            if (!duplicate) {
                found.add(new CPython(candidate, version));
            }
        }
        found.sort(Comparator.comparingInt((CPython p) -> p.major).thenComparingInt(p -> p.minor));
        return List.copyOf(found);
    }

    private static String probeVersion(Path python) {
        try {
            Process p = new ProcessBuilder(python.toString(), "-c",
                    "import sys; print('%d.%d.%d' % sys.version_info[:3])")
                    .redirectErrorStream(true).start();
            String out = new String(readAll(p.getInputStream()), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.matches("\\d+\\.\\d+\\.\\d+")) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Path pyenvRoot() {
        String env = System.getenv("PYENV_ROOT");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        try {
            Process p = new ProcessBuilder("pyenv", "root").redirectErrorStream(true).start();
            String out = new String(readAll(p.getInputStream()), StandardCharsets.UTF_8).trim();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
                return Path.of(out);
            }
        } catch (IOException e) {
            // pyenv is not installed: fall back to its usual place.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path home = Path.of(System.getProperty("user.home"), ".pyenv");
        return Files.isDirectory(home) ? home : null;
    }
}
