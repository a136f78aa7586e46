package dev.brine.tools;

import dev.brine.internal.ArgKind;
import dev.brine.internal.PyRepr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Reads opcodes and their inline arguments from a stream the way {@code pickletools.genops} does, with the same
 * decoded values and the same errors, so that the disassembler can print what {@code pickletools} prints.
 *
 * <p>Values: ints are {@link Long} or {@link BigInteger}, {@code INT}'s {@code 00}/{@code 01} are {@link Boolean},
 * floats {@link Double}, text {@link String}, bytes {@link Bytes} and bytearrays {@link ByteArray}.
 *
 * <p>It reads exactly through the bytes it decodes, never ahead, so the stream is left just after the STOP
 * opcode. Lines are read a byte at a time, so an unbuffered stream should be wrapped in a buffered one.
 */
final class ArgumentReader {
    /** Python's {@code sys.maxsize} on a 64-bit build: {@code pickletools} refuses larger counts. */
    private static final BigInteger SYS_MAXSIZE = BigInteger.valueOf(Long.MAX_VALUE);
    /** CPython's default {@code sys.get_int_max_str_digits()}. */
    static final int INT_MAX_STR_DIGITS = 4300;
    /** Counted arguments are read in chunks of at most this, so a huge declared length allocates nothing. */
    private static final int CHUNK = 1 << 16;

    private static final Pattern PY_FLOAT = Pattern.compile(
            "[+-]?(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf|infinity|nan))");
    private static final Pattern PY_INT = Pattern.compile("[+-]?[0-9]+");

    /** Python bytes, printed as {@code b'...'}. */
    record Bytes(byte[] value) {
    }

    /** A Python bytearray, printed as {@code bytearray(b'...')}. */
    record ByteArray(byte[] value) {
    }

    private final InputStream in;
    private long position;

    ArgumentReader(InputStream in) {
        this.in = in;
    }

    /** How many bytes have been read: {@code f.tell()} relative to where the disassembly started. */
    long position() {
        return position;
    }

    /** The next byte, or -1 at the end of the stream. */
    int readByte() throws IOException {
        int b = in.read();
        if (b >= 0) {
            position++;
        }
        return b;
    }

