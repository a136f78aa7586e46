package dev.brine.testing;

import dev.brine.cpython.CPython;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The one place tests find their Python generator scripts and keep what those scripts make.
 *
 * <p>{@link #script} locates {@code brine-core/src/test/python/<name>} from the module directory (as surefire runs)
 * or the repository root. {@link #cached} keeps a generated directory in {@code brine-core/target/fixture-cache/},
 * keyed by the SHA-256 of every input that decides its content: the generator scripts' bytes, the interpreters'
 * versions, and any other salt the caller names. A changed script or interpreter makes a new directory; an
 * interrupted run (no {@link #COMPLETE_MARKER}) is wiped and made again. One directory is made once per machine,
 * whatever the number of test classes, threads or surefire forks asking for it (a file lock orders the JVMs), and
 * {@code mvn clean} removes them all.
 */
public final class Fixtures {
    /** The file written last into a fixture directory; without it the directory is regenerated. */
    public static final String COMPLETE_MARKER = ".complete";

    private static final ConcurrentHashMap<String, Object> LOCKS = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /**
     * How a fixture directory is filled: the directory exists and is empty when this runs. What it returns (a
     * generator's standard output, say) is kept after the description in the directory's {@link #COMPLETE_MARKER}.
     */
    @FunctionalInterface
    public interface Maker {
        String make(Path dir) throws IOException;
    }

    /** brine-core/src/test/python. */
    public static Path scriptDir() {
        Path p = Path.of("src/test/python");
        return (Files.isDirectory(p) ? p : Path.of("brine-core/src/test/python")).toAbsolutePath().normalize();
    }

    /** The generator script {@code name} in {@link #scriptDir()}, which must exist. */
    public static Path script(String name) {
        Path p = scriptDir().resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("no test script " + p);
        }
        return p;
    }

    /** brine-core/target/fixture-cache. */
    public static Path cacheRoot() {
        return scriptDir().getParent().getParent().getParent().resolve("target/fixture-cache");
    }

    /**
     * The directory {@code stem-<key>} under {@link #cacheRoot()}, made by {@code maker} unless a complete one is
     * there. The key hashes the bytes of {@code scripts} (names in {@link #scriptDir()}), the versions of
     * {@code pythons} and {@code salt}.
     */
    public static Path cached(String stem, List<String> scripts, List<CPython> pythons, String salt, Maker maker) {
        StringBuilder inputs = new StringBuilder(salt);
        pythons.forEach(p -> inputs.append('\0').append(p.executable()).append(' ').append(p.version()));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String s : scripts) {
                sha.update(s.getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(script(s)));
            }
            sha.update(inputs.toString().getBytes(StandardCharsets.UTF_8));
            String key = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            return cachedDir(stem, stem + "-" + key, stem + " " + scripts + " " + inputs, maker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code python script OUT_DIR args...}, run once into a cached directory (see {@link #cached}). */
    public static Path generated(CPython python, String script, String salt, String... args) {
        String stem = script.replaceFirst("\\.py$", "") + "-" + python.version();
        return cached(stem, List.of(script), List.of(python), salt + " " + String.join(" ", args), dir -> {
            String[] argv = new String[args.length + 2];
            argv[0] = script(script).toString();
            argv[1] = dir.toString();
            System.arraycopy(args, 0, argv, 2, args.length);
            CPython.Result r = python.run(new byte[0], argv);
            if (r.exitCode() != 0) {
                throw new AssertionError(python + " " + script + " exited " + r.exitCode() + ":\n" + r.stderrText());
            }
            return r.stdoutText();
        });
    }

    private static Path cachedDir(String stem, String name, String description, Maker maker) throws IOException {
        Path root = cacheRoot();
        Path dir = root.resolve(name);
        Path marker = dir.resolve(COMPLETE_MARKER);
        synchronized (LOCKS.computeIfAbsent(name, k -> new Object())) {
            if (Files.isRegularFile(marker)) {
                return dir;
            }
            Files.createDirectories(root);
            try (FileChannel channel = FileChannel.open(root.resolve(stem + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                if (Files.isRegularFile(marker)) {
                    return dir;                              // another JVM made it while this one waited
                }
                deleteTree(dir);
                Files.createDirectories(dir);
                String notes = maker.make(dir);
                Files.writeString(marker, description + "\n" + (notes == null ? "" : notes));
                return dir;
            }
        }
    }

    /** Deletes {@code dir} and everything below it, if it exists. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
