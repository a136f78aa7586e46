package dev.brine.spark;

/**
 * A record the {@code pickle} data source or {@code from_pickle} could not read, in FAILFAST mode. The message
 * names the file and the place in it (SequenceFile record, batch, element) and, for a malformed pickle, Brine's
 * byte offset and opcode; the cause is the {@link dev.brine.PickleException} when there is one.
 */
public final class MalformedPickleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A bad record described by {@code message}, caused by {@code cause} (may be null). */
    public MalformedPickleException(String message, Throwable cause) {
        super(message, cause);
    }
}
