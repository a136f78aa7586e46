package dev.brine.value;

import java.util.List;
import java.util.Objects;

/**
 * A pickle's result together with values the stream made and discarded with POP where no node was under them to
 * keep them on (see {@link PyObject#discarded()} for the usual case). Python ran those calls, so Brine keeps them:
 * {@link dev.brine.Pickle#loads} returns this instead of the bare {@link #value()} when there are any, and the
 * writer emits each one back in place.
 * <ul>
 *   <li>{@link #discarded()}: at the top level with nothing under them, before the result. dill writes an enum class
 *       this way: {@code _create_type(...)} REDUCE POP, then the class fetched from the memo. The writer emits each
 *       value and POP before the value.</li>
 *   <li>{@link #anchored()}: with a value other than a node under them on the stack (a global, a list, a dict, a
 *       string). dill's enum member does this: {@code getattr}, then {@code _create_type(...)} REDUCE POP, then
 *       getattr's arguments. The writer emits each value and POP right after it writes that value (its creation, or
 *       its n-th memo fetch, as {@link PyObject.Discarded#occurrence()} says).</li>
 *   <li>{@link #unplaced()}: calls Brine has no place for (right after a MARK with nothing above it yet, or above a
 *       value that is not one Python object of its own, such as a small int or None). They are kept so that nothing
 *       is lost silently: the writer refuses a value that has any, with an error naming the call.</li>
 * </ul>
 *
 * @param discarded the values discarded at the top level before the result, in stream order;
 *                  {@link PyObject.Discarded#statesBefore()} is 0
 * @param value     the pickle's result
 * @param anchored  the values discarded above a value that is not a node, in stream order
 * @param unplaced  the calls discarded where no value of their own was under them, in stream order
 */
public record PyDiscarding(List<PyObject.Discarded> discarded, Object value, List<Anchored> anchored,
        List<PyObject.Discarded> unplaced) implements java.io.Serializable {
    public PyDiscarding {
        discarded = List.copyOf(Objects.requireNonNull(discarded, "discarded"));
        anchored = List.copyOf(Objects.requireNonNull(anchored, "anchored"));
        unplaced = List.copyOf(Objects.requireNonNull(unplaced, "unplaced"));
    }

    /**
     * A result preceded by values discarded at the top level only.
     *
     * @param discarded the values discarded before the result, in stream order
     * @param value     the pickle's result
     */
    public PyDiscarding(List<PyObject.Discarded> discarded, Object value) {
        this(discarded, value, List.of(), List.of());
    }

    /**
     * A value the stream discarded while {@code below}, not a node, was under it on the stack.
     *
     * @param below     the value under the discarded one; the writer matches it by identity
     * @param discarded the discarded value; {@link PyObject.Discarded#occurrence()} says after which memo fetch of
     *                  {@code below} it came (0: after its creation)
     */
    public record Anchored(Object below, PyObject.Discarded discarded) implements java.io.Serializable {
        public Anchored {
            Objects.requireNonNull(discarded, "discarded");
        }

        /** A short description that does not recurse, so it is safe on cyclic graphs. */
        @Override
        public String toString() {
            return "Anchored[after a " + (below == null ? "None" : below.getClass().getSimpleName()) + "]";
        }
    }

    /** A short description that does not recurse, so it is safe on cyclic graphs. */
    @Override
    public String toString() {
        return "PyDiscarding[" + discarded.size() + " discarded before the result, " + anchored.size()
                + " after other values, " + unplaced.size() + " unplaced]";
    }
}
