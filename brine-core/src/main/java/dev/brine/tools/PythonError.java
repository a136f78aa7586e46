package dev.brine.tools;

/**
 * A Python exception that {@code pickletools} would raise at this point, before the disassembler knows the
 * offset and opcode to attach; {@link Disassembler} turns it into a {@link DisassemblyException}.
 */
final class PythonError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String type;

    PythonError(String type, String message) {
        super(message, null, false, false);
        this.type = type;
    }

    static PythonError valueError(String message) {
        return new PythonError("ValueError", message);
    }

    /**
     * A {@code UnicodeDecodeError} as CPython formats it: one byte, or a range of bytes, that a codec rejected.
     */
    static PythonError unicodeDecodeError(String codec, byte[] data, int start, int end, String reason) {
        String where = end - start == 1
                ? String.format("byte 0x%02x in position %d", data[start] & 0xff, start)
                : String.format("bytes in position %d-%d", start, end - 1);
        return new PythonError("UnicodeDecodeError", "'" + codec + "' codec can't decode " + where + ": " + reason);
    }

    String type() {
        return type;
    }
}
