package dev.brine.internal.format;

import java.math.BigInteger;

/**
 * Byte-order and integer primitives of the pickle format, written once: little-endian fixed widths (the arguments
 * of {@code BININT*}, {@code LONG4}'s count, {@code BINBYTES8}'s length...) and {@code pickle.decode_long} /
 * {@code encode_long}, the little-endian two's complement that {@code LONG1} and {@code LONG4} carry. Callers check
 * bounds first; these only compute.
 */
public final class Wire {
    private Wire() {
    }

    /** The unsigned 16-bit little-endian value at {@code at}. */
    public static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    /** The 32-bit little-endian value at {@code at}, as a signed int (CPython's BININT). */
    public static int s32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /** The unsigned 32-bit little-endian value at {@code at}. */
    public static long u32(byte[] b, int at) {
        return s32(b, at) & 0xffffffffL;
    }

    /** The 64-bit little-endian value at {@code at}, as a long's bit pattern. */
    public static long s64(byte[] b, int at) {
        return u32(b, at) | (long) s32(b, at + 4) << 32;
    }

    /** The 64-bit big-endian value at {@code at} (BINFLOAT's IEEE 754 double), as a long's bit pattern. */
    public static long be64(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }

    /** The little-endian value of {@code size} (0 to 8) bytes at {@code at}, unsigned, as a long's bit pattern. */
    public static long unsigned(byte[] b, int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }

    /**
     * {@code pickle.decode_long} of {@code length} bytes at {@code at}: little-endian two's complement, no bytes
     * meaning 0. A {@link Long} when it fits in 63 bits and a sign, else a {@link BigInteger}, as Brine reads ints.
     */
    public static Number decodeLong(byte[] b, int at, int length) {
        if (length == 0) {
            return 0L;
        }
        if (length <= 8) {
            // Sign-extend from the top byte: no BigInteger for the common small case.
            int shift = 64 - 8 * length;
            return unsigned(b, at, length) << shift >> shift;
        }
        byte[] be = new byte[length];
        for (int i = 0; i < length; i++) {
            be[i] = b[at + length - 1 - i];
        }
        BigInteger value = new BigInteger(be);
        return value.bitLength() < 64 ? (Number) value.longValue() : value;
    }

    /** {@code pickle.decode_long} of all of {@code le}, always as a {@link BigInteger}. */
    public static BigInteger decodeLongBig(byte[] le) {
        Number n = decodeLong(le, 0, le.length);
        return n instanceof BigInteger ? (BigInteger) n : BigInteger.valueOf(n.longValue());
    }

    /**
     * {@code pickle.encode_long}: little-endian two's complement in the fewest bytes, empty for 0. CPython's byte
     * count after trimming one redundant sign byte equals Java's minimal big-endian form reversed.
     */
    public static byte[] encodeLong(BigInteger v) {
        if (v.signum() == 0) {
            return new byte[0];
        }
        byte[] be = v.toByteArray();
        int n = be.length;
        byte[] le = new byte[n];
        for (int i = 0; i < n; i++) {
            le[i] = be[n - 1 - i];
        }
        return le;
    }

    /** Writes {@code v}'s low 32 bits little-endian at {@code at}. */
    public static void putU32(byte[] b, int at, long v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    /** Writes {@code v} as 64 bits little-endian at {@code at}. */
    public static void putS64(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
