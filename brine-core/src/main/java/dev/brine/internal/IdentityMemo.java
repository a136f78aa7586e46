package dev.brine.internal;

/**
 * The pickler's memo: object identity to memo index, as {@code _pickle.c}'s {@code PyMemoTable}, an
 * open-addressing table keyed by the object itself, with the index stored unboxed.
 *
 * <p>CPython hashes a key by its address, so objects allocated one after another land in neighbouring slots and a
 * dump walks its memo almost in order. Java's identity hashes are random, so in a large table every probe is a
 * cache miss, and so is every entry moved when the table grows: doubling from a small table moved each entry
 * about once more, and was most of the time spent memoizing 200k strings. The writer therefore announces
 * container sizes ({@link #expect}), and the table grows straight to what has been announced when it fills. An
 * announcement alone allocates nothing, so a list of a million ints, which memoizes nothing, costs no table.
 */
final class IdentityMemo {
    /** Absent from the memo. */
    static final int NONE = -1;
    private static final int MIN_CAPACITY = 64;
    /** The largest power-of-two table a Java array can hold. */
    private static final int MAX_CAPACITY = 1 << 30;

    private Object[] keys = new Object[MIN_CAPACITY];
    private int[] indices = new int[MIN_CAPACITY];
    private int size;
    /** The entries the writer has announced (the sum of container sizes); a floor for the next growth. */
    private long expected;

    int size() {
        return size;
    }

    /**
     * Announces up to {@code more} entries to come. The announcements add up over the dump (the items of every
     * container started), so a growth makes room for all that has been announced: at most a slot pair for each
     * item already visited or promised, and usually a single growth for the whole dump.
     */
    void expect(int more) {
        expected += more;
    }

    /** The memo index of {@code key}, or {@link #NONE}. */
    int get(Object key) {
        Object[] k = keys;
        int mask = k.length - 1;
        for (int i = slot(System.identityHashCode(key), mask); ; i = (i + 1) & mask) {
            Object at = k[i];
            if (at == key) {
                return indices[i];
            }
            if (at == null) {
                return NONE;
            }
        }
    }

    boolean contains(Object key) {
        return get(key) != NONE;
    }

    /**
     * Sets the memo index of {@code key}, which must not be null. The table stays at most half full, so linear
     * probing averages under two probes for a miss.
     */
    void put(Object key, int index) {
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        Object[] k = keys;
        int mask = k.length - 1;
        int i = slot(System.identityHashCode(key), mask);
        Object at;
        while ((at = k[i]) != null && at != key) {
            i = (i + 1) & mask;
        }
        if (at == null) {
            k[i] = key;
            size++;
        }
        indices[i] = index;
    }

    private static int slot(int hash, int mask) {
        // Identity hashes are random bits; fold the high ones in so a small table uses them too.
        return (hash ^ (hash >>> 16)) & mask;
    }

    private void grow() {
        long want = 2 * Math.max(size + 1L, Math.min(expected, MAX_CAPACITY / 2));
        int capacity = keys.length * 2;
        while (capacity < want && capacity < MAX_CAPACITY) {
            capacity *= 2;
        }
        if (capacity <= keys.length) {
            throw new IllegalStateException("memo full at " + size + " entries");
        }
        Object[] oldKeys = keys;
        int[] oldIndices = indices;
        keys = new Object[capacity];
        indices = new int[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            Object key = oldKeys[j];
            if (key != null) {
                int i = slot(System.identityHashCode(key), mask);
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                indices[i] = oldIndices[j];
            }
        }
    }
}
