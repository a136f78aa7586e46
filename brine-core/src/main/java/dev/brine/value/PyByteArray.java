package dev.brine.value;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Python {@code bytearray}: a mutable byte string. It exists so that a {@code bytearray} read from a pickle is
 * written back as a {@code bytearray}, while a plain Java {@code byte[]} is written as {@code bytes}, the type
 * Python code usually expects for binary data.
 *
 * <p>It wraps its array without copying: {@link #array()} is the live content. Equality compares content, as
 * Python's {@code ==} does; like any mutable value it should not be used as a map key while it changes.
 */
public final class PyByteArray implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final byte[] array;

    private PyByteArray(byte[] array) {
        this.array = Objects.requireNonNull(array, "array");
    }

    /** A bytearray that uses {@code array} as its content, without copying. */
    public static PyByteArray wrap(byte[] array) {
        return new PyByteArray(array);
    }

    /** A bytearray holding a copy of {@code bytes}. */
    public static PyByteArray of(byte... bytes) {
        return new PyByteArray(bytes.clone());
    }

    /** The content itself, not a copy: changes to it change this bytearray. */
    public byte[] array() {
        return array;
    }

    /** The number of bytes. */
    public int length() {
        return array.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyByteArray && Arrays.equals(array, ((PyByteArray) o).array);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(array);
    }

    /** As Python's {@code repr}: {@code bytearray(b'abc')}. */
    @Override
    public String toString() {
        return "bytearray(" + PyBytes.wrap(array) + ")";
    }
}
