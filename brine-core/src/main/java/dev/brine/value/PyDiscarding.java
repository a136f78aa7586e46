package dev.brine.value;

import java.util.List;
import java.util.Objects;

/**
 * A pickle's result preceded, at the top level, by values the stream made and discarded with POP before it, with
 * nothing under them on the stack to keep them on (see {@link PyObject#discarded()} for the usual case). dill writes
 * an enum class this way: {@code _create_type(...)} REDUCE POP, then the class fetched from the memo. Python ran the
 * calls, so Brine keeps them: {@link dev.brine.Pickle#loads} returns this instead of the bare {@link #value()}, and
 * the writer emits each discarded value and POP before the value, as the stream had them.
 *
 * @param discarded the discarded values in stream order; {@link PyObject.Discarded#statesBefore()} is 0
 * @param value     the pickle's result
 */
public record PyDiscarding(List<PyObject.Discarded> discarded, Object value) implements java.io.Serializable {
    public PyDiscarding {
        discarded = List.copyOf(Objects.requireNonNull(discarded, "discarded"));
    }

    /** A short description that does not recurse, so it is safe on cyclic graphs. */
    @Override
    public String toString() {
        return "PyDiscarding[" + discarded.size() + " discarded before the result]";
    }
}
