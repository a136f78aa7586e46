package dev.brine.internal;

/**
 * The pickler's memo: object identity to memo index, as {@code _pickle.c}'s {@code PyMemoTable}, an
 * open-addressing table keyed by the object itself. Unlike {@link java.util.IdentityHashMap} it stores the
 * index unboxed, which matters when a dump memoizes millions of strings and containers.
 */
final class IdentityMemo {
    /** Absent from the memo. */
    static final int NONE = -1;

    private Object[] keys = new Object[64];
    private int[] values = new int[64];
    private int size;

    int size() {
        return size;
    }

    /** The memo index of {@code key}, or {@link #NONE}. */
    int get(Object key) {
        Object[] k = keys;
        int mask = k.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object at = k[i];
            if (at == key) {
                return values[i];
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
        int i = slot(key, mask);
        while (k[i] != null && k[i] != key) {
            i = (i + 1) & mask;
        }
        if (k[i] == null) {
            k[i] = key;
            size++;
        }
        values[i] = value;
    }

    private static int slot(Object key, int mask) {
        // Identity hashes are random bits; spread them so a power-of-two table uses the high ones too.
        int h = System.identityHashCode(key);
        return (h ^ (h >>> 16)) & mask;
    }

    private void grow() {
        Object[] oldKeys = keys;
        int[] oldValues = values;
        keys = new Object[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            Object key = oldKeys[j];
            if (key != null) {
                int i = slot(key, mask);
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                values[i] = oldValues[j];
            }
        }
    }
}
