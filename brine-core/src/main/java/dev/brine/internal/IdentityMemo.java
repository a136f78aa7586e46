package dev.brine.internal;

/**
 * The pickler's memo: object identity to memo index, as {@code _pickle.c}'s {@code PyMemoTable}, an
 * open-addressing table keyed by the object itself.
 *
 * <p>Unlike {@link java.util.IdentityHashMap} it keeps each key's identity hash beside its index, so growing the
 * table never reads the keys' headers again (a cache miss per object when a dump memoizes millions of strings and
 * containers), and it stores the index unboxed.
 */
final class IdentityMemo {
    /** Absent from the memo. */
    static final int NONE = -1;

    private Object[] keys = new Object[64];
    /** Per slot: the key's identity hash in the high half, its memo index in the low half. */
    private long[] entries = new long[64];
    private int size;

    int size() {
        return size;
    }

    /** The memo index of {@code key}, or {@link #NONE}. */
    int get(Object key) {
        Object[] k = keys;
        int mask = k.length - 1;
        for (int i = slot(System.identityHashCode(key), mask); ; i = (i + 1) & mask) {
            Object at = k[i];
            if (at == key) {
                return (int) entries[i];
            }
            if (at == null) {
                return NONE;
            }
        }
    }

    boolean contains(Object key) {
        return get(key) != NONE;
    }

    /** Sets the index of {@code key}, which must not be null. */
    void put(Object key, int value) {
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        Object[] k = keys;
        int mask = k.length - 1;
        int hash = System.identityHashCode(key);
        int i = slot(hash, mask);
        while (k[i] != null && k[i] != key) {
            i = (i + 1) & mask;
        }
        if (k[i] == null) {
            k[i] = key;
            size++;
        }
        entries[i] = (long) hash << 32 | (value & 0xffffffffL);
    }

    private static int slot(int hash, int mask) {
        // Identity hashes are random bits; fold the high ones in so a small table uses them too.
        return (hash ^ (hash >>> 16)) & mask;
    }

    private void grow() {
        Object[] oldKeys = keys;
        long[] oldEntries = entries;
        keys = new Object[oldKeys.length * 2];
        entries = new long[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != null) {
                int i = slot((int) (oldEntries[j] >>> 32), mask);
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                entries[i] = oldEntries[j];
            }
        }
    }
}
