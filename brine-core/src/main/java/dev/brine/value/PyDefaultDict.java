package dev.brine.value;

import java.util.LinkedHashMap;

/**
 * A Python {@code collections.defaultdict}: a {@link LinkedHashMap} plus its default factory, kept as it was
 * pickled (usually a {@link GlobalRef} such as {@code builtins.list}, or {@code null} for no factory). The factory is
 * never called: reading a missing key returns {@code null} as for any Java map.
 */
public final class PyDefaultDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    /** The Python class. */
    private transient GlobalRef pythonClass = CLASS;

    public static final GlobalRef CLASS = new GlobalRef("collections", "defaultdict");

    private final transient Object defaultFactory;

    /** An empty {@code defaultdict} with the given factory ({@code null} for none). */
    public PyDefaultDict(Object defaultFactory) {
        this.defaultFactory = defaultFactory;
    }

    /** The {@code default_factory}: usually a {@link GlobalRef}, or {@code null}. */
    public Object defaultFactory() {
        return defaultFactory;
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
