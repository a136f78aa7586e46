package dev.brine.security;

import dev.brine.PickleException;
import dev.brine.Unpickler;
import dev.brine.cpython.CPython;
import dev.brine.internal.format.ArgKind;
import dev.brine.internal.format.Opcode;
import dev.brine.testing.ThrottledInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise of SECURITY.md, input by input: with default limits, every hostile pickle ends in a
 * {@link PickleException} or a value, within a second and 64 MiB of allocation, read from a byte array, from a
 * buffer and from streams; never an OutOfMemoryError, a StackOverflowError or a hang.
 *
 * <p>Memory is measured as the bytes the reading thread allocates ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}),
 * which bounds the extra heap from above; time as the reading thread's CPU time, so that garbage collection and
 * other processes on a shared machine do not count, with a generous wall-clock bound besides.
 */
@Tag("cross-interpreter")
class AdversarialInputTest {
    private static final Unpickler DEFAULTS = Unpickler.builder().build();
    /** The reading thread's CPU time, which leaves out GC threads and other processes sharing the machine. */
    private static final long MAX_NANOS = 1_000_000_000L;
    /** Wall-clock time, generous, for a hang that does not burn this thread's CPU. */
    private static final long MAX_WALL_NANOS = 20_000_000_000L;
    private static final long MAX_ALLOCATED = 64L << 20;

    /** How a read ended: the value or the exception, with its cost. */
    record Outcome(Object value, PickleException error, long nanos, long allocated) {
    }

    /** Reads {@code data} one way, measured; anything but a value or a PickleException fails the test. */
    private static Outcome measure(String how, byte[] data) {
        long allocatedBefore = allocatedBytes();
        long cpuBefore = cpuNanos();
        long start = System.nanoTime();
        Object value = null;
        PickleException error = null;
        try {
            switch (how) {
                case "array":
                    value = DEFAULTS.loads(data);
                    break;
                case "buffer":
                    value = DEFAULTS.load(ByteBuffer.wrap(data));
                    break;
                case "markable stream":
                    value = DEFAULTS.load(new ByteArrayInputStream(data));
                    break;
                default:
                    value = DEFAULTS.load(new ThrottledInputStream(data, 7, false));
            }
        } catch (PickleException e) {
            error = e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long wall = System.nanoTime() - start;
        assertThat(wall).as(how + ": wall-clock nanoseconds (a hang)").isLessThan(MAX_WALL_NANOS);
        return new Outcome(value, error, cpuNanos() - cpuBefore, allocatedBytes() - allocatedBefore);
    }

    /** Reads {@code data} every way and checks each ends within the budget; returns the array outcome. */
    static Outcome bounded(String name, byte[] data) {
        Outcome first = null;
        for (String how : new String[] {"array", "buffer", "markable stream", "throttled stream"}) {
            Outcome o = measure(how, data);
            if (o.nanos() > MAX_NANOS) {
                // One retry, so a GC pause or a busy machine does not fail the test; a real hang fails twice.
                o = measure(how, data);
            }
            assertThat(o.nanos()).as(name + " from a " + how + ": CPU nanoseconds").isLessThan(MAX_NANOS);
            assertThat(o.allocated()).as(name + " from a " + how + ": bytes allocated").isLessThan(MAX_ALLOCATED);
            if (first == null) {
                first = o;
            }
        }
        return first;
    }

    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof byte[]) {
                out.writeBytes((byte[]) p);
            } else if (p instanceof String) {
                out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
            } else if (p instanceof Opcode) {
                out.write(((Opcode) p).code());
            } else if (p instanceof Character) {
                out.write((Character) p);
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    static byte[] repeat(byte[] unit, int times) {
        byte[] out = new byte[unit.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(unit, 0, out, i * unit.length, unit.length);
        }
        return out;
    }

    private static byte[] littleEndian(BigInteger value, int size) {
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = value.shiftRight(8 * i).byteValue();
        }
        return out;
    }

    // ---- Declared lengths -----------------------------------------------------------------------------------

