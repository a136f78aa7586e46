package dev.brine.value;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python {@code collections.OrderedDict}: a {@link LinkedHashMap} that remembers it was an {@code OrderedDict},
 * so writing it back gives {@code OrderedDict} again rather than a plain {@code dict}.
 */
public final class PyOrderedDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    /** The Python class. */
    private transient GlobalRef pythonClass = CLASS;

    public static final GlobalRef CLASS = new GlobalRef("collections", "OrderedDict");

    /** An empty {@code OrderedDict}. */
    public PyOrderedDict() {
    }

    /** An {@code OrderedDict} holding a copy of {@code items}, in their iteration order. */
    public PyOrderedDict(Map<?, ?> items) {
        super(items);
    }

    /**
     * The class as the pickle named it, equal to {@link #CLASS}. The reader keeps the very reference it read, so
     * that writing this value back shares the same name strings as the pickle did.
     */
    public GlobalRef pythonClass() {
        return pythonClass;
    }

    /** Sets the class reference this value was read as; it must equal {@link #CLASS}. */
    public void setPythonClass(GlobalRef pythonClass) {
        if (!CLASS.equals(pythonClass)) {
            throw new IllegalArgumentException("not " + CLASS + ": " + pythonClass);
        }
        this.pythonClass = pythonClass;
    }
}
