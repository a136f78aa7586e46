package dev.brine.value;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Python {@code bytes}: an immutable byte string with value equality, so it works as a {@link java.util.Map}
 * key the way Python code uses bytes as dict keys.
 *
 * <p>A {@code PyBytes} may be a view of part of a larger array (for example the input of
 * {@link dev.brine.Unpickler#loads(byte[])}), so reading a large bytes object does not copy it twice.
 * {@link #toByteArray()} always hands out a fresh copy; {@link #asByteBuffer()} a read-only view.
 */
public final class PyBytes implements Comparable<PyBytes>, SharedForm, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private static final PyBytes EMPTY = new PyBytes(new byte[0], 0, 0);

    private final byte[] array;
    private final int offset;
    private final int length;
    private int hash;

    private PyBytes(byte[] array, int offset, int length) {
        this.array = array;
        this.offset = offset;
        this.length = length;
    }

    /** A bytes object holding a copy of {@code bytes}. */
    public static PyBytes of(byte... bytes) {
        return bytes.length == 0 ? EMPTY : new PyBytes(bytes.clone(), 0, bytes.length);
    }

    /**
     * A bytes object that shares {@code array} without copying it. The caller must not change those bytes
     * afterwards, or the value changes under everyone who holds it.
     */
    public static PyBytes wrap(byte[] array) {
        return wrap(array, 0, array.length);
    }

    /** As {@link #wrap(byte[])}, for {@code length} bytes from {@code offset}. */
    public static PyBytes wrap(byte[] array, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, array.length);
        return length == 0 ? EMPTY : new PyBytes(array, offset, length);
    }

    /** The number of bytes. */
    public int length() {
        return length;
    }

    /** The byte at {@code index}, 0 to 255. */
    public int get(int index) {
        Objects.checkIndex(index, length);
        return array[offset + index] & 0xff;
    }

    /** A fresh copy of the bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(array, offset, offset + length);
    }

    /** A read-only view of the bytes, without copying. */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(array, offset, length).slice().asReadOnlyBuffer();
    }

    /** Copies the bytes into {@code dest} at {@code destOffset}. */
    public void copyTo(byte[] dest, int destOffset) {
        System.arraycopy(array, offset, dest, destOffset, length);
    }

    /**
     * Writes the bytes to {@code out} straight from the array they are kept in, without a copy. As
     * {@link OutputStream#write(byte[], int, int)} expects, {@code out} must not change the array it is handed.
     *
     * @throws IOException if {@code out} does
     */
    public void writeTo(OutputStream out) throws IOException {
        out.write(array, offset, length);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PyBytes)) {
            return false;
        }
        PyBytes b = (PyBytes) o;
        return Arrays.equals(array, offset, offset + length, b.array, b.offset, b.offset + b.length);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0 && length > 0) {
            h = 1;
            for (int i = offset, end = offset + length; i < end; i++) {
                h = 31 * h + array[i];
            }
            hash = h;
        }
        return h;
    }

    /** Unsigned lexicographic order, as Python compares bytes. */
    @Override
    public int compareTo(PyBytes o) {
        return Arrays.compareUnsigned(array, offset, offset + length, o.array, o.offset, o.offset + o.length);
    }

    /** As Python's {@code repr}: {@code b'abc\x00'}. */
    @Override
    public String toString() {
        return dev.brine.internal.format.PyRepr.bytesRepr(array, offset, length);
    }

    /** The call this value was read from, kept so a rewrite shares its objects as the pickle did; or null. */
    private PyObject readForm;

    @Override
    public PyObject readForm() {
        return readForm;
    }

    @Override
    public void keepReadForm(PyObject form) {
        if (readForm == null && this != EMPTY) {
            readForm = form;
        }
    }

    /**
     * Serialized as its own bytes only, never the larger array it may be a view of, and with the call it was read
     * from, so a deserialized value writes the same pickle.
     */
    private Object writeReplace() {
        return new Serial(toByteArray(), readForm);
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
        throw new java.io.InvalidObjectException("PyBytes is deserialized through its serial form");
    }

    private static final class Serial implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;
        private final PyObject readForm;

        Serial(byte[] bytes, PyObject readForm) {
            this.bytes = bytes;
            this.readForm = readForm;
        }

        private Object readResolve() {
            PyBytes b = bytes.length == 0 ? EMPTY : new PyBytes(bytes, 0, bytes.length);
            if (readForm != null) {
                b.keepReadForm(readForm);
            }
            return b;
        }
    }
}