    /** Every opcode with a length (and FRAME), declaring lengths up to 2^64-1, followed by a few real bytes. */
    static Stream<Object[]> declaredLengths() {
        List<Object[]> cases = new ArrayList<>();
        for (Opcode op : Opcode.values()) {
            boolean counted = op.arg().layout() == ArgKind.Layout.COUNTED;
            if (!counted && op != Opcode.FRAME) {
                continue;
            }
            int size = counted ? op.arg().size() : 8;
            List<BigInteger> lengths = new ArrayList<>();
            for (int bits : new int[] {8, 16, 31, 32, 63, 64}) {
                if (bits <= size * 8) {
                    lengths.add(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
                }
            }
            for (BigInteger length : lengths) {
                cases.add(new Object[] {op, length});
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} declaring {1} bytes")
    @MethodSource("declaredLengths")
    void everyLengthOpcodeDeclaringAHugeLength(Opcode op, BigInteger length) {
        int size = op.arg().layout() == ArgKind.Layout.COUNTED ? op.arg().size() : 8;
        byte[] pickle = bytes(Opcode.PROTO, 5, op, littleEndian(length, size), "abcdefgh", Opcode.STOP);
        Outcome o = bounded(op + " " + length, pickle);
        assertThat(o.error()).as("a pickle declaring more bytes than it has must fail").isNotNull();
    }

    // ---- Memo -----------------------------------------------------------------------------------------------

    @Test
    void memoIndexTwoToTheThirtyTwoMinusOne() {
        byte[] max = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        Outcome binary = bounded("LONG_BINPUT/GET 2^32-1", bytes(Opcode.PROTO, 2, Opcode.NONE, Opcode.LONG_BINPUT, max,
                Opcode.POP, Opcode.LONG_BINGET, max, Opcode.STOP));
        assertThat(binary.error()).isNull();
        Outcome text = bounded("PUT/GET 4294967295", bytes(Opcode.BININT1, 7, "p4294967295\n", Opcode.POP,
                "g4294967295\n", Opcode.STOP));
        assertThat(text.value()).isEqualTo(7L);
        assertThat(bounded("GET of a missing 2^32-1", bytes(Opcode.LONG_BINGET, max, Opcode.STOP)).error()).isNotNull();
    }

    @Test
    void hugeMemoFanOut() {
        // A list of 100,000 items, memoized, then pushed by GET a million times into another list.
        byte[] pickle = bytes(Opcode.PROTO, 2, Opcode.EMPTY_LIST, Opcode.EMPTY_LIST, Opcode.BINPUT, 0, Opcode.MARK,
                repeat(bytes(Opcode.BININT1, 1), 100_000), Opcode.APPENDS, Opcode.POP, Opcode.MARK,
                repeat(bytes(Opcode.BINGET, 0), 1_000_000), Opcode.APPENDS, Opcode.STOP);
        Outcome o = bounded("memo fan-out", pickle);
        assertThat(o.error()).isNull();
        assertThat((List<?>) o.value()).hasSize(1_000_000);
    }

    // ---- Depth --------------------------------------------------------------------------------------------

    @Test
    void aMillionMarks() {
        Outcome o = bounded("a million MARKs", bytes(repeat(bytes(Opcode.MARK), 1_000_000), Opcode.STOP));
        assertThat(o.error()).isNotNull();
    }

    @Test
    void aMillionNestedLists() {
        Outcome o = bounded("a million nested lists",
                bytes(repeat(bytes(Opcode.MARK), 1_000_000), repeat(bytes(Opcode.LIST), 1_000_000), Opcode.STOP));
        assertThat(o.error()).isNull();
    }

    @Test
    void aMillionNestedTuples() {
        Outcome o = bounded("a million nested tuples",
                bytes(repeat(bytes(Opcode.MARK), 1_000_000), repeat(bytes(Opcode.TUPLE), 1_000_000), Opcode.STOP));
        assertThat(o.error()).as("tuples nest no deeper than maxNesting").isNotNull();
        Outcome one = bounded("a million nested 1-tuples",
                bytes(Opcode.EMPTY_TUPLE, repeat(bytes(Opcode.TUPLE1), 1_000_000), Opcode.STOP));
        assertThat(one.error()).isNotNull();
    }

    // ---- Hashing ---------------------------------------------------------------------------------------------

    @Test
    void stringsThatCollideInJavaHashCodeAsDictKeys() {
        // "Aa" and "BB" share a hashCode, so all 2^16 strings of 16 such pairs do: one HashMap bucket.
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        for (int i = 0; i < 1 << 16; i++) {
            StringBuilder key = new StringBuilder(32);
            for (int bit = 0; bit < 16; bit++) {
                key.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            items.writeBytes(bytes(Opcode.SHORT_BINUNICODE, 32, key.toString(), Opcode.NONE));
        }
        Outcome o = bounded("colliding keys", bytes(Opcode.PROTO, 4, Opcode.EMPTY_DICT, Opcode.MARK,
                items.toByteArray(), Opcode.SETITEMS, Opcode.STOP));
        assertThat(o.error()).isNull();
        assertThat((Map<?, ?>) o.value()).hasSize(1 << 16);
    }

    @Test
    void deeplyNestedTuplesAsDictKeys() {
        // A tuple 4,000 deep (under maxNesting) as the key of a dict, and a second one equal to it.
        byte[] deep = bytes(Opcode.EMPTY_TUPLE, repeat(bytes(Opcode.TUPLE1), 4_000));
        Outcome o = bounded("deep tuple keys", bytes(Opcode.PROTO, 2, Opcode.EMPTY_DICT, deep, Opcode.NONE,
                Opcode.SETITEM, deep, Opcode.NONE, Opcode.SETITEM, Opcode.STOP));
        assertThat(o.error()).isNull();
        assertThat((Map<?, ?>) o.value()).hasSize(1);
    }

    @Test
    void tupleDagsThatDoubleAtEveryLevelAsDictKeys() {
        // t = (t, t) sixty times over, built twice from separate memo entries: equal, with the same hash, and
        // 2^60 paths through each. Comparing them path by path would never end.
        ByteArrayOutputStream dag = new ByteArrayOutputStream();
        dag.writeBytes(bytes(Opcode.EMPTY_TUPLE));
        for (int i = 0; i < 60; i++) {
            dag.writeBytes(bytes(Opcode.DUP, Opcode.TUPLE2));
        }
        byte[] key = dag.toByteArray();
        Outcome o = bounded("tuple DAG keys", bytes(Opcode.PROTO, 2, Opcode.EMPTY_DICT, key, Opcode.NONE,
                Opcode.SETITEM, key, Opcode.NONE, Opcode.SETITEM, Opcode.STOP));
        assertThat(o.error()).isNull();
        assertThat((Map<?, ?>) o.value()).hasSize(1);
    }

    // ---- Frames, STOP, protocol ---------------------------------------------------------------------------------

    @Test
    void aFrameClaimingMoreThanTheInput() {
        for (long claim : new long[] {100, 1L << 40, Long.MAX_VALUE}) {
            Outcome o = bounded("FRAME " + claim, bytes(Opcode.PROTO, 4, Opcode.FRAME, littleEndian(BigInteger.valueOf(claim), 8),
                    Opcode.NONE, Opcode.STOP));
            // CPython reads the frame whole and fails; Brine may also read the value before the missing bytes.
            assertThat(o.error() != null || o.value() == null).isTrue();
        }
    }

    @Test
    void anOpcodeStraddlingAFrameEnd() {
        Outcome o = bounded("BININT across a frame end", bytes(Opcode.PROTO, 4, Opcode.FRAME,
                littleEndian(BigInteger.valueOf(3), 8), Opcode.BININT, 1, 2, 3, 4, Opcode.STOP));
        assertThat(o.error()).isNotNull();
        assertThat(o.error().opcode()).isEqualTo("BININT");
    }

    @Test
    void junkAfterStop() {
        Outcome o = bounded("junk after STOP", bytes(Opcode.PROTO, 2, Opcode.BININT1, 5, Opcode.STOP, 0xff, 0x00, "junk"));
        assertThat(o.value()).isEqualTo(5L);
    }

    @Test
    void protocolsAboveFive() {
        for (int p = 6; p <= 255; p++) {
            Outcome o = bounded("PROTO " + p, bytes(Opcode.PROTO, p, Opcode.NONE, Opcode.STOP));
            assertThat(o.error()).as("PROTO " + p).isNotNull();
        }
    }

    // ---- Truncations --------------------------------------------------------------------------------------------

    /**
     * Every single-byte truncation of every pickle of the conformance catalogue (see {@link #nextTruncation} for
     * the largest), written now by the newest Python 3 found: each prefix fails cleanly (or, where the prefix is
     * itself a whole pickle, loads). The buffers share the byte array, so nothing is copied per prefix.
     */
    @Test
    void everyTruncationOfEveryCataloguePickle() throws IOException {
        CPython python = CPython.python3s().get(CPython.python3s().size() - 1);
        Path dir = Files.createTempDirectory("brine-truncations-");
        try {
            python.check(new byte[0], scripts().resolve("catalogue.py").toString(), dir.toString());
            List<Path> pickles;
            try (Stream<Path> files = Files.list(dir)) {
                pickles = files.filter(p -> p.toString().endsWith(".pkl")).sorted().toList();
            }
            assertThat(pickles).hasSizeGreaterThan(100);
            long prefixes = 0;
            long slowest = 0;
            for (Path p : pickles) {
                byte[] data = Files.readAllBytes(p);
                for (int length = 0; length < data.length; length = nextTruncation(length, data.length)) {
                    long start = System.nanoTime();
                    try {
                        DEFAULTS.load(ByteBuffer.wrap(data, 0, length));
                    } catch (PickleException expected) {
                        assertThat(expected.offset()).isBetween(-1L, (long) length);
                    }
                    slowest = Math.max(slowest, System.nanoTime() - start);
                    prefixes++;
                }
            }
            System.out.println("truncations: " + prefixes + " prefixes of " + pickles.size() + " pickles, slowest "
                    + slowest / 1000 + " us");
            assertThat(slowest).isLessThan(MAX_NANOS);
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * Every length for a pickle of up to {@value #EXHAUSTIVE} bytes; for the few larger ones (long strings, batches
     * past 1,000 items, frames past 64 KiB) every length within {@value #EXHAUSTIVE} bytes of either end, and a prime
     * stride between, since each prefix replays the whole pickle before it and all of them would take minutes.
     */
    private static int nextTruncation(int length, int size) {
        if (size <= EXHAUSTIVE || length < EXHAUSTIVE || length >= size - EXHAUSTIVE) {
            return length + 1;
        }
        return Math.min(length + 61, size - EXHAUSTIVE);
    }

    private static final int EXHAUSTIVE = 1024;

    static Path scripts() {
        for (Path p : new Path[] {Path.of("src/test/python"), Path.of("brine-core/src/test/python")}) {
            if (Files.isRegularFile(p.resolve("catalogue.py"))) {
                return p.toAbsolutePath();
            }
        }
        throw new AssertionError("cannot find src/test/python/catalogue.py");
    }

    // ---- Measuring ---------------------------------------------------------------------------------------------

    private static final Object THREADS;
    private static final Method ALLOCATED;
    private static final Method CPU;

    static {
        // Through reflection: the test runs inside module dev.brine, which does not read java.management.
        Object threads = null;
        Method allocated = null;
        Method cpu = null;
        try {
            threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            allocated = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
            cpu = Class.forName("java.lang.management.ThreadMXBean").getMethod("getCurrentThreadCpuTime");
        } catch (ReflectiveOperationException | LinkageError e) {
            threads = null;
        }
        THREADS = threads;
        ALLOCATED = allocated;
        CPU = cpu;
    }

    /** CPU nanoseconds this thread has used so far. */
    static long cpuNanos() {
        assertThat(THREADS).as("java.lang.management.ThreadMXBean is needed to measure time").isNotNull();
        try {
            return (Long) CPU.invoke(THREADS);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Bytes this thread has allocated so far; fails if the JVM cannot tell, so the bound is never skipped. */
    static long allocatedBytes() {
        assertThat(THREADS).as("com.sun.management.ThreadMXBean is needed to measure allocation").isNotNull();
        try {
            return (Long) ALLOCATED.invoke(THREADS);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
