package dev.brine.conformance;

import dev.brine.cpython.CPython;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Runs the corpus scripts of {@code src/test/python} under a real interpreter, into a fresh temporary directory
 * that is deleted when the JVM exits (set {@code -Dbrine.conformance.keep=true} to keep it for inspection).
 */
final class Corpora {
    /** The exit status pickletester_corpus.py uses when the interpreter has no usable test package. */
    static final int UNUSABLE = 3;

    private static Comparison.Py2Names py2Names;

    private Corpora() {
    }

    /** The scripts' directory, from the module directory (where surefire runs) or the repository root. */
    static Path scripts() {
        for (Path p : new Path[] {Path.of("src/test/python"), Path.of("brine-core/src/test/python")}) {
            if (Files.isRegularFile(p.resolve("describe.py"))) {
                return p.toAbsolutePath();
            }
        }
        throw new AssertionError("cannot find src/test/python/describe.py from " + Path.of("").toAbsolutePath());
    }

    /** The result of running {@code script OUTDIR}: the directory, or null if the script said it cannot run. */
    static Path generate(CPython python, String script) {
        Path out;
        try {
            out = Files.createTempDirectory("brine-" + script.replace(".py", "") + "-" + python.version() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Boolean.getBoolean("brine.conformance.keep")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(out)));
        }
        CPython.Result r = python.run(new byte[0], scripts().resolve(script).toString(), out.toString());
        if (r.exitCode() == UNUSABLE) {
            System.err.println("WARNING: " + python + " cannot run " + script + ":\n" + r.stderrText());
            return null;
        }
        if (r.exitCode() != 0) {
            throw new AssertionError(python + " " + script + " exited " + r.exitCode() + ":\n" + r.stderrText());
        }
        System.out.print(r.stdoutText());
        return out;
    }

    /** CPython 3's renames of Python 2 names, read from the newest Python 3 found. */
    static synchronized Comparison.Py2Names py2Names() {
        if (py2Names == null) {
            CPython python3 = CPython.python3s().get(CPython.python3s().size() - 1);
            byte[] out = python3.check(new byte[0], scripts().resolve("compat_names.py").toString());
            py2Names = Comparison.Py2Names.fromJson(Json.parse(new String(out, java.nio.charset.StandardCharsets.UTF_8)));
        }
        return py2Names;
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort at exit.
        }
    }
}
