package dev.brine.internal;

import java.math.BigInteger;
import java.util.Locale;

/**
 * Python's text syntaxes for numbers and strings, as the protocol 0 opcodes use them. Each parser accepts what
 * the matching Python builtin accepts and returns null for anything else, so the caller can report the error
 * with its offset and opcode.
 */
public final class PyText {
    /** What {@code int(text)} accepts in base 10 after stripping: a sign, digits, single underscores between. */
    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[+-]?[0-9]+(_[0-9]+)*");
    private PyText() {
    }

    /**
     * Parses as {@code int(text, 0)}: surrounding whitespace, a sign, an optional {@code 0x}/{@code 0o}/{@code 0b}
     * prefix, single underscores between digits, and no leading zeros on a non-zero decimal. Returns a Long where
     * it fits, else a BigInteger, or null if Python would raise ValueError.
     */
    public static Number parseInt(String text) {
        String s = text.strip();
        int i = 0;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int radix = 10;
        if (s.length() - i >= 2 && s.charAt(i) == '0') {
            char p = Character.toLowerCase(s.charAt(i + 1));
            if (p == 'x' || p == 'o' || p == 'b') {
                radix = p == 'x' ? 16 : p == 'o' ? 8 : 2;
                i += 2;
                // Python allows one underscore right after the prefix: 0x_1f.
                if (i < s.length() && s.charAt(i) == '_') {
                    i++;
                }
            }
        }
        StringBuilder digits = new StringBuilder(s.length() - i);
        boolean lastUnderscore = true;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                if (lastUnderscore) {
                    return null;
                }
                lastUnderscore = true;
                continue;
            }
            if (c > 0x7f || Character.digit(c, radix) < 0) {
                return null;
            }
            digits.append(c);
            lastUnderscore = false;
        }
        if (digits.length() == 0 || lastUnderscore) {
            return null;
        }
        if (radix == 10 && digits.length() > 1 && digits.charAt(0) == '0') {
            // int('010', 0) is an error, but int('000', 0) is 0.
            for (int k = 0; k < digits.length(); k++) {
                if (digits.charAt(k) != '0') {
                    return null;
                }
            }
        }
        BigInteger value = new BigInteger(digits.toString(), radix);
        if (negative) {
            value = value.negate();
        }
        return value.bitLength() < 64 ? (Number) value.longValue() : value;
    }

    /**
     * Parses as {@code float(text)}: surrounding whitespace, decimal or exponent notation with single underscores
     * between digits, {@code inf}, {@code infinity} and {@code nan} in any case with an optional sign. Returns
     * null if Python would raise ValueError.
     */
    public static Double parseFloat(String text) {
        String s = text.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        boolean negative = lower.startsWith("-");
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        StringBuilder clean = new StringBuilder(s.length());
        int digitsBefore = 0;
        int digitsAfter = 0;
        boolean seenDot = false;
        boolean seenExp = false;
        int expDigits = 0;
        char prev = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                // Only between two digits.
                if (!(isAsciiDigit(prev) && i + 1 < s.length() && isAsciiDigit(s.charAt(i + 1)))) {
                    return null;
                }
                prev = c;
                continue;
            }
            if (isAsciiDigit(c)) {
                if (seenExp) {
                    expDigits++;
                } else if (seenDot) {
                    digitsAfter++;
                } else {
                    digitsBefore++;
                }
            } else if (c == '.') {
                if (seenDot || seenExp) {
                    return null;
                }
                seenDot = true;
            } else if (c == 'e' || c == 'E') {
                if (seenExp || digitsBefore + digitsAfter == 0) {
                    return null;
                }
                seenExp = true;
            } else if (c == '+' || c == '-') {
                if (!(i == 0 || prev == 'e' || prev == 'E')) {
                    return null;
                }
            } else {
                return null;
            }
            clean.append(c);
            prev = c;
        }
        if (digitsBefore + digitsAfter == 0 || (seenExp && expDigits == 0)) {
            return null;
        }
        return Double.parseDouble(clean.toString());
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Parses as {@code int(text)} in base 10, as the memo opcodes GET and PUT do. Returns null if Python would
     * raise ValueError.
     */
    public static Number parseDecimal(String text) {
        String s = text.strip();
        if (!DECIMAL.matcher(s).matches()) {
            return null;
        }
        BigInteger value = new BigInteger(s.replace("_", ""));
        return value.bitLength() < 64 ? (Number) value.longValue() : value;
    }

    /**
     * Decodes a Python 2 string literal body as {@code codecs.escape_decode} does: backslash escapes for
     * quotes, backslash, {@code \a\b\f\n\r\t\v}, octal and {@code \xhh}, a backslash-newline continuation, and
     * any other backslash kept as is.
     *
     * @throws IllegalArgumentException with Python's reason, for a bad {@code \x} escape or a trailing backslash
     */
    public static byte[] escapeDecode(byte[] in, int from, int to) {
        byte[] out = new byte[to - from];
        int n = 0;
        int i = from;
        while (i < to) {
            byte c = in[i++];
            if (c != '\\') {
                out[n++] = c;
                continue;
            }
            if (i >= to) {
                throw new IllegalArgumentException("Trailing \\ in string");
            }
            byte e = in[i++];
            switch (e) {
                case '\n': break;
                case '\\': out[n++] = '\\'; break;
                case '\'': out[n++] = '\''; break;
                case '"': out[n++] = '"'; break;
                case 'b': out[n++] = '\b'; break;
                case 'f': out[n++] = '\f'; break;
                case 't': out[n++] = '\t'; break;
                case 'n': out[n++] = '\n'; break;
                case 'r': out[n++] = '\r'; break;
                case 'v': out[n++] = 0x0b; break;
                case 'a': out[n++] = 0x07; break;
                case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
                    int v = e - '0';
                    for (int k = 0; k < 2 && i < to && in[i] >= '0' && in[i] <= '7'; k++) {
                        v = (v << 3) + (in[i++] - '0');
                    }
                    out[n++] = (byte) v;
                    break;
                }
                case 'x': {
                    int hi = i < to ? Character.digit(in[i], 16) : -1;
                    int lo = i + 1 < to ? Character.digit(in[i + 1], 16) : -1;
                    if (hi < 0 || lo < 0) {
                        throw new IllegalArgumentException("invalid \\x escape at position " + (i - 2 - from));
                    }
                    out[n++] = (byte) (hi * 16 + lo);
                    i += 2;
                    break;
                }
                default:
                    // Python keeps an unknown escape as the backslash and the character.
                    out[n++] = '\\';
                    i--;
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    /**
     * Decodes {@code raw-unicode-escape}, as the protocol 0 UNICODE opcode does: bytes are Latin-1 except that
     * {@code \\uXXXX} and {@code \\UXXXXXXXX} escapes are decoded when preceded by an odd run of backslashes.
     *
     * @throws IllegalArgumentException with Python's reason for a truncated or out-of-range escape
     */
    public static String rawUnicodeEscapeDecode(byte[] in, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int c = in[i] & 0xff;
            if (c != '\\') {
                sb.append((char) c);
                i++;
                continue;
            }
            int j = i;
            while (j < to && in[j] == '\\') {
                j++;
            }
            int run = j - i;
            if ((run & 1) == 1 && j < to && (in[j] == 'u' || in[j] == 'U')) {
                for (int k = 1; k < run; k++) {
                    sb.append('\\');
                }
                int digits = in[j] == 'u' ? 4 : 8;
                int start = j + 1;
                int cp = 0;
                for (int k = 0; k < digits; k++) {
                    int d = start + k < to ? Character.digit(in[start + k], 16) : -1;
                    if (d < 0) {
                        throw new IllegalArgumentException("truncated \\" + (char) in[j] + "XXXX"
                                + (digits == 8 ? "XXXX" : "") + " escape at position " + (j - 1 - from));
                    }
                    cp = (cp << 4) | d;
                }
                if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                    throw new IllegalArgumentException("\\Uxxxxxxxx out of range at position " + (j - 1 - from));
                }
                sb.appendCodePoint(cp);
                i = start + digits;
            } else {
                for (int k = 0; k < run; k++) {
                    sb.append('\\');
                }
                i = j;
            }
        }
        return sb.toString();
    }

    /**
     * Decodes UTF-8 as Python's {@code surrogatepass} error handler does, as pickle's str opcodes need: encoded
     * lone surrogates (ED A0 80 to ED BF BF) are kept; anything else malformed is rejected.
     *
     * @return the string, or null if the bytes are not valid UTF-8 even with surrogates allowed
     */
    public static String decodeUtf8(byte[] in, int from, int length) {
        int end = from + length;
        int i = from;
        while (i < end && in[i] >= 0) {
            i++;
        }
        if (i == end) {
            return new String(in, from, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        char[] out = new char[length];
        int n = 0;
        for (int k = from; k < i; k++) {
            out[n++] = (char) in[k];
        }
        while (i < end) {
            int b0 = in[i] & 0xff;
            if (b0 < 0x80) {
                out[n++] = (char) b0;
                i++;
            } else if (b0 >= 0xc2 && b0 <= 0xdf) {
                if (i + 1 >= end || !cont(in[i + 1])) {
                    return null;
                }
                out[n++] = (char) (((b0 & 0x1f) << 6) | (in[i + 1] & 0x3f));
                i += 2;
            } else if (b0 >= 0xe0 && b0 <= 0xef) {
                if (i + 2 >= end || !cont(in[i + 1]) || !cont(in[i + 2])) {
                    return null;
                }
                int cp = ((b0 & 0x0f) << 12) | ((in[i + 1] & 0x3f) << 6) | (in[i + 2] & 0x3f);
                if (cp < 0x800) {
                    return null;
                }
                out[n++] = (char) cp;
                i += 3;
            } else if (b0 >= 0xf0 && b0 <= 0xf4) {
                if (i + 3 >= end || !cont(in[i + 1]) || !cont(in[i + 2]) || !cont(in[i + 3])) {
                    return null;
                }
                int cp = ((b0 & 0x07) << 18) | ((in[i + 1] & 0x3f) << 12) | ((in[i + 2] & 0x3f) << 6)
                        | (in[i + 3] & 0x3f);
                if (cp < 0x10000 || cp > Character.MAX_CODE_POINT) {
                    return null;
                }
                out[n++] = Character.highSurrogate(cp);
                out[n++] = Character.lowSurrogate(cp);
                i += 4;
            } else {
                return null;
            }
        }
        return new String(out, 0, n);
    }

    private static boolean cont(byte b) {
        return (b & 0xc0) == 0x80;
    }
}
