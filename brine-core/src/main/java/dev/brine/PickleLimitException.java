package dev.brine;

/**
 * A pickle went past one of the reader's limits. The message names the limit, its value and the builder method
 * that raises it. Limits exist because a small, possibly malicious, pickle can otherwise ask for unbounded memory.
 */
public final class PickleLimitException extends PickleException {
    private static final long serialVersionUID = 1L;

    private final String limit;

    public PickleLimitException(String limit, long value, String problem, long offset, String opcode) {
        super(problem + "; the limit " + limit + " is " + value
                + " (the input may be malicious; raise it with Unpickler.builder()." + limit + "(...))",
                offset, opcode);
        this.limit = limit;
    }

    /** The name of the limit that was exceeded, which is also the name of the builder method that sets it. */
    public String limit() {
        return limit;
    }
}
