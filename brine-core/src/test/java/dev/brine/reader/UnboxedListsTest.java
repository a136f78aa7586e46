package dev.brine.reader;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.PickleLimitException;
import dev.brine.Unpickler;
import dev.brine.cpython.CPython;
import dev.brine.internal.format.Opcode;
import dev.brine.testing.ThrottledInputStream;
import dev.brine.value.PyDeque;
import dev.brine.value.PyList;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reader fills a list from a run of ints or floats without boxing them (see {@link PyList}'s unboxed lists):
 * the lists CPython writes come out unboxed, equal to what they hold and written back byte for byte, and a stream
 * that breaks a run anywhere (another kind of item, a memo opcode, a mark that is not a list's) reads as it always
 * did.
 */
class UnboxedListsTest {
    /**
     * Lists of ints across BININT1, BININT2 and BININT (and beyond 32 bits, LONG1 or LONG), of floats, and of both,
     * at every protocol of every CPython found, long enough to cross 64 KiB frames and many APPENDS batches. For
     * each list the script writes its items as text (the oracle), then its pickle at each protocol.
     */
    private static final String SCRIPT = String.join("\n",
            "import pickle, struct, sys",
            "lists = [",
            "    [i * 7919 % 100003 - 50 for i in range(30001)],",  // BININT1, BININT2 and negative BININT
            "    [i * 0.5 - 3.25 for i in range(12001)],",
            "    [float('nan'), -0.0, 0.0, float('inf'), 1e-310] * 300,",
            "    [1, 2, 3],",
            "    [1, 2.0, 3],",
            "    [2 ** 40] + list(range(2500)),",                     // a first batch broken by a wide int
            "    list(range(2500)) + [2 ** 40] + list(range(2500)),", // a later one
            "    list(range(1000)) + [1.5] * 1000,",                  // an unboxed batch, then floats
            "    [True, 1, 2],",
            "    [7],",
            "]",
            "out = getattr(sys.stdout, 'buffer', sys.stdout)",
            "def item(x):",
            "    if isinstance(x, bool):",
            "        return 'b%d' % x",
            "    if isinstance(x, float):",
            "        return 'f%016x' % struct.unpack('>Q', struct.pack('>d', x))[0]",
            "    return 'i%d' % x",
            "def chunk(b):",
            "    out.write(struct.pack('>I', len(b)) + b)",
            "for l in lists:",
            "    chunk(','.join(item(x) for x in l).encode('ascii'))",
            "    for p in range(pickle.HIGHEST_PROTOCOL + 1):",
            "        chunk(pickle.dumps(l, p))",
            "");
    private static final int LISTS = 10;

    @Test
    void listsCPythonWritesAreReadUnboxedAndWrittenBackByteForByte() throws Exception {
        int checked = 0;
        for (CPython python : CPython.all()) {
            byte[] all = python.check(SCRIPT.getBytes(StandardCharsets.UTF_8), "-");
            int[] at = {0};
            for (int which = 0; which < LISTS; which++) {
                List<Object> expected = items(new String(chunk(all, at), StandardCharsets.US_ASCII));
                for (int proto = 0; proto <= python.highestProtocol(); proto++) {
                    byte[] pickled = chunk(all, at);
                    String where = python + ", protocol " + proto + ", list " + which;
                    PyList read = (PyList) Pickle.loads(pickled);
                    assertThat(Arrays.equals(read.toArray(), expected.toArray())).as(where + ": items").isTrue();
                    assertThat(read.equals(expected)).as(where + ": equals").isTrue();
                    expectForm(read, proto, which, where);
                    // From a stream that gives a few bytes a read, so that the buffer ends inside runs and opcodes.
                    PyList streamed = (PyList) Unpickler.builder().build()
                            .load(new ThrottledInputStream(pickled, 7, false));
                    assertThat(streamed.equals(expected)).as(where + ": from a stream").isTrue();
                    expectForm(streamed, proto, which, where + ", from a stream");
                    if (python.major() == 3 && python.minor() >= 8) {       // 3.6 and 3.7 write ints as LONG at 0
                        assertThat(Pickle.dumps(read, proto)).as(where + ": written back").isEqualTo(pickled);
                    }
                    checked++;
                }
            }
            assertThat(at[0]).as(python + ": every chunk read").isEqualTo(all.length);
        }
        assertThat(checked).isGreaterThanOrEqualTo(60);
    }

    private static byte[] chunk(byte[] all, int[] at) {
        int p = at[0];
        int n = ((all[p] & 0xff) << 24) | ((all[p + 1] & 0xff) << 16) | ((all[p + 2] & 0xff) << 8) | (all[p + 3] & 0xff);
        at[0] = p + 4 + n;
        return Arrays.copyOfRange(all, p + 4, p + 4 + n);
    }

    /** The script's text of a list's items: {@code i<decimal>}, {@code f<IEEE 754 bits in hex>}, {@code b<0|1>}. */
    private static List<Object> items(String text) {
        List<Object> items = new ArrayList<>();
        for (String s : text.split(",")) {
            String v = s.substring(1);
            items.add(switch (s.charAt(0)) {
                case 'i' -> Long.parseLong(v);
                case 'f' -> Double.longBitsToDouble(Long.parseUnsignedLong(v, 16));
                case 'b' -> v.equals("1");
                default -> throw new AssertionError("unexpected item " + s);
            });
        }
        return items;
    }

    /**
     * Which lists are unboxed. Protocol 0 writes INT and FLOAT lines and APPEND an item, which stay boxed. A batch
     * with a wide int (LONG1, or LONG at protocol 1) in it is boxed as it arrives, and the list stays unboxed if
     * it was and every item is a {@code Long}.
     */
    private static void expectForm(PyList read, int proto, int which, String where) {
        boolean bin = proto >= 1;
        switch (which) {
            case 0, 3, 6 -> assertThat(read.isUnboxedLongs()).as(where + ": unboxed ints").isEqualTo(bin);
            case 1, 2 -> assertThat(read.isUnboxedDoubles()).as(where + ": unboxed floats").isEqualTo(bin);
            default -> assertThat(read.isUnboxedLongs() || read.isUnboxedDoubles()).as(where + ": boxed").isFalse();
        }
    }

    @Test
    void aRunBrokenByAnyOtherOpcodeReadsAsTheBoxedItemsWould() {
        // EMPTY_LIST MARK 1 2 BINPUT 0 BINGET 0 3 APPENDS: the memo entry is the int the run had read.
        byte[] memoized = Ops.start().proto(2).op(Opcode.EMPTY_LIST).op(Opcode.MARK)
                .op(Opcode.BININT1, 1).op(Opcode.BININT1, 2).op(Opcode.BINPUT, 0).op(Opcode.BINGET, 0)
                .op(Opcode.BININT1, 3).op(Opcode.APPENDS).stop().bytes();
        assertThat(Pickle.loads(memoized)).isEqualTo(List.of(1L, 2L, 2L, 3L));

        // A run that is a tuple's, a dict's, then dropped by POP_MARK.
        byte[] tuple = Ops.start().proto(2).op(Opcode.MARK).op(Opcode.BININT1, 1).op(Opcode.BININT2, 0, 1)
                .op(Opcode.TUPLE).stop().bytes();
        assertThat(Pickle.loads(tuple)).isEqualTo(PyTuple.of(1L, 256L));
        byte[] dict = Ops.start().proto(2).op(Opcode.EMPTY_DICT).op(Opcode.MARK).op(Opcode.BININT1, 1)
                .op(Opcode.BININT1, 2).op(Opcode.BININT1, 3).op(Opcode.BININT1, 4).op(Opcode.SETITEMS).stop().bytes();
        assertThat(Pickle.loads(dict)).isEqualTo(Map.of(1L, 2L, 3L, 4L));
        byte[] dropped = Ops.start().proto(2).op(Opcode.NONE).op(Opcode.MARK).op(Opcode.BININT1, 1)
                .op(Opcode.BININT1, 2).op(Opcode.POP_MARK).stop().bytes();
        assertThat(Pickle.loads(dropped)).isNull();

        // MARK ints LIST (as protocol 1 pickles of other writers have it): a new unboxed list.
        byte[] list = Ops.start().op(Opcode.MARK).op(Opcode.BININT1, 5).op(Opcode.BININT, 0xff, 0xff, 0xff, 0xff)
                .op(Opcode.LIST).stop().bytes();
        PyList read = (PyList) Pickle.loads(list);
        assertThat(read).containsExactly(5L, -1L);
        assertThat(read.isUnboxedLongs()).isTrue();

        // Ints then a float in one batch: boxed, in order, nothing lost.
        byte[] mixed = Ops.start().proto(2).op(Opcode.EMPTY_LIST).op(Opcode.MARK).op(Opcode.BININT1, 1)
                .op(Opcode.BININT1, 2).op(Opcode.BINFLOAT, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0).op(Opcode.BININT1, 3)
                .op(Opcode.APPENDS).stop().bytes();
        PyList mixedRead = (PyList) Pickle.loads(mixed);
        assertThat(mixedRead).containsExactly(1L, 2L, 1.5, 3L);
        assertThat(mixedRead.isUnboxedLongs() || mixedRead.isUnboxedDoubles()).isFalse();

        // A run APPENDS gives to a deque: boxed, by the deque's own append.
        byte[] deque = Ops.start().proto(2).line(Opcode.GLOBAL, "collections", "deque").op(Opcode.EMPTY_TUPLE)
                .op(Opcode.REDUCE).op(Opcode.MARK).op(Opcode.BININT1, 1).op(Opcode.BININT1, 2).op(Opcode.APPENDS)
                .stop().bytes();
        assertThat(Pickle.loads(deque)).isInstanceOf(PyDeque.class).isEqualTo(List.of(1L, 2L));

        // A run left open at STOP: the int on top is the result, as CPython returns it (MARK 1 STOP gives 1).
        byte[] open = Ops.start().proto(2).op(Opcode.MARK).op(Opcode.BININT1, 1).op(Opcode.BININT2, 0, 1).stop()
                .bytes();
        assertThat(Pickle.loads(open)).isEqualTo(256L);
    }

    @Test
    void aRunLongerThanTheStackMayHoldIsRefusedByTheStackLimit() {
        Ops ops = Ops.start().proto(2).op(Opcode.EMPTY_LIST).op(Opcode.MARK);
        for (int i = 0; i < 5_000; i++) {
            ops.op(Opcode.BININT1, i & 0xff);
        }
        byte[] pickled = ops.op(Opcode.APPENDS).stop().bytes();
        Unpickler limited = Unpickler.builder().maxStackDepth(1_000).build();
        assertThatThrownBy(() -> limited.loads(pickled)).isInstanceOfSatisfying(PickleLimitException.class, e -> {
            assertThat(e.getMessage()).contains("maxStackDepth");
            assertThat(e.opcode()).isEqualTo("BININT1");
            // The int the run could not take: the stack and the run are checked as the run's array grows.
            assertThat(e.offset()).isBetween(4L + 2 * 512, 4L + 2 * 1_024);
            assertThat(pickled[(int) e.offset()]).isEqualTo((byte) Opcode.BININT1.code());
        });
        assertThat(((List<?>) Pickle.loads(pickled))).hasSize(5_000);
    }

    @Test
    void aRunIsReadNoFurtherThanItsFrame() {
        // A frame that ends inside the argument of the run's third int: refused as an opcode crossing a frame.
        byte[] body = Ops.start().op(Opcode.EMPTY_LIST).op(Opcode.MARK).op(Opcode.BININT1, 1)
                .op(Opcode.BININT1, 2).op(Opcode.BININT, 3, 0, 0, 0).op(Opcode.APPENDS).stop().bytes();
        int framed = 2 + 2 + 2 + 3;                             // up to two bytes into BININT's argument
        byte[] crossing = Ops.start().proto(4).op(Opcode.FRAME).le8(framed).raw(body).bytes();
        assertThatThrownBy(() -> Pickle.loads(crossing)).isInstanceOfSatisfying(PickleException.class, e -> {
            assertThat(e.opcode()).isEqualTo("BININT");
            assertThat(e.offset()).isEqualTo(2 + 9 + 6);
            assertThat(e.getMessage()).contains("frame");
        });
        // Framed whole, with a second frame starting between two ints of the run: read, unboxed.
        byte[] split = Ops.start().proto(4).op(Opcode.FRAME).le8(6).raw(Arrays.copyOf(body, 6))
                .op(Opcode.FRAME).le8(body.length - 6).raw(Arrays.copyOfRange(body, 6, body.length)).bytes();
        PyList read = (PyList) Pickle.loads(split);
        assertThat(read).containsExactly(1L, 2L, 3L);
        assertThat(read.isUnboxedLongs()).isTrue();
    }

    @Test
    void aStreamCutInsideARunNamesTheOffsetAndTheOpcode() {
        byte[] whole = Ops.start().proto(2).op(Opcode.EMPTY_LIST).op(Opcode.MARK).op(Opcode.BININT1, 1)
                .op(Opcode.BININT2, 2, 0).op(Opcode.BININT, 3, 0, 0, 0).op(Opcode.APPENDS).stop().bytes();
        byte[] cut = Arrays.copyOf(whole, 10);                  // inside the argument of BININT, at offset 9
        assertThatThrownBy(() -> Pickle.loads(cut)).isInstanceOfSatisfying(PickleException.class, e -> {
            assertThat(e.offset()).isEqualTo(9);
            assertThat(e.opcode()).isEqualTo("BININT");
        });
        assertThat(Pickle.loads(whole)).isEqualTo(List.of(1L, 2L, 3L));
    }
}
