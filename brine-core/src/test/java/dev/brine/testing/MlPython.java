package dev.brine.testing;

import dev.brine.cpython.CPython;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's own {@code /usr/bin/python3} with its machine-learning packages (python3-torch, python3-sklearn, ...),
 * for tests against real PyTorch checkpoints and joblib files. pyenv's {@code python3}, first on the PATH, has none
 * of them, so this is not one of the interpreters {@link CPython#all()} finds.
 *
 * <p>{@link #require} skips the calling test with a loud warning when the interpreter or a module is missing, or
 * fails it under {@code BRINE_REQUIRE_PYTHON=1} (as CI sets it); {@code tools/test} installs the packages.
 * {@link #fixtures} runs a generator script from {@code brine-core/src/test/python/} once and caches its output
 * under {@code brine-core/target/fixture-cache/}, so later runs of {@code mvn} reuse it.
 */
public final class MlPython {
    /** Debian's interpreter: the one the python3-* packages install into. */
    public static final Path EXECUTABLE = Path.of("/usr/bin/python3");
    /** The modules probed, each from the Debian package {@code python3-<module>}. */
    public static final List<String> MODULES =
            List.of("torch", "sklearn", "pandas", "joblib", "scipy", "numpy", "dill", "cloudpickle");
    /** The file written last into a fixture directory; without it the directory is regenerated. */
    public static final String COMPLETE_MARKER = Fixtures.COMPLETE_MARKER;

    private static final Object LOCK = new Object();
    private static MlPython probed;          // guarded by LOCK
    private static String problem;           // guarded by LOCK: why there is no interpreter, if there is none

    private final CPython python;
    private final Map<String, String> versions;   // module -> version, or null if it does not import
    private final String salt;                    // the Python version and MODULES' versions, for cache keys

    private MlPython(CPython python, Map<String, String> versions) {
        this.python = python;
        this.versions = versions;
        this.salt = python.version() + " " + versions;
    }

    /**
     * Debian's python3, which must import every one of {@code modules} (names from {@link #MODULES}, or any other
     * module); skips the calling test with a warning, or fails it under {@code BRINE_REQUIRE_PYTHON=1}, if not.
     */
    public static MlPython require(String... modules) {
        MlPython ml = probe();
        CPython.require(ml != null, problemText());
        List<String> missing = Arrays.stream(modules).filter(m -> !ml.has(m)).toList();
        CPython.require(missing.isEmpty(), EXECUTABLE + " (" + ml.python.version() + ") cannot import "
                + String.join(", ", missing) + "; install " + String.join(" ", missing.stream()
                .map(m -> "python3-" + m).toList()) + " (tools/test does)");
        return ml;
    }

    /** Whether Debian's python3 exists and imports {@code module}; never skips. */
    public static boolean available(String module) {
        MlPython ml = probe();
        return ml != null && ml.has(module);
    }

    public CPython python() {
        return python;
    }

    /** Whether this interpreter imports {@code module} (checked once for {@link #MODULES}, then on demand). */
    public boolean has(String module) {
        synchronized (versions) {
            if (!versions.containsKey(module) && !MODULES.contains(module)) {
                versions.putAll(importVersions(python, List.of(module)));
            }
            return versions.get(module) != null;
        }
    }

    /** The {@code __version__} of each of {@link #MODULES} that imports ("?" if it has none). */
    public Map<String, String> versions() {
        synchronized (versions) {
            Map<String, String> present = new LinkedHashMap<>();
            versions.forEach((k, v) -> {
                if (v != null) {
                    present.put(k, v);
                }
            });
            return present;
        }
    }

    /**
     * Runs the Python source {@code script} ({@code python3 -c script args...}, so {@code sys.argv[1:]} is
     * {@code args}) and returns its standard output; fails the test with the standard error if it exits non-zero.
     */
    public String run(String script, String... args) {
        List<String> command = new ArrayList<>(List.of("-c", script));
        command.addAll(List.of(args));
        CPython.Result r = python.run(new byte[0], command.toArray(String[]::new));
        if (r.exitCode() != 0) {
            String first = script.strip().lines().findFirst().orElse("");
            throw new AssertionError(EXECUTABLE + " exited " + r.exitCode() + " running `" + first + "...`"
                    + (args.length > 0 ? " with " + String.join(" ", args) : "") + ":\n" + r.stderrText());
        }
        return r.stdoutText();
    }

    /**
     * The output directory of the generator script {@code brine-core/src/test/python/<script>}, run as
     * {@code script OUT_DIR} once and cached in {@code brine-core/target/fixture-cache/<stem>-<key>/}, where the
     * key is the first 16 hex digits of the SHA-256 of the script, the Python version and the versions of
     * {@link #MODULES}: a changed script or package makes a new directory. A directory without its
     * {@link #COMPLETE_MARKER} (an interrupted run) is wiped and regenerated. Safe across threads and JVMs.
     */
    public Path fixtures(String script) {
        return Fixtures.cached(script.replaceFirst("\\.py$", ""), List.of(script), List.of(python), salt, dir -> {
            Path source = Fixtures.script(script);
            CPython.Result r = python.run(new byte[0], source.toString(), dir.toString());
            if (r.exitCode() != 0) {
                throw new AssertionError(EXECUTABLE + " " + source + " " + dir + " exited " + r.exitCode() + ":\n"
                        + r.stderrText());
            }
            return r.stdoutText();
        });
    }

    /** brine-core/src/test/python ({@link Fixtures#scriptDir()}). */
    public static Path scriptDir() {
        return Fixtures.scriptDir();
    }

    private static MlPython probe() {
        synchronized (LOCK) {
            if (probed == null && problem == null) {
                CPython python = CPython.at(EXECUTABLE).orElse(null);
                if (python == null) {
                    problem = EXECUTABLE + " (Debian's python3) is missing or does not run; install python3 and "
                            + "python3-torch python3-sklearn ... (tools/test does)";
                } else {
                    probed = new MlPython(python, importVersions(python, MODULES));
                    Map<String, String> all = probed.versions;
                    List<String> missing = MODULES.stream().filter(m -> all.get(m) == null).toList();
                    if (!missing.isEmpty()) {
                        System.err.println("WARNING: " + EXECUTABLE + " cannot import " + missing
                                + "; tests that need them will skip (tools/test installs them)");
                    }
                }
            }
            return probed;
        }
    }

    private static String problemText() {
        synchronized (LOCK) {
            return problem;
        }
    }

    /** Imports each module in one run; maps it to its version, or to null if it does not import. */
    private static Map<String, String> importVersions(CPython python, List<String> modules) {
        String script = String.join("\n",
                "import importlib, sys",
                "for name in sys.argv[1:]:",
                "    try:",
                "        module = importlib.import_module(name)",
                "        print(name, getattr(module, '__version__', '?'))",
                "    except Exception as e:",
                "        print(name, '-')",
                "        print(name, type(e).__name__, e, file=sys.stderr)");
        List<String> args = new ArrayList<>(List.of("-W", "ignore", "-c", script));
        args.addAll(modules);
        CPython.Result r = python.run(new byte[0], args.toArray(String[]::new));
        Map<String, String> versions = new LinkedHashMap<>();
        modules.forEach(m -> versions.put(m, null));
        r.stdoutText().lines().map(l -> l.split(" ", 2)).filter(p -> p.length == 2 && !p[1].equals("-"))
                .forEach(p -> versions.put(p[0], p[1]));
        return versions;
    }
}
