package dev.brine.value;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python {@code collections.OrderedDict}: a {@link LinkedHashMap} that remembers it was an {@code OrderedDict},
 * so writing it back gives {@code OrderedDict} again rather than a plain {@code dict}. {@link #pythonClass()} is
 * the class reference as the pickle named it.
 */
public final class PyOrderedDict extends PyDictSubtype {
    private static final long serialVersionUID = 1L;

    /** The Python class. */
    public static final GlobalRef CLASS = new GlobalRef("collections", "OrderedDict");

    /** An empty {@code OrderedDict}. */
    public PyOrderedDict() {
        super(CLASS);
    }

    /** An {@code OrderedDict} holding a copy of {@code items}, in their iteration order. */
    public PyOrderedDict(Map<?, ?> items) {
        super(CLASS, items);
    }
}
