package dev.brine.value;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of a class or enum that cloudpickle pickled by value (one defined in {@code __main__}, in a
 * notebook, or inside a function). Get one with {@link CloudpickleView#dynamicClass(Object)}; an instance of
 * such a class is an inert node whose {@link PyObject#callable()} is the class node.
 *
 * <p>cloudpickle writes a class as {@code _make_skeleton_class(metaclass, name, bases, type_kwargs, tracker_id,
 * extra)} and an enum as {@code _make_skeleton_enum(bases, name, qualname, members, module, tracker_id, extra)},
 * then fills the class body with {@code _class_setstate(cls, (class_dict, slotstate))}: attributes, and methods as
 * functions pickled by value ({@link #methods()}).
 */
public final class PyDynamicClass {
    private final PyObject node;
    private final boolean isEnum;

    private PyDynamicClass(PyObject node, boolean isEnum) {
        this.node = node;
        this.isEnum = isEnum;
    }

    /** The view of {@code o}, or null if it is not a class cloudpickle wrote by value. */
    static PyDynamicClass view(Object o) {
        PyObject cls = CloudpickleView.helperCall(o, "_make_skeleton_class");
        if (cls != null && cls.args().size() >= 5 && CloudpickleView.text(cls.args().get(1)) != null
                && cls.args().get(2) instanceof PyTuple) {
            return new PyDynamicClass(cls, false);
        }
        PyObject e = CloudpickleView.helperCall(o, "_make_skeleton_enum");
        if (e != null && e.args().size() >= 6 && e.args().get(0) instanceof PyTuple
                && CloudpickleView.text(e.args().get(1)) != null && e.args().get(3) instanceof Map) {
            return new PyDynamicClass(e, true);
        }
        return null;
    }

    /** The inert node this view reads: the class object as the pickle builds it. */
    public PyObject node() {
        return node;
    }

    /** Whether this is an {@code enum.Enum} subclass ({@code _make_skeleton_enum}). */
    public boolean isEnum() {
        return isEnum;
    }

    /** {@code __name__}. */
    public String name() {
        return CloudpickleView.text(node.args().get(1));
    }

    /**
     * {@code __qualname__}: given for enums, and for classes when the class body set it (cloudpickle keeps it in
     * the class dict when it differs from the name); otherwise the name.
     */
    public String qualname() {
        String q = isEnum ? CloudpickleView.text(node.args().get(2))
                : CloudpickleView.text(classDict().get("__qualname__"));
        return q != null ? q : name();
    }

    /** {@code __module__}, if the pickle says. */
    public Optional<String> module() {
        return Optional.ofNullable(CloudpickleView.text(
                isEnum ? node.args().get(4) : classDict().get("__module__")));
    }

    /** {@code __bases__}: usually {@link GlobalRef}s, or nodes of other dynamic classes. */
    public PyTuple bases() {
        return (PyTuple) node.args().get(isEnum ? 0 : 2);
    }

    /** The metaclass ({@code builtins.type} for most classes); empty for an enum, whose pickle does not name it. */
    public Optional<Object> metaclass() {
        return isEnum ? Optional.empty() : Optional.ofNullable(node.args().get(0));
    }

    /** An enum's members, name to value, in definition order; empty for a class. */
    @SuppressWarnings("unchecked")
    public Map<Object, Object> members() {
        return isEnum ? Collections.unmodifiableMap((Map<Object, Object>) node.args().get(3)) : Map.of();
    }

    /**
     * cloudpickle's id for the class ({@code class_tracker_id}), with which it makes repeated loads in one process
     * give the same class; empty if none.
     */
    public Optional<String> trackerId() {
        return Optional.ofNullable(CloudpickleView.text(node.args().get(isEnum ? 5 : 4)));
    }

    /**
     * The class body cloudpickle restores: attributes, methods, {@code __module__}, {@code __doc__}, and so on
     * (an enum's members are in {@link #members()} instead). Empty if the pickle gave no state.
     */
    @SuppressWarnings("unchecked")
    public Map<Object, Object> classDict() {
        PyTuple pair = CloudpickleView.stateAndSlots(node);
        Object dict = pair == null ? node.state() : pair.get(0);
        return dict instanceof Map ? Collections.unmodifiableMap((Map<Object, Object>) dict) : Map.of();
    }

    /** The class dict's plain functions (methods pickled by value), by attribute name. */
    public Map<String, PyFunctionView> methods() {
        Map<String, PyFunctionView> methods = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : classDict().entrySet()) {
            PyFunctionView f = PyFunctionView.view(e.getValue());
            if (f != null && e.getKey() instanceof String) {
                methods.put((String) e.getKey(), f);
            }
        }
        return Collections.unmodifiableMap(methods);
    }

    /** {@code __doc__}, if the class has a docstring. */
    public Optional<String> doc() {
        return Optional.ofNullable(CloudpickleView.text(classDict().get("__doc__")));
    }

    /** Equal when viewing the same node. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PyDynamicClass && ((PyDynamicClass) o).node == node;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(node);
    }

    @Override
    public String toString() {
        return "<" + (isEnum ? "enum" : "class") + " " + module().map(m -> m + ".").orElse("") + qualname() + ">";
    }
}
