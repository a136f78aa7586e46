package dev.brine.internal.types;

import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.NDScalar;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * numpy arrays, dtypes and scalars, as numpy 1.x ({@code numpy.core}) and 2.x ({@code numpy._core}) pickle them.
 * Nothing of numpy is run: the forms are read as data.
 * <ul>
 *   <li>dtype: {@code numpy.dtype(code, False, True)}, then BUILD with the state of {@code arraydescr_setstate};</li>
 *   <li>ndarray: {@code multiarray._reconstruct(numpy.ndarray, (0,), b'b')}, then BUILD with
 *       {@code (1, shape, dtype, is_fortran, rawdata)} ({@code array_setstate}); an object array's rawdata is a
 *       list, and it stays inert;</li>
 *   <li>ndarray at protocol 5: {@code numeric._frombuffer(buffer, dtype, shape, order)}, the buffer in band or out
 *       of band;</li>
 *   <li>scalar: {@code multiarray.scalar(dtype, bytes)}.</li>
 * </ul>
 */
final class NumpyModule {
    static final String CORE2 = "numpy._core";
    static final String CORE1 = "numpy.core";
    /** numpy shares one module-name string between ndarray and dtype, so these two share the literal. */
    static final GlobalRef NDARRAY = new GlobalRef("numpy", "ndarray");
    static final GlobalRef DTYPE = new GlobalRef("numpy", "dtype");

    private NumpyModule() {
    }

    static GlobalRef reconstruct(String core) {
        return new GlobalRef(core + ".multiarray", "_reconstruct");
    }

    static GlobalRef scalar(String core) {
        return new GlobalRef(core + ".multiarray", "scalar");
    }

    static GlobalRef frombuffer(String core) {
        return new GlobalRef(core + ".numeric", "_frombuffer");
    }

    /** dtype BUILD: the finished {@link DType}, or NOT_HANDLED. */
    static Object dtype(PyObject target, Object state) {
        if (target.kind() != PyObject.Kind.REDUCE || !(state instanceof PyTuple)) {
            return KnownGlobals.NOT_HANDLED;
        }
        try {
            DType t = DType.fromPickle(target.args(), (PyTuple) state);
            return t.kind() == 'O' ? KnownGlobals.NOT_HANDLED : t.withPythonClass(target.global());
        } catch (IllegalArgumentException e) {
            return KnownGlobals.NOT_HANDLED;
        }
    }

    /** _reconstruct BUILD: the finished {@link NDArray}, or NOT_HANDLED (object arrays, subclasses, odd shapes). */
    static Object ndarray(PyObject target, Object state, String core) {
        PyTuple a = target.args();
        if (target.kind() != PyObject.Kind.REDUCE || a.size() != 3 || !NDARRAY.equals(a.get(0))
                || !(state instanceof PyTuple)) {
            return KnownGlobals.NOT_HANDLED;
        }
        PyTuple s = (PyTuple) state;
        // array_setstate accepts (shape, dtype, is_fortran, rawdata) and (version, shape, ...).
        if (s.size() == 5) {
            s = PyTuple.of(s.get(1), s.get(2), s.get(3), s.get(4));
        }
        if (s.size() != 4 || !(s.get(1) instanceof DType) || !(s.get(2) instanceof Boolean)) {
            return KnownGlobals.NOT_HANDLED;
        }
        long[] shape = shape(s.get(0));
        Object raw = s.get(3);
        if (raw instanceof String) {
            // A Python 2 str read as text: its latin-1 code points are the bytes.
            raw = latin1((String) raw);
        }
        if (shape == null || !(raw instanceof PyBytes)) {
            return KnownGlobals.NOT_HANDLED;
        }
        try {
            return NDArray.fromPickle((DType) s.get(1), shape, (Boolean) s.get(2) ? NDArray.Order.F : NDArray.Order.C,
                    raw, core, NDArray.Form.RECONSTRUCT).withPickleNames(target.global(), (GlobalRef) a.get(0));
        } catch (IllegalArgumentException e) {
            return KnownGlobals.NOT_HANDLED;
        }
    }

    /** _frombuffer(buffer, dtype, shape, order) of protocol 5. */
    static Object fromBuffer(GlobalRef ref, PyTuple a, String core) {
        if (a.size() != 4 || !(a.get(1) instanceof DType) || !("C".equals(a.get(3)) || "F".equals(a.get(3)))) {
            return KnownGlobals.NOT_HANDLED;
        }
        Object buffer = a.get(0);
        long[] shape = shape(a.get(2));
        if (shape == null || !(buffer instanceof PyBytes || buffer instanceof PyByteArray || buffer instanceof byte[]
                || buffer instanceof ByteBuffer)) {
            return KnownGlobals.NOT_HANDLED;
        }
        try {
            return NDArray.fromPickle((DType) a.get(1), shape, "F".equals(a.get(3)) ? NDArray.Order.F
                    : NDArray.Order.C, buffer, core, NDArray.Form.FROMBUFFER).withPickleNames(ref, null);
        } catch (IllegalArgumentException e) {
            return KnownGlobals.NOT_HANDLED;
        }
    }

