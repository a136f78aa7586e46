package dev.brine.internal.format;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Python's {@code repr()} of the values a pickle carries: floats, {@code str}, {@code bytes} and
 * {@code bytearray}. The disassembler prints these exactly as {@code pickletools} does, and the writer needs the
 * float text for protocol 0's {@code FLOAT} opcode, so both read them from here.
 *
 * <p>Floats use the shortest decimal string that reads back to the same double, as CPython's {@code float_repr}
 * does (David Gay's mode 0). Java 19 and later print the shortest form too, but Java 17's
 * {@link Double#toString(double)} sometimes prints one digit too many, and its layout differs anyway.
 */
public final class PyRepr {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PyRepr() {
    }

    /**
     * {@code repr(x)} for a Python float: {@code 1.0}, {@code 0.1}, {@code 1e+16}, {@code 1e-05}, {@code inf},
     * {@code nan}, {@code -0.0}. Fixed notation is used when the decimal exponent is between -4 and 16, as in
     * CPython's {@code format_float_short} with the {@code 'r'} format code.
     */
    public static String floatRepr(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return (Double.doubleToRawLongBits(x) < 0) ? "-0.0" : "0.0";
        }
        StringBuilder sb = new StringBuilder(26);
        if (x < 0) {
            sb.append('-');
            x = -x;
        }
        BigDecimal shortest = shortestRoundTrip(x);
        String digits = shortest.unscaledValue().toString();
        // The value is 0.<digits> * 10^decpt, as CPython's _Py_dg_dtoa reports it.
        int decpt = digits.length() - shortest.scale();
        if (decpt <= -4 || decpt > 16) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            int exp = decpt - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            int abs = Math.abs(exp);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        } else if (decpt <= 0) {
            sb.append("0.");
            sb.append("0".repeat(-decpt));
            sb.append(digits);
        } else if (decpt >= digits.length()) {
            sb.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
        } else {
            sb.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
        }
        return sb.toString();
    }

    /**
     * The shortest decimal that reads back as {@code x} (positive, finite), closest to {@code x} among those of
     * that length, with trailing zeros stripped. For each length the nearest decimal is tried with its two
     * neighbours, because near a power of two the round-trip interval is lopsided and the nearest decimal can
     * miss it while a neighbour does not.
     */
    private static BigDecimal shortestRoundTrip(double x) {
        BigDecimal exact = new BigDecimal(x);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            BigDecimal ulp = nearest.ulp();
            BigDecimal best = null;
            BigDecimal bestDistance = null;
            for (BigDecimal candidate : new BigDecimal[] {nearest, nearest.subtract(ulp), nearest.add(ulp)}) {
                if (candidate.signum() <= 0 || Double.parseDouble(candidate.toString()) != x) {
                    continue;
                }
                BigDecimal distance = candidate.subtract(exact).abs();
                if (best == null || distance.compareTo(bestDistance) < 0) {
                    best = candidate;
                    bestDistance = distance;
                }
            }
            if (best != null) {
                return best.stripTrailingZeros();
            }
        }
        // 17 significant digits always identify a double; unreachable.
        throw new AssertionError("no round-trip decimal for " + x);
    }

    /**
     * {@code repr(s)} for a Python str, given as UTF-16 in which lone surrogates stand for themselves: quoted
     * with {@code '} unless the text holds {@code '} and no {@code "}; backslash, the quote, tab, newline and
     * return escaped; other non-printable characters as {@code \xhh}, <code>&#92;uhhhh</code> or
     * <code>&#92;Uhhhhhhhh</code>.
     * Printable follows Python 3.13 ({@code str.isprintable}).
     */
    public static String strRepr(CharSequence s) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            single |= c == '\'';
            dbl |= c == '"';
        }
        char quote = single && !dbl ? '"' : '\'';
        StringBuilder sb = new StringBuilder(s.length() + 2);
        sb.append(quote);
        for (int i = 0; i < s.length(); ) {
            int cp = Character.codePointAt(s, i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp < ' ' || cp == 0x7f) {
                hex(sb, 'x', cp, 2);
            } else if (cp < 0x7f || PyPrintable.isPrintable(cp)) {
                sb.appendCodePoint(cp);
            } else if (cp <= 0xff) {
                hex(sb, 'x', cp, 2);
            } else if (cp <= 0xffff) {
                hex(sb, 'u', cp, 4);
            } else {
                hex(sb, 'U', cp, 8);
            }
        }
        return sb.append(quote).toString();
    }

    /** The length of {@code s} in code points, as Python's {@code len()} counts a str. */
    public static int pyLength(CharSequence s) {
        return Character.codePointCount(s, 0, s.length());
    }

    /** {@code repr(b)} for Python bytes: {@code b'...'}. */
    public static String bytesRepr(byte[] b) {
        return bytesRepr(b, 0, b.length);
    }

    /** {@code repr()} of the bytes {@code b[offset, offset + length)}. */
    public static String bytesRepr(byte[] b, int offset, int length) {
        return appendBytes(new StringBuilder(length + 3), b, offset, length).toString();
    }

    /**
     * {@code repr(bytearray(b))}: {@code bytearray(b'...')}. Unlike bytes, CPython's {@code bytearray_repr}
     * escapes {@code '} even inside double quotes: {@code bytearray(b"it\'s")}.
     */
    public static String bytearrayRepr(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length + 14).append("bytearray(");
        return appendBytes(sb, b, 0, b.length, true).append(')').toString();
    }

    private static StringBuilder appendBytes(StringBuilder sb, byte[] b, int offset, int length) {
        return appendBytes(sb, b, offset, length, false);
    }

    private static StringBuilder appendBytes(StringBuilder sb, byte[] b, int offset, int length,
            boolean alwaysEscapeSingleQuote) {
        boolean single = false;
        boolean dbl = false;
        for (int i = offset; i < offset + length; i++) {
            single |= b[i] == '\'';
            dbl |= b[i] == '"';
        }
        char quote = single && !dbl ? '"' : '\'';
        sb.append('b').append(quote);
        for (int i = offset; i < offset + length; i++) {
            int c = b[i] & 0xff;
            if (c == quote || c == '\\' || (alwaysEscapeSingleQuote && c == '\'')) {
                sb.append('\\').append((char) c);
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c < ' ' || c >= 0x7f) {
                hex(sb, 'x', c, 2);
            } else {
                sb.append((char) c);
            }
        }
        return sb.append(quote);
    }

    private static void hex(StringBuilder sb, char kind, int value, int width) {
        sb.append('\\').append(kind);
        for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) {
            sb.append(HEX[(value >> shift) & 0xf]);
        }
    }

    /**
     * Python 3.13's {@code str.isprintable} for one code point: false for the categories Cc, Cf, Cs, Co, Cn, Zl,
     * Zp and Zs (except the space), as CPython's {@code makeunicodedata.py} decides. Java 17 knows Unicode 13,
     * Python 3.13 Unicode 15.1, so the code points assigned in between (all printable) are listed here; the
     * test {@code PyReprTest} compares every code point with Python 3.13 and prints the ranges if they drift.
     */
    static final class PyPrintable {
        /** Inclusive [first, last] pairs, sorted: printable in Python 3.13, unassigned in Java 17. */
        private static final int[] ASSIGNED_AFTER_UNICODE_13 = {
            0x61d, 0x61d, 0x870, 0x88e, 0x898, 0x89f, 0x8b5, 0x8b5, 0x8c8, 0x8d2, 0xc3c, 0xc3c, 0xc5d, 0xc5d,
            0xcdd, 0xcdd, 0xcf3, 0xcf3, 0xece, 0xece, 0x170d, 0x170d, 0x1715, 0x1715, 0x171f, 0x171f,
            0x180f, 0x180f, 0x1ac1, 0x1ace, 0x1b4c, 0x1b4c, 0x1b7d, 0x1b7e, 0x1dfa, 0x1dfa, 0x20c0, 0x20c0,
            0x2c2f, 0x2c2f, 0x2c5f, 0x2c5f, 0x2e53, 0x2e5d, 0x2ffc, 0x2fff, 0x31ef, 0x31ef, 0x9ffd, 0x9fff,
            0xa7c0, 0xa7c1, 0xa7d0, 0xa7d1, 0xa7d3, 0xa7d3, 0xa7d5, 0xa7d9, 0xa7f2, 0xa7f4, 0xfbc2, 0xfbc2,
            0xfd40, 0xfd4f, 0xfdcf, 0xfdcf, 0xfdfe, 0xfdff, 0x10570, 0x1057a, 0x1057c, 0x1058a, 0x1058c, 0x10592,
            0x10594, 0x10595, 0x10597, 0x105a1, 0x105a3, 0x105b1, 0x105b3, 0x105b9, 0x105bb, 0x105bc,
            0x10780, 0x10785, 0x10787, 0x107b0, 0x107b2, 0x107ba, 0x10efd, 0x10eff, 0x10f70, 0x10f89,
            0x11070, 0x11075, 0x110c2, 0x110c2, 0x1123f, 0x11241, 0x116b9, 0x116b9, 0x11740, 0x11746,
            0x11ab0, 0x11abf, 0x11b00, 0x11b09, 0x11f00, 0x11f10, 0x11f12, 0x11f3a, 0x11f3e, 0x11f59,
            0x12f90, 0x12ff2, 0x1342f, 0x1342f, 0x13440, 0x13455, 0x16a70, 0x16abe, 0x16ac0, 0x16ac9,
            0x1aff0, 0x1aff3, 0x1aff5, 0x1affb, 0x1affd, 0x1affe, 0x1b11f, 0x1b122, 0x1b132, 0x1b132,
            0x1b155, 0x1b155, 0x1cf00, 0x1cf2d, 0x1cf30, 0x1cf46, 0x1cf50, 0x1cfc3, 0x1d1e9, 0x1d1ea,
            0x1d2c0, 0x1d2d3, 0x1df00, 0x1df1e, 0x1df25, 0x1df2a, 0x1e030, 0x1e06d, 0x1e08f, 0x1e08f,
            0x1e290, 0x1e2ae, 0x1e4d0, 0x1e4f9, 0x1e7e0, 0x1e7e6, 0x1e7e8, 0x1e7eb, 0x1e7ed, 0x1e7ee,
            0x1e7f0, 0x1e7fe, 0x1f6dc, 0x1f6df, 0x1f774, 0x1f776, 0x1f77b, 0x1f77f, 0x1f7d9, 0x1f7d9,
            0x1f7f0, 0x1f7f0, 0x1f979, 0x1f979, 0x1f9cc, 0x1f9cc, 0x1fa75, 0x1fa77, 0x1fa7b, 0x1fa7c,
            0x1fa87, 0x1fa88, 0x1faa9, 0x1faaf, 0x1fab7, 0x1fabd, 0x1fabf, 0x1fabf, 0x1fac3, 0x1fac5,
            0x1face, 0x1facf, 0x1fad7, 0x1fadb, 0x1fae0, 0x1fae8, 0x1faf0, 0x1faf8, 0x2a6de, 0x2a6df,
            0x2b735, 0x2b739, 0x2ebf0, 0x2ee5d, 0x31350, 0x323af
        };

        private PyPrintable() {
        }

        static boolean isPrintable(int cp) {
            if (cp == ' ') {
                return true;
            }
            switch (Character.getType(cp)) {
                case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                        Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR:
                    return false;
                case Character.UNASSIGNED:
                    return assignedAfterUnicode13(cp);
                default:
                    return true;
            }
        }

        private static boolean assignedAfterUnicode13(int cp) {
            int lo = 0;
            int hi = ASSIGNED_AFTER_UNICODE_13.length / 2 - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (cp < ASSIGNED_AFTER_UNICODE_13[2 * mid]) {
                    hi = mid - 1;
                } else if (cp > ASSIGNED_AFTER_UNICODE_13[2 * mid + 1]) {
                    lo = mid + 1;
                } else {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The Python type name of a value as Brine reads it ({@code int} for a Long or BigInteger, {@code bytearray} for
     * a byte[] or PyByteArray...), for messages: a global is {@code global m.n}, an inert object {@code m.n object}.
     * Every message that names a value's Python type uses this one function.
     */
    public static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof PyBytes) {
            return "bytes";
        }
        if (o instanceof byte[] || o instanceof PyByteArray) {
            return "bytearray";
        }
        if (o instanceof PyTuple) {
            return "tuple";
        }
        if (o instanceof List) {
            return "list";
        }
        if (o instanceof Map) {
            return "dict";
        }
        if (o instanceof PyFrozenSet) {
            return "frozenset";
        }
        if (o instanceof Set) {
            return "set";
        }
        if (o instanceof PyComplex) {
            return "complex";
        }
        if (o instanceof GlobalRef) {
            return "global " + o;
        }
        if (o instanceof PyObject) {
            PyObject p = (PyObject) o;
            return p.global() != null ? p.global() + " object" : "object";
        }
        return o.getClass().getName();
    }
}
