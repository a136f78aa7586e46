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
    public static final GlobalRef CLASS = new GlobalRef("collections", "Counter");

    /** An empty {@code Counter}. */
    public PyCounter() {
    }

    /** A {@code Counter} holding a copy of {@code counts}, in their iteration order. */
    public PyCounter(Map<?, ?> counts) {
        super(counts);
    }
}