    /** Reads {@code kind}'s argument, as the matching {@code pickletools.read_*} function does. */
    Object read(ArgKind kind) throws IOException {
        switch (kind) {
            case UINT1:
                return (long) uint1("uint1");
            case UINT2:
                return fixed(2, "uint2");
            case INT4:
                return (long) (int) fixed(4, "int4");
            case UINT4:
                return fixed(4, "uint4");
            case UINT8: {
                long v = fixed(8, "uint8");
                return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
            }
            case FLOAT8:
                return Double.longBitsToDouble(Long.reverseBytes(fixed(8, "float8")));
            case DECIMALNL_SHORT: {
                byte[] s = line("stringnl");
                // pickletools' hack for protocol 0 booleans: INT's "00" and "01".
                if (s.length == 2 && s[0] == '0' && (s[1] == '0' || s[1] == '1')) {
                    return s[1] == '1';
                }
                return pyInt(s);
            }
            case DECIMALNL_LONG: {
                byte[] s = line("stringnl");
                if (s.length > 0 && s[s.length - 1] == 'L') {
                    byte[] t = new byte[s.length - 1];
                    System.arraycopy(s, 0, t, 0, t.length);
                    s = t;
                }
                return pyInt(s);
            }
            case FLOATNL:
                return pyFloat(line("stringnl"));
            case STRINGNL:
                return stringnl(true);
            case STRINGNL_NOESCAPE:
                return stringnl(false);
            case STRINGNL_NOESCAPE_PAIR:
                return stringnl(false) + " " + stringnl(false);
            case UNICODESTRINGNL:
                return rawUnicodeEscape(line("unicodestringnl"));
            case LONG1: {
                int n = uint1("uint1");
                byte[] data = counted(n);
                if (data.length != n) {
                    throw PythonError.valueError("not enough data in stream to read long1");
                }
                return decodeLong(data);
            }
            case LONG4: {
                int n = (int) fixed(4, "int4");
                if (n < 0) {
                    throw PythonError.valueError("long4 byte count < 0: " + n);
                }
                byte[] data = counted(n);
                if (data.length != n) {
                    throw PythonError.valueError("not enough data in stream to read long4");
                }
                return decodeLong(data);
            }
            case STRING1:
                return new String(exactly(uint1("uint1"), "string1"), StandardCharsets.ISO_8859_1);
            case STRING4: {
                int n = (int) fixed(4, "int4");
                if (n < 0) {
                    throw PythonError.valueError("string4 byte count < 0: " + n);
                }
                return new String(exactly(n, "string4"), StandardCharsets.ISO_8859_1);
            }
            case BYTES1:
                return new Bytes(exactly(uint1("uint1"), "bytes1"));
            case BYTES4:
                return new Bytes(exactly(fixed(4, "uint4"), "bytes4"));
            case BYTES8:
                return new Bytes(exactly(count8("bytes8"), "bytes8"));
            case BYTEARRAY8:
                return new ByteArray(exactly(count8("bytearray8"), "bytearray8"));
            case UNICODESTRING1:
                return utf8SurrogatePass(exactly(uint1("uint1"), "unicodestring1"));
            case UNICODESTRING4:
                return utf8SurrogatePass(exactly(fixed(4, "uint4"), "unicodestring4"));
            case UNICODESTRING8:
                return utf8SurrogatePass(exactly(count8("unicodestring8"), "unicodestring8"));
            default:
                throw new AssertionError("no argument for " + kind);
        }
    }

    private int uint1(String what) throws IOException {
        int b = readByte();
        if (b < 0) {
            throw PythonError.valueError("not enough data in stream to read " + what);
        }
        return b;
    }

