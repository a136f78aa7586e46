package dev.brine.value;

/**
 * A Python {@code slice}. Its bounds may be any value, as in Python; usually {@code Long} or {@code null} (None).
 *
 * @param start the start, or null
 * @param stop  the stop, or null
 * @param step  the step, or null
 * @param pythonClass the class as the pickle named it (equal to {@link #CLASS}); kept so that writing the slice
 *                    back shares the same name strings as the pickle did
 */
public record PySlice(Object start, Object stop, Object step, GlobalRef pythonClass) implements java.io.Serializable {
    /** The Python class. */
    public static final GlobalRef CLASS = new GlobalRef("builtins", "slice");

    public PySlice {
        java.util.Objects.requireNonNull(pythonClass, "pythonClass");
    }

    /** {@code slice(start, stop, step)}. */
    public PySlice(Object start, Object stop, Object step) {
        this(start, stop, step, CLASS);
    }
}
