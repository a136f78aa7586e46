package dev.brine.internal;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyTuple;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Python's {@code array.array} as {@link PyArray}. Two forms, as {@code arraymodule.c}'s {@code __reduce_ex__}
 * writes them: {@code array(typecode, list)} below protocol 3, and {@code _array_reconstructor(array, typecode,
 * mformat_code, bytes)} from protocol 3.
 *
 * <p>Only the machine format a little-endian LP64 CPython (Linux, macOS on x86-64 and arm64) writes is mapped, since
 * that is what the {@link dev.brine.Pickler} writes back; a big-endian or Windows {@code 'l'} array stays inert.
 */
final class ArrayModule {
    static final GlobalRef ARRAY = PyArray.CLASS;
    static final GlobalRef RECONSTRUCTOR = new GlobalRef("array", "_array_reconstructor");

    private ArrayModule() {
    }

    /**
     * The {@code mformat_code} of arraymodule.c's {@code enum machine_format_code} for each typecode on a
     * little-endian LP64 machine: UNSIGNED_INT8 0, SIGNED_INT8 1, UNSIGNED_INT16_LE 2, SIGNED_INT16_LE 4,
     * UNSIGNED_INT32_LE 6, SIGNED_INT32_LE 8, UNSIGNED_INT64_LE 10, SIGNED_INT64_LE 12, IEEE_754_FLOAT_LE 14,
     * IEEE_754_DOUBLE_LE 16, UTF32_LE 20; or -1 for an unknown typecode.
     */
    static int machineFormat(char typecode) {
        switch (typecode) {
            case 'B': return 0;
            case 'b': return 1;
            case 'H': return 2;
            case 'h': return 4;
            case 'I': return 6;
            case 'i': return 8;
            case 'L':
            case 'Q': return 10;
            case 'l':
            case 'q': return 12;
            case 'f': return 14;
            case 'd': return 16;
            case 'u':
            case 'w': return 20;
            default: return -1;
        }
    }

    private static char typecode(Object o) {
        if (o instanceof String && ((String) o).length() == 1) {
            char c = ((String) o).charAt(0);
            return PyArray.javaType(c) == null ? 0 : c;
        }
        return 0;
    }

    /** {@code array(typecode, list)}, the form below protocol 3. */
    static Object array(GlobalRef ref, PyTuple args) {
        if (args.size() != 2 || !(args.get(1) instanceof List)) {
            return KnownGlobals.NOT_HANDLED;
        }
        char code = typecode(args.get(0));
        if (code == 0) {
            return KnownGlobals.NOT_HANDLED;
        }
        List<?> items = (List<?>) args.get(1);
        int n = items.size();
        Class<?> type = PyArray.javaType(code);
        Object out = java.lang.reflect.Array.newInstance(type.getComponentType(), n);
        for (int i = 0; i < n; i++) {
            Object item = items.get(i);
            if (code == 'f' || code == 'd') {
                if (!(item instanceof Double)) {
                    return KnownGlobals.NOT_HANDLED;
                }
                double d = (Double) item;
                if (code == 'f') {
                    float f = (float) d;
                    // tolist() gives floats a float32 holds exactly; anything else was not written by CPython.
                    if (Double.compare(f, d) != 0 && !Double.isNaN(d)) {
                        return KnownGlobals.NOT_HANDLED;
                    }
                    ((float[]) out)[i] = f;
                } else {
                    ((double[]) out)[i] = d;
                }
            } else if (code == 'u' || code == 'w') {
                if (!(item instanceof String) || ((String) item).codePointCount(0, ((String) item).length()) != 1) {
                    return KnownGlobals.NOT_HANDLED;
                }
                ((int[]) out)[i] = ((String) item).codePointAt(0);
            } else if (!store(code, out, i, item)) {
                return KnownGlobals.NOT_HANDLED;
            }
        }
        return PyArray.of(code, out).withPickleNames(ref, null);
    }

