package dev.brine.value;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A Python {@code decimal.Decimal} that {@link BigDecimal} cannot hold: a quiet or signaling NaN (with its sign
 * and diagnostic payload digits), an infinity, or a negative zero (with its exponent, as in {@code Decimal('-0.00')}).
 * Every other decimal is read as a {@code BigDecimal}.
 *
 * <p>{@code Decimal.__reduce__} pickles the decimal as {@code (Decimal, (str(d),))}; {@link #toString()} is that text
 * and {@link #parse} reads it back, so a value read and written gives the same bytes.
 *
 * <pre>{@code
 * PyDecimal nan = PyDecimal.parse("-sNaN12");
 * nan.kind();        // SIGNALING_NAN
 * nan.isNegative();  // true
 * nan.payload();     // 12
 * }</pre>
 *
 * @param kind     which special value this is
 * @param negative the sign bit
 * @param payload  a NaN's diagnostic digits (zero when the text shows none); zero for the others
 * @param zero     for {@link Kind#NEGATIVE_ZERO}, the unsigned zero with its exponent ({@code 0.00} for
 *                 {@code -0.00}); null for the others
 */
public record PyDecimal(Kind kind, boolean negative, BigInteger payload, BigDecimal zero)
        implements java.io.Serializable {
    /** The Python class. */
    public static final GlobalRef CLASS = new GlobalRef("decimal", "Decimal");

    /** The special values. */
    public enum Kind {
        /** A quiet NaN, {@code NaN}. */
        NAN,
        /** A signaling NaN, {@code sNaN}. */
        SIGNALING_NAN,
        /** {@code Infinity}, or {@code -Infinity} when negative. */
        INFINITY,
        /** A zero with the sign bit set, such as {@code -0} or {@code -0E+3}. */
        NEGATIVE_ZERO
    }

    /** The longest NaN payload accepted: the text of a pickle is untrusted, and a payload is a count of digits. */
    private static final int MAX_TEXT = 1000;

    public PyDecimal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(payload, "payload");
        if (payload.signum() < 0 || payload.signum() != 0 && kind != Kind.NAN && kind != Kind.SIGNALING_NAN) {
            throw new IllegalArgumentException("a payload is a NaN's non-negative digits: " + payload);
        }
        if (kind == Kind.NEGATIVE_ZERO) {
            if (!negative || zero == null || zero.signum() != 0) {
                throw new IllegalArgumentException("a negative zero needs negative=true and an unsigned zero");
            }
        } else if (zero != null) {
            throw new IllegalArgumentException("only a negative zero has a zero");
        }
    }

    /** {@code Decimal('NaN')}. */
    public static final PyDecimal NAN = new PyDecimal(Kind.NAN, false, BigInteger.ZERO, null);
    /** {@code Decimal('Infinity')}. */
    public static final PyDecimal POSITIVE_INFINITY = new PyDecimal(Kind.INFINITY, false, BigInteger.ZERO, null);
    /** {@code Decimal('-Infinity')}. */
    public static final PyDecimal NEGATIVE_INFINITY = new PyDecimal(Kind.INFINITY, true, BigInteger.ZERO, null);

    /**
     * The special decimal of Python's canonical text ({@code str(d)}: {@code NaN}, {@code -sNaN12},
     * {@code Infinity}, {@code -0E+3}, ...), or null when {@code text} is not such a text exactly (an ordinary
     * number, a non-canonical spelling such as {@code nan} or {@code NaN012}, or no number at all).
     */
    public static PyDecimal parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
            return null;
        }
        boolean negative = text.charAt(0) == '-';
        String body = negative ? text.substring(1) : text;
        if (body.equals("Infinity")) {
            return negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
        }
        Kind kind = body.startsWith("sNaN") ? Kind.SIGNALING_NAN : body.startsWith("NaN") ? Kind.NAN : null;
        if (kind != null) {
            String digits = body.substring(kind == Kind.NAN ? 3 : 4);
            if (digits.isEmpty()) {
                return new PyDecimal(kind, negative, BigInteger.ZERO, null);
            }
            // Python drops a payload's leading zeros, and a zero payload altogether.
            if (digits.charAt(0) == '0') {
                return null;
            }
            for (int i = 0; i < digits.length(); i++) {
                if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                    return null;
                }
            }
            return new PyDecimal(kind, negative, new BigInteger(digits), null);
        }
        if (!negative || body.isEmpty() || body.charAt(0) != '0') {
            return null;
        }
        try {
            BigDecimal zero = new BigDecimal(body);
            // The same text back (to-scientific-string in both libraries) keeps the exponent exactly.
            return zero.signum() == 0 && zero.toString().equals(body)
                    ? new PyDecimal(Kind.NEGATIVE_ZERO, true, BigInteger.ZERO, zero) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether this is a quiet or signaling NaN. */
    public boolean isNaN() {
        return kind == Kind.NAN || kind == Kind.SIGNALING_NAN;
    }

    /** The nearest double, as Python's {@code float(d)}; a signaling NaN, which Python refuses, gives NaN. */
    public double toDouble() {
        switch (kind) {
            case INFINITY:
                return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            case NEGATIVE_ZERO:
                return -0.0;
            default:
                return Double.NaN;
        }
    }

    /** Python's {@code str(d)}, which is also what {@code Decimal.__reduce__} pickles. */
    @Override
    public String toString() {
        String sign = negative ? "-" : "";
        switch (kind) {
            case INFINITY:
                return sign + "Infinity";
            case NEGATIVE_ZERO:
                return sign + zero;
            default:
                return sign + (kind == Kind.NAN ? "NaN" : "sNaN") + (payload.signum() == 0 ? "" : payload.toString());
        }
    }
}
