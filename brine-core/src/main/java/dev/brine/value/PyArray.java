package dev.brine.value;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Python {@code array.array}: its typecode and its items in a Java primitive array of the same width.
 *
 * <table>
 *   <caption>Typecodes and their Java arrays</caption>
 *   <tr><th>typecode</th><th>C type</th><th>Java array</th></tr>
 *   <tr><td>{@code b}, {@code B}</td><td>signed, unsigned char</td><td>{@code byte[]}</td></tr>
 *   <tr><td>{@code h}, {@code H}</td><td>signed, unsigned short</td><td>{@code short[]}</td></tr>
 *   <tr><td>{@code i}, {@code I}</td><td>signed, unsigned int</td><td>{@code int[]}</td></tr>
 *   <tr><td>{@code l}, {@code L}, {@code q}, {@code Q}</td><td>(unsigned) long (64-bit, as on Linux and
 *       macOS), long long</td><td>{@code long[]}</td></tr>
 *   <tr><td>{@code f}, {@code d}</td><td>float, double</td><td>{@code float[]}, {@code double[]}</td></tr>
 *   <tr><td>{@code u}, {@code w}</td><td>wchar_t (4 bytes on Linux), Py_UCS4</td><td>{@code int[]} of code
 *       points</td></tr>
 * </table>
 * Unsigned typecodes keep their bits in the signed Java type of the same width, as Java itself does: read them
 * with {@link Byte#toUnsignedInt}, {@link Short#toUnsignedInt}, {@link Integer#toUnsignedLong} or
 * {@link Long#toUnsignedString(long)}.
 *
 * <p>The array is the one the reader filled and is not copied: changes to it show in this value.
 */
public final class PyArray implements SharedForm, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** The Python class. */
    public static final GlobalRef CLASS = new GlobalRef("array", "array");

    private final char typecode;
    private final Object items;
    private GlobalRef pythonClass;
    private GlobalRef reconstructor;

    private PyArray(char typecode, Object items) {
        this.typecode = typecode;
        this.items = items;
    }

    /**
     * An array of the given typecode over {@code items}, a primitive array of the type the typecode needs.
     *
     * @throws IllegalArgumentException for an unknown typecode or an array of the wrong type
     */
    public static PyArray of(char typecode, Object items) {
        Objects.requireNonNull(items, "items");
        Class<?> need = javaType(typecode);
        if (need == null) {
            throw new IllegalArgumentException("unknown array typecode '" + typecode + "'");
        }
        if (items.getClass() != need) {
            throw new IllegalArgumentException("typecode '" + typecode + "' needs a " + need.getSimpleName()
                    + ", not a " + items.getClass().getSimpleName());
        }
        return new PyArray(typecode, items);
    }

    /** The Java array type holding items of a typecode, or null for an unknown typecode. */
    public static Class<?> javaType(char typecode) {
        switch (typecode) {
            case 'b':
            case 'B':
                return byte[].class;
            case 'h':
            case 'H':
                return short[].class;
            case 'i':
            case 'I':
            case 'u':
            case 'w':
                return int[].class;
            case 'l':
            case 'L':
            case 'q':
            case 'Q':
                return long[].class;
            case 'f':
                return float[].class;
            case 'd':
                return double[].class;
            default:
                return null;
        }
    }

    /**
     * Records the references the pickle named ({@code array.array}, and {@code array._array_reconstructor} or null
     * below protocol 3), so that writing this value back shares the same name strings as the pickle did.
     */
    public PyArray withPickleNames(GlobalRef pythonClass, GlobalRef reconstructor) {
        if (!CLASS.equals(pythonClass)) {
            throw new IllegalArgumentException("not " + CLASS + ": " + pythonClass);
        }
        this.pythonClass = pythonClass;
        this.reconstructor = reconstructor;
        return this;
    }

    /** The {@code array.array} reference the pickle named, or null for an array made in Java. */
    public GlobalRef pythonClass() {
        return pythonClass;
    }

    /** The {@code array._array_reconstructor} reference the pickle named, or null. */
    public GlobalRef reconstructor() {
        return reconstructor;
    }

    /** The typecode, such as {@code 'd'}. */
    public char typecode() {
        return typecode;
    }

    /** The items: a {@code byte[]}, {@code short[]}, {@code int[]}, {@code long[]}, {@code float[]} or
     *  {@code double[]}, by typecode. Not a copy. */
    public Object items() {
        return items;
    }

    /** The number of items. */
    public int length() {
        return java.lang.reflect.Array.getLength(items);
    }

    /** The items of a {@code 'b'} or {@code 'B'} array. */
    public byte[] bytes() {
        return as(byte[].class);
    }

    /** The items of an {@code 'h'} or {@code 'H'} array. */
    public short[] shorts() {
        return as(short[].class);
    }

    /** The items of an {@code 'i'}, {@code 'I'}, {@code 'u'} or {@code 'w'} array. */
    public int[] ints() {
        return as(int[].class);
    }

    /** The items of an {@code 'l'}, {@code 'L'}, {@code 'q'} or {@code 'Q'} array. */
    public long[] longs() {
        return as(long[].class);
    }

    /** The items of an {@code 'f'} array. */
    public float[] floats() {
        return as(float[].class);
    }

    /** The items of a {@code 'd'} array. */
    public double[] doubles() {
        return as(double[].class);
    }

    private <T> T as(Class<T> type) {
        if (items.getClass() != type) {
            throw new IllegalStateException("array('" + typecode + "') holds a " + items.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(items);
    }

    /** Equal when the typecodes and items are equal, as Python compares arrays of one typecode. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PyArray)) {
            return false;
        }
        PyArray a = (PyArray) o;
        return typecode == a.typecode && Arrays.deepEquals(new Object[] {items}, new Object[] {a.items});
    }

    @Override
    public int hashCode() {
        return typecode * 31 + Arrays.deepHashCode(new Object[] {items});
    }

    /** As Python's repr for short arrays: {@code array('d', [1.0, 2.0])}. */
    @Override
    public String toString() {
        String s = Arrays.deepToString(new Object[] {items});
        s = s.substring(1, s.length() - 1);
        if (s.length() > 200) {
            s = s.substring(0, 200) + "...]";
        }
        return "array('" + typecode + "', " + s + ")";
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
