package dev.brine.tools;

import dev.brine.Pickle;
import dev.brine.bench.Payloads;
import dev.brine.internal.format.ArgKind;
import dev.brine.internal.format.Opcode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * The measurement behind the reader keeping its own argument loop (issue #17, docs/ARCHITECTURE.md): the whole of
 * {@code Pickle.loads} against a pass that only decodes every opcode's argument with the argument reader the
 * disassembler shares with {@code pickletools}' contract, and builds nothing.
 *
 * <p>If the shared reader's decoding alone costs as much as the reader's whole load, a reader built on it cannot
 * be as fast as the one it has. {@link #sharedArguments} reads an unsynchronized stream over the array, so the
 * figure is the decoder's own cost ({@link ByteArrayInputStream#read()} takes a lock per byte);
 * {@link #sharedArgumentsByteArrayStream} is the decoder exactly as the disassembler feeds it.
 *
 * <p>It lives in {@code dev.brine.tools} because the argument reader is package-private there.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class ArgumentLoopBench {
    @Param({"ints-p5", "str-p5", "records-p2", "records-p5", "tree-p5"})
    public String payload;

    private byte[] data;

    @Setup
    public void setUp() {
        data = Payloads.read(payload);
    }

    /** The reader's whole load: its own argument loop, and every value, container and memo entry it builds. */
    @Benchmark
    public Object reader() {
        return Pickle.loads(data);
    }

    /** Only the arguments, with the shared argument reader, over a stream without a lock. */
    @Benchmark
    public void sharedArguments(Blackhole hole) throws IOException {
        decodeAll(new ArrayStream(data), hole);
    }

    /** Only the arguments, with the shared argument reader over a {@link ByteArrayInputStream}, as the CLI does. */
    @Benchmark
    public void sharedArgumentsByteArrayStream(Blackhole hole) throws IOException {
        decodeAll(new ByteArrayInputStream(data), hole);
    }

    private static void decodeAll(InputStream in, Blackhole hole) throws IOException {
        ArgumentReader reader = new ArgumentReader(in);
        while (true) {
            int code = reader.readByte();
            Opcode opcode = Opcode.of(code);
            if (opcode == null) {
                throw new IllegalStateException("opcode " + code + " at " + (reader.position() - 1));
            }
            if (opcode.arg() != ArgKind.NONE) {
                hole.consume(reader.read(opcode.arg()));
            }
            if (opcode == Opcode.STOP) {
                return;
            }
        }
    }

    /** An {@link InputStream} over an array with no lock, no bounds beyond the array's own, and bulk reads. */
    private static final class ArrayStream extends InputStream {
        private final byte[] data;
        private int pos;

        ArrayStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int n = Math.min(len, data.length - pos);
            if (n <= 0) {
                return -1;
            }
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
