package dev.brine.value;

import java.util.ArrayList;
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
    /** Decided pairs, by identity of both nodes. */
    private final Map<Pair, Boolean> decided = new HashMap<>();

    private NodeEquality() {
    }

    /** Whether two tuples are equal: the same length and equal items in order. */
    static boolean equal(PyTuple a, PyTuple b) {
        return new NodeEquality().tuples(a, b);
    }

    /** Whether two frozensets are equal: the same size, and every item of one equal to an item of the other. */
    static boolean equal(PyFrozenSet a, PyFrozenSet b) {
        return new NodeEquality().frozensets(a, b);
    }

    private boolean items(Object x, Object y) {
        if (x == y) {
            return true;
        }
        if (x instanceof PyTuple && y instanceof PyTuple) {
            return tuples((PyTuple) x, (PyTuple) y);
        }
        if (x instanceof PyFrozenSet && y instanceof PyFrozenSet) {
            return frozensets((PyFrozenSet) x, (PyFrozenSet) y);
        }
        return Objects.equals(x, y);
    }

    private boolean tuples(PyTuple a, PyTuple b) {
        if (a == b) {
            return true;
        }
        if (a.size() != b.size() || a.hashCode() != b.hashCode()) {
            return false;
        }
        Pair pair = new Pair(a, b);
        Boolean known = decided.get(pair);
        if (known != null) {
            return known;
        }
        boolean equal = true;
        for (int i = 0; i < a.size() && equal; i++) {
            equal = items(a.get(i), b.get(i));
        }
        decided.put(pair, equal);
        return equal;
    }

    private boolean frozensets(PyFrozenSet a, PyFrozenSet b) {
        if (a == b) {
            return true;
        }
        if (a.size() != b.size() || a.hashCode() != b.hashCode()) {
            return false;
        }
        Pair pair = new Pair(a, b);
        Boolean known = decided.get(pair);
        if (known != null) {
            return known;
        }
        // As CPython's set_issubset: each item of b is looked up in a by its hash. Items that are tuples or
        // frozensets (or other lists and sets, which equal them by the collection contracts) are matched here,
        // among a's items with the same hash, so that their comparison shares this one's decided pairs; a lookup
        // in a's own hash set would compare them afresh.
        Map<Integer, List<Object>> collectionsByHash = null;
        boolean equal = true;
        for (Object y : b) {
            if (!isCollection(y)) {
                equal = a.contains(y);
            } else {
                if (collectionsByHash == null) {
                    collectionsByHash = collectionsByHash(a);
                }
                equal = false;
                for (Object x : collectionsByHash.getOrDefault(y.hashCode(), List.of())) {
                    if (items(x, y)) {
                        equal = true;
                        break;
                    }
                }
            }
            if (!equal) {
                break;
            }
        }
        decided.put(pair, equal);
        return equal;
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
