package dev.brine.value;

/**
 * A Python {@code slice}. Its bounds may be any value, as in Python; usually {@code Long} or {@code null} (None).
 *
 * @param start the start, or null
 * @param stop  the stop, or null
 * @param step  the step, or null
 */
public record PySlice(Object start, Object stop, Object step) {
    /** The Python class. */
    public static final GlobalRef CLASS = new GlobalRef("builtins", "slice");
}