    /** Stores an int item if it fits the typecode's C type. */
    private static boolean store(char code, Object out, int i, Object item) {
        if (code == 'Q' || code == 'L') {
            java.math.BigInteger max = java.math.BigInteger.ONE.shiftLeft(64);
            if (item instanceof Long && (Long) item >= 0) {
                ((long[]) out)[i] = (Long) item;
                return true;
            }
            if (item instanceof java.math.BigInteger && ((java.math.BigInteger) item).signum() >= 0
                    && ((java.math.BigInteger) item).compareTo(max) < 0) {
                ((long[]) out)[i] = ((java.math.BigInteger) item).longValue();
                return true;
            }
            return false;
        }
        if (!(item instanceof Long)) {
            return false;
        }
        long v = (Long) item;
        switch (code) {
            case 'b':
                return fits(v, Byte.MIN_VALUE, Byte.MAX_VALUE) && set(out, i, (byte) v);
            case 'B':
                return fits(v, 0, 0xff) && set(out, i, (byte) v);
            case 'h':
                return fits(v, Short.MIN_VALUE, Short.MAX_VALUE) && set(out, i, (short) v);
            case 'H':
                return fits(v, 0, 0xffff) && set(out, i, (short) v);
            case 'i':
                return fits(v, Integer.MIN_VALUE, Integer.MAX_VALUE) && set(out, i, (int) v);
            case 'I':
                return fits(v, 0, 0xffff_ffffL) && set(out, i, (int) v);
            default: // 'l', 'q'
                ((long[]) out)[i] = v;
                return true;
        }
    }

    private static boolean fits(long v, long lo, long hi) {
        return v >= lo && v <= hi;
    }

    private static boolean set(Object out, int i, Object v) {
        java.lang.reflect.Array.set(out, i, v);
        return true;
    }

    /** {@code _array_reconstructor(array.array, typecode, mformat_code, items)}, the form from protocol 3. */
    static Object reconstructor(GlobalRef ref, PyTuple args) {
        if (args.size() != 4 || !ARRAY.equals(args.get(0)) || !(args.get(2) instanceof Long)
                || !(args.get(3) instanceof PyBytes)) {
            return KnownGlobals.NOT_HANDLED;
        }
        char code = typecode(args.get(1));
        if (code == 0 || (Long) args.get(2) != machineFormat(code)) {
            return KnownGlobals.NOT_HANDLED;
        }
        PyBytes data = (PyBytes) args.get(3);
        Class<?> type = PyArray.javaType(code);
        int width = width(type);
        if (data.length() % width != 0) {
            return KnownGlobals.NOT_HANDLED;
        }
        int n = data.length() / width;
        ByteBuffer in = data.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        Object out;
        if (type == byte[].class) {
            out = data.toByteArray();
        } else if (type == short[].class) {
            short[] a = new short[n];
            in.asShortBuffer().get(a);
            out = a;
        } else if (type == int[].class) {
            int[] a = new int[n];
            in.asIntBuffer().get(a);
            if (code == 'u' || code == 'w') {
                for (int c : a) {
                    if (!Character.isValidCodePoint(c)) {
                        return KnownGlobals.NOT_HANDLED;
                    }
                }
            }
            out = a;
        } else if (type == long[].class) {
            long[] a = new long[n];
            in.asLongBuffer().get(a);
            out = a;
        } else if (type == float[].class) {
            float[] a = new float[n];
            in.asFloatBuffer().get(a);
            out = a;
        } else {
            double[] a = new double[n];
            in.asDoubleBuffer().get(a);
            out = a;
        }
        return PyArray.of(code, out).withPickleNames((GlobalRef) args.get(0), ref);
    }

    static int width(Class<?> arrayType) {
        if (arrayType == byte[].class) {
            return 1;
        }
        if (arrayType == short[].class) {
            return 2;
        }
        if (arrayType == int[].class || arrayType == float[].class) {
            return 4;
        }
        return 8;
    }
}
