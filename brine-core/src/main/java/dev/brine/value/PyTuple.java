package dev.brine.value;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * A Python {@code tuple}: an immutable {@link List} with value equality, usable as a map key.
 *
 * <p>Equality and hash code follow the {@code List} contract, so a tuple equals any list with the same elements
 * in the same order. A tuple nested in another tuple has its hash computed when it is built, so hashing a deeply
 * nested tuple never recurses deeply.
 */
public final class PyTuple extends AbstractList<Object> implements RandomAccess {
    private static final Object[] NO_ITEMS = new Object[0];
    private static final PyTuple EMPTY = new PyTuple(NO_ITEMS);

    private final Object[] items;
    private final int depth;
    private final boolean hashable;
    private int hash;
    private boolean hashed;

    private PyTuple(Object[] items) {
        this.items = items;
        int d = 0;
        boolean nested = false;
        boolean canHash = true;
        for (Object item : items) {
            if (item == null) {
                continue;
            }
            // Exact classes first: instanceof against an interface that fails scans the item class's interfaces,
            // which for a tuple of strings and numbers cost more than making the tuple.
            Class<?> c = item.getClass();
            if (c == String.class || c == Long.class || c == Double.class || c == Boolean.class
                    || c == PyBytes.class) {
                continue;
            }
            if (c == java.util.ArrayList.class || c == java.util.LinkedHashMap.class) {
                canHash = false;
            } else if (item instanceof PyTuple) {
                d = Math.max(d, ((PyTuple) item).depth);
                canHash &= ((PyTuple) item).hashable;
                nested = true;
            } else if (item instanceof java.util.List || item instanceof java.util.Map || item instanceof byte[]
                    || item instanceof PyByteArray
                    || item instanceof java.util.Set && !(item instanceof PyFrozenSet)) {
                canHash = false;
            } else if (item instanceof PyFrozenSet) {
                d = Math.max(d, ((PyFrozenSet) item).depth());
                nested = true;
            }
        }
        this.depth = d + 1;
        this.hashable = canHash;
        if (nested && canHash) {
            // Children already hold their hash, so this stays one level deep.
            hashCode();
        }
    }

    /** The empty tuple. */
    public static PyTuple empty() {
        return EMPTY;
    }

    /** A tuple of the given items, copied. Items may be null (Python's None). */
    public static PyTuple of(Object... items) {
        return items.length == 0 ? EMPTY : new PyTuple(items.clone());
    }

    /** A tuple of the items of {@code items}, in iteration order. */
    public static PyTuple copyOf(Collection<?> items) {
        if (items instanceof PyTuple) {
            return (PyTuple) items;
        }
        return items.isEmpty() ? EMPTY : new PyTuple(items.toArray());
    }

    /**
     * A tuple that takes ownership of {@code items} without copying. The caller must not change the array
     * afterwards.
     */
    public static PyTuple wrap(Object[] items) {
        return items.length == 0 ? EMPTY : new PyTuple(items);
    }

    @Override
    public Object get(int index) {
        Objects.checkIndex(index, items.length);
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    @Override
    public Object[] toArray() {
        return items.clone();
    }

    /** How deeply tuples and frozensets nest inside this one, counting this one: 1 for a flat tuple. */
    public int depth() {
        return depth;
    }

    /**
     * Whether Python could hash this tuple: false if it holds a list, dict, set or bytearray, directly or in a
     * nested tuple. Brine only uses hashable tuples as dict keys and set items, as Python does.
     */
    public boolean isHashable() {
        return hashable;
    }

    @Override
    public int hashCode() {
        if (!hashed) {
            hash = Arrays.hashCode(items);
            hashed = true;
        }
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (o instanceof PyTuple) {
            PyTuple t = (PyTuple) o;
            return t.items.length == items.length && t.hashCode() == hashCode() && itemsEqual(this, t, null);
        }
        return super.equals(o);
    }

    /**
     * Compares items, remembering the pairs of nested tuples already found equal. Tuples built through the memo can
     * share children, so a tuple 60 levels deep can have 2^60 paths, and comparing path by path, as
     * {@code Arrays.equals} does, would never end (found by {@code dev.brine.security.AdversarialInputTest}; see
     * {@code TupleDagKeysTest}). With the pairs remembered, each pair of nodes is compared once.
     */
    private static boolean itemsEqual(PyTuple a, PyTuple b, Set<SamePair> equal) {
        for (int i = 0; i < a.items.length; i++) {
            Object x = a.items[i];
            Object y = b.items[i];
            if (x == y) {
                continue;
            }
            if (x instanceof PyTuple && y instanceof PyTuple) {
                PyTuple tx = (PyTuple) x;
                PyTuple ty = (PyTuple) y;
                if (tx.items.length != ty.items.length || tx.hashCode() != ty.hashCode()) {
                    return false;
                }
                if (equal == null) {
                    equal = new HashSet<>();
                }
                SamePair pair = new SamePair(tx, ty);
                if (!equal.contains(pair)) {
                    if (!itemsEqual(tx, ty, equal)) {
                        return false;
                    }
                    equal.add(pair);
                }
            } else if (!Objects.equals(x, y)) {
                return false;
            }
        }
        return true;
    }

    /** Two tuples by identity. */
    private static final class SamePair {
        private final PyTuple a;
        private final PyTuple b;

        SamePair(PyTuple a, PyTuple b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SamePair && ((SamePair) o).a == a && ((SamePair) o).b == b;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(a) * 31 + System.identityHashCode(b);
        }
    }

    /** As Python's {@code repr} for simple items: {@code (1, 'a')}, and {@code (1,)} for one item. */
    @Override
    public String toString() {
        if (items.length == 1) {
            return "(" + items[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < items.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(items[i] == this ? "(...)" : items[i]);
        }
        return sb.append(')').toString();
    }
}
