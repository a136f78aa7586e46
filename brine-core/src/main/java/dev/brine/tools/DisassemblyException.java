package dev.brine.tools;

import dev.brine.PickleException;

/**
 * Thrown by {@link Disassembler} for a stream that {@code pickletools.dis} rejects. Besides the usual offset and
 * opcode, it carries the exception {@code pickletools} raises for the same stream, as the last line of Python's
 * traceback shows it ({@link #pythonError()}, for example {@code "ValueError: memo key 5 has never been stored
 * into"}), and the listing printed before the error ({@link #partialListing()}).
 */
public final class DisassemblyException extends PickleException {
    private static final long serialVersionUID = 1L;

    private final String pythonType;
    private final String pythonMessage;
    private final String partialListing;

    DisassemblyException(String pythonType, String pythonMessage, long offset, String opcode, String partialListing) {
        super(pythonMessage, offset, opcode);
        this.pythonType = pythonType;
        this.pythonMessage = pythonMessage;
        this.partialListing = partialListing;
    }

    /** The Python exception type {@code pickletools} raises: {@code ValueError}, {@code UnicodeDecodeError}... */
    public String pythonType() {
        return pythonType;
    }

    /** The Python exception's message, without the type. */
    public String pythonMessage() {
        return pythonMessage;
    }

    /** {@code "Type: message"}, the last line of the traceback {@code python -m pickletools} prints. */
    public String pythonError() {
        return pythonType + ": " + pythonMessage;
    }

    /**
     * What was printed before the error, when the listing was collected into a string by
     * {@link Disassembler#disassemble(byte[])}; otherwise the empty string (the output already holds it). It may
     * end without a newline: {@code pickletools} prints a line's position before it formats the rest.
     */
    public String partialListing() {
        return partialListing;
    }
}
