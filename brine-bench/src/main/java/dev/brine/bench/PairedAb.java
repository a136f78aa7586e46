package dev.brine.bench;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A paired A/B of first dumps: two or more builds of brine-core in one JVM, each in a class loader of its own, taking
 * turns on the same payloads. Run by {@code bench/paired}.
 *
 * <p>Each round, each build loads the payload, the JVM runs a full collection (so the value is in the old generation
 * and its objects have no identity hash, as in {@code PickleBench.dumpsFresh}), and the build dumps the value twice:
 * the first dump and a warm re-dump. The order of the builds alternates between rounds (A B, then B A), and the
 * report gives each build's median and, for each build after the first, the median and quartiles of its per-round
 * ratio to the first build. Rounds of one JVM share the machine's moment, which on a shared 2-core VM moves separate
 * runs by more than the changes being compared (the same build has measured 20 and 33 ms a dump in two runs). The
 * paired ratio cancels most of that; its quartiles say how much is left. Every dump of every build must write the
 * same bytes as the first build's, or the run fails: an A/B of builds that disagree measures nothing.
 *
 * <p>This is a development tool, not the benchmark of record: {@code bench/compare} is.
 */
public final class PairedAb {
    private PairedAb() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 4) {
            System.err.println("usage: PairedAb JAR_A,JAR_B[,...] PAYLOAD_DIR ROUNDS NAME... (a NAME: tree-p5)");
            System.exit(2);
        }
        String[] jars = args[0].split(",");
        Path dir = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        if (jars.length < 2 || rounds < 4) {
            throw new IllegalArgumentException("needs two builds or more and four rounds or more");
        }
        Build[] builds = new Build[jars.length];
        for (int b = 0; b < jars.length; b++) {
            builds[b] = new Build(Path.of(jars[b]));
        }
        for (int k = 3; k < args.length; k++) {
            run(builds, dir, args[k], rounds);
        }
    }

    /** One build's {@code Pickle.loads} and {@code Pickle.dumps}, from its own class loader. */
    private static final class Build {
        final MethodHandle loads;
        final MethodHandle dumps;

        Build(Path jar) throws ReflectiveOperationException, IOException {
            if (!Files.isRegularFile(jar)) {
                throw new IOException("no such jar: " + jar);
            }
            // The platform loader as parent: each build's dev.brine classes come from its own jar, never from ours.
            ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> pickle = loader.loadClass("dev.brine.Pickle");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            loads = lookup.findStatic(pickle, "loads", MethodType.methodType(Object.class, byte[].class));
            dumps = lookup.findStatic(pickle, "dumps", MethodType.methodType(byte[].class, Object.class, int.class));
        }
    }

    private static void run(Build[] builds, Path dir, String name, int rounds) throws Throwable {
        int protocol = Integer.parseInt(name.substring(name.lastIndexOf('p') + 1));
        byte[] data = Files.readAllBytes(dir.resolve(name + ".pickle"));
        int n = builds.length;
        double[][] first = new double[n][rounds];
        double[][] again = new double[n][rounds];
        byte[] expected = null;
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < n; j++) {
                int b = r % 2 == 0 ? j : n - 1 - j;
                Object value = (Object) builds[b].loads.invokeExact(data);
                System.gc();
                long t0 = System.nanoTime();
                byte[] out = (byte[]) builds[b].dumps.invokeExact(value, protocol);
                long t1 = System.nanoTime();
                byte[] out2 = (byte[]) builds[b].dumps.invokeExact(value, protocol);
                long t2 = System.nanoTime();
                if (expected == null) {
                    expected = out;
                }
                if (!Arrays.equals(expected, out) || !Arrays.equals(expected, out2)) {
                    throw new AssertionError(name + ": build " + (char) ('A' + b)
                            + " wrote other bytes than the first dump");
                }
                first[b][r] = (t1 - t0) / 1e6;
                again[b][r] = (t2 - t1) / 1e6;
            }
        }
        // The first quarter of the rounds is warm-up: the JIT compiles each build's code while they run.
        int from = rounds / 4;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-12s", name));
        for (int b = 0; b < n; b++) {
            line.append(String.format(Locale.ROOT, " | %c first %6.2f ms, re-dump %6.2f ms", (char) ('A' + b),
                    quantile(first[b], from, 0.5), quantile(again[b], from, 0.5)));
        }
        for (int b = 1; b < n; b++) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = first[b][r] / first[0][r];
            }
            line.append(String.format(Locale.ROOT, " | first %c/A %.3f (quartiles %.3f-%.3f)", (char) ('A' + b),
                    quantile(ratio, from, 0.5), quantile(ratio, from, 0.25), quantile(ratio, from, 0.75)));
        }
        System.out.println(line);
    }

    private static double quantile(double[] values, int from, double q) {
        double[] v = Arrays.copyOfRange(values, from, values.length);
        Arrays.sort(v);
        return v[(int) Math.min(v.length - 1, Math.round(q * (v.length - 1)))];
    }
}
