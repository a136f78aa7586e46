package dev.brine.internal.types;

/**
 * A Java value that has no pickled form, with the reason (a date outside Python's range, an array too large for one
 * Python bytes object, a class whose module is not open to Brine, a str too long for the protocol...). Thrown by the
 * conversions of this package, by portable mode and by the writer's output; the writer catches exactly this type and
 * reports it as a {@code PickleException} naming where in the value it was. Any other exception out of a conversion
 * is a bug in Brine and surfaces as such, never as "cannot pickle".
 */
public final class NotPicklable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotPicklable(String reason) {
        super(reason);
    }

    public NotPicklable(String reason, Throwable cause) {
        super(reason, cause);
    }

    /** {@code a * b} as the byte size of an array to write, or {@link NotPicklable} past a Java array's limit. */
    public static int byteSize(long items, int itemSize) {
        long bytes = items * itemSize;
        if (items < 0 || itemSize <= 0 || bytes / itemSize != items || bytes > Integer.MAX_VALUE - 8) {
            throw new NotPicklable("an array of " + items + " items of " + itemSize + " bytes is too large to write "
                    + "as one Python bytes object (at most 2 GiB)");
        }
        return (int) bytes;
    }
}
