package dev.brine.value;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python {@code collections.Counter}: a {@link LinkedHashMap} from element to count (usually a {@code Long}) that
 * remembers it was a {@code Counter}. {@link #pythonClass()} is the class reference as the pickle named it.
 */
public final class PyCounter extends PyDictSubtype {
    private static final long serialVersionUID = 1L;

    /** The Python class. */
    public static final GlobalRef CLASS = new GlobalRef("collections", "Counter");

    /** An empty {@code Counter}. */
    public PyCounter() {
        super(CLASS);
    }

    /** A {@code Counter} holding a copy of {@code counts}, in their iteration order. */
    public PyCounter(Map<?, ?> counts) {
        super(CLASS, counts);
    }
}
