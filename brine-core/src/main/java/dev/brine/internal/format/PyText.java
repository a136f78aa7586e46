package dev.brine.internal.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Python's text syntaxes for numbers and strings, as the protocol 0 opcodes use them. Each parser accepts what
 * the matching Python builtin accepts and returns null for anything else, so the caller can report the error
 * with its offset and opcode.
 */
public final class PyText {
    /** What {@code int(text)} accepts in base 10 after stripping: a sign, digits, single underscores between. */
    private PyText() {
    }

    /**
     * Parses as {@code int(text, 0)}: surrounding whitespace, a sign, an optional {@code 0x}/{@code 0o}/{@code 0b}
     * prefix, single underscores between digits, and no leading zeros on a non-zero decimal. Returns a Long where
     * it fits, else a BigInteger, or null if Python would raise ValueError.
     */
    public static Number parseInt(String text) {
        String s = stripSpace(text);
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
        String s = stripSpace(text);
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
        String literal = decimalLiteral(text);
        if (literal == null) {
            return null;
        }
        BigInteger value = new BigInteger(literal);
        return value.bitLength() < 64 ? (Number) value.longValue() : value;
    }

    /**
     * Whether {@code s} is {@code [+-]?[0-9]+(_[0-9]+)*}: a sign, then ASCII digits, single underscores only between
     * two digits. By hand, not a regex: compiling one in this class's initializer loaded 40 classes (and the lambda
     * machinery) into every fresh JVM's first load.
     */
    private static boolean isDecimal(String s) {
        int n = s.length();
        int i = n > 0 && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
        boolean digitBefore = false;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digitBefore = true;
            } else if (c == '_' && digitBefore && i + 1 < n && s.charAt(i + 1) >= '0' && s.charAt(i + 1) <= '9') {
                digitBefore = false;
            } else {
                return false;
            }
        }
        return digitBefore;
    }

    /**
     * The digits of {@code int(text)} in base 10, with their sign, as {@link BigInteger#BigInteger(String)} reads
     * them: surrounding whitespace and the underscores between digits removed. Null if Python would raise
     * ValueError. Says nothing of CPython 3.11's limit on digits, which only {@code pickletools} (through
     * {@code int()}) applies; the unpicklers' C paths do not.
     */
    public static String decimalLiteral(String text) {
        String s = stripSpace(text);
        if (!isDecimal(s)) {
            return null;
        }
        s = s.replace("_", "");
        return s.charAt(0) == '+' ? s.substring(1) : s;
    }

    /**
     * The text without leading and trailing ASCII whitespace ({@code Py_ISSPACE}): what {@code int()} and
     * {@code float()} strip from the bytes the text opcodes carry. {@link String#strip()} would also strip
     * {@code \x1c} to {@code \x1f}, which Python keeps and rejects.
     */
    static String stripSpace(String text) {
        int a = 0;
        int b = text.length();
        while (a < b && isSpace(text.charAt(a))) {
            a++;
        }
        while (b > a && isSpace(text.charAt(b - 1))) {
            b--;
        }
        return text.substring(a, b);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
    }

    /**
     * A text argument Python's codec refuses: the reason as CPython words it, and the bytes it names, from
     * {@link #start()} to {@link #end()} (exclusive), counted from the start of the decoded range. The message is
     * the reason with its position, as the readers report it.
     */
    public static final class DecodeError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String reason;
        private final int start;
        private final int end;

        DecodeError(String message, String reason, int start, int end) {
            super(message);
            this.reason = reason;
            this.start = start;
            this.end = end;
        }

        /** CPython's reason, such as {@code invalid start byte}. */
        public String reason() {
            return reason;
        }

        /** The first byte the error names. */
        public int start() {
            return start;
        }

        /** Just past the last byte the error names. */
        public int end() {
            return end;
        }
    }

    /**
     * Decodes a Python 2 string literal body as {@code codecs.escape_decode} does: backslash escapes for
     * quotes, backslash, {@code \a\b\f\n\r\t\v}, octal and {@code \xhh}, a backslash-newline continuation, and
     * any other backslash kept as is.
     *
     * As CPython's {@code _PyBytes_DecodeEscape}: an octal value above 0o377 keeps its low byte.
     *
     * @throws DecodeError with Python's ValueError message, for a bad {@code \x} escape or a trailing backslash
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
                throw new DecodeError("Trailing \\ in string", "Trailing \\ in string", i - 1 - from, i - from);
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
                        String message = "invalid \\x escape at position " + (i - 2 - from);
                        throw new DecodeError(message, message, i - 2 - from, i - from);
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
     * As CPython's {@code _PyUnicode_DecodeRawUnicodeEscape}.
     *
     * @throws DecodeError with Python's reason and span for a truncated or out-of-range escape
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
                        throw rawEscapeError("truncated \\" + (char) in[j] + "XXXX" + (digits == 8 ? "XXXX" : "")
                                + " escape", j - 1 - from, start + k - from);
                    }
                    cp = (cp << 4) | d;
                }
                if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                    throw rawEscapeError("\\Uxxxxxxxx out of range", j - 1 - from, start + digits - from);
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

    private static DecodeError rawEscapeError(String reason, int start, int end) {
        return new DecodeError(reason + " at position " + start, reason, start, end);
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
        if ((in[i] & 0xfe) == 0xc2) {
            String latin1 = decodeLatin1Utf8(in, from, i, end);
            if (latin1 != null) {
                return latin1;
            }
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

    /**
     * The common non-ASCII case of {@link #decodeUtf8}: every character below U+0100, so each is one byte below
     * 0x80 or the two bytes C2/C3 and a continuation byte. That is all the text of {@code bytes} pickled below
     * protocol 3 ({@code _codecs.encode(text, 'latin1')}), where high and low bytes come at random, so nothing
     * here branches on a byte: errors only set a flag, checked at the end (a mispredicted branch per byte made
     * such text several times slower). Returns null for anything else, which the general decoder then handles.
     * {@code ascii} is where the ASCII prefix ends.
     *
     * <p>Eight bytes are taken at a time, as one {@code long}: which are continuations, which are lead bytes, and
     * the character each lead byte starts, all with word operations; then the continuations are squeezed out
     * and the characters stored as one {@code long}. A loop over characters instead, whose next position depends
     * on the byte just loaded, ran at half the speed: each step waited for the load before it.
     */
    private static String decodeLatin1Utf8(byte[] in, int from, int ascii, int end) {
        byte[] out = new byte[end - from];
        int n = ascii - from;
        System.arraycopy(in, from, out, 0, n);
        long bad = 0;
        // Bit 7 (lane 0) set when the previous word ended in a lead byte (11xxxxxx), whose continuation is lane 0.
        long leadBefore = 0;
        int i = ascii;
        // Up to the last word with a byte after it, so a lead byte's continuation is always inside the argument.
        // A store of eight bytes at n stays inside out: n is never more than the bytes read before i.
        while (i + Long.BYTES < end) {
            long w = (long) Words.LONG_LE.get(in, i);
            long next = (w >>> 8) | ((long) (in[i + Long.BYTES] & 0xff) << 56);
            long high = w & HIGH_BITS;
            long second = (w << 1) & HIGH_BITS;
            long cont = high & ~second;
            long lead = high & second;
            // A lead byte must be C2 or C3, followed by a continuation; a continuation must follow a lead byte.
            long notC2orC3 = nonZeroLanes((w & 0xfefefefefefefefeL) ^ 0xc2c2c2c2c2c2c2c2L);
            long nextIsCont = next & ~(next << 1) & HIGH_BITS;
            bad |= lead & (notC2orC3 | ~nextIsCont);
            bad |= cont & ~((lead << 8) | leadBefore);
            leadBefore = lead >>> 56;
            // Each lead lane becomes its character; other lanes keep their byte.
            long leadLanes = (lead >>> 7) * 0xff;
            long chars = ((w & 0x0303030303030303L) << 6) | (next & 0x3f3f3f3f3f3f3f3fL);
            long v = (w & ~leadLanes) | (chars & leadLanes);
            Words.LONG_LE.set(out, n, squeeze(v, ~((cont >>> 7) * 0xff)));
            n += Long.BYTES - Long.bitCount(cont);
            i += Long.BYTES;
        }
        if (leadBefore != 0) {
            // The last word ended in a lead byte, whose character is stored: skip its continuation.
            i++;
        }
        while (i < end - 1) {
            int b0 = in[i] & 0xff;
            int b1 = in[i + 1] & 0xff;
            int high = b0 >>> 7;
            // A high byte must be C2 or C3 followed by 10xxxxxx; x != 0 is (x | -x) >>> 31.
            int wrong = ((b0 >>> 1) ^ 0x61) | ((b1 & 0xc0) ^ 0x80);
            bad |= high & ((wrong | -wrong) >>> 31);
            out[n++] = (byte) (b0 + high * ((((b0 & 3) << 6) | (b1 & 0x3f)) - b0));
            i += 1 + high;
        }
        if (i < end) {
            int last = in[i];
            bad |= last >>> 31;
            out[n++] = (byte) last;
        }
        return bad != 0 ? null : new String(out, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * The eight-byte view, in a class of its own so that it is made only when text needs it: a VarHandle's first use
     * spins method handle classes, which a fresh JVM's first small load should not pay for.
     */
    private static final class Words {
        static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    }
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LOW_BITS = 0x7f7f7f7f7f7f7f7fL;

    /** Bit 7 of each byte lane of {@code x} that is not zero. */
    private static long nonZeroLanes(long x) {
        return (((x & LOW_BITS) + LOW_BITS) | x) & HIGH_BITS;
    }

    /**
     * The byte lanes of {@code x} that {@code keep} has all ones in, moved down to the low end in order, with
     * zeros above: a compress in three steps of one, two and four lanes (Hacker's Delight, 7-4, in byte lanes).
     */
    private static long squeeze(long x, long keep) {
        long m = keep;
        x &= m;
        // mk marks each lane whose lower neighbour is dropped. Its prefix XOR up the lanes gives, for each lane,
        // bit `step` of the count of dropped lanes below it: whether the lane moves down 2^step lanes this step.
        long mk = ~m << 8;
        for (int step = 0; step < 3; step++) {
            long mp = mk ^ (mk << 8);
            mp ^= mp << 16;
            mp ^= mp << 32;
            long move = mp & m;
            int shift = 8 << step;
            m = m ^ move | (move >>> shift);
            long t = x & move;
            x = x ^ t | (t >>> shift);
            mk &= ~mp;
        }
        return x;
    }

    /**
     * Why {@link #decodeUtf8} refused these bytes: the first error, with the reason and span CPython's UTF-8 decoder
     * ({@code asciilib_utf8_decode} and the {@code surrogatepass} handler) gives, as {@code pickletools} shows it.
     * Only for bytes {@code decodeUtf8} refused; the readers' fast path never comes here.
     */
    public static DecodeError utf8Error(byte[] in, int from, int length) {
        int end = from + length;
        int s = from;
        while (s < end) {
            int ch = in[s] & 0xff;
            if (ch < 0x80) {
                s++;
                continue;
            }
            int invalid; // 0: unexpected end, 1: invalid start byte, k>=2: invalid continuation at byte k-1
            int need = 0;
            if (ch < 0xC2 || ch >= 0xF5) {
                invalid = 1;
            } else if (ch < 0xE0) {
                need = 2;
                invalid = end - s < 2 ? 0 : (cont(in[s + 1]) ? -1 : 2);
            } else if (ch < 0xF0) {
                need = 3;
                if (end - s < 3) {
                    invalid = end - s < 2 || validSecond3(ch, in[s + 1] & 0xff) ? 0 : 2;
                } else if (!validSecond3(ch, in[s + 1] & 0xff)) {
                    invalid = 2;
                } else {
                    invalid = cont(in[s + 2]) ? -1 : 3;
                }
            } else {
                need = 4;
                if (end - s < 2) {
                    invalid = 0;
                } else if (!validSecond4(ch, in[s + 1] & 0xff)) {
                    invalid = 2;
                } else if (end - s < 3) {
                    invalid = 0;
                } else if (!cont(in[s + 2])) {
                    invalid = 3;
                } else {
                    invalid = end - s < 4 ? 0 : cont(in[s + 3]) ? -1 : 4;
                }
            }
            if (invalid < 0) {
                s += need;
                continue;
            }
            // The surrogatepass handler: three bytes that encode U+D800..U+DFFF are taken as that lone surrogate.
            if (end - s >= 3 && (ch & 0xf0) == 0xe0 && cont(in[s + 1]) && cont(in[s + 2])) {
                int cp = ((ch & 0x0f) << 12) | ((in[s + 1] & 0x3f) << 6) | (in[s + 2] & 0x3f);
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    s += 3;
                    continue;
                }
            }
            int at = s - from;
            if (invalid == 0) {
                return utf8Error("unexpected end of data", at, end - from);
            }
            return invalid == 1 ? utf8Error("invalid start byte", at, at + 1)
                    : utf8Error("invalid continuation byte", at, at + invalid - 1);
        }
        throw new IllegalStateException("utf8Error called on valid UTF-8");
    }

    private static DecodeError utf8Error(String reason, int start, int end) {
        return new DecodeError(reason + " at position " + start, reason, start, end);
    }

    /** The second byte of a 3-byte sequence: a continuation, not overlong (E0) and not a surrogate (ED). */
    private static boolean validSecond3(int ch, int ch2) {
        return (ch2 & 0xc0) == 0x80 && !(ch2 < 0xA0 ? ch == 0xE0 : ch == 0xED);
    }

    /** The second byte of a 4-byte sequence: a continuation, not overlong (F0) and not above U+10FFFF (F4). */
    private static boolean validSecond4(int ch, int ch2) {
        return (ch2 & 0xc0) == 0x80 && !(ch2 < 0x90 ? ch == 0xF0 : ch == 0xF4);
    }

    private static boolean cont(byte b) {
        return (b & 0xc0) == 0x80;
    }

    // ---- Encoders the writer uses ------------------------------------------------------------------------------

    /**
     * The pickle module's own raw-unicode-escape: {@code \\Uxxxxxxxx} above U+FFFF, {@code \\uxxxx} above U+00FF
     * and for backslash, NUL, CR, LF and Ctrl-Z (CPython 3.7+; 3.6 escaped only backslash and LF), every other
     * character as its Latin-1 byte.
     */
    public static byte[] rawUnicodeEscapeEncode(String s) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(s.length() + 16);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0x10000) {
                byte[] esc = String.format("\\U%08x", cp).getBytes(StandardCharsets.US_ASCII);
                b.write(esc, 0, esc.length);
            } else if (cp >= 256 || cp == '\\' || cp == 0 || cp == '\n' || cp == '\r' || cp == 0x1a) {
                byte[] esc = String.format("\\u%04x", cp).getBytes(StandardCharsets.US_ASCII);
                b.write(esc, 0, esc.length);
            } else {
                b.write(cp);
            }
        }
        return b.toByteArray();
    }

    /**
     * UTF-8 with the {@code surrogatepass} error handler, as save_unicode falls back to for strings with lone
     * surrogates: a surrogate pair is one 4-byte character, a lone surrogate is written as its own 3 bytes.
     */
    public static byte[] encodeUtf8(String s) {
        int n = s.length();
        boolean lone = false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    lone = true;
                    break;
                }
            }
        }
        if (!lone) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(n * 3);
        for (int i = 0; i < n; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                b.write(cp);
            } else if (cp < 0x800) {
                b.write(0xc0 | (cp >> 6));
                b.write(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                b.write(0xe0 | (cp >> 12));
                b.write(0x80 | ((cp >> 6) & 0x3f));
                b.write(0x80 | (cp & 0x3f));
            } else {
                b.write(0xf0 | (cp >> 18));
                b.write(0x80 | ((cp >> 12) & 0x3f));
                b.write(0x80 | ((cp >> 6) & 0x3f));
                b.write(0x80 | (cp & 0x3f));
            }
        }
        return b.toByteArray();
    }
}
