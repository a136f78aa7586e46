package dev.brine.value;

import java.util.ArrayList;
import java.util.Collection;

/**
 * A Python {@code collections.deque}: a list of its items, front first, plus its {@code maxlen}. It is an
 * {@link ArrayList} because Python's deque is indexable and a pickle fills it as it fills a list (with APPEND); Brine
 * does not enforce {@code maxlen} when Java code adds items.
 */
public final class PyDeque extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;

    /** The Python class. */
    private GlobalRef pythonClass = CLASS;

    public static final GlobalRef CLASS = new GlobalRef("collections", "deque");

    private final Long maxlen;

    /** An empty deque; {@code maxlen} is {@code null} for an unbounded one. */
    public PyDeque(Long maxlen) {
        if (maxlen != null && maxlen < 0) {
            throw new IllegalArgumentException("maxlen must be non-negative: " + maxlen);
        }
        this.maxlen = maxlen;
    }

    /** A deque of {@code items}, front first. */
    public PyDeque(Collection<?> items, Long maxlen) {
        this(maxlen);
        addAll(items);
    }

    /** The {@code maxlen}, or {@code null} for an unbounded deque. */
    public Long maxlen() {
        return maxlen;
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
