package dev.brine.value;

import dev.brine.internal.types.LoadedTuples;

import java.util.AbstractList;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A Python {@code tuple}: an immutable {@link List} with value equality, usable as a map key.
 *
 * <p>Equality and hash code follow the {@code List} contract, so a tuple equals any list with the same elements
 * in the same order. The hash is computed the first time it is asked for, not when the tuple is built (a tuple
 * holding a large {@link PyBytes} would otherwise hash all of it on loading), and nested tuples are hashed from
 * the innermost out with a stack of their own, so hashing a deeply nested tuple never recurses deeply.
 */
public final class PyTuple extends AbstractList<Object> implements RandomAccess, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** The deepest nesting {@link #depth()} counts; a deeper tuple reports this. */
    public static final int MAX_DEPTH = Character.MAX_VALUE;

    private static final Object[] NO_ITEMS = new Object[0];
    private static final PyTuple EMPTY = new PyTuple(NO_ITEMS);

    private final Object[] items;
    /**
     * {@link #depth()}, counted up to {@link #MAX_DEPTH}. A {@code char}, so that with the memo identity the object
     * stays 32 bytes: header 12, {@code AbstractList}'s modCount 4, items 4, hash 4, memo identity 4, this 2, two
     * booleans.
     */
    private final char depth;
    private final boolean hashable;
    /** The hash once computed, and whether a computed hash was 0: the idiom of {@code String}, safe to race on. */
    private transient int hash;
    private transient boolean hashIsZero;
    /**
     * A number the reader gives the tuples it makes, which the writer's memo hashes them by instead of asking the
     * JVM for an identity hash (a call into the VM the first time, about 50 ns); 0 for any other tuple. It fits in
     * the object's padding: a tuple is 32 bytes with it or without it.
     */
    private final transient int memoIdentity;

    static {
        LoadedTuples.grant(new LoadedTuples.Access() {
            @Override
            public PyTuple wrap(Object[] items, int memoIdentity) {
                return PyTuple.wrap(items, memoIdentity);
            }

            @Override
            public int memoIdentity(PyTuple tuple) {
                return tuple.memoIdentity;
            }
        });
    }

    private PyTuple(Object[] items) {
        this(items, 0);
    }

    private PyTuple(Object[] items, int memoIdentity) {
        this.items = items;
        this.memoIdentity = memoIdentity;
        int d = 0;
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
            if (item instanceof PyList || item instanceof java.util.ArrayList
                    || item instanceof java.util.LinkedHashMap) {
                canHash = false;
            } else if (item instanceof PyTuple) {
                d = Math.max(d, ((PyTuple) item).depth);
                canHash &= ((PyTuple) item).hashable;
            } else if (item instanceof java.util.List || item instanceof java.util.Map || item instanceof byte[]
                    || item instanceof PyByteArray
                    || item instanceof java.util.Set && !(item instanceof PyFrozenSet)) {
                canHash = false;
            } else if (item instanceof PyFrozenSet) {
                d = Math.max(d, ((PyFrozenSet) item).depth());
            }
        }
        this.depth = (char) Math.min(d + 1, MAX_DEPTH);
        this.hashable = canHash;
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
        return wrap(items, 0);
    }

    /** As {@link #wrap(Object[])}, carrying the reader's memo identity (0 for none). */
    private static PyTuple wrap(Object[] items, int memoIdentity) {
        return items.length == 0 ? EMPTY : new PyTuple(items, memoIdentity);
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

    /**
     * How deeply tuples and frozensets nest inside this one, counting this one: 1 for a flat tuple; at most
     * {@link #MAX_DEPTH}, which a deeper tuple reports.
     */
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
        int h = hash;
        if (h == 0 && !hashIsZero) {
            h = depth == 1 ? storeHash() : hashNested(this);
        }
        return h;
    }

    private boolean hasHash() {
        return hash != 0 || hashIsZero;
    }

    /** Computes and keeps the hash of {@code items}, whose tuples must already hold theirs. */
    private int storeHash() {
        int h = Arrays.hashCode(items);
        if (h == 0) {
            hashIsZero = true;
        } else {
            hash = h;
        }
        return h;
    }

    /**
     * Hashes {@code root} and the tuples nested in it that have no hash yet, innermost first, on a stack of their
     * own, so that each {@code Arrays.hashCode} finds its tuple items already hashed and recursion stays one level
     * deep. A tuple shared by several parents is hashed once. Frozensets hash their items when they are built.
     */
    private static int hashNested(PyTuple root) {
        ArrayDeque<PyTuple> pending = new ArrayDeque<>();
        pending.push(root);
        while (true) {
            PyTuple t = pending.peek();
            if (t.hasHash()) {
                pending.pop();
                continue;
            }
            boolean ready = true;
            if (t.depth > 1) {
                for (Object item : t.items) {
                    if (item instanceof PyTuple && !((PyTuple) item).hasHash()) {
                        pending.push((PyTuple) item);
                        ready = false;
                    }
                }
            }
            if (ready) {
                pending.pop();
                int h = t.storeHash();
                if (t == root) {
                    return h;
                }
            }
        }
    }

    /**
     * Equal to any list with equal items in the same order. Two tuples are compared by {@link NodeEquality}, which
     * decides each pair of nested tuples and frozensets once (see {@code TupleDagKeysTest}).
     */
    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (o instanceof PyTuple) {
            return NodeEquality.equal(this, (PyTuple) o);
        }
        return super.equals(o);
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

    /** The empty tuple stays the one empty tuple, as in CPython. */
    private Object readResolve() {
        return items.length == 0 ? EMPTY : this;
    }
}
