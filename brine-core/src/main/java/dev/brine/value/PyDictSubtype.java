package dev.brine.value;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Java map standing for a Python subclass of {@code dict} ({@code OrderedDict}, {@code Counter},
 * {@code defaultdict}): a {@link LinkedHashMap} that also keeps the class reference the pickle named, so that
 * writing it back shares the very name strings the pickle did (a memo fetch at protocol 4 and up), and the instance
 * state ({@code __dict__}) the pickle set on it with BUILD.
 */
public abstract class PyDictSubtype extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    /** The class this type stands for; {@link #setPythonClass} accepts only references equal to it. */
    private final GlobalRef expected;
    private GlobalRef pythonClass;
    /** What BUILD set on the instance: its {@code __dict__}, or a {@code (dict, slots)} tuple; null when nothing. */
    private Object state;

    /** Only Brine's own subtypes extend this class. */
    PyDictSubtype(GlobalRef expected) {
        this.expected = expected;
        this.pythonClass = expected;
    }

    PyDictSubtype(GlobalRef expected, Map<?, ?> items) {
        super(items);
        this.expected = expected;
        this.pythonClass = expected;
    }

    /**
     * The class as the pickle named it, equal to the type's {@code CLASS}. The reader keeps the very reference it
     * read, so that writing this value back shares the same name strings as the pickle did.
     */
    public GlobalRef pythonClass() {
        return pythonClass;
    }

    /**
     * The instance state the pickle set with BUILD, or {@code null}: a map of attribute names to values (the
     * instance {@code __dict__}), or a {@link PyTuple} of that map and a map of slot values, as CPython's
     * {@code load_build} takes it. A state dict saved by {@code torch.save} is an {@code OrderedDict} whose state
     * is {@code {'_metadata': ...}}. Writing the map back writes this state after the items, as CPython's
     * {@code OrderedDict.__reduce__} does.
     */
    public Object state() {
        return state;
    }

    /**
     * Sets the instance state written after the items (see {@link #state()}); {@code null} removes it.
     *
     * @throws IllegalArgumentException if {@code state} is neither null, a map, nor a two-item tuple of maps (or
     *                                  None)
     */
    public void setState(Object state) {
        if (!isState(state)) {
            throw new IllegalArgumentException("the state of a dict subclass instance is a dict or a (dict, dict) "
                    + "tuple, not " + state.getClass().getName());
        }
        this.state = state;
    }

    /** Whether {@code state} is a state CPython's {@code load_build} can set on a dict subclass without a setstate. */
    public static boolean isState(Object state) {
        if (state == null || state instanceof Map) {
            return true;
        }
        return state instanceof PyTuple && ((PyTuple) state).size() == 2
                && (((PyTuple) state).get(0) == null || ((PyTuple) state).get(0) instanceof Map)
                && (((PyTuple) state).get(1) == null || ((PyTuple) state).get(1) instanceof Map);
    }

    /** Sets the class reference this value was read as; it must equal the type's {@code CLASS}. */
    public void setPythonClass(GlobalRef pythonClass) {
        if (!expected.equals(pythonClass)) {
            throw new IllegalArgumentException("not " + expected + ": " + pythonClass);
        }
        this.pythonClass = pythonClass;
    }
}
