package dev.brine.value;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Python {@code frozenset}: an immutable {@link Set} with value equality, usable as a map key. It iterates in
 * the order its items were read, so writing it back gives the same bytes.
 */
public final class PyFrozenSet extends AbstractSet<Object> implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private static final PyFrozenSet EMPTY = new PyFrozenSet(Collections.emptySet());

    private final Set<Object> items;
    private final int depth;
    /** Computed when first asked for, so a deserialized set hashes its items as this JVM hashes them. */
    private transient int hash;
    private transient boolean hashed;

    private PyFrozenSet(Set<Object> items) {
        this.items = items;
        int d = 0;
        for (Object item : items) {
            if (item instanceof PyTuple) {
                d = Math.max(d, ((PyTuple) item).depth());
            } else if (item instanceof PyFrozenSet) {
                d = Math.max(d, ((PyFrozenSet) item).depth);
            }
        }
        this.depth = d + 1;
    }

    /** The empty frozenset. */
    public static PyFrozenSet empty() {
        return EMPTY;
    }

    /** A frozenset of the given items; duplicates are dropped, first occurrence wins the position. */
    public static PyFrozenSet of(Object... items) {
        return copyOf(java.util.Arrays.asList(items));
    }

    /**
     * A new frozenset of the items of {@code items}, in iteration order. Even an empty one is a new object:
     * Python has distinct empty frozensets (since 3.10 there is no empty singleton at all), and a pickle keeps
     * them apart.
     */
    public static PyFrozenSet copyOf(Collection<?> items) {
        if (items instanceof PyFrozenSet) {
            return (PyFrozenSet) items;
        }
        return new PyFrozenSet(new LinkedHashSet<>(items));
    }

    @Override
    public Iterator<Object> iterator() {
        return Collections.unmodifiableSet(items).iterator();
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public boolean contains(Object o) {
        return items.contains(o);
    }

    /** How deeply tuples and frozensets nest inside this one, counting this one. */
    public int depth() {
        return depth;
    }

    @Override
    public int hashCode() {
        if (!hashed) {
            int h = 0;
            for (Object item : items) {
                h += item == null ? 0 : item.hashCode();
            }
            hash = h;
            hashed = true;
        }
        return hash;
    }

    /**
     * Equal to any set with equal items. Two frozensets are compared by {@link NodeEquality}, which decides each
     * pair of nested tuples and frozensets once, so frozensets that share nodes compare in time linear in their
     * nodes rather than in their paths.
     */
    @Override
    public boolean equals(Object o) {
        if (o instanceof PyFrozenSet) {
            return NodeEquality.equal(this, (PyFrozenSet) o);
        }
        return super.equals(o);
    }

    @Override
    public String toString() {
        if (items.isEmpty()) {
            return "frozenset()";
        }
        StringBuilder sb = new StringBuilder("frozenset({");
        String sep = "";
        for (Object item : items) {
            sb.append(sep).append(item);
            sep = ", ";
        }
        return sb.append("})").toString();
    }
}
