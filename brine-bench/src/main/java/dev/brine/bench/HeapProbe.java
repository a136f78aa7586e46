package dev.brine.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Measures the heap one load takes beyond its input, in its own JVM: the bytes the loading thread allocates
 * during one load (after a first load has loaded the classes), which bounds the extra heap at its peak, and the
 * bytes still held by the result after a full GC.
 *
 * <pre>java -cp benchmarks.jar dev.brine.bench.HeapProbe bytes-p5 brine</pre>
 *
 * Prints one JSON object.
 */
public final class HeapProbe {
    private HeapProbe() {
    }

    public static void main(String[] args) {
        String payload = args[0];
        Contender contender = Contender.valueOf(args.length > 1 ? args[1] : "brine");
        byte[] data = Payloads.read(payload);
        Object warm = contender.loads(data);
        warm = null;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = usedAfterGc();
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        Object value = contender.loads(data);
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        long retained = usedAfterGc() - before;
        System.out.printf(Locale.ROOT, "{\"payload\": \"%s\", \"contender\": \"%s\", \"input\": %d, \"allocated\": %d,"
                + " \"retained\": %d, \"result\": \"%s\"}%n", payload, contender, data.length, allocated, retained,
                value == null ? "null" : value.getClass().getSimpleName());
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
