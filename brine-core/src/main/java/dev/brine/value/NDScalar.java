package dev.brine.value;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A numpy scalar such as {@code numpy.float32(1.5)}: its {@link DType} and item bytes, as
 * {@code numpy.core.multiarray.scalar(dtype, bytes)} pickles it, with {@link #value()} the boxed Java value
 * ({@code Boolean}, {@code Long} or {@code BigInteger} for uint64 beyond {@code Long.MAX_VALUE}, {@code Float} for
 * float32, {@code Double} for float16 and float64, {@link PyComplex}, {@link PyBytes}, {@code String}, or a map
 * for a structured item). It keeps the dtype so that it is written back as the same numpy type.
 */
public final class NDScalar implements SharedForm, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final DType dtype;
    private final PyBytes bytes;
    private final Object value;
    private GlobalRef reconstructor;

    private NDScalar(DType dtype, PyBytes bytes, Object value) {
        this.dtype = dtype;
        this.bytes = bytes;
        this.value = value;
    }

    /**
     * The scalar of {@code dtype} held in {@code bytes}.
     *
     * @throws IllegalArgumentException if the size does not match or the dtype is object
     */
    public static NDScalar of(DType dtype, PyBytes bytes) {
        Objects.requireNonNull(dtype, "dtype");
        if (bytes.length() != dtype.itemSize() || dtype.kind() == 'O') {
            throw new IllegalArgumentException("a " + dtype + " scalar needs " + dtype.itemSize() + " bytes, found "
                    + bytes.length());
        }
        ByteOrder bo = dtype.byteOrder();
        ByteBuffer b = bytes.asByteBuffer().slice().order(bo == null ? ByteOrder.LITTLE_ENDIAN : bo);
        Object v = NDArray.fromPickle(dtype, new long[0], NDArray.Order.C, b, "numpy._core",
                NDArray.Form.RECONSTRUCT).get(0);
        return new NDScalar(dtype, bytes, v);
    }

    /** Records the {@code scalar} reference the pickle named, so writing back shares its name strings. */
    public NDScalar withReconstructor(GlobalRef reconstructor) {
        this.reconstructor = reconstructor;
        return this;
    }

    /** The {@code numpy._core.multiarray.scalar} reference the pickle named, or null. */
    public GlobalRef reconstructor() {
        return reconstructor;
    }

    /** The dtype. */
    public DType dtype() {
        return dtype;
    }

    /** The item bytes, in the dtype's byte order. */
    public PyBytes bytes() {
        return bytes;
    }

    /** The value as a boxed Java value. */
    public Object value() {
        return value;
    }

    /** Equal when the dtypes and bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof NDScalar && ((NDScalar) o).dtype.equals(dtype) && ((NDScalar) o).bytes.equals(bytes);
    }

    @Override
    public int hashCode() {
        return bytes.hashCode();
    }

    /** As numpy's repr: {@code numpy.float32(1.5)}, roughly. */
    @Override
    public String toString() {
        return "numpy." + dtype.str() + "(" + value + ")";
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
}
