package dev.brine.value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of a function, lambda or closure that cloudpickle pickled by value. Get one with
 * {@link CloudpickleView#function(Object)}.
 *
 * <p>cloudpickle 1.5 and later write {@code _make_function(code, base_globals, name, defaults, closure)} and then
 * {@code _function_setstate(func, (func.__dict__, slotstate))}, where {@code slotstate} holds {@code __name__},
 * {@code __qualname__}, {@code __module__}, {@code __doc__}, {@code __defaults__}, {@code __kwdefaults__},
 * {@code __annotations__}, {@code __closure__} (cells with their contents) and {@code __globals__} (only the
 * globals the code refers to). Earlier versions write {@code _fill_function(_make_skel_func(code, cell_count,
 * base_globals), state)} with a state dict keyed {@code name}, {@code qualname}, {@code globals},
 * {@code closure_values} and so on. The view reads both, preferring what the state says (it is what the function
 * ends up with) over the skeleton's arguments.
 */
public final class PyFunctionView {
    /**
     * One closure cell.
     *
     * @param empty whether the cell has no value (a variable not yet assigned when the function was pickled)
     * @param value the cell's contents, as read; null if empty (or if the value is None)
     */
    public record Cell(boolean empty, Object value) {
    }

    private final PyObject node;
    private final PyCode code;
    /** The call that made the function object: {@code _make_function(...)} or {@code _make_skel_func(...)}. */
    private final PyObject skeleton;
    /** {@code func.__dict__}, or null. */
    private final Object dict;
    /** cloudpickle 1.5+'s slot state, or the older state dict; null if the pickle gave none. */
    private final Object slots;
    private final boolean legacy;

    private PyFunctionView(PyObject node, PyCode code, PyObject skeleton, Object dict, Object slots, boolean legacy) {
        this.node = node;
        this.code = code;
        this.skeleton = skeleton;
        this.dict = dict;
        this.slots = slots;
        this.legacy = legacy;
    }

    /** The view of {@code o}, or null if it is not a function cloudpickle wrote by value. */
    static PyFunctionView view(Object o) {
        PyObject made = CloudpickleView.helperCall(o, "_make_function");
        if (made != null) {
            if (made.args().size() != 5) {
                return null;
            }
            PyCode code = PyCode.view(made.args().get(0));
            if (code == null) {
                return null;
            }
            PyTuple pair = CloudpickleView.stateAndSlots(made);
            return new PyFunctionView(made, code, made, pair == null ? null : pair.get(0),
                    pair == null ? null : pair.get(1), false);
        }
        PyObject fill = CloudpickleView.helperCall(o, "_fill_function");
        if (fill != null && fill.args().size() == 2) {
            PyFunctionView skel = skeleton(fill.args().get(0), fill);
            Object state = fill.args().get(1);
            return skel == null || !(state instanceof Map) ? null
                    : new PyFunctionView(fill, skel.code, skel.skeleton, CloudpickleView.entry(state, "dict"), state,
                    true);
        }
        return skeleton(o, null);
    }

    private static PyFunctionView skeleton(Object o, PyObject outer) {
        PyObject skel = CloudpickleView.helperCall(o, "_make_skel_func");
        if (skel == null || skel.args().isEmpty()) {
            return null;
        }
        PyCode code = PyCode.view(skel.args().get(0));
        return code == null ? null : new PyFunctionView(outer == null ? skel : outer, code, skel, null, null, true);
    }

    /** The inert node this view reads: the function object as the pickle builds it. */
    public PyObject node() {
        return node;
    }

    /** The function's code object. */
    public PyCode code() {
        return code;
    }

    private Object slot(String current, String older) {
        return legacy ? CloudpickleView.entry(slots, older) : CloudpickleView.entry(slots, current);
    }

    private boolean hasSlot(String current, String older) {
        return legacy ? CloudpickleView.has(slots, older) : CloudpickleView.has(slots, current);
    }

    /** {@code __name__}: {@code <lambda>} for a lambda. */
    public String name() {
        String s = CloudpickleView.text(slot("__name__", "name"));
        if (s == null && !legacy) {
            s = CloudpickleView.text(skeleton.args().get(2));
        }
        return s != null ? s : code.name();
    }

    /** {@code __qualname__}, such as {@code outer.<locals>.inner}; the name where the pickle does not say. */
    public String qualname() {
        String s = CloudpickleView.text(slot("__qualname__", "qualname"));
        return s != null ? s : code.qualname().orElse(name());
    }

    /** {@code __module__}: the module the function was defined in ({@code __main__} for a script), if given. */
    public Optional<String> module() {
        String s = CloudpickleView.text(slot("__module__", "module"));
        if (s == null) {
            s = CloudpickleView.text(CloudpickleView.entry(baseGlobals(), "__name__"));
        }
        return Optional.ofNullable(s);
    }

    /** {@code __doc__}, if the function has a docstring. */
    public Optional<String> doc() {
        return Optional.ofNullable(CloudpickleView.text(slot("__doc__", "doc")));
    }

    /** {@code __defaults__}: the defaults of the last positional parameters; empty if there are none. */
    public PyTuple defaults() {
        Object d = hasSlot("__defaults__", "defaults") ? slot("__defaults__", "defaults")
                : legacy ? null : skeleton.args().get(3);
        return d instanceof PyTuple ? (PyTuple) d : PyTuple.empty();
    }

    /** {@code __kwdefaults__}: the defaults of keyword-only parameters by name; empty if there are none. */
    public Map<Object, Object> kwDefaults() {
        return map(slot("__kwdefaults__", "kwdefaults"));
    }

    /** {@code __annotations__}; empty if there are none. */
    public Map<Object, Object> annotations() {
        return map(slot("__annotations__", "annotations"));
    }

    /**
     * The globals the code refers to, by name, as cloudpickle captured them: values (numbers, other functions,
     * classes, modules as references) for names the function's {@code co_names} mentions.
     */
    public Map<Object, Object> globals() {
        return map(slot("__globals__", "globals"));
    }

    /**
     * The base globals cloudpickle gives the new function's namespace ({@code __package__}, {@code __name__},
     * {@code __file__}), or an empty map.
     */
    public Map<Object, Object> baseGlobals() {
        int i = legacy ? 2 : 1;
        return map(skeleton.args().size() > i ? skeleton.args().get(i) : null);
    }

    /** {@code __dict__}: attributes set on the function object; empty if none. */
    public Map<Object, Object> attributes() {
        return map(dict);
    }

    /**
     * The closure's cells, in the order of {@link PyCode#freeVars()}; empty for a function that closes over
     * nothing.
     */
    public List<Cell> closure() {
        List<Cell> cells = new ArrayList<>();
        if (legacy) {
            Object values = CloudpickleView.entry(slots, "closure_values");
            if (values instanceof List) {
                for (Object v : (List<?>) values) {
                    cells.add(new Cell(false, v));
                }
            }
            return Collections.unmodifiableList(cells);
        }
        Object closure = hasSlot("__closure__", null) ? slot("__closure__", null) : skeleton.args().get(4);
        if (closure instanceof List) {
            for (Object c : (List<?>) closure) {
                cells.add(cell(c));
            }
        }
        return Collections.unmodifiableList(cells);
    }

    /** A cell node: {@code _make_cell(value)} or {@code _make_empty_cell()}; anything else is read as the value. */
    private static Cell cell(Object c) {
        PyObject full = CloudpickleView.helperCall(c, "_make_cell");
        if (full != null && full.args().size() == 1) {
            return new Cell(false, full.args().get(0));
        }
        if (CloudpickleView.helperCall(c, "_make_empty_cell") != null) {
            return new Cell(true, null);
        }
        return new Cell(false, c);
    }

    /** The closure's variables by name ({@link PyCode#freeVars()} paired with the cells), without empty cells. */
    public Map<String, Object> closureVariables() {
        List<String> names = code.freeVars();
        List<Cell> cells = closure();
        Map<String, Object> vars = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(names.size(), cells.size()); i++) {
            if (!cells.get(i).empty()) {
                vars.put(names.get(i), cells.get(i).value());
            }
        }
        return Collections.unmodifiableMap(vars);
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) {
        return o instanceof Map ? Collections.unmodifiableMap((Map<Object, Object>) o) : Map.of();
    }

    /** Equal when viewing the same node. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PyFunctionView && ((PyFunctionView) o).node == node;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(node);
    }

    @Override
    public String toString() {
        return "<function " + qualname() + code.argumentNames() + ">";
    }
}
