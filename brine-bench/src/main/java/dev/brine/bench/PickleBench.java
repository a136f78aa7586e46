package dev.brine.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@code loads} of one payload file, and {@code dumps} of the value the same contender loaded from it. bench/compare
 * chooses the payloads and contenders with {@code -p}; the defaults here are for a single run by hand.
 *
 * <p>The fork's default is the headline configuration of docs/BENCHMARKS.md: the JVM's defaults (G1, a heap the
 * JVM sizes and grows itself) with nothing but {@code -Xmx4g}. G1 grows the heap during the first seconds of a
 * run, and a young collection that copies results into regions never touched before pays a slow first touch of
 * each page on some VMs (loads of records-p2 at 105-360 ms/op for the first ~12 s, then 28-29 ms/op), so the
 * default warm-up is 15 iterations of 1 s. A {@code -jvmArgsAppend} on the command line replaces the one here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 15, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class PickleBench {
    @Param("ints-p5")
    public String payload;

    @Param("brine")
    public Contender contender;

    private byte[] data;
    private int protocol;

    @Setup(Level.Trial)
    public void setUp() {
        data = Payloads.read(payload);
        protocol = Payloads.protocol(payload);
    }

    /**
     * The loaded value that {@link #dumps} writes; a separate state, so a loads run does not hold it too.
     *
     * <p>A full collection then moves the value to the old generation, where a long-lived value lives, before
     * anything is measured. Left in the young generation, every young collection during the run copied it again
     * (about 100 ms a collection for the 100k records), and the copy's order, which decides how many cache lines
     * a walk of the graph touches, differed from fork to fork: the same dump of records measured 33 ms in one
     * fork and 44 to 65 ms in the next. The collector's sliding compaction keeps the order in which the value
     * was loaded.
     */
    @State(Scope.Benchmark)
    public static class Loaded {
        Object value;

        @Setup(Level.Trial)
        public void setUp(PickleBench bench) {
            value = bench.loadTenured();
        }
    }

    /**
     * A value loaded again before each {@link #dumpsFresh} call, and moved to the old generation as in
     * {@link Loaded}. The setup is outside the measured time; it takes several times longer than the dump (the
     * full collection), so a run measures few calls; bench/compare runs it on the payloads of many small objects,
     * not on the single large ones.
     */
    @State(Scope.Thread)
    public static class Fresh {
        Object value;

        @Setup(Level.Invocation)
        public void setUp(PickleBench bench) {
            value = null; // the last one is garbage before the next load, not during it
            value = bench.loadTenured();
        }
    }

    /** This contender's value of the payload, moved to the old generation by a full collection (see {@link Loaded}). */
    Object loadTenured() {
        Object value = contender.loads(data);
        System.gc();
        return value;
    }

    @Benchmark
    public Object loads() {
        return contender.loads(data);
    }

    @Benchmark
    public byte[] dumps(Loaded loaded) {
        return contender.dumps(loaded.value, protocol);
    }

    /**
     * The first dump of a freshly loaded value, as a service that loads, changes and writes each message dumps
     * it. {@link #dumps} writes the same value again and again, and after its first call every object already
     * has its identity hash, which the JVM stores in the object's header when it is first asked for (a call into
     * the VM, about 25 ns an object); the memo asks for the hash of every container and str.
     */
    @Benchmark
    public byte[] dumpsFresh(Fresh fresh) {
        return contender.dumps(fresh.value, protocol);
    }
}
