package dev.brine;

/**
 * Thrown when a pickle cannot be read or a value cannot be written.
 *
 * <p>When reading, the exception carries the byte offset of the opcode that failed and that opcode's name;
 * both are also in the message, for example {@code "memo has no entry 7 (opcode BINGET at offset 42)"}.
 * When writing, it carries the path through the object graph to the value that failed, such as
 * {@code $.orders[3].customer}.
 */
public class PickleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final String opcode;
    private final String path;
    private final String entry;

    /** A reading error at a known position. {@code opcode} may be null when no opcode was read yet. */
    public PickleException(String problem, long offset, String opcode) {
        this(problem, offset, opcode, null, null);
    }

    /** A writing error at a known place in the object graph. */
    public PickleException(String problem, String path) {
        this(problem, -1, null, path, null);
    }

    /** The general form; any of offset (-1), opcode, path and cause may be absent. */
    public PickleException(String problem, long offset, String opcode, String path, Throwable cause) {
        super(describe(problem, offset, opcode, path), cause);
        this.offset = offset;
        this.opcode = opcode;
        this.path = path;
        this.entry = null;
    }

    private PickleException(String entry, String message, long offset, String opcode, String path, Throwable cause) {
        super("in " + entry + ": " + message, cause);
        this.offset = offset;
        this.opcode = opcode;
        this.path = path;
        this.entry = entry;
    }

    /**
     * An error in one part of a container file (a member of a torch zip archive, a storage of a legacy torch file,
     * an array of a joblib file), for example {@code "in archive/data/3: storage has 12 bytes, the tensor needs 16"}.
     * {@code entry} says which part; offsets are relative to that part.
     */
    public static PickleException inEntry(String entry, String problem) {
        return new PickleException(entry, problem, -1, null, null, null);
    }

    /**
     * {@code cause}, which happened while reading the part of a container file named {@code entry}, with that part
     * named: the message, offset and opcode of {@code cause} are kept, and {@code cause} becomes the cause.
     */
    public static PickleException inEntry(String entry, PickleException cause) {
        return new PickleException(entry, cause.getMessage(), cause.offset, cause.opcode, cause.path, cause);
    }

    private static String describe(String problem, long offset, String opcode, String path) {
        StringBuilder sb = new StringBuilder(problem);
        if (offset >= 0 || opcode != null) {
            sb.append(" (");
            if (opcode != null) {
                sb.append("opcode ").append(opcode);
                if (offset >= 0) {
                    sb.append(" at ");
                }
            }
            if (offset >= 0) {
                sb.append("offset ").append(offset);
            }
            sb.append(')');
        }
        if (path != null) {
            sb.append(" at ").append(path);
        }
        return sb.toString();
    }

    /** The byte offset of the failing opcode in the pickle, or -1 when not reading. */
    public long offset() {
        return offset;
    }

    /** The name of the failing opcode, or {@code null}. */
    public String opcode() {
        return opcode;
    }

    /** The path through the object graph to the failing value when writing, or {@code null}. */
    public String path() {
        return path;
    }

    /**
     * The part of a container file the error is in (such as {@code "archive/data.pkl"} in a torch checkpoint), or
     * {@code null} for a plain pickle.
     */
    public String entry() {
        return entry;
    }
}
