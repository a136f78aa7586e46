package dev.brine.value;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Java map standing for a Python subclass of {@code dict} ({@code OrderedDict}, {@code Counter},
 * {@code defaultdict}): a {@link LinkedHashMap} that also keeps the class reference the pickle named, so that
 * writing it back shares the very name strings the pickle did (a memo fetch at protocol 4 and up).
 */
abstract class PyDictSubtype extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;

    /** The class this type stands for; {@link #setPythonClass} accepts only references equal to it. */
    private final transient GlobalRef expected;
    private transient GlobalRef pythonClass;

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

    /** Sets the class reference this value was read as; it must equal the type's {@code CLASS}. */
    public void setPythonClass(GlobalRef pythonClass) {
        if (!expected.equals(pythonClass)) {
            throw new IllegalArgumentException("not " + expected + ": " + pythonClass);
        }
        this.pythonClass = pythonClass;
    }
}
