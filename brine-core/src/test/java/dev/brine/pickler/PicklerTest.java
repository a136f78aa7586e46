package dev.brine.pickler;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.Unpickler;
import dev.brine.cpython.CPython;
import dev.brine.internal.format.Opcode;
import dev.brine.value.PersistentRef;
import dev.brine.value.PyBytes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Pickler's own rules, without an interpreter: memo by identity, errors, hooks, streams, deep nesting. */
class PicklerTest {
    private static int count(byte[] data, Opcode op) {
        int n = 0;
        for (byte b : data) {
            n += (b & 0xff) == op.code() ? 1 : 0;
        }
        return n;
    }

    @Test
    void memoIsByIdentityNotEquality() {
        List<Object> a = new ArrayList<>(List.of(1));
        List<Object> b = new ArrayList<>(List.of(1));
        byte[] distinct = Pickle.dumps(List.of(a, b), 2);
        byte[] shared = Pickle.dumps(List.of(a, a), 2);
        assertThat(count(distinct, Opcode.BINGET)).isZero();
        assertThat(count(shared, Opcode.BINGET)).isEqualTo(1);
        @SuppressWarnings("unchecked")
        List<Object> back = (List<Object>) Pickle.loads(shared);
        assertThat(back.get(0)).isSameAs(back.get(1));
        @SuppressWarnings("unchecked")
        List<Object> back2 = (List<Object>) Pickle.loads(distinct);
        assertThat(back2.get(0)).isNotSameAs(back2.get(1)).isEqualTo(back2.get(1));
    }

    @Test
    void cyclesWork() {
        List<Object> self = new ArrayList<>();
        self.add(self);
        for (int p = 0; p <= 5; p++) {
            @SuppressWarnings("unchecked")
            List<Object> back = (List<Object>) Pickle.loads(Pickle.dumps(self, p));
            assertThat(back.get(0)).isSameAs(back);
        }
    }

    @Test
    void aMillionNestedListsNeitherOverflowNorFail() {
        List<Object> root = new ArrayList<>();
        List<Object> cur = root;
        for (int i = 0; i < 1_000_000; i++) {
            List<Object> next = new ArrayList<>(1);
            cur.add(next);
            cur = next;
        }
        byte[] data = Pickle.dumps(root, 4);
        assertThat(count(data, Opcode.EMPTY_LIST)).isEqualTo(1_000_001);
        assertThat(data[data.length - 1]).isEqualTo((byte) Opcode.STOP.code());
    }

    @Test
    void unknownTypeNamesClassPathAndRemedy() {
        Map<String, Object> order = Map.of("customer", new Date(0));
        Map<String, Object> root = Map.of("orders", List.of(1, 2, 3, order));
        assertThatThrownBy(() -> Pickle.dumps(root))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("java.util.Date")
                .hasMessageContaining("adapter(")
                .hasMessageContaining("portable mode")
                .satisfies(e -> assertThat(((PickleException) e).path()).isEqualTo("$.orders[3].customer"));
    }

    @Test
    void adapterConvertsAType() {
        Pickler pickler = Pickler.builder().adapter(Date.class, d -> d.getTime()).build();
        assertThat(Pickle.loads(pickler.dumps(List.of(new Date(42))))).isEqualTo(List.of(42L));
    }

    @Test
    void subMicrosecondTimesFailRatherThanLosePrecision() {
        assertThatThrownBy(() -> Pickle.dumps(LocalTime.of(1, 2, 3, 1)))
                .isInstanceOf(PickleException.class).hasMessageContaining("microseconds");
    }

