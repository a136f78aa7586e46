package dev.brine.value;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tuple's hash: the {@code List} contract, computed when first asked for (never while loading), and without
 * recursion however deeply tuples nest.
 */
class PyTupleHashTest {
    /** An item that counts how often it is hashed. */
    private static final class Counted {
        final int hash;
        int hashes;

        Counted(int hash) {
            this.hash = hash;
        }

        @Override
        public int hashCode() {
            hashes++;
            return hash;
        }
    }

    @Test
    void buildingNestedTuplesHashesNoItem() {
        Counted item = new Counted(42);
        PyTuple inner = PyTuple.of(item, "x");
        PyTuple outer = PyTuple.of(inner, 1L);
        PyTuple outermost = PyTuple.wrap(new Object[] {outer, inner});
        assertThat(item.hashes).as("hashes while building").isZero();

        int h = outermost.hashCode();
        assertThat(item.hashes).as("the shared inner tuple is hashed once").isEqualTo(1);
        assertThat(outermost.hashCode()).isEqualTo(h);
        assertThat(outer.hashCode()).isEqualTo(Arrays.asList(Arrays.asList(item, "x"), 1L).hashCode());
        assertThat(item.hashes).as("after the contract check above").isEqualTo(2);
    }

    @Test
    void hashIsTheListHashOfTheSameItems() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            Object[] pair = randomPair(random, 5);
            assertThat(pair[0].hashCode()).as("case %d: %s", i, pair[1]).isEqualTo(pair[1].hashCode());
        }
    }

    /** A random tuple of numbers, strs, None and tuples, and the same shape as nested lists. */
    private static Object[] randomPair(Random random, int depth) {
        int n = random.nextInt(4);
        Object[] tupleItems = new Object[n];
        List<Object> listItems = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(depth > 0 ? 5 : 4);
            Object t;
            Object l;
            if (kind == 0) {
                t = l = (long) random.nextInt();
            } else if (kind == 1) {
                t = l = "s" + random.nextInt(100);
            } else if (kind == 2) {
                t = l = null;
            } else if (kind == 3) {
                t = l = random.nextDouble();
            } else {
                Object[] nested = randomPair(random, depth - 1);
                t = nested[0];
                l = nested[1];
            }
            tupleItems[i] = t;
            listItems.add(l);
        }
        return new Object[] {PyTuple.wrap(tupleItems), listItems};
    }

    @Test
    void aMillionNestedTuplesHashWithoutRecursion() {
        int levels = 1_000_000;
        PyTuple t = PyTuple.empty();
        int expected = 1; // Arrays.hashCode of no items
        for (long i = 0; i < levels; i++) {
            t = PyTuple.of(t, i);
            expected = 31 * (31 + expected) + Long.hashCode(i);
        }
        assertThat(t.depth()).isEqualTo(PyTuple.MAX_DEPTH); // counted up to MAX_DEPTH; the hash is whole
        assertThat(t.hashCode()).isEqualTo(expected);
    }

    @Test
    void aTupleDagThatDoublesAtEveryLevelHashesOnceANode() {
        // t = (t, t) sixty times: 2^60 paths, 61 distinct tuples.
        PyTuple t = PyTuple.empty();
        int expected = 1;
        for (int i = 0; i < 60; i++) {
            t = PyTuple.of(t, t);
            expected = 31 * (31 + expected) + expected;
        }
        assertThat(t.hashCode()).isEqualTo(expected);
    }

    @Test
    void aZeroHashIsKept() {
        // Arrays.hashCode([x]) = 31 + x.hashCode(): -31 makes it 0, which must still count as computed.
        Counted zeroing = new Counted(-31);
        PyTuple t = PyTuple.of(PyTuple.of(zeroing), 1L);
        PyTuple inner = (PyTuple) t.get(0);
        assertThat(inner.hashCode()).isZero();
        assertThat(inner.hashCode()).isZero();
        t.hashCode();
        assertThat(zeroing.hashes).as("a hash of 0 is computed once").isEqualTo(1);
    }
}
