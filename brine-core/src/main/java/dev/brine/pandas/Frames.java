package dev.brine.pandas;

import dev.brine.PickleException;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.util.List;
import java.util.Map;

/** Small shared pieces: the error factory and inspection of the inert nodes a pickle leaves. */
final class Frames {
    private Frames() {
    }

    /** A frame that does not hang together: {@code where} names the place in the object tree. */
    static PickleException bad(String where, String problem) {
        return new PickleException("pandas " + where + ": " + problem, -1, null, null, null);
    }

    /** The qualified name of what made {@code o} ({@code module.name}), or null if it is no node over a global. */
    static String made(Object o) {
        if (o instanceof PyObject p && p.callable() instanceof GlobalRef g) {
            return g.toString();
        }
        return null;
    }

    /** The last part of the global that made {@code o}, or null. */
    static String madeName(Object o) {
        if (o instanceof PyObject p && p.callable() instanceof GlobalRef g) {
            String n = g.name();
            return n.substring(n.lastIndexOf('.') + 1);
        }
        return null;
    }

    /** The last part of a class reference, or null. */
    static String className(Object o) {
        if (o instanceof GlobalRef g) {
            return g.name().substring(g.name().lastIndexOf('.') + 1);
        }
        return null;
    }

    static boolean isPandas(GlobalRef g) {
        return g != null && (g.module().equals("pandas") || g.module().startsWith("pandas."));
    }

    /** A short description of a value for messages: its Java type, or the Python global that made it. */
    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        String m = made(o);
        if (m != null) {
            return "a " + m + " object";
        }
        if (o instanceof GlobalRef g) {
            return "the global " + g;
        }
        return "a " + o.getClass().getSimpleName();
    }

    /** {@code o} as a map with string keys, or an error naming {@code where}. */
    @SuppressWarnings("unchecked")
    static Map<Object, Object> dict(Object o, String where) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw bad(where, "expected a dict, found " + describe(o));
    }

    /** {@code o} as a list (a Python list or tuple), or an error naming {@code where}. */
    static List<?> list(Object o, String where) {
        if (o instanceof List<?> l) {
            return l;
        }
        throw bad(where, "expected a list or tuple, found " + describe(o));
    }

    static long integer(Object o, String where) {
        if (o instanceof Long l) {
            return l;
        }
        if (o instanceof Integer i) {
            return i;
        }
        throw bad(where, "expected an int, found " + describe(o));
    }

    /** The state a node was built with, unwrapping Cython's one-item tuple {@code (dict,)}. */
    static Object state(PyObject p) {
        Object s = p.state();
        if (s instanceof PyTuple t && t.size() == 1 && t.get(0) instanceof Map) {
            return t.get(0);
        }
        return s;
    }
}
