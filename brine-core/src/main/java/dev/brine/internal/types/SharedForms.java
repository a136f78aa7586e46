package dev.brine.internal.types;

import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyBytes;
import dev.brine.value.PyDict;
import dev.brine.value.PyList;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import dev.brine.value.SharedForm;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Memo sharing kept across a read and a write (docs/WRITING.md, "Sharing kept"): the writer derives a mapped value's
 * Python form afresh, then {@link #adopt}s the objects of the call the value was read from ({@link SharedForm})
 * wherever the two forms hold equal objects at the same place. The writer's identity memo then fetches what the
 * pickle fetched, as CPython's pickler did for the objects it was given.
 *
 * <p>Only what cannot change under an equality check is adopted: strings, bytes, numbers, globals, dtypes, and
 * tuples, lists and call nodes walked item by item. An object that differs is written as derived, so a changed value
 * never writes stale data, and a value made in Java (no kept form) is written exactly as before.
 */
public final class SharedForms {
    /** Kept forms are shallow (an ndarray's state is two levels deep); this bounds a hostile one. */
    private static final int MAX_DEPTH = 16;

    private SharedForms() {
    }

    /**
     * Longer strings and bytes are not kept: CPython makes them afresh for each value (numpy's raw data, the text of
     * {@code _codecs.encode}), so they are never shared, and keeping them would hold a second copy of the data.
     */
    private static final int MAX_KEPT_LENGTH = 256;

    /**
     * The form the reader keeps for a value made by {@code callable(*args)} (as {@code kind} makes it) and BUILD
     * {@code state} (if {@code hasState}): the same objects, less long strings and bytes (left as null, which
     * {@link #adopt} never substitutes).
     */
    public static PyObject keptForm(PyObject.Kind kind, Object callable, PyTuple args, Object state, boolean hasState) {
        PyObject node = new PyObject(kind, callable, (PyTuple) slim(args, 0), null);
        if (hasState) {
            node.addState(slim(state, 0));
        }
        return node;
    }

    private static Object slim(Object o, int depth) {
        if (o instanceof String) {
            return ((String) o).length() > MAX_KEPT_LENGTH ? null : o;
        }
        if (o instanceof PyBytes) {
            return ((PyBytes) o).length() > MAX_KEPT_LENGTH ? null : o;
        }
        if ((o instanceof PyList || o instanceof ArrayList) && !holdsMemoized((List<?>) o)) {
            return null;                            // array.array's items below protocol 3: numbers, never shared
        }
        if (o instanceof PyTuple && depth < 2) {
            PyTuple t = (PyTuple) o;
            Object[] items = new Object[t.size()];
            boolean same = true;
            for (int i = 0; i < items.length; i++) {
                items[i] = slim(t.get(i), depth + 1);
                same &= items[i] == t.get(i);
            }
            return same ? t : PyTuple.of(items);
        }
        return o;
    }

    /** Whether any item of {@code items} is one the writer memoizes (atoms, such as numbers, it never does). */
    private static boolean holdsMemoized(List<?> items) {
        for (Object item : items) {
            if (item != null && !(item instanceof Long || item instanceof Double || item instanceof Boolean
                    || item instanceof BigInteger)) {
                return true;
            }
        }
        return false;
    }

    /** {@code fresh}, the form derived from {@code value}, with the objects of the form it was read from. */
    static Object withReadObjects(Object fresh, Object value) {
        if (value instanceof SharedForm) {
            PyObject kept = ((SharedForm) value).readForm();
            if (kept != null) {
                return adopt(fresh, kept, 0);
            }
        }
        return fresh;
    }

    /** {@code fresh} with every part equal to the part of {@code kept} at the same place replaced by that part. */
    public static Object adopt(Object fresh, Object kept, int depth) {
        // A null part kept is None in the pickle or a part not kept (keptForm); either way the derived one stands.
        if (fresh == kept || fresh == null || kept == null || form(fresh) != form(kept) || depth > MAX_DEPTH) {
            return fresh;
        }
        Class<?> c = form(fresh);
        if (c == String.class || c == PyBytes.class || c == GlobalRef.class || c == DType.class
                || c == Long.class || c == Double.class || c == Boolean.class || c == BigInteger.class) {
            return fresh.equals(kept) ? kept : fresh;
        }
        if (fresh instanceof PyTuple) {
            PyTuple f = (PyTuple) fresh;
            PyTuple k = (PyTuple) kept;
            if (f.size() != k.size()) {
                return fresh;
            }
            Object[] items = new Object[f.size()];
            boolean same = true;
            for (int i = 0; i < items.length; i++) {
                items[i] = adopt(f.get(i), k.get(i), depth + 1);
                same &= items[i] == k.get(i);
            }
            // The kept tuple itself, when every item is its own: a tuple the pickle memoized is then fetched too.
            return same ? k : PyTuple.of(items);
        }
        if (c == ArrayList.class) {
            List<?> f = (List<?>) fresh;
            List<?> k = (List<?>) kept;
            if (f.size() != k.size()) {
                return fresh;
            }
            List<Object> items = new ArrayList<>(f.size());
            boolean same = true;
            for (int i = 0; i < f.size(); i++) {
                Object item = adopt(f.get(i), k.get(i), depth + 1);
                items.add(item);
                same &= item == k.get(i);
            }
            return same ? k : items;
        }
        if (c == PyObject.class) {
            return adoptNode((PyObject) fresh, (PyObject) kept, depth);
        }
        return fresh;
    }

    /**
     * The class of {@code o}, with Python's lists and the reader's dicts counted as the plain ones a conversion makes.
     */
    private static Class<?> form(Object o) {
        Class<?> c = o.getClass();
        return c == LoadedList.class || c == PyList.class ? ArrayList.class
                : c == LoadedDict.class || c == PyDict.class ? java.util.LinkedHashMap.class : c;
    }

    private static PyObject adoptNode(PyObject f, PyObject k, int depth) {
        if (f.kind() != k.kind() || f.kwargs() != null || f.stateSetter() != null || f.states().size() > 1) {
            return f;
        }
        PyObject node = new PyObject(f.kind(), adopt(f.callable(), k.callable(), depth + 1),
                (PyTuple) adopt(f.args(), k.args(), depth + 1), null);
        if (f.hasState()) {
            node.addState(k.hasState() ? adopt(f.state(), k.state(), depth + 1) : f.state());
        }
        f.listItems().forEach(node::appendItem);
        f.dictItems().forEach(node::putItem);
        f.setItems().forEach(node::addSetItem);
        return node;
    }
}
