package dev.brine.internal.types;

import dev.brine.PickleException;

/**
 * What a type family asks of the reader while it builds a value: the checks whose limits and error messages (with
 * the offset and opcode) belong to the reader. The reader implements it, so that type families depend on this
 * interface and not on the reader.
 */
public interface ReadChecks {
    /** {@code value}, after checking that its nesting stays within the reader's limit. */
    <T> T checkNesting(T value);

    /**
     * Checks that {@code key} can be a set member or dict key as CPython would hash it.
     *
     * @throws PickleException if it cannot
     */
    void checkHashable(Object key);
}