    @Test
    void protocolIsChecked() {
        assertThatThrownBy(() -> Pickler.builder().protocol(6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pickle.dumps(1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Pickler.builder().build().protocol()).isEqualTo(4);
    }

    @Test
    void persistentIdHookReplacesValues() {
        Pickler pickler = Pickler.builder().protocol(2).persistentId(v -> "secret".equals(v) ? "ref-1" : null).build();
        Object back = Pickle.loads(pickler.dumps(List.of("public", "secret")));
        assertThat(back).isEqualTo(List.of("public", new PersistentRef("ref-1")));
        byte[] text = Pickler.builder().protocol(0).persistentId(v -> "secret".equals(v) ? 7 : null).build()
                .dumps(List.of("secret"));
        assertThat(new String(text, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("P7\n");
    }

    /**
     * A payload is copied when it is written: a callback that changes it later in the same dump (here the
     * persistent-id hook, on the next item) does not reach the pickle. Large payloads bypass the frame buffer, and
     * small ones do not, so both are checked, at every protocol.
     */
    @Test
    void payloadsAreCopiedWhenWritten() {
        for (int size : new int[] {100, 200_000}) {
            for (int protocol = 0; protocol <= 5; protocol++) {
                byte[] payload = new byte[size];
                Arrays.fill(payload, (byte) 'a');
                Pickler pickler = Pickler.builder().protocol(protocol).persistentId(v -> {
                    if ("mutate".equals(v)) {
                        Arrays.fill(payload, (byte) 'b');
                    }
                    return null;
                }).build();
                List<?> back = (List<?>) Pickle.loads(pickler.dumps(List.of(payload, "mutate")));
                byte[] expected = new byte[size];
                Arrays.fill(expected, (byte) 'a');
                assertThat(((PyBytes) back.get(0)).toByteArray()).as("protocol %d, %d bytes", protocol, size)
                        .isEqualTo(expected);
            }
        }
    }

    /**
     * Without hooks, a dump keeps a large payload's array and copies it once, into the result; code of the
     * caller's that runs later in the dump (here a list of the caller's class, whose {@code get} changes the
     * payload) still cannot reach the pickle. Each dump is compared with the dump of an unchanged copy, byte for
     * byte: a byte[], a bytearray, a writable ByteBuffer and an ndarray over one, small and large.
     */
    @Test
    void payloadsWrittenBeforeCallerCodeAreNotChangedByIt() {
        for (int size : new int[] {104, 200_000}) {   // whole float64 items, for the ndarray
            for (int protocol = 0; protocol <= 5; protocol++) {
                for (String kind : new String[] {"byte[]", "bytearray", "ByteBuffer", "ndarray"}) {
                    if (kind.equals("ByteBuffer") && protocol < 5) {
                        continue;   // a PickleBuffer needs protocol 5
                    }
                    byte[] payload = new byte[size];
                    Arrays.fill(payload, (byte) 'a');
                    byte[] unchanged = payload.clone();
                    List<String> tail = List.of("x", "y");
                    List<String> changing = new java.util.AbstractList<>() {
                        @Override
                        public String get(int i) {
                            Arrays.fill(payload, (byte) 'b');
                            return tail.get(i);
                        }

                        @Override
                        public int size() {
                            return tail.size();
                        }
                    };
                    Pickler pickler = Pickler.builder().protocol(protocol).build();
                    byte[] expected = pickler.dumps(List.of(payloadOf(kind, unchanged), tail));
                    byte[] actual = pickler.dumps(List.of(payloadOf(kind, payload), changing));
                    assertThat(payload[0]).as("the caller's code ran").isEqualTo((byte) 'b');
                    assertThat(Arrays.mismatch(actual, expected))
                            .as("first differing byte: %s, protocol %d, %d bytes", kind, protocol, size).isEqualTo(-1);
                }
            }
        }
    }

    private static Object payloadOf(String kind, byte[] bytes) {
        switch (kind) {
            case "byte[]":
                return bytes;
            case "bytearray":
                return dev.brine.value.PyByteArray.wrap(bytes);
            case "ByteBuffer":
                return ByteBuffer.wrap(bytes);
            default:
                return dev.brine.value.NDArray.wrap(dev.brine.value.DType.of("<f8"), ByteBuffer.wrap(bytes),
                        dev.brine.value.NDArray.Order.C, bytes.length / 8);
        }
    }

    /** The hook sees every item, numbers in a list too, which the writer otherwise saves in a tighter loop. */
    @Test
    void persistentIdHookSeesNumbersInLists() {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            items.add(i % 2 == 0 ? (Object) (long) i : (Object) (i + 0.5));
        }
        Pickler pickler = Pickler.builder().protocol(5)
                .persistentId(v -> Long.valueOf(1234).equals(v) || Double.valueOf(2001.5).equals(v) ? "n" : null)
                .build();
        List<?> back = (List<?>) Pickle.loads(pickler.dumps(items));
        assertThat(back).hasSize(3000);
        assertThat(back.get(1234)).isEqualTo(new PersistentRef("n"));
        assertThat(back.get(2001)).isEqualTo(new PersistentRef("n"));
        assertThat(back.get(1233)).isEqualTo(1233.5);
        assertThat(back.get(2002)).isEqualTo(2002L);
    }

    @Test
    void persistentRefIsWrittenBack() {
        byte[] data = Pickle.dumps(new PersistentRef(PyBytes.of((byte) 1)), 3);
        assertThat(Pickle.loads(data)).isEqualTo(new PersistentRef(PyBytes.of((byte) 1)));
    }

    /**
     * In band, a read-only ByteBuffer is bytes and a writable one bytearray, as a PickleBuffer over them is in
     * CPython: the same bytes as python3's {@code pickle.dumps} at protocol 5, small and past a frame, from a
     * buffer's position to its limit.
     */
    @Test
    void byteBuffersInBandAreCPythonsPickleBuffers() {
        CPython python = CPython.python3();
        for (int size : new int[] {3, 300, 200_000}) {
            byte[] content = new byte[size + 10];
            for (int i = 0; i < content.length; i++) {
                content[i] = (byte) (i * 151 + i / 7);
            }
            ByteBuffer writable = ByteBuffer.wrap(content, 4, size).slice();
            ByteBuffer readOnly = ByteBuffer.wrap(content).position(6).limit(6 + size).asReadOnlyBuffer();
            byte[] expected = python.check(content, "-c", "import pickle, sys; d = sys.stdin.buffer.read();"
                    + "sys.stdout.buffer.write(pickle.dumps([pickle.PickleBuffer(bytearray(d[4:4 + " + size + "])),"
                    + " pickle.PickleBuffer(d[6:6 + " + size + "]), 'end'], 5))");
            assertThat(Pickler.builder().protocol(5).build().dumps(List.of(writable, readOnly, "end")))
                    .as("%d bytes", size).isEqualTo(expected);
            assertThat(writable.position()).as("the buffer's position is left alone").isZero();
        }
    }

    @Test
    void outOfBandBuffersAtProtocol5() {
        List<ByteBuffer> taken = new ArrayList<>();
        Pickler pickler = Pickler.builder().protocol(5).bufferCallback(taken::add).build();
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {1, 2, 3}).asReadOnlyBuffer();
        byte[] data = pickler.dumps(List.of(buf));
        assertThat(taken).hasSize(1);
        assertThat(count(data, Opcode.NEXT_BUFFER)).isEqualTo(1);
        assertThat(count(data, Opcode.READONLY_BUFFER)).isEqualTo(1);
        Object back = Unpickler.builder().build().loads(data, List.of(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertThat(((List<?>) back).get(0)).isInstanceOf(ByteBuffer.class);
        byte[] inBand = Pickler.builder().protocol(5).build().dumps(buf);
        assertThat(Pickle.loads(inBand)).isEqualTo(PyBytes.of((byte) 1, (byte) 2, (byte) 3));
        assertThatThrownBy(() -> Pickle.dumps(buf, 4)).isInstanceOf(PickleException.class)
                .hasMessageContaining("protocol 5");
    }

    /** A Java record, so that a portable dump carries the header the in-memory result puts before the pickle. */
    record Pair(Object first, int second) {
    }

    /**
     * An in-memory dump copies its largest part into the result first (PickleOutput's join): payloads of every kind
     * and of different sizes, the largest neither first nor last and a {@code PyBytes} over the middle of an array,
     * come out byte for byte as a dump to a stream writes them; and after the portable header, which an in-memory
     * dump puts before the pickle (a portable dump to a stream is built in memory too), each payload is whole, in
     * order.
     */
    @Test
    void inMemoryDumpJoinsLargePayloadsInOrder() throws IOException {
        byte[] backing = pattern(300_000, 2);
        for (boolean portable : new boolean[] {false, true}) {
            List<byte[]> payloads = List.of(pattern(70_000, 1), Arrays.copyOfRange(backing, 1_000, 251_000),
                    pattern(90_000, 3), pattern(80_000, 4), pattern(65_536, 5));
            List<Object> value = List.of("head", payloads.get(0), PyBytes.wrap(backing, 1_000, 250_000),
                    dev.brine.value.PyByteArray.wrap(payloads.get(2)), "tail",
                    portable ? new Pair(payloads.get(3), 5) : List.of(payloads.get(3), 5),
                    PyBytes.wrap(payloads.get(4)));
            for (int p = portable ? 2 : 0; p <= 5; p++) {
                Pickler pickler = Pickler.builder().protocol(p).portable(portable).build();
                byte[] dumped = pickler.dumps(value);
                if (!portable) {
                    ByteArrayOutputStream sink = new ByteArrayOutputStream();
                    pickler.dump(value, sink);
                    assertThat(Arrays.mismatch(dumped, sink.toByteArray()))
                            .as("first differing byte, protocol %d", p).isEqualTo(-1);
                    continue;
                }
                String start = new String(dumped, 0, 4096, java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(start).as("the portable header, protocol %d", p).contains("_brine");
                if (p < 3) {
                    continue;   // bytes travel as text below protocol 3
                }
                int at = start.indexOf("_brine");
                for (byte[] payload : payloads) {
                    int found = indexOf(dumped, payload, at);
                    assertThat(found).as("a payload of %d bytes whole and in order, protocol %d", payload.length, p)
                            .isGreaterThan(at);
                    at = found + payload.length;
                }
            }
        }
    }

    /** Where {@code needle} occurs in {@code hay} from {@code from}, or -1. */
    private static int indexOf(byte[] hay, byte[] needle, int from) {
        for (int i = from; i + needle.length <= hay.length; i++) {
            if (hay[i] == needle[0]
                    && Arrays.mismatch(hay, i, i + needle.length, needle, 0, needle.length) == -1) {
                return i;
            }
        }
        return -1;
    }

    /** {@code n} bytes that differ from their neighbours and, by {@code seed}, from another payload's. */
    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8) * 7 + seed * 101);
        }
        return b;
    }

    @Test
    void dumpToStreamMatchesDumpsAndWritesInLargeChunks() throws IOException {
        List<Object> value = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            value.add("item " + i);
        }
        value.add(PyBytes.wrap(new byte[200_000]));
        byte[] mixed = new byte[200_000];
        for (int i = 0; i < mixed.length; i++) {
            // High and low bytes at random, as below protocol 3 these travel as UTF-8 text of one or two bytes each.
            mixed[i] = (byte) (i * 2654435761L >>> 13);
        }
        value.add(PyBytes.wrap(mixed));
        for (int p = 0; p <= 5; p++) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            int[] writes = new int[1];
            OutputStream counting = new OutputStream() {
                @Override
                public void write(int b) {
                    throw new AssertionError("a one-byte write");
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    writes[0]++;
                    sink.write(b, off, len);
                }
            };
            Pickler pickler = Pickler.builder().protocol(p).build();
            pickler.dump(value, counting);
            assertThat(sink.toByteArray()).isEqualTo(pickler.dumps(value));
            assertThat(writes[0]).isLessThan(50);
        }
    }

    @Test
    void onePicklerServesManyThreads() throws Exception {
        Pickler pickler = Pickler.builder().protocol(3).build();
        List<Object> shared = List.of(1, "two", List.of(3.0));
        byte[] expected = pickler.dumps(List.of(shared, shared));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.submit(() -> pickler.dumps(List.of(shared, shared))));
            }
            for (Future<byte[]> f : results) {
                assertThat(Arrays.equals(f.get(), expected)).isTrue();
            }
        } finally {
            pool.shutdown();
        }
    }
}
