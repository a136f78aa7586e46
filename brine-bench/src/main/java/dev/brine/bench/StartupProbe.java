package dev.brine.bench;

import dev.brine.Pickle;

import java.util.Locale;

/**
 * Times the first {@code Pickle.loads} in a fresh JVM: class loading and initialization of the opcode table and
 * registries, plus interpreted execution. Run it as the first thing the JVM does.
 *
 * <pre>java -cp benchmarks.jar dev.brine.bench.StartupProbe small-p5</pre>
 *
 * Prints one JSON object.
 */
public final class StartupProbe {
    private StartupProbe() {
    }

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "small-p5";
        byte[] data = Payloads.read(name);
        long t0 = System.nanoTime();
        Object value = Pickle.loads(data);
        long t1 = System.nanoTime();
        Pickle.loads(data);
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "{\"payload\": \"%s\", \"first_ms\": %.3f, \"second_ms\": %.3f, "
                + "\"jvm_uptime_ms\": %d, \"ok\": %b}%n", name, (t1 - t0) / 1e6, (t2 - t1) / 1e6, java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime(),
                value != null);
    }
}
