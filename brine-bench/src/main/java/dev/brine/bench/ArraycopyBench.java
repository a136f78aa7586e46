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
 * The memory-bandwidth limit for loading a large binary payload: one {@code System.arraycopy} of that many bytes
 * into an array allocated beforehand. The fork runs in the headline configuration (G1, {@code -Xmx4g} only) as
 * Brine's loads and dumps of the large payloads do; both arrays exist before anything is measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class ArraycopyBench {
    @Param("67108864")
    public int bytes;

    private byte[] src;
    private byte[] dst;

    @Setup(Level.Trial)
    public void setUp() {
        src = new byte[bytes];
        new java.util.Random(6).nextBytes(src);
        dst = new byte[bytes];
    }

    @Benchmark
    public byte[] arraycopy() {
        System.arraycopy(src, 0, dst, 0, bytes);
        return dst;
    }
}
