package dev.brine.bench;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.Locale;

/**
 * Measures the heap one load takes beyond its input, in its own JVM: the bytes the loading thread allocates
 * during one load (after a first load has loaded the classes), which bounds the extra heap at its peak, and the
 * bytes still held by the result after a full GC.
 *
 * <p>The retained figure is the heap in use after full collections with the result reachable, less the heap in use
 * after full collections just before the load (the input array and the classes a first load brought in are in
 * both, so they cancel). {@code System.gc()} is a full, stop-the-world collection on G1 and ParallelGC unless
 * {@code -XX:+ExplicitGCInvokesConcurrent} is given (bench/compare does not give it); it runs until two rounds in
 * a row report the same heap in use, so nothing collectable is left, and {@link Reference#reachabilityFence} keeps
 * the result alive through the second measurement, which the JIT could otherwise treat as dead.
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
        Reference.reachabilityFence(value);
        System.out.printf(Locale.ROOT, "{\"payload\": \"%s\", \"contender\": \"%s\", \"input\": %d, \"allocated\": %d,"
                + " \"retained\": %d, \"result\": \"%s\"}%n", payload, contender, data.length, allocated, retained,
                value == null ? "null" : value.getClass().getSimpleName());
    }

    /** The heap in use after full collections, once two in a row leave the same amount (at most eight). */
    private static long usedAfterGc() {
        long used = -1;
        for (int i = 0; i < 8; i++) {
            System.gc();
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now == used) {
                break;
            }
            used = now;
        }
        return used;
    }
}