    /** scalar(dtype, bytes). */
    static Object scalar(GlobalRef ref, PyTuple a) {
        if (a.size() != 2 || !(a.get(0) instanceof DType)) {
            return KnownGlobals.NOT_HANDLED;
        }
        Object raw = a.get(1) instanceof String ? latin1((String) a.get(1)) : a.get(1);
        if (!(raw instanceof PyBytes)) {
            return KnownGlobals.NOT_HANDLED;
        }
        try {
            return NDScalar.of((DType) a.get(0), (PyBytes) raw).withReconstructor(ref);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return KnownGlobals.NOT_HANDLED;
        }
    }

    private static long[] shape(Object o) {
        if (!(o instanceof PyTuple)) {
            return null;
        }
        PyTuple t = (PyTuple) o;
        long[] s = new long[t.size()];
        for (int i = 0; i < s.length; i++) {
            if (!(t.get(i) instanceof Long) || (Long) t.get(i) < 0) {
                return null;
            }
            s[i] = (Long) t.get(i);
        }
        return s;
    }

    private static Object latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return null;
            }
        }
        return PyBytes.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    // ---- The write side: numpy's values as numpy's own __reduce_ex__ gives them ----

    /** A {@link DType}, {@link NDScalar} or {@link NDArray} as the call numpy pickles it as. */
    static Object fromJava(Object value, int protocol) {
        if (value instanceof DType) {
            DType t = (DType) value;
            PyObject node = PyObject.reduce(t.pythonClass() != null ? t.pythonClass() : DTYPE,
                    t.pickleArgs().toArray());
            node.addState(t.pickleState());
            return node;
        }
        if (value instanceof NDScalar) {
            NDScalar s = (NDScalar) value;
            GlobalRef ref = s.reconstructor() != null ? s.reconstructor() : freshGlobal(scalar(CORE2));
            return PyObject.reduce(ref, s.dtype(), s.bytes());
        }
        return fromNDArray((NDArray) value, protocol);
    }

    /**
     * numpy's ndarray.__reduce_ex__: at protocol 5 a contiguous array is {@code _frombuffer(PickleBuffer(a), dtype,
     * shape, order)}; otherwise {@code _reconstruct(ndarray, (0,), b'b')} with state
     * {@code (1, shape, dtype, is_fortran, bytes)}.
     */
    private static Object fromNDArray(NDArray a, int protocol) {
        PyTuple shape = shapeTuple(a.shape());
        String core = a.numpyCore();
        boolean fortran = a.order() == NDArray.Order.F && a.ndim() > 1;
        GlobalRef read = a.reconstructor();
        if (protocol >= 5 && a.form() == NDArray.Form.FROMBUFFER) {
            GlobalRef ref = read != null && read.name().equals("_frombuffer") ? read
                    : freshGlobal(frombuffer(core));
            return PyObject.reduce(ref, pickleBuffer(a), a.dtype(), shape, fortran ? "F" : "C");
        }
        GlobalRef ref = read != null && read.name().equals("_reconstruct") ? read
                : freshGlobal(reconstruct(core));
        GlobalRef cls = a.ndarrayClass() != null ? a.ndarrayClass() : NDARRAY;
        PyObject node = PyObject.reduce(ref, cls, PyTuple.of(0L), PyBytes.of((byte) 'b'));
        node.addState(PyTuple.of(1L, shape, a.dtype(), a.order() == NDArray.Order.F, rawBytes(a)));
        return node;
    }

    /** A reference with its own strings, as a Python class's __module__ and __qualname__ are distinct objects. */
    private static GlobalRef freshGlobal(GlobalRef g) {
        return GlobalRef.of(new String(g.module()), new String(g.name()));
    }

    private static PyTuple shapeTuple(long[] shape) {
        Object[] items = new Object[shape.length];
        for (int i = 0; i < shape.length; i++) {
            items[i] = shape[i];
        }
        return PyTuple.of(items);
    }

    private static ByteBuffer pickleBuffer(NDArray a) {
        Object src = a.source();
        if (src instanceof PyByteArray) {
            return ByteBuffer.wrap(((PyByteArray) src).array());
        }
        if (src instanceof byte[]) {
            return ByteBuffer.wrap((byte[]) src);
        }
        if (src instanceof ByteBuffer) {
            return ((ByteBuffer) src).duplicate();
        }
        return a.buffer(); // read-only: numpy wrote a read-only array as bytes plus READONLY_BUFFER
    }

    private static PyBytes rawBytes(NDArray a) {
        if (a.source() instanceof PyBytes) {
            return (PyBytes) a.source();
        }
        ByteBuffer b = a.buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return PyBytes.wrap(out);
    }
}
