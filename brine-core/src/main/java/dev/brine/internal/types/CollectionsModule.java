package dev.brine.internal.types;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyCounter;
import dev.brine.value.PyDefaultDict;
import dev.brine.value.PyDeque;
import dev.brine.value.PyDict;
import dev.brine.value.PyDictSubtype;
import dev.brine.value.PyObject;
import dev.brine.value.PyOrderedDict;
import dev.brine.value.PyTuple;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Python's {@code collections} values, both ways: {@code OrderedDict}, {@code defaultdict}, {@code Counter} and
 * {@code deque} read from the calls their {@code __reduce__} writes (the items then come by {@code SETITEMS} or
 * {@code APPENDS}), and written back as those same calls, with a subclass's class and instance {@code __dict__}
 * kept. A call of another shape stays an inert node.
 */
final class CollectionsModule {
    private CollectionsModule() {
    }

    // ---- The read side ---------------------------------------------------------------------------------------

    static Object orderedDict(GlobalRef ref, PyTuple a) {
        if (!a.isEmpty()) {
            return KnownGlobals.NOT_HANDLED;
        }
        PyOrderedDict d = new PyOrderedDict();
        d.setPythonClass(ref);
        return d;
    }

    static Object defaultdict(GlobalRef ref, PyTuple a) {
        PyDefaultDict d;
        if (a.isEmpty()) {
            d = new PyDefaultDict(null);
        } else if (a.size() == 1 && a.get(0) != null) {
            d = new PyDefaultDict(a.get(0));
        } else {
            // defaultdict.__reduce__ writes () for no factory, so (None,) would not come back the same.
            return KnownGlobals.NOT_HANDLED;
        }
        d.setPythonClass(ref);
        return d;
    }

    static Object counter(GlobalRef ref, PyTuple a) {
        // Counter.__reduce__ is (Counter, (dict(self),)).
        if (a.size() == 1 && a.get(0) != null && (a.get(0).getClass() == LinkedHashMap.class
                || a.get(0).getClass() == LoadedDict.class || a.get(0).getClass() == PyDict.class)) {
            PyCounter c = new PyCounter((Map<?, ?>) a.get(0));
            c.setPythonClass(ref);
            return c;
        }
        return KnownGlobals.NOT_HANDLED;
    }

    static Object deque(GlobalRef ref, PyTuple a) {
        // deque.__reduce__: (deque, ()) or (deque, ((), maxlen)), the items then come by APPEND.
        PyDeque d;
        if (a.isEmpty()) {
            d = new PyDeque(null);
        } else if (a.size() == 2 && a.get(0) instanceof PyTuple && ((PyTuple) a.get(0)).isEmpty()
                && a.get(1) instanceof Long && (Long) a.get(1) >= 0) {
            d = new PyDeque((Long) a.get(1));
        } else {
            return KnownGlobals.NOT_HANDLED;
        }
        d.setPythonClass(ref);
        return d;
    }

    // ---- The write side ---------------------------------------------------------------------------------------

    /** The call CPython's {@code __reduce__} gives a collections value, or {@link JavaEquivalents#UNKNOWN}. */
    static Object fromJava(Object value) {
        if (value instanceof PyOrderedDict) {
            // OrderedDict.__reduce__: (OrderedDict, (), vars(self) or None, None, iter(items)).
            PyOrderedDict d = (PyOrderedDict) value;
            return withState(withItems(PyObject.reduce(d.pythonClass()), d), d);
        }
        if (value instanceof PyDefaultDict) {
            PyDefaultDict d = (PyDefaultDict) value;
            Object factory = d.defaultFactory();
            PyObject node = factory == null ? PyObject.reduce(d.pythonClass())
                    : PyObject.reduce(d.pythonClass(), factory);
            return withState(withItems(node, d), d);
        }
        if (value instanceof PyCounter) {
            // Counter.__reduce__: (Counter, (dict(self),)).
            PyCounter c = (PyCounter) value;
            return withState(PyObject.reduce(c.pythonClass(), new PyDict(c)), c);
        }
        if (value instanceof PyDeque) {
            PyDeque d = (PyDeque) value;
            PyObject node = d.maxlen() == null ? PyObject.reduce(d.pythonClass())
                    : PyObject.reduce(d.pythonClass(), PyTuple.empty(), d.maxlen());
            for (Object item : d) {
                node.appendItem(item);
            }
            return node;
        }
        return JavaEquivalents.UNKNOWN;
    }

    private static PyObject withState(PyObject node, PyDictSubtype value) {
        if (value.state() != null) {
            node.addState(value.state());
        }
        return node;
    }

    private static PyObject withItems(PyObject node, Map<?, ?> items) {
        for (Map.Entry<?, ?> e : items.entrySet()) {
            node.putItem(e.getKey(), e.getValue());
        }
        return node;
    }
}
