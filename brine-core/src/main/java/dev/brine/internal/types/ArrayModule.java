package dev.brine.internal.types;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
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

    // ---- The write side: array.array and Java primitive arrays as CPython's array.__reduce_ex__ gives them ----

    /**
     * A Java primitive array as {@code array.array} ({@code short[]} to typecode {@code 'h'}, {@code long[]} to
     * {@code 'q'}, {@code char[]} to {@code 'H'}...), a {@code boolean[]} as a list of bools, or
     * {@link JavaEquivalents#UNKNOWN} for anything else ({@code byte[]} is bytes, written by the writer itself).
     */
    static Object fromJava(Object value, int protocol) {
        if (value instanceof byte[]) {
            return JavaEquivalents.UNKNOWN; // byte[] is bytes, handled by the writer itself
        }
        final String code;
        final int mformat;
        final int size;
        final int n;
        if (value instanceof short[]) {
            code = "h";
            mformat = 4; // SIGNED_INT16_LE
            size = 2;
            n = ((short[]) value).length;
        } else if (value instanceof int[]) {
            code = "i";
            mformat = 8; // SIGNED_INT32_LE
            size = 4;
            n = ((int[]) value).length;
        } else if (value instanceof long[]) {
            // 'q', not 'l': 'l' is C long, only 32 bits on Windows.
            code = "q";
            mformat = 12; // SIGNED_INT64_LE
            size = 8;
            n = ((long[]) value).length;
        } else if (value instanceof float[]) {
            code = "f";
            mformat = 14; // IEEE_754_FLOAT_LE
            size = 4;
            n = ((float[]) value).length;
        } else if (value instanceof double[]) {
            code = "d";
            mformat = 16; // IEEE_754_DOUBLE_LE
            size = 8;
            n = ((double[]) value).length;
        } else if (value instanceof char[]) {
            // UTF-16 code units, unsigned 16-bit: 'H'. 'u' is wchar_t, 4 bytes on Linux and deprecated.
            code = "H";
            mformat = 2; // UNSIGNED_INT16_LE
            size = 2;
            n = ((char[]) value).length;
        } else if (value instanceof boolean[]) {
            // No array typecode holds bools; a list of bool keeps the values and their type.
            boolean[] b = (boolean[]) value;
            List<Object> list = new ArrayList<>(b.length);
            for (boolean x : b) {
                list.add(x);
            }
            return list;
        } else {
            return JavaEquivalents.UNKNOWN;
        }
        if (protocol < 3) {
            // array.__reduce_ex__ below protocol 3: (array, (typecode, list)).
            List<Object> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                items.add(javaItem(value, i));
            }
            return PyObject.reduce(GlobalRef.of("array", new String("array")), code, items);
        }
        ByteBuffer buf = ByteBuffer.allocate(NotPicklable.byteSize(n, size)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (value instanceof short[]) {
                buf.putShort(((short[]) value)[i]);
            } else if (value instanceof int[]) {
                buf.putInt(((int[]) value)[i]);
            } else if (value instanceof long[]) {
                buf.putLong(((long[]) value)[i]);
            } else if (value instanceof float[]) {
                buf.putFloat(((float[]) value)[i]);
            } else if (value instanceof double[]) {
                buf.putDouble(((double[]) value)[i]);
            } else {
                buf.putChar(((char[]) value)[i]);
            }
        }
        // Since 3.10 the array type and _array_reconstructor carry distinct module-name strings.
        return PyObject.reduce(GlobalRef.of("array", "_array_reconstructor"),
                GlobalRef.of(new String("array"), new String("array")),
                code, (long) mformat, PyBytes.wrap(buf.array()));
    }

    private static Object javaItem(Object array, int i) {
        if (array instanceof short[]) {
            return (long) ((short[]) array)[i];
        } else if (array instanceof int[]) {
            return (long) ((int[]) array)[i];
        } else if (array instanceof long[]) {
            return ((long[]) array)[i];
        } else if (array instanceof float[]) {
            return (double) ((float[]) array)[i];
        } else if (array instanceof double[]) {
            return ((double[]) array)[i];
        }
        return (long) ((char[]) array)[i];
    }

    /** array.array: (array, (typecode, list)) below protocol 3, else _array_reconstructor (arraymodule.c). */
    static Object fromPyArray(PyArray a, int protocol) {
        char code = a.typecode();
        if (protocol < 3) {
            int n = a.length();
            List<Object> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                items.add(pyArrayItem(a, i));
            }
            GlobalRef cls = a.pythonClass() != null ? a.pythonClass() : GlobalRef.of("array", new String("array"));
            return PyObject.reduce(cls, String.valueOf(code), items);
        }
        Object items = a.items();
        int width = width(items.getClass());
        ByteBuffer buf = ByteBuffer.allocate(NotPicklable.byteSize(a.length(), width)).order(ByteOrder.LITTLE_ENDIAN);
        if (items instanceof byte[]) {
            buf.put((byte[]) items);
        } else if (items instanceof short[]) {
            buf.asShortBuffer().put((short[]) items);
        } else if (items instanceof int[]) {
            buf.asIntBuffer().put((int[]) items);
        } else if (items instanceof long[]) {
            buf.asLongBuffer().put((long[]) items);
        } else if (items instanceof float[]) {
            buf.asFloatBuffer().put((float[]) items);
        } else {
            buf.asDoubleBuffer().put((double[]) items);
        }
        // Since 3.10 the array type and _array_reconstructor carry distinct module-name strings.
        GlobalRef cls = a.pythonClass() != null ? a.pythonClass() : GlobalRef.of(new String("array"), new String("array"));
        GlobalRef rec = a.reconstructor() != null ? a.reconstructor() : RECONSTRUCTOR;
        return PyObject.reduce(rec, cls,
                String.valueOf(code), (long) machineFormat(code), PyBytes.wrap(buf.array()));
    }

    /** One item as array.tolist() gives it. */
    private static Object pyArrayItem(PyArray a, int i) {
        Object items = a.items();
        switch (a.typecode()) {
            case 'b':
                return (long) ((byte[]) items)[i];
            case 'B':
                return (long) (((byte[]) items)[i] & 0xff);
            case 'h':
                return (long) ((short[]) items)[i];
            case 'H':
                return (long) (((short[]) items)[i] & 0xffff);
            case 'i':
                return (long) ((int[]) items)[i];
            case 'I':
                return ((int[]) items)[i] & 0xffff_ffffL;
            case 'u':
            case 'w':
                return new String(Character.toChars(((int[]) items)[i]));
            case 'l':
            case 'q':
                return ((long[]) items)[i];
            case 'L':
            case 'Q': {
                long v = ((long[]) items)[i];
                return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
            }
            case 'f':
                return (double) ((float[]) items)[i];
            default:
                return ((double[]) items)[i];
        }
    }
}
