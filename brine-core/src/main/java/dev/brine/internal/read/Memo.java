package dev.brine.internal.read;

import java.util.Arrays;
import java.util.HashMap;

/**
 * The unpickler's memo: a sparse map from unsigned 32-bit indices to objects, as in CPython. Dense low indices,
 * which is what picklers write, live in an array; an index far beyond the entries so far (such as 2^32-1) goes to
 * a hash map instead of growing the array to it.
 */
final class Memo {
    /** Stands for Python's None in the array, where null means "no entry". */
    private static final Object NONE = new Object();

    private Object[] dense = new Object[64];
    private HashMap<Long, Object> sparse;
    private long size;

    /** The number of entries, which is the index MEMOIZE uses next. */
    long size() {
        return size;
    }

    boolean contains(long index) {
        if (index < dense.length) {
            return dense[(int) index] != null;
        }
        return sparse != null && sparse.containsKey(index);
    }

    /** The entry at {@code index}; call only after {@link #contains(long)}. */
    Object get(long index) {
        Object v = index < dense.length ? dense[(int) index] : sparse.get(index);
        return v == NONE ? null : v;
    }

    /**
     * Stores {@code value} at {@code index} if that is the next index ({@link #size()}), inside the array and below
     * {@code limit} entries, as MEMOIZE and a pickler's PUTs always are; false, storing nothing, otherwise.
     */
    boolean append(long index, Object value, long limit) {
        if (index != size || index >= dense.length || size >= limit || dense[(int) index] != null) {
            return false;
        }
        dense[(int) index] = value == null ? NONE : value;
        size++;
        return true;
    }

    void put(long index, Object value) {
        Object stored = value == null ? NONE : value;
        if (index >= dense.length && index < Math.max(1024, 2L * size) && index < Integer.MAX_VALUE - 8) {
            dense = Arrays.copyOf(dense, (int) Math.max(index + 1, Math.min(2L * dense.length, Integer.MAX_VALUE - 8)));
        }
        if (index < dense.length) {
            if (dense[(int) index] == null) {
                size++;
            }
            dense[(int) index] = stored;
            return;
        }
        if (sparse == null) {
            sparse = new HashMap<>();
        }
        if (sparse.put(index, stored) == null) {
            size++;
        }
    }
}