    /** A little-endian unsigned value of {@code size} bytes (as a long's bit pattern). */
    private long fixed(int size, String what) throws IOException {
        byte[] data = counted(size);
        if (data.length != size) {
            throw PythonError.valueError("not enough data in stream to read " + what);
        }
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (data[i] & 0xff);
        }
        return v;
    }

    /** An 8-byte count, refused above {@code sys.maxsize} as pickletools does. */
    private long count8(String what) throws IOException {
        long n = fixed(8, "uint8");
        if (n < 0) {
            throw PythonError.valueError(what + " byte count > sys.maxsize: " + Long.toUnsignedString(n));
        }
        return n;
    }

    /** {@code n} bytes, or pickletools' "expected N bytes in a KIND, but only M remain". */
    private byte[] exactly(long n, String what) throws IOException {
        byte[] data = counted(n);
        if (data.length != n) {
            throw PythonError.valueError("expected " + n + " bytes in a " + what + ", but only " + data.length
                    + " remain");
        }
        return data;
    }

    /** Up to {@code n} bytes, fewer at the end of the stream; memory grows only with the bytes really there. */
    private byte[] counted(long n) throws IOException {
        if (n <= CHUNK) {
            byte[] data = in.readNBytes((int) n);
            position += data.length;
            return data;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(CHUNK);
        long remaining = n;
        while (remaining > 0) {
            byte[] chunk = in.readNBytes((int) Math.min(remaining, CHUNK));
            out.write(chunk, 0, chunk.length);
            position += chunk.length;
            remaining -= chunk.length;
            if (out.size() > Integer.MAX_VALUE - 2 * CHUNK) {
                throw PythonError.valueError("argument of " + n + " bytes is too large to disassemble");
            }
            if (chunk.length == 0) {
                break;
            }
        }
        return out.toByteArray();
    }

    /** {@code f.readline()} without its newline; pickletools' error when the line has none. */
    private byte[] line(String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        while (true) {
            int b = readByte();
            if (b < 0) {
                throw PythonError.valueError("no newline found when trying to read " + what);
            }
            if (b == '\n') {
                return out.toByteArray();
            }
            out.write(b);
        }
    }

    /** {@code read_stringnl}: a quoted (STRING) or bare (GLOBAL, PERSID) line, escapes undone, then ASCII. */
    private String stringnl(boolean stripQuotes) throws IOException {
        byte[] data = line("stringnl");
        int from = 0;
        int to = data.length;
        if (stripQuotes) {
            byte q = data.length > 0 && (data[0] == '"' || data[0] == '\'') ? data[0] : 0;
            if (q == 0) {
                throw PythonError.valueError("no string quotes around " + PyRepr.bytesRepr(data));
            }
            // Like pickletools: a lone quote both starts and ends the line, and leaves an empty slice.
            if (data[data.length - 1] != q) {
                throw PythonError.valueError("strinq quote " + PyRepr.bytesRepr(new byte[] {q})
                        + " not found at both ends of " + PyRepr.bytesRepr(data));
            }
            from = 1;
            to = Math.max(1, data.length - 1);
        }
        byte[] decoded = escapeDecode(data, from, to);
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] < 0) {
                throw PythonError.unicodeDecodeError("ascii", decoded, i, i + 1, "ordinal not in range(128)");
            }
        }
        return new String(decoded, StandardCharsets.ISO_8859_1);
    }

    /** {@code codecs.escape_decode}, as CPython's {@code _PyBytes_DecodeEscape}, strict errors. */
    static byte[] escapeDecode(byte[] data, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int s = from;
        while (s < to) {
            int c = data[s++] & 0xff;
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (s == to) {
                throw PythonError.valueError("Trailing \\ in string");
            }
            int e = data[s++] & 0xff;
            switch (e) {
                case '\n':
                    break;
                case '\\':
                case '\'':
                case '"':
                    out.write(e);
                    break;
                case 'b':
                    out.write('\b');
                    break;
                case 'f':
                    out.write('\f');
                    break;
                case 't':
                    out.write('\t');
                    break;
                case 'n':
                    out.write('\n');
                    break;
                case 'r':
                    out.write('\r');
                    break;
                case 'v':
                    out.write(0x0b);
                    break;
                case 'a':
                    out.write(0x07);
                    break;
                case 'x': {
                    int d1 = s + 1 < to ? Character.digit(data[s], 16) : -1;
                    int d2 = s + 1 < to ? Character.digit(data[s + 1], 16) : -1;
                    if (d1 < 0 || d2 < 0) {
                        throw PythonError.valueError("invalid \\x escape at position " + (s - 2 - from));
                    }
                    out.write((d1 << 4) + d2);
                    s += 2;
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && s < to && data[s] >= '0' && data[s] <= '7'; k++) {
                            v = (v << 3) + data[s++] - '0';
                        }
                        // Values above 0o377 keep their low byte, as the C code stores them in a char.
                        out.write(v & 0xff);
                    } else {
                        // An unknown escape stays as written (CPython warns, but keeps it).
                        out.write('\\');
                        s--;
                    }
            }
        }
        return out.toByteArray();
    }

    /** {@code str(data, 'raw-unicode-escape')}, as CPython's {@code _PyUnicode_DecodeRawUnicodeEscape}. */
    static String rawUnicodeEscape(byte[] data) {
        StringBuilder sb = new StringBuilder(data.length);
        int s = 0;
        int end = data.length;
        while (s < end) {
            int c = data[s] & 0xff;
            if (c != '\\') {
                sb.append((char) c);
                s++;
                continue;
            }
            int start = s;
            // \\u escapes count only after an odd number of backslashes.
            while (s < end && data[s] == '\\') {
                sb.append('\\');
                s++;
            }
            if (((s - start) & 1) == 0 || s >= end || (data[s] != 'u' && data[s] != 'U')) {
                continue;
            }
            sb.setLength(sb.length() - 1);
            int count = data[s] == 'u' ? 4 : 8;
            String message = count == 4 ? "truncated \\uXXXX escape" : "truncated \\UXXXXXXXX escape";
            int startInPos = s - 1;
            s++;
            long ch = 0;
            for (; count > 0; s++, count--) {
                int d = s < end ? Character.digit(data[s], 16) : -1;
                if (d < 0) {
                    throw PythonError.unicodeDecodeError("rawunicodeescape", data, startInPos, s, message);
                }
                ch = (ch << 4) + d;
            }
            if (ch > Character.MAX_CODE_POINT) {
                throw PythonError.unicodeDecodeError("rawunicodeescape", data, startInPos, s,
                        "\\Uxxxxxxxx out of range");
            }
            sb.appendCodePoint((int) ch);
        }
        return sb.toString();
    }

    /**
     * {@code str(data, 'utf-8', 'surrogatepass')}: strict UTF-8 except that encoded surrogates decode to lone
     * surrogates. Errors name the same bytes and reason as CPython's {@code asciilib_utf8_decode}.
     */
    static String utf8SurrogatePass(byte[] data) {
        StringBuilder sb = new StringBuilder(data.length);
        int s = 0;
        int end = data.length;
        while (s < end) {
            int ch = data[s] & 0xff;
            if (ch < 0x80) {
                sb.append((char) ch);
                s++;
                continue;
            }
            int invalid; // 0: unexpected end, 1: invalid start byte, k>=2: invalid continuation at byte k-1
            int need;
            if (ch < 0xC2) {
                invalid = 1;
                need = 0;
            } else if (ch < 0xE0) {
                need = 2;
                invalid = end - s < 2 ? 0 : (cont(data[s + 1]) ? -1 : 2);
            } else if (ch < 0xF0) {
                need = 3;
                if (end - s < 3) {
                    invalid = end - s < 2 || validSecond3(ch, data[s + 1] & 0xff) ? 0 : 2;
                } else if (!validSecond3(ch, data[s + 1] & 0xff)) {
                    invalid = 2;
                } else {
                    invalid = cont(data[s + 2]) ? -1 : 3;
                }
            } else if (ch < 0xF5) {
                need = 4;
                if (end - s < 4) {
                    if (end - s < 2) {
                        invalid = 0;
                    } else if (!validSecond4(ch, data[s + 1] & 0xff)) {
                        invalid = 2;
                    } else if (end - s < 3) {
                        invalid = 0;
                    } else {
                        invalid = cont(data[s + 2]) ? 0 : 3;
                    }
                } else if (!validSecond4(ch, data[s + 1] & 0xff)) {
                    invalid = 2;
                } else if (!cont(data[s + 2])) {
                    invalid = 3;
                } else {
                    invalid = cont(data[s + 3]) ? -1 : 4;
                }
            } else {
                invalid = 1;
                need = 0;
            }
            if (invalid < 0) {
                int cp;
                if (need == 2) {
                    cp = ((ch & 0x1f) << 6) | (data[s + 1] & 0x3f);
                } else if (need == 3) {
                    cp = ((ch & 0x0f) << 12) | ((data[s + 1] & 0x3f) << 6) | (data[s + 2] & 0x3f);
                } else {
                    cp = ((ch & 0x07) << 18) | ((data[s + 1] & 0x3f) << 12) | ((data[s + 2] & 0x3f) << 6)
                            | (data[s + 3] & 0x3f);
                }
                sb.appendCodePoint(cp);
                s += need;
                continue;
            }
            // The surrogatepass handler: three bytes that encode U+D800..U+DFFF become that lone surrogate.
            if (end - s >= 3 && (ch & 0xf0) == 0xe0 && cont(data[s + 1]) && cont(data[s + 2])) {
                int cp = ((ch & 0x0f) << 12) | ((data[s + 1] & 0x3f) << 6) | (data[s + 2] & 0x3f);
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    sb.append((char) cp);
                    s += 3;
                    continue;
                }
            }
            if (invalid == 0) {
                throw PythonError.unicodeDecodeError("utf-8", data, s, end, "unexpected end of data");
            } else if (invalid == 1) {
                throw PythonError.unicodeDecodeError("utf-8", data, s, s + 1, "invalid start byte");
            } else {
                throw PythonError.unicodeDecodeError("utf-8", data, s, s + invalid - 1, "invalid continuation byte");
            }
        }
        return sb.toString();
    }

    private static boolean cont(byte b) {
        return (b & 0xc0) == 0x80;
    }

    /** The second byte of a 3-byte sequence: a continuation, not overlong (E0) and not a surrogate (ED). */
    private static boolean validSecond3(int ch, int ch2) {
        return (ch2 & 0xc0) == 0x80 && !(ch2 < 0xA0 ? ch == 0xE0 : ch == 0xED);
    }

    /** The second byte of a 4-byte sequence: a continuation, not overlong (F0) and not above U+10FFFF (F4). */
    private static boolean validSecond4(int ch, int ch2) {
        return (ch2 & 0xc0) == 0x80 && !(ch2 < 0x90 ? ch == 0xF0 : ch == 0xF4);
    }

    /** {@code pickle.decode_long}: little-endian two's complement, empty meaning 0. */
    static BigInteger decodeLong(byte[] data) {
        if (data.length == 0) {
            return BigInteger.ZERO;
        }
        byte[] be = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            be[i] = data[data.length - 1 - i];
        }
        return new BigInteger(be);
    }

    /** {@code int(s)} for bytes {@code s}, base 10, with CPython's syntax and its digit limit. */
    static BigInteger pyInt(byte[] s) {
        String text = stripUnderscores(stripSpace(s));
        if (text == null || !PY_INT.matcher(text).matches()) {
            throw PythonError.valueError("invalid literal for int() with base 10: "
                    + PyRepr.bytesRepr(s));
        }
        int digits = text.length() - (text.charAt(0) == '+' || text.charAt(0) == '-' ? 1 : 0);
        if (digits > INT_MAX_STR_DIGITS) {
            throw PythonError.valueError("Exceeds the limit (" + INT_MAX_STR_DIGITS + " digits) for integer string "
                    + "conversion: value has " + digits + " digits; use sys.set_int_max_str_digits() to increase "
                    + "the limit");
        }
        return new BigInteger(text.charAt(0) == '+' ? text.substring(1) : text);
    }

    /** {@code float(s)} for bytes {@code s}: Python's float syntax, correctly rounded. */
    static double pyFloat(byte[] s) {
        String text = stripUnderscores(stripSpace(s));
        if (text == null || !PY_FLOAT.matcher(text).matches()) {
            throw PythonError.valueError("could not convert string to float: "
                    + PyRepr.bytesRepr(s));
        }
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        boolean negative = lower.startsWith("-");
        if (lower.endsWith("nan")) {
            return Double.NaN;
        }
        if (lower.endsWith("inf") || lower.endsWith("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(text);
    }

    /** The bytes without leading and trailing ASCII whitespace ({@code Py_ISSPACE}), as Latin-1 text. */
    private static String stripSpace(byte[] s) {
        int a = 0;
        int b = s.length;
        while (a < b && isSpace(s[a])) {
            a++;
        }
        while (b > a && isSpace(s[b - 1])) {
            b--;
        }
        return new String(s, a, b - a, StandardCharsets.ISO_8859_1);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
    }

    /** Removes underscores that sit between two digits; null if any other underscore is present. */
    private static String stripUnderscores(String text) {
        if (text.indexOf('_') < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                boolean ok = i > 0 && i + 1 < text.length() && isDigit(text.charAt(i - 1))
                        && isDigit(text.charAt(i + 1));
                if (!ok) {
                    return null;
                }
                continue;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
