package dev.brine.value;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Value equality of two tuples or two frozensets that may share nodes, deciding each pair of nodes once.
 *
 * <p>Tuples and frozensets built through the memo can share children, so one 60 levels deep can have 2^60 paths
 * from its root; comparing path by path, as {@code Arrays.equals} and {@code AbstractSet.equals} do, would never
 * end on two such values built separately (found by {@code dev.brine.security.AdversarialInputTest}; see
 * {@code TupleDagKeysTest} and {@code FrozenSetDagKeysTest}). CPython compares path by path too, but Brine must
 * not hang on any input. One comparison remembers every pair of nodes it decided, equal or not, across both kinds,
 * since a tuple can share a frozenset that shares a tuple.
 */
final class NodeEquality {
    /** Decided pairs of nested nodes, by identity of both; made on the first, so flat values allocate none. */
    private Map<Pair, Boolean> decided;

    private NodeEquality() {
    }

    /** Whether two tuples are equal: the same length and equal items in order. */
    static boolean equal(PyTuple a, PyTuple b) {
        return a == b || new NodeEquality().decide(a, b, true);
    }

    /** Whether two frozensets are equal: the same size, and every item of one equal to an item of the other. */
    static boolean equal(PyFrozenSet a, PyFrozenSet b) {
        return a == b || new NodeEquality().decide(a, b, true);
    }

    private boolean items(Object x, Object y) {
        if (x == y) {
            return true;
        }
        if (x instanceof PyTuple && y instanceof PyTuple || x instanceof PyFrozenSet && y instanceof PyFrozenSet) {
            return decide((Collection<?>) x, (Collection<?>) y, false);
        }
        return Objects.equals(x, y);
    }

    /**
     * Two tuples or two frozensets: cheap checks, then the decided pair, else compared once and remembered. The
     * roots are reached once, so only nested pairs are remembered.
     */
    private boolean decide(Collection<?> a, Collection<?> b, boolean root) {
        if (a.size() != b.size() || a.hashCode() != b.hashCode()) {
            return false;
        }
        if (root) {
            return compare(a, b);
        }
        if (decided == null) {
            decided = new HashMap<>();
        }
        Pair pair = new Pair(a, b);
        Boolean known = decided.get(pair);
        if (known == null) {
            known = compare(a, b);
            decided.put(pair, known);
        }
        return known;
    }

    private boolean compare(Collection<?> a, Collection<?> b) {
        return a instanceof PyTuple ? sameItemsInOrder((PyTuple) a, (PyTuple) b)
                : sameItems((PyFrozenSet) a, (PyFrozenSet) b);
    }

    private boolean sameItemsInOrder(PyTuple a, PyTuple b) {
        for (int i = 0; i < a.size(); i++) {
            if (!items(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private boolean sameItems(PyFrozenSet a, PyFrozenSet b) {
        // As CPython's set_issubset: each item of b is looked up in a by its hash. Items that are tuples or
        // frozensets (or other lists and sets, which equal them by the collection contracts) are matched here,
        // among a's items with the same hash, so that their comparison shares this one's decided pairs; a lookup
        // in a's own hash set would compare them afresh.
        Map<Integer, List<Object>> collectionsByHash = null;
        for (Object y : b) {
            if (!isCollection(y)) {
                if (!a.contains(y)) {
                    return false;
                }
                continue;
            }
            if (collectionsByHash == null) {
                collectionsByHash = collectionsByHash(a);
            }
            boolean found = false;
            for (Object x : collectionsByHash.getOrDefault(y.hashCode(), List.of())) {
                if (items(x, y)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private static boolean isCollection(Object o) {
        return o instanceof List || o instanceof java.util.Set;
    }

    /** The lists and sets (tuples and frozensets among them) of a frozenset's items, by hash. */
    private static Map<Integer, List<Object>> collectionsByHash(PyFrozenSet set) {
        Map<Integer, List<Object>> byHash = new HashMap<>();
        for (Object x : set) {
            if (isCollection(x)) {
                byHash.computeIfAbsent(x.hashCode(), h -> new ArrayList<>(1)).add(x);
            }
        }
        return byHash;
    }

    /** Two nodes by identity. */
    private record Pair(Object a, Object b) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Pair && ((Pair) o).a == a && ((Pair) o).b == b;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(a) * 31 + System.identityHashCode(b);
        }
    }
}
