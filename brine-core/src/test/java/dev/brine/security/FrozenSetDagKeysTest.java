package dev.brine.security;

import dev.brine.Pickle;
import dev.brine.cpython.CPython;
import dev.brine.internal.format.Opcode;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frozenset kin of {@link TupleDagKeysTest}: two equal DAGs as dict keys, each level's node used twice, built
 * separately so no node is shared between the keys. Comparing them node path by node path takes 2^depth steps.
 * Three shapes: frozensets only ({@code f = frozenset({f, frozenset({f})})}), frozensets of tuples
 * ({@code f = frozenset({f, (f,)})}) and tuples of frozensets ({@code t = (frozenset({t}),) * 2}, one frozenset
 * twice), the last two because tuples and frozensets each once remembered only pairs of their own kind.
 */
class FrozenSetDagKeysTest {
    private static final int DEPTH = 60;

    /** One level of a key over the node on top of the stack; {@code m} is the memo index it may use. */
    private interface Level {
        byte[] over(int m);
    }

    private static final Level FROZENSETS = m -> AdversarialInputTest.bytes(Opcode.MEMOIZE, Opcode.POP, Opcode.MARK,
            Opcode.BINGET, m, Opcode.MARK, Opcode.BINGET, m, Opcode.FROZENSET, Opcode.FROZENSET);
    private static final Level FROZENSETS_OF_TUPLES = m -> AdversarialInputTest.bytes(Opcode.MEMOIZE, Opcode.POP,
            Opcode.MARK, Opcode.BINGET, m, Opcode.BINGET, m, Opcode.TUPLE1, Opcode.FROZENSET);
    private static final Level TUPLES_OF_FROZENSETS = m -> AdversarialInputTest.bytes(Opcode.MEMOIZE, Opcode.POP,
            Opcode.MARK, Opcode.BINGET, m, Opcode.FROZENSET, Opcode.DUP, Opcode.TUPLE2);

    /** {@code {key: None, key: None}} with the two keys built separately, {@code depth} levels over {@code start}. */
    private static byte[] twoKeys(byte[] start, Level level, int depth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(AdversarialInputTest.bytes(Opcode.PROTO, 4, Opcode.EMPTY_DICT));
        int m = 0;
        for (int key = 0; key < 2; key++) {
            out.writeBytes(start);
            for (int i = 0; i < depth; i++) {
                out.writeBytes(level.over(m++));
            }
            out.writeBytes(AdversarialInputTest.bytes(Opcode.NONE, Opcode.SETITEM));
        }
        out.write(Opcode.STOP.code());
        return out.toByteArray();
    }

    private static final byte[] EMPTY_FROZENSET = AdversarialInputTest.bytes(Opcode.MARK, Opcode.FROZENSET);
    private static final byte[] EMPTY_TUPLE = AdversarialInputTest.bytes(Opcode.EMPTY_TUPLE);

    @Test
    void equalFrozenSetDagsAsKeysLoadInBoundedTime() {
        assertOneKey("frozenset DAG keys", twoKeys(EMPTY_FROZENSET, FROZENSETS, DEPTH));
    }

    @Test
    void equalFrozenSetOfTupleDagsAsKeysLoadInBoundedTime() {
        assertOneKey("frozenset-of-tuple DAG keys", twoKeys(EMPTY_FROZENSET, FROZENSETS_OF_TUPLES, DEPTH));
    }

    @Test
    void equalTupleOfFrozenSetDagsAsKeysLoadInBoundedTime() {
        assertOneKey("tuple-of-frozenset DAG keys", twoKeys(EMPTY_TUPLE, TUPLES_OF_FROZENSETS, DEPTH));
    }

    private static void assertOneKey(String name, byte[] data) {
        AdversarialInputTest.Outcome o = AdversarialInputTest.bounded(name, data);
        assertThat(o.error()).as(name).isNull();
        assertThat((Map<?, ?>) o.value()).as(name).hasSize(1);
    }

    /**
     * Unequal DAGs that differ only at the bottom: with shared nodes compared once, a difference deep down is still
     * found, and found quickly. (Equality that remembered pairs wrongly would call these equal.)
     */
    @Test
    void dagKeysThatDifferAtTheBottomStayTwoKeys() {
        for (Level level : List.of(FROZENSETS, FROZENSETS_OF_TUPLES)) {
            byte[] equal = twoKeys(EMPTY_FROZENSET, level, DEPTH);
            // The second key starts from frozenset({None}) instead of frozenset().
            byte[] first = twoKeys(EMPTY_FROZENSET, level, DEPTH);
            int secondStart = indexOfSecondStart(first);
            byte[] data = AdversarialInputTest.bytes(java.util.Arrays.copyOf(first, secondStart),
                    AdversarialInputTest.bytes(Opcode.MARK, Opcode.NONE, Opcode.FROZENSET),
                    java.util.Arrays.copyOfRange(first, secondStart + EMPTY_FROZENSET.length, first.length));
            AdversarialInputTest.Outcome o = AdversarialInputTest.bounded("unequal DAG keys", data);
            assertThat((Map<?, ?>) o.value()).hasSize(2);
            assertThat((Map<?, ?>) AdversarialInputTest.bounded("equal DAG keys", equal).value()).hasSize(1);
        }
    }

    /** Where the second key's start is: just after the first key's {@code None, SETITEM}. */
    private static int indexOfSecondStart(byte[] data) {
        for (int i = 3; i < data.length - 1; i++) {
            if (data[i] == (byte) Opcode.NONE.code() && data[i + 1] == (byte) Opcode.SETITEM.code()) {
                return i + 2;
            }
        }
        throw new AssertionError("no SETITEM");
    }

    /**
     * The bytes mean what this test says: at a depth CPython can afford (it compares path by path too), CPython
     * reads each shape to a dict of one key of the stated depth, and Brine reads the same key.
     */
    @Test
    void cpythonReadsTheSameShapesAtSmallDepth() {
        CPython python = CPython.python3();
        int depth = 8;
        String script = String.join("\n",
                "import pickle, sys",
                "d = pickle.loads(sys.stdin.buffer.read())",
                "k, = d",
                "def depth(x):",
                "    return 1 + max(map(depth, x), default=0) if isinstance(x, (tuple, frozenset)) else 0",
                "print(len(d), depth(k))");
        List<Object[]> shapes = List.of(new Object[] {EMPTY_FROZENSET, FROZENSETS},
                new Object[] {EMPTY_FROZENSET, FROZENSETS_OF_TUPLES}, new Object[] {EMPTY_TUPLE, TUPLES_OF_FROZENSETS});
        for (Object[] shape : shapes) {
            byte[] data = twoKeys((byte[]) shape[0], (Level) shape[1], depth);
            String out = new String(python.check(data, "-c", script), StandardCharsets.UTF_8).trim();
            Map<?, ?> read = (Map<?, ?>) Pickle.loads(data);
            Object key = read.keySet().iterator().next();
            assertThat(read.size() + " " + depth(key)).isEqualTo(out);
        }
    }

    private static int depth(Object x) {
        if (x instanceof PyTuple) {
            return ((PyTuple) x).depth();
        }
        return x instanceof PyFrozenSet ? ((PyFrozenSet) x).depth() : 0;
    }
}
