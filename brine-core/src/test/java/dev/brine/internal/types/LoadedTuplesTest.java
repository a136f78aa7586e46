package dev.brine.internal.types;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brine.Pickle;
import dev.brine.value.PyTuple;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The memo identity of the tuples the reader makes, which the writer's memo hashes them by. */
class LoadedTuplesTest {

    @Test
    void theReadersTuplesCarryDistinctMemoIdentities() {
        // ((1,), (2,), ..., (500,)) at protocol 2: TUPLE1 for each inner tuple, MARK ... TUPLE for the outer one.
        Object[] inner = new Object[500];
        for (int i = 0; i < inner.length; i++) {
            inner[i] = PyTuple.of((long) i + 1);
        }
        PyTuple loaded = (PyTuple) Pickle.loads(Pickle.dumps(PyTuple.of(inner), 2));
        Set<Integer> ids = new HashSet<>();
        for (Object t : loaded) {
            ids.add(LoadedTuples.memoIdentity((PyTuple) t));
        }
        ids.add(LoadedTuples.memoIdentity(loaded));
        assertThat(ids).hasSize(501).doesNotContain(0);
    }

    @Test
    void tuplesMadeAnyOtherWayHaveNone() throws Exception {
        assertThat(LoadedTuples.memoIdentity(PyTuple.of(1L, 2L))).isZero();
        assertThat(LoadedTuples.memoIdentity(PyTuple.wrap(new Object[] {"a"}))).isZero();
        assertThat(LoadedTuples.memoIdentity(PyTuple.copyOf(List.of(1L)))).isZero();
        assertThat(LoadedTuples.wrap(new Object[0], 7)).isSameAs(PyTuple.empty());

        PyTuple loaded = (PyTuple) Pickle.loads(Pickle.dumps(PyTuple.of(1L, "x"), 5));
        assertThat(LoadedTuples.memoIdentity(loaded)).isNotZero();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(loaded);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            PyTuple copy = (PyTuple) in.readObject();
            assertThat(copy).isEqualTo(loaded);
            assertThat(LoadedTuples.memoIdentity(copy)).isZero();
        }
    }

    /** The number is only a hash: a tuple shared in the stream is written shared, and equal tuples stay apart. */
    @Test
    void sharedAndEqualTuplesWriteAsCPythonsDo() {
        PyTuple shared = PyTuple.of("k", 1L);
        PyTuple equal = PyTuple.of("k", 1L);
        List<Object> value = List.of(shared, shared, equal);
        for (int proto = 0; proto <= 5; proto++) {
            byte[] first = Pickle.dumps(value, proto);
            Object loaded = Pickle.loads(first);
            List<?> items = (List<?>) loaded;
            assertThat(items.get(0)).isSameAs(items.get(1)).isNotSameAs(items.get(2));
            assertThat(Pickle.dumps(loaded, proto)).as("protocol %d", proto).isEqualTo(first);
        }
    }

    @Test
    void onlyPyTupleGrantsTheAccess() {
        PyTuple.empty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LoadedTuples.grant(new LoadedTuples.Access() {
            @Override
            public PyTuple wrap(Object[] items, int memoIdentity) {
                return null;
            }

            @Override
            public int memoIdentity(PyTuple tuple) {
                return 0;
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only PyTuple");
        // The reader's tuples are still made by PyTuple's own access.
        assertThat(LoadedTuples.memoIdentity(LoadedTuples.wrap(new Object[] {1L}, 9))).isEqualTo(9);
    }

    /** The depth is counted in a char, so that the memo identity fits in the object's padding. */
    @Test
    void depthIsCountedUpToMaxDepthAndMaxNestingCannotExceedIt() {
        PyTuple t = PyTuple.of(1L);
        for (int i = 1; i < PyTuple.MAX_DEPTH + 10; i++) {
            t = PyTuple.of(t);
            if (i == PyTuple.MAX_DEPTH - 2) {
                assertThat(t.depth()).isEqualTo(PyTuple.MAX_DEPTH - 1);
            }
        }
        assertThat(t.depth()).isEqualTo(PyTuple.MAX_DEPTH);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> dev.brine.Unpickler.builder().maxNesting(PyTuple.MAX_DEPTH))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below 65535");
        // At the highest limit allowed, a tuple deeper than MAX_DEPTH is still refused, not let through.
        byte[] deep = Pickle.dumps(t, 2);
        dev.brine.Unpickler highest = dev.brine.Unpickler.builder().maxNesting(PyTuple.MAX_DEPTH - 1).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> highest.loads(deep))
                .isInstanceOf(dev.brine.PickleLimitException.class).hasMessageContaining("maxNesting");
    }
}
