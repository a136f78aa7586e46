package dev.brine.value;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python {@code collections.Counter}: a {@link LinkedHashMap} from element to count (usually a {@code Long}) that
 * remembers it was a {@code Counter}.
 */
public final class PyCounter extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    /** The Python class. */
    private transient GlobalRef pythonClass = CLASS;

    public static final GlobalRef CLASS = new GlobalRef("collections", "Counter");

    /** An empty {@code Counter}. */
    public PyCounter() {
    }

    /** A {@code Counter} holding a copy of {@code counts}, in their iteration order. */
    public PyCounter(Map<?, ?> counts) {
        super(counts);
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
