package dev.brine.value;

/**
 * A Python {@code range}. Python ranges may have unbounded ints; a range whose bounds do not fit a {@code long} is
 * read as an inert {@link PyObject} instead.
 *
 * @param start the first value
 * @param stop  the bound, exclusive
 * @param step  the step, never zero
 * @param pythonClass the class as the pickle named it (equal to {@link #CLASS}); kept so that writing the range
 *                    back shares the same name strings as the pickle did
 */
public record PyRange(long start, long stop, long step, GlobalRef pythonClass) implements java.io.Serializable {
    /** The Python class, {@code builtins.range} ({@code __builtin__.xrange} in Python 2). */
    public static final GlobalRef CLASS = new GlobalRef("builtins", "range");

    public PyRange {
        if (step == 0) {
            throw new IllegalArgumentException("range() arg 3 must not be zero");
        }
        java.util.Objects.requireNonNull(pythonClass, "pythonClass");
    }

    /** {@code range(start, stop, step)}. */
    public PyRange(long start, long stop, long step) {
        this(start, stop, step, CLASS);
    }

    /** How many values the range holds, as Python's {@code len(range)}. */
    public long size() {
        // In BigInteger: stop - start overflows a long for ranges spanning more than half the long range.
        java.math.BigInteger lo = java.math.BigInteger.valueOf(start);
        java.math.BigInteger hi = java.math.BigInteger.valueOf(stop);
        java.math.BigInteger st = java.math.BigInteger.valueOf(step);
        java.math.BigInteger span = step > 0 ? hi.subtract(lo) : lo.subtract(hi);
        java.math.BigInteger abs = st.abs();
        java.math.BigInteger n = span.add(abs).subtract(java.math.BigInteger.ONE).divide(abs);
        return n.signum() <= 0 ? 0 : n.min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }

    /** As Python's repr: {@code range(0, 10, 2)}. */
    @Override
    public String toString() {
        return "range(" + start + ", " + stop + (step == 1 ? "" : ", " + step) + ")";
    }
}
