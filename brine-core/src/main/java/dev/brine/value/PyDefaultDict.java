package dev.brine.value;

import java.util.LinkedHashMap;

/**
 * A Python {@code collections.defaultdict}: a {@link LinkedHashMap} plus its default factory, kept as it was
 * pickled (usually a {@link GlobalRef} such as {@code builtins.list}, or {@code null} for no factory). The factory is
 * never called: reading a missing key returns {@code null} as for any Java map. {@link #pythonClass()} is the class
 * reference as the pickle named it.
 */
public final class PyDefaultDict extends PyDictSubtype {
    private static final long serialVersionUID = 1L;

    /** The Python class. */
    public static final GlobalRef CLASS = new GlobalRef("collections", "defaultdict");

    private final Object defaultFactory;

    /** An empty {@code defaultdict} with the given factory ({@code null} for none). */
    public PyDefaultDict(Object defaultFactory) {
        super(CLASS);
        this.defaultFactory = defaultFactory;
    }

    /** The {@code default_factory}: usually a {@link GlobalRef}, or {@code null}. */
    public Object defaultFactory() {
        return defaultFactory;
    }
}
