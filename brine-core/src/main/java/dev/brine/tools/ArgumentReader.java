package dev.brine.tools;

import dev.brine.internal.format.ArgKind;
import dev.brine.internal.format.PyRepr;
import dev.brine.internal.format.PyText;
import dev.brine.internal.format.Wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

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

    /** Python bytes, printed as {@code b'...'}. */
    record Bytes(byte[] value) {
    }

    /** A Python bytearray, printed as {@code bytearray(b'...')}. */
    record ByteArray(byte[] value) {
    }

    private final InputStream in;
    private long position;

    ArgumentReader(InputStream in) {
        this(in, 0);
    }

    /** A reader whose positions count from {@code start}, as {@code f.tell()} of a file opened there. */
    ArgumentReader(InputStream in, long start) {
        this.in = in;
        this.position = start;
    }

    /** Counts {@code n} bytes that something else read from the stream. */
    void advance(long n) {
        position += n;
    }

    /** The position of the next byte: {@code f.tell()}, counted from the start position. */
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
        return Wire.unsigned(data, 0, size);
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

    /** {@code codecs.escape_decode}, strict errors: {@link PyText#escapeDecode} with its ValueError. */
    static byte[] escapeDecode(byte[] data, int from, int to) {
        try {
            return PyText.escapeDecode(data, from, to);
        } catch (PyText.DecodeError e) {
            throw PythonError.valueError(e.getMessage());
        }
    }

    /** {@code str(data, 'raw-unicode-escape')}: {@link PyText#rawUnicodeEscapeDecode} with its UnicodeDecodeError. */
    static String rawUnicodeEscape(byte[] data) {
        try {
            return PyText.rawUnicodeEscapeDecode(data, 0, data.length);
        } catch (PyText.DecodeError e) {
            throw PythonError.unicodeDecodeError("rawunicodeescape", data, e.start(), e.end(), e.reason());
        }
    }

    /**
     * {@code str(data, 'utf-8', 'surrogatepass')}: {@link PyText#decodeUtf8}, and where it refuses, the error
     * CPython gives, naming the same bytes and reason.
     */
    static String utf8SurrogatePass(byte[] data) {
        String s = PyText.decodeUtf8(data, 0, data.length);
        if (s == null) {
            PyText.DecodeError e = PyText.utf8Error(data, 0, data.length);
            throw PythonError.unicodeDecodeError("utf-8", data, e.start(), e.end(), e.reason());
        }
        return s;
    }

    /** {@code pickle.decode_long}: little-endian two's complement, empty meaning 0. */
    static BigInteger decodeLong(byte[] data) {
        return Wire.decodeLongBig(data);
    }

    /** {@code int(s)} for bytes {@code s}, base 10: {@link PyText#decimalLiteral}, and CPython's digit limit. */
    static BigInteger pyInt(byte[] s) {
        String text = PyText.decimalLiteral(new String(s, StandardCharsets.ISO_8859_1));
        if (text == null) {
            throw PythonError.valueError("invalid literal for int() with base 10: "
                    + PyRepr.bytesRepr(s));
        }
        int digits = text.length() - (text.charAt(0) == '-' ? 1 : 0);
        if (digits > INT_MAX_STR_DIGITS) {
            throw PythonError.valueError("Exceeds the limit (" + INT_MAX_STR_DIGITS + " digits) for integer string "
                    + "conversion: value has " + digits + " digits; use sys.set_int_max_str_digits() to increase "
                    + "the limit");
        }
        return new BigInteger(text);
    }

    /** {@code float(s)} for bytes {@code s}: {@link PyText#parseFloat}, correctly rounded. */
    static double pyFloat(byte[] s) {
        Double d = PyText.parseFloat(new String(s, StandardCharsets.ISO_8859_1));
        if (d == null) {
            throw PythonError.valueError("could not convert string to float: "
                    + PyRepr.bytesRepr(s));
        }
        return d;
    }
}
