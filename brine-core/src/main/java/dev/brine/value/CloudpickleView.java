package dev.brine.value;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Readable views of what cloudpickle writes for code it pickles by value: functions, lambdas and closures
 * ({@link PyFunctionView}), their code objects ({@link PyCode}), and classes and enums defined at run time
 * ({@link PyDynamicClass}).
 *
 * <p>Brine reads these as inert {@link PyObject} nodes, as it reads any call it does not map, and writes them
 * back to the same bytes. The views only interpret those nodes; nothing is executed, and a view never changes
 * the node it looks at.
 *
 * <pre>{@code
 * Object loaded = Pickle.loads(cloudpickleBytes);
 * CloudpickleView.function(loaded).ifPresent(f ->
 *         System.out.println(f.qualname() + f.code().argumentNames() + " at " + f.code().fileName()
 *                 + ":" + f.code().firstLineNumber()));
 * }</pre>
 *
 * <p>The helpers are recognised in the modules of cloudpickle itself ({@code cloudpickle.cloudpickle},
 * {@code cloudpickle.cloudpickle_fast}) and of the copies other packages vendor under their own names (any module
 * whose dotted path has a {@code cloudpickle} part, such as {@code joblib.externals.cloudpickle.cloudpickle}).
 */
public final class CloudpickleView {
    private CloudpickleView() {
    }

    /**
     * The function {@code loaded} is, if it is one cloudpickle wrote by value: {@code _make_function(...)} with
     * its {@code _function_setstate} state (cloudpickle 1.5 and later), or {@code _fill_function(_make_skel_func(...),
     * state)} (earlier versions).
     */
    public static Optional<PyFunctionView> function(Object loaded) {
        return Optional.ofNullable(PyFunctionView.view(loaded));
    }

    /** The code object {@code loaded} is, if it is {@code types.CodeType(...)} as cloudpickle writes it. */
    public static Optional<PyCode> code(Object loaded) {
        return Optional.ofNullable(PyCode.view(loaded));
    }

    /**
     * The class {@code loaded} is, if it is a class or enum cloudpickle wrote by value
     * ({@code _make_skeleton_class} or {@code _make_skeleton_enum} with its {@code _class_setstate} state).
     */
    public static Optional<PyDynamicClass> dynamicClass(Object loaded) {
        return Optional.ofNullable(PyDynamicClass.view(loaded));
    }

    /** Whether {@code callable} is the global {@code name} of a cloudpickle module (or a vendored copy of one). */
    static boolean isHelper(Object callable, String name) {
        if (!(callable instanceof GlobalRef)) {
            return false;
        }
        GlobalRef g = (GlobalRef) callable;
        if (!g.name().equals(name)) {
            return false;
        }
        for (String part : g.module().split("\\.", -1)) {
            if (part.equals("cloudpickle") || part.equals("cloudpickle_fast")) {
                return true;
            }
        }
        return false;
    }

    /** {@code node} if it is a REDUCE of the cloudpickle helper {@code name}, else null. */
    static PyObject helperCall(Object node, String name) {
        if (node instanceof PyObject) {
            PyObject o = (PyObject) node;
            if (o.kind() == PyObject.Kind.REDUCE && isHelper(o.callable(), name)) {
                return o;
            }
        }
        return null;
    }

    /**
     * The {@code (state, slotstate)} pair cloudpickle gives functions and classes, applied by its
     * {@code _function_setstate}/{@code _class_setstate} (the protocol 5 state-setter form, which cloudpickle also
     * writes by hand below protocol 5) or by BUILD; null if the node has none.
     */
    static PyTuple stateAndSlots(PyObject node) {
        Object state = node.state();
        if (state instanceof PyTuple && ((PyTuple) state).size() == 2) {
            return (PyTuple) state;
        }
        return null;
    }

    /** A text value: a {@code str}, or a Python 2 {@code str} read as bytes (decoded as latin-1, byte for byte). */
    static String text(Object o) {
        if (o instanceof String) {
            return (String) o;
        }
        if (o instanceof PyBytes) {
            return new String(((PyBytes) o).toByteArray(), StandardCharsets.ISO_8859_1);
        }
        return null;
    }

    /** {@code map.get(key)} if {@code o} is a map, else null. */
    static Object entry(Object o, String key) {
        return o instanceof Map ? ((Map<?, ?>) o).get(key) : null;
    }

    /** Whether {@code o} is a map holding {@code key}. */
    static boolean has(Object o, String key) {
        return o instanceof Map && ((Map<?, ?>) o).containsKey(key);
    }
}
