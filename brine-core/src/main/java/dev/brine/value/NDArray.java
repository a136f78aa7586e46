package dev.brine.value;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A numpy {@code ndarray}: shape, {@link DType}, memory order and the raw item bytes, read without copying them.
 *
 * <p>{@link #buffer()} is a read-only view of the bytes as the pickle held them, in the dtype's byte order.
 * Typed access ({@link #getDouble}, {@link #toDoubleArray()} and the others) takes items by their index in C
 * (row-major) order whatever the memory order, converting between byte orders and widening as Java needs:
 * ints of every width to {@code long}, floats (including float16) to {@code double}, complex to
 * {@link PyComplex}, datetime64 and timedelta64 to their {@code long} count of {@link DType#datetimeUnit()},
 * {@code S} to {@link PyBytes} and {@code U} to {@code String} (trailing NULs removed, as numpy does), and a
 * structured item to a map from field name to value.
 *
 * <p>Object arrays are not NDArrays: they stay inert {@link PyObject} nodes, as their items are arbitrary objects.
 *
 * <pre>{@code
 * NDArray a = (NDArray) Pickle.loads(bytes);
 * double[] values = a.toDoubleArray();   // C order
 * long[] shape = a.shape();
 * }</pre>
 */
public final class NDArray implements SharedForm, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** The memory layout of the items. */
    public enum Order {
        /** Row-major: the last index varies fastest. */
        C,
        /** Column-major: the first index varies fastest. */
        F
    }

    /** How numpy pickled an array: which affects only how it is written back. */
    public enum Form {
        /** {@code _reconstruct(ndarray, (0,), b'b')} plus a state tuple: every protocol. */
        RECONSTRUCT,
        /** {@code numeric._frombuffer(PickleBuffer, dtype, shape, order)}: protocol 5. */
        FROMBUFFER
    }

    private final DType dtype;
    private final long[] shape;
    private final Order order;
    private final ByteBuffer data;
    private final Object source;
    private final String numpyCore;
    private final Form form;
    private GlobalRef reconstructor;
    private GlobalRef ndarrayClass;

    private NDArray(DType dtype, long[] shape, Order order, ByteBuffer data, Object source, String numpyCore,
                    Form form) {
        this.dtype = dtype;
        this.shape = shape;
        this.order = order;
        this.data = data;
        this.source = source;
        this.numpyCore = numpyCore;
        this.form = form;
    }

    /**
     * An array over {@code data} (a {@link PyBytes}, {@link PyByteArray}, {@code byte[]} or {@link ByteBuffer}, not copied) as a pickle
     * describes it. {@code numpyCore} is the package that named the reconstructor: {@code "numpy._core"} (numpy 2)
     * or {@code "numpy.core"} (numpy 1).
     *
     * @throws IllegalArgumentException if the data does not hold exactly shape × itemsize bytes
     */
    public static NDArray fromPickle(DType dtype, long[] shape, Order order, Object data, String numpyCore,
                                     Form form) {
        ByteBuffer bytes;
        if (data instanceof PyBytes) {
            bytes = ((PyBytes) data).asByteBuffer();
        } else if (data instanceof byte[]) {
            bytes = ByteBuffer.wrap((byte[]) data);
        } else if (data instanceof PyByteArray) {
            bytes = ByteBuffer.wrap(((PyByteArray) data).array());
        } else if (data instanceof ByteBuffer) {
            bytes = ((ByteBuffer) data).slice();
        } else {
            throw new IllegalArgumentException("array data must be bytes or a buffer, not " + data);
        }
        bytes = bytes.slice();
        long n = count(shape);
        if (n < 0 || Math.multiplyHigh(n, dtype.itemSize()) != 0 || n * dtype.itemSize() != bytes.remaining()) {
            throw new IllegalArgumentException("array of shape " + Arrays.toString(shape) + " and " + dtype
                    + " needs " + (n < 0 ? "?" : n * dtype.itemSize()) + " bytes, found " + bytes.remaining());
        }
        return new NDArray(dtype, shape.clone(), order, bytes, data, numpyCore, form);
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    /** An array of {@code double} ({@code <f8}) in C order; {@code data} is copied. */
    public static NDArray of(double[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 8, shape);
        b.asDoubleBuffer().put(data);
        return ofJava(DType.of("<f8"), shape, b);
    }

    /** An array of {@code float} ({@code <f4}) in C order; {@code data} is copied. */
    public static NDArray of(float[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 4, shape);
        b.asFloatBuffer().put(data);
        return ofJava(DType.of("<f4"), shape, b);
    }

    /** An array of {@code long} ({@code <i8}) in C order; {@code data} is copied. */
    public static NDArray of(long[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 8, shape);
        b.asLongBuffer().put(data);
        return ofJava(DType.of("<i8"), shape, b);
    }

    /** An array of {@code int} ({@code <i4}) in C order; {@code data} is copied. */
    public static NDArray of(int[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 4, shape);
        b.asIntBuffer().put(data);
        return ofJava(DType.of("<i4"), shape, b);
    }

    /** An array of {@code short} ({@code <i2}) in C order; {@code data} is copied. */
    public static NDArray of(short[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 2, shape);
        b.asShortBuffer().put(data);
        return ofJava(DType.of("<i2"), shape, b);
    }

    /** An array of {@code byte} ({@code |i1}) in C order; {@code data} is copied. */
    public static NDArray of(byte[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 1, shape);
        b.put(data).flip();
        return ofJava(DType.of("|i1"), shape, b);
    }

    /** An array of {@code bool} ({@code |b1}) in C order. */
    public static NDArray of(boolean[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 1, shape);
        for (boolean x : data) {
            b.put((byte) (x ? 1 : 0));
        }
        b.flip();
        return ofJava(DType.of("|b1"), shape, b);
    }

    /**
     * An array over {@code data} (not copied) with any dtype, shape and order; the buffer holds the items in the
     * dtype's byte order.
     */
    public static NDArray wrap(DType dtype, ByteBuffer data, Order order, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(order, "order");
        return fromPickle(dtype, shape, order, data, "numpy._core", Form.FROMBUFFER);
    }

    private static ByteBuffer allocate(int length, int width, long[] shape) {
        long[] s = shape.length == 0 ? new long[] {length} : shape;
        if (count(s) != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " does not hold " + length + " items");
        }
        return ByteBuffer.allocate(length * width).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static NDArray ofJava(DType dtype, long[] shape, ByteBuffer b) {
        long[] s = shape.length == 0 ? new long[] {b.capacity() / Math.max(1, dtype.itemSize())} : shape;
        b.clear();
        return new NDArray(dtype, s.clone(), Order.C, b, b, "numpy._core", Form.FROMBUFFER);
    }

    /**
     * This array (the same data, not copied) written with the names of {@code numpyCore}: {@code "numpy.core"} for
     * a pickle that numpy 1.x loads (numpy 2 loads it too, through its compatibility aliases), or
     * {@code "numpy._core"}, what numpy 2 writes and the default for arrays made in Java.
     *
     * @throws IllegalArgumentException if {@code numpyCore} is neither
     */
    public NDArray withNumpyCore(String numpyCore) {
        if (!"numpy.core".equals(numpyCore) && !"numpy._core".equals(numpyCore)) {
            throw new IllegalArgumentException("numpyCore is \"numpy.core\" or \"numpy._core\", not " + numpyCore);
        }
        return numpyCore.equals(this.numpyCore) ? this
                : new NDArray(dtype, shape, order, data, source, numpyCore, form);
    }

    /**
     * Records the references the pickle named (the reconstructor or {@code _frombuffer}, and {@code numpy.ndarray}
     * or null), so that writing this value back shares the same name strings as the pickle did.
     */
    public NDArray withPickleNames(GlobalRef reconstructor, GlobalRef ndarrayClass) {
        this.reconstructor = reconstructor;
        this.ndarrayClass = ndarrayClass;
        return this;
    }

    /** The reconstructor reference the pickle named, or null for an array made in Java. */
    public GlobalRef reconstructor() {
        return reconstructor;
    }

    /** The {@code numpy.ndarray} reference the pickle named, or null. */
    public GlobalRef ndarrayClass() {
        return ndarrayClass;
    }

    /** The dtype. */
    public DType dtype() {
        return dtype;
    }

    /** The shape; empty for a 0-d array. A copy. */
    public long[] shape() {
        return shape.clone();
    }

    /** The number of dimensions. */
    public int ndim() {
        return shape.length;
    }

    /** The number of items (1 for a 0-d array). */
    public long size() {
        return count(shape);
    }

    /** The memory order of the items. */
    public Order order() {
        return order;
    }

    /** How numpy pickled it (so the writer writes it back the same way). */
    public Form form() {
        return form;
    }

    /** {@code "numpy._core"} or {@code "numpy.core"}: the package that named the reconstructor. */
    public String numpyCore() {
        return numpyCore;
    }

    /** The object the bytes came from: {@link PyBytes} (read-only), {@link PyByteArray} or {@code byte[]} (writable) or a ByteBuffer. */
    public Object source() {
        return source;
    }

    /** The raw item bytes, in memory order and the dtype's byte order: a read-only view, not a copy. */
    public ByteBuffer buffer() {
        ByteOrder bo = dtype.byteOrder();
        return data.asReadOnlyBuffer().order(bo == null ? ByteOrder.LITTLE_ENDIAN : bo);
    }

    /** The byte offset of the item at C-order index {@code index}. */
    private int offset(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + " out of range for " + size() + " items");
        }
        if (order == Order.C || shape.length < 2) {
            return (int) (index * dtype.itemSize());
        }
        // Fortran order: split the C-order index into coordinates, then weigh them first-fastest.
        long rem = index;
        long[] coord = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            coord[d] = rem % shape[d];
            rem /= shape[d];
        }
        long off = 0;
        long stride = 1;
        for (int d = 0; d < shape.length; d++) {
            off += coord[d] * stride;
            stride *= shape[d];
        }
        return (int) (off * dtype.itemSize());
    }

    private ByteBuffer ordered() {
        ByteOrder bo = dtype.byteOrder();
        return data.duplicate().order(bo == null ? ByteOrder.LITTLE_ENDIAN : bo);
    }

    /** The item at C-order {@code index} as a Java value (see the class description). */
    public Object get(long index) {
        return item(dtype, ordered(), offset(index));
    }

    /** The item at C-order {@code index} as a double: bool, int, uint and float dtypes. */
    public double getDouble(long index) {
        return number(dtype, ordered(), offset(index), true).doubleValue();
    }

    /** The item at C-order {@code index} as a long: bool, int, uint (bits kept), datetime64, timedelta64. */
    public long getLong(long index) {
        return number(dtype, ordered(), offset(index), false).longValue();
    }

    /** Every item as a double, C order. */
    public double[] toDoubleArray() {
        int n = checkedSize();
        double[] out = new double[n];
        ByteBuffer b = ordered();
        if (order == Order.C && dtype.kind() == 'f' && dtype.itemSize() == 8) {
            b.asDoubleBuffer().get(out);
            return out;
        }
        for (int i = 0; i < n; i++) {
            out[i] = number(dtype, b, offset(i), true).doubleValue();
        }
        return out;
    }

    /** Every item as a float, C order; float32 only. */
    public float[] toFloatArray() {
        requireKind("f", 4);
        int n = checkedSize();
        float[] out = new float[n];
        ByteBuffer b = ordered();
        for (int i = 0; i < n; i++) {
            out[i] = b.getFloat(offset(i));
        }
        return out;
    }

    /** Every item as a long, C order (ints, uints, bools, datetime64, timedelta64). */
    public long[] toLongArray() {
        int n = checkedSize();
        long[] out = new long[n];
        ByteBuffer b = ordered();
        if (order == Order.C && "iumM".indexOf(dtype.kind()) >= 0 && dtype.itemSize() == 8) {
            b.asLongBuffer().get(out);
            return out;
        }
        for (int i = 0; i < n; i++) {
            out[i] = number(dtype, b, offset(i), false).longValue();
        }
        return out;
    }

    /** Every item as an int, C order; 4-byte ints only. */
    public int[] toIntArray() {
        requireKind("iu", 4);
        int n = checkedSize();
        int[] out = new int[n];
        ByteBuffer b = ordered();
        for (int i = 0; i < n; i++) {
            out[i] = b.getInt(offset(i));
        }
        return out;
    }

    /** Every item as a short, C order; 2-byte ints only. */
    public short[] toShortArray() {
        requireKind("iu", 2);
        int n = checkedSize();
        short[] out = new short[n];
        ByteBuffer b = ordered();
        for (int i = 0; i < n; i++) {
            out[i] = b.getShort(offset(i));
        }
        return out;
    }

    /** Every item as a byte, C order; 1-byte ints and bools only. */
    public byte[] toByteArray() {
        requireKind("iub", 1);
        int n = checkedSize();
        byte[] out = new byte[n];
        ByteBuffer b = ordered();
        for (int i = 0; i < n; i++) {
            out[i] = b.get(offset(i));
        }
        return out;
    }

    /** Every item as a boolean, C order; bool only. */
    public boolean[] toBooleanArray() {
        requireKind("b", 1);
        int n = checkedSize();
        boolean[] out = new boolean[n];
        ByteBuffer b = ordered();
        for (int i = 0; i < n; i++) {
            out[i] = b.get(offset(i)) != 0;
        }
        return out;
    }

    /** Every item as a Java value (see {@link #get}), C order. */
    public Object[] toObjectArray() {
        int n = checkedSize();
        Object[] out = new Object[n];
        ByteBuffer b = ordered();
        for (int i = 0; i < n; i++) {
            out[i] = item(dtype, b, offset(i));
        }
        return out;
    }

    private void requireKind(String kinds, int size) {
        if (kinds.indexOf(dtype.kind()) < 0 || dtype.itemSize() != size) {
            throw new IllegalStateException("this array's dtype is " + dtype);
        }
    }

    private int checkedSize() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("too many items for a Java array: " + n);
        }
        return (int) n;
    }

    private static Number number(DType t, ByteBuffer b, int at, boolean floating) {
        int size = t.itemSize();
        switch (t.kind()) {
            case 'b':
                return b.get(at) != 0 ? 1L : 0L;
            case 'i':
            case 'M':
            case 'm':
                return size == 1 ? (long) b.get(at) : size == 2 ? (long) b.getShort(at)
                        : size == 4 ? (long) b.getInt(at) : size == 8 ? (Number) b.getLong(at) : unsupported(t);
            case 'u':
                if (size == 8 && floating) {
                    long v = b.getLong(at);
                    return v >= 0 ? (double) v : (double) (v >>> 1) * 2.0 + (v & 1);
                }
                return size == 1 ? (long) (b.get(at) & 0xff) : size == 2 ? (long) (b.getShort(at) & 0xffff)
                        : size == 4 ? (long) b.getInt(at) & 0xffff_ffffL : size == 8 ? (Number) b.getLong(at)
                        : unsupported(t);
            case 'f':
                if (!floating) {
                    throw new IllegalStateException("this array's dtype is " + t + "; read it as double");
                }
                return size == 2 ? (double) halfToFloat(b.getShort(at)) : size == 4 ? (double) b.getFloat(at)
                        : size == 8 ? (Number) b.getDouble(at) : unsupported(t);
            default:
                return unsupported(t);
        }
    }

    private static Number unsupported(DType t) {
        throw new IllegalStateException("no numeric Java view of dtype " + t);
    }

    private static Object item(DType t, ByteBuffer b, int at) {
        switch (t.kind()) {
            case 'b':
                return b.get(at) != 0;
            case 'i':
            case 'M':
            case 'm':
                return number(t, b, at, false);
            case 'u':
                if (t.itemSize() == 8 && b.getLong(at) < 0) {
                    return new java.math.BigInteger(Long.toUnsignedString(b.getLong(at)));
                }
                return number(t, b, at, false);
            case 'f':
                return t.itemSize() == 4 ? (Object) b.getFloat(at) : number(t, b, at, true);
            case 'c':
                if (t.itemSize() == 8) {
                    return new PyComplex(b.getFloat(at), b.getFloat(at + 4));
                }
                if (t.itemSize() == 16) {
                    return new PyComplex(b.getDouble(at), b.getDouble(at + 8));
                }
                return unsupported(t);
            case 'S': {
                int n = t.itemSize();
                while (n > 0 && b.get(at + n - 1) == 0) {
                    n--;
                }
                byte[] out = new byte[n];
                b.duplicate().position(at).get(out, 0, n);
                return PyBytes.wrap(out);
            }
            case 'U': {
                int chars = t.itemSize() / 4;
                while (chars > 0 && b.getInt(at + 4 * (chars - 1)) == 0) {
                    chars--;
                }
                StringBuilder s = new StringBuilder(chars);
                for (int i = 0; i < chars; i++) {
                    s.appendCodePoint(b.getInt(at + 4 * i));
                }
                return s.toString();
            }
            case 'V': {
                if (!t.isStructured()) {
                    byte[] out = new byte[t.itemSize()];
                    b.duplicate().position(at).get(out);
                    return PyBytes.wrap(out);
                }
                Map<String, Object> record = new LinkedHashMap<>();
                for (DType.Field f : t.fields().values()) {
                    DType ft = f.dtype();
                    ByteOrder bo = ft.byteOrder();
                    ByteBuffer fb = b.duplicate().order(bo == null ? ByteOrder.LITTLE_ENDIAN : bo);
                    record.put(f.name(), ft.subarrayBase() != null ? subarray(ft, fb, at + (int) f.offset())
                            : item(ft, fb, at + (int) f.offset()));
                }
                return record;
            }
            default:
                return unsupported(t);
        }
    }

    private static Object subarray(DType t, ByteBuffer b, int at) {
        DType base = t.subarrayBase();
        int n = t.itemSize() / Math.max(1, base.itemSize());
        Object[] items = new Object[n];
        for (int i = 0; i < n; i++) {
            items[i] = item(base, b, at + i * base.itemSize());
        }
        return Arrays.asList(items);
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat arrived only in Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f80_0000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant / 1024f / 16384f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Equal when dtype, shape and every item's bytes (in C order) are equal. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NDArray)) {
            return false;
        }
        NDArray a = (NDArray) o;
        if (!a.dtype.equals(dtype) || !Arrays.equals(a.shape, shape)) {
            return false;
        }
        if (a.order == order) {
            return a.data.duplicate().equals(data.duplicate());
        }
        int size = dtype.itemSize();
        for (long i = 0; i < size(); i++) {
            int x = offset(i);
            int y = a.offset(i);
            for (int k = 0; k < size; k++) {
                if (data.get(x + k) != a.data.get(y + k)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return dtype.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "NDArray[" + dtype + ", shape=" + Arrays.toString(shape) + ", order=" + order + "]";
    }

    /** The call this value was read from, kept so a rewrite shares its objects as the pickle did; or null. */
    private PyObject readForm;

    @Override
    public PyObject readForm() {
        return readForm;
    }

    @Override
    public void keepReadForm(PyObject form) {
        if (readForm == null) {
            readForm = form;
        }
    }

    /**
     * Serialized as its parts: the data as bytes (a {@link ByteBuffer} is not serializable), with whether it was a
     * read-only buffer, and the names and call it was read with, so a deserialized array writes the same pickle.
     */
    private Object writeReplace() {
        return new Serial(this);
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
        throw new java.io.InvalidObjectException("NDArray is deserialized through its serial form");
    }

    private static final class Serial implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final DType dtype;
        private final long[] shape;
        private final Order order;
        /** The source when it is serializable (PyBytes, PyByteArray, byte[]), else null. */
        private final Object source;
        /** A buffer source's bytes, from its position to its limit; else null. */
        private final byte[] buffer;
        private final boolean readOnly;
        private final String numpyCore;
        private final Form form;
        private final GlobalRef reconstructor;
        private final GlobalRef ndarrayClass;
        private final PyObject readForm;

        Serial(NDArray a) {
            dtype = a.dtype;
            shape = a.shape;
            order = a.order;
            if (a.source instanceof ByteBuffer) {
                ByteBuffer b = ((ByteBuffer) a.source).duplicate();
                buffer = new byte[b.remaining()];
                b.get(buffer);
                readOnly = b.isReadOnly();
                source = null;
            } else {
                buffer = null;
                readOnly = false;
                source = a.source;
            }
            numpyCore = a.numpyCore;
            form = a.form;
            reconstructor = a.reconstructor;
            ndarrayClass = a.ndarrayClass;
            readForm = a.readForm;
        }

        private Object readResolve() throws java.io.ObjectStreamException {
            Object data = source;
            if (buffer != null) {
                ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
                data = readOnly ? b.asReadOnlyBuffer() : b;
            }
            try {
                NDArray a = fromPickle(dtype, shape, order, data, numpyCore, form);
                a.withPickleNames(reconstructor, ndarrayClass);
                if (readForm != null) {
                    a.keepReadForm(readForm);
                }
                return a;
            } catch (IllegalArgumentException | NullPointerException e) {
                java.io.InvalidObjectException x =
                        new java.io.InvalidObjectException("not an array: " + e.getMessage());
                x.initCause(e);
                throw x;
            }
        }
    }
}
