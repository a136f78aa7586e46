package dev.brine.internal;

import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.NDScalar;
import dev.brine.value.PyArray;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyCounter;
import dev.brine.value.PyDecimal;
import dev.brine.value.PyDefaultDict;
import dev.brine.value.PyDeque;
import dev.brine.value.PyDictSubtype;
import dev.brine.value.PyException;
import dev.brine.value.PyFraction;
import dev.brine.value.PyNamedTuple;
import dev.brine.value.PyObject;
import dev.brine.value.PyOrderedDict;
import dev.brine.value.PyPath;
import dev.brine.value.PyRange;
import dev.brine.value.PySlice;
import dev.brine.value.PyTuple;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writing half of {@link KnownGlobals}: the Python forms of the value types the reader maps stdlib and numpy
 * values to, each exactly as CPython's (or numpy's) {@code __reduce_ex__} gives it, so that a value read and written
 * back at the protocol it was read from gives the same bytes.
 */
final class TypedEquivalents {
    private TypedEquivalents() {
    }

    /** The BUILD state a read dict subclass instance carried, written after its items as the pickle had it. */
    private static PyObject withState(PyObject node, PyDictSubtype value) {
        if (value.state() != null) {
            node.addState(value.state());
        }
        return node;
    }

    static boolean isPythonSubtype(Object value) {
        return value instanceof PyOrderedDict || value instanceof PyDefaultDict || value instanceof PyCounter
                || value instanceof PyDeque;
    }

    /**
     * The Python form of {@code value}, or {@link JavaEquivalents#UNKNOWN}; for a value read from a pickle, with the
     * objects of the call it was read from ({@link SharedForms}).
     */
    static Object convert(Object value, int protocol) {
        Object form = derive(value, protocol);
        return form == JavaEquivalents.UNKNOWN ? form : SharedForms.withReadObjects(form, value);
    }

    private static Object derive(Object value, int protocol) {
        if (value instanceof PyOrderedDict) {
            // OrderedDict.__reduce__: (OrderedDict, (), vars(self) or None, None, iter(items)).
            PyOrderedDict d = (PyOrderedDict) value;
            return withState(withItems(PyObject.reduce(d.pythonClass()), d), d);
        }
        if (value instanceof PyDefaultDict) {
            PyDefaultDict d = (PyDefaultDict) value;
            Object factory = d.defaultFactory();
            PyObject node = factory == null ? PyObject.reduce(d.pythonClass())
                    : PyObject.reduce(d.pythonClass(), factory);
            return withState(withItems(node, d), d);
        }
        if (value instanceof PyCounter) {
            // Counter.__reduce__: (Counter, (dict(self),)).
            PyCounter c = (PyCounter) value;
            return withState(PyObject.reduce(c.pythonClass(), new LinkedHashMap<>(c)), c);
        }
        if (value instanceof PyDeque) {
            PyDeque d = (PyDeque) value;
            PyObject node = d.maxlen() == null ? PyObject.reduce(d.pythonClass())
                    : PyObject.reduce(d.pythonClass(), PyTuple.empty(), d.maxlen());
            for (Object item : d) {
                node.appendItem(item);
            }
            return node;
        }
        if (value instanceof PyRange) {
            PyRange r = (PyRange) value;
            return PyObject.reduce(r.pythonClass(), r.start(), r.stop(), r.step());
        }
        if (value instanceof PySlice) {
            PySlice s = (PySlice) value;
            return PyObject.reduce(s.pythonClass(), s.start(), s.stop(), s.step());
        }
        if (value instanceof PyFraction) {
            // fractions.py __reduce__: (Fraction, (n, d)) from 3.11, (Fraction, (str(self),)) before.
            PyFraction f = (PyFraction) value;
            return f.form() == PyFraction.Form.TEXT ? PyObject.reduce(f.pythonClass(), f.toString())
                    : PyObject.reduce(f.pythonClass(), integer(f.numerator()), integer(f.denominator()));
        }
        if (value instanceof PyDecimal) {
            // Decimal.__reduce__ is (Decimal, (str(self),)), as for a BigDecimal.
            return PyObject.reduce(GlobalRef.of("decimal", "Decimal"), value.toString());
        }
        if (value instanceof PyPath) {
            PyPath p = (PyPath) value;
            return PyObject.reduce(p.pythonClass(), p.segments().toArray());
        }
        if (value instanceof PyException) {
            // BaseException.__reduce__: (type, args), plus the __dict__ as BUILD state when it is not empty.
            PyException e = (PyException) value;
            PyObject node = new PyObject(PyObject.Kind.REDUCE, e.pythonClass(), e.args(), null);
            if (e.state() != null) {
                node.addState(e.state());
            }
            return node;
        }
        if (value instanceof PyNamedTuple) {
            // copyreg.__reduce_ex__: NEWOBJ of __getnewargs__ from protocol 2, else _reconstructor(cls, tuple, t).
            PyNamedTuple t = (PyNamedTuple) value;
            return protocol >= 2 ? new PyObject(PyObject.Kind.NEWOBJ, t.pythonClass(), t.values(), null)
                    : PyObject.reduce(GlobalRef.of("copyreg", "_reconstructor"), t.pythonClass(),
                    GlobalRef.of("builtins", "tuple"), t.values());
        }
        if (value instanceof ZoneId && !(value instanceof ZoneOffset)) {
            return JavaEquivalents.zoneInfoOf(((ZoneId) value).getId());
        }
        if (value instanceof PyArray) {
            return array((PyArray) value, protocol);
        }
        if (value instanceof DType) {
            DType t = (DType) value;
            PyObject node = PyObject.reduce(t.pythonClass() != null ? t.pythonClass() : NumpyModule.DTYPE,
                    t.pickleArgs().toArray());
            node.addState(t.pickleState());
            return node;
        }
        if (value instanceof NDScalar) {
            NDScalar s = (NDScalar) value;
            GlobalRef ref = s.reconstructor() != null ? s.reconstructor() : freshGlobal(NumpyModule.scalar(NumpyModule.CORE2));
            return PyObject.reduce(ref, s.dtype(), s.bytes());
        }
        if (value instanceof NDArray) {
            return ndarray((NDArray) value, protocol);
        }
        return JavaEquivalents.UNKNOWN;
    }

    /** An int as the reader gives it: a Long when it fits, so it is written as CPython writes that value. */
    private static Object integer(BigInteger n) {
        return n.bitLength() < 64 ? (Object) n.longValue() : n;
    }

    private static PyObject withItems(PyObject node, Map<?, ?> items) {
        for (Map.Entry<?, ?> e : items.entrySet()) {
            node.putItem(e.getKey(), e.getValue());
        }
        return node;
    }

    /** array.array: (array, (typecode, list)) below protocol 3, else _array_reconstructor (arraymodule.c). */
    private static Object array(PyArray a, int protocol) {
        char code = a.typecode();
        if (protocol < 3) {
            int n = a.length();
            List<Object> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                items.add(item(a, i));
            }
            GlobalRef cls = a.pythonClass() != null ? a.pythonClass() : GlobalRef.of("array", new String("array"));
            return PyObject.reduce(cls, String.valueOf(code), items);
        }
        Object items = a.items();
        int width = ArrayModule.width(items.getClass());
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(a.length(), width)).order(ByteOrder.LITTLE_ENDIAN);
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
        GlobalRef rec = a.reconstructor() != null ? a.reconstructor() : ArrayModule.RECONSTRUCTOR;
        return PyObject.reduce(rec, cls,
                String.valueOf(code), (long) ArrayModule.machineFormat(code), PyBytes.wrap(buf.array()));
    }

    /** One item as array.tolist() gives it. */
    private static Object item(PyArray a, int i) {
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

    /**
     * numpy's ndarray.__reduce_ex__: at protocol 5 a contiguous array is {@code _frombuffer(PickleBuffer(a), dtype,
     * shape, order)}; otherwise {@code _reconstruct(ndarray, (0,), b'b')} with state
     * {@code (1, shape, dtype, is_fortran, bytes)}.
     */
    private static Object ndarray(NDArray a, int protocol) {
        PyTuple shape = shapeTuple(a.shape());
        String core = a.numpyCore();
        boolean fortran = a.order() == NDArray.Order.F && a.ndim() > 1;
        GlobalRef read = a.reconstructor();
        if (protocol >= 5 && a.form() == NDArray.Form.FROMBUFFER) {
            GlobalRef ref = read != null && read.name().equals("_frombuffer") ? read
                    : freshGlobal(NumpyModule.frombuffer(core));
            return PyObject.reduce(ref, pickleBuffer(a), a.dtype(), shape, fortran ? "F" : "C");
        }
        GlobalRef ref = read != null && read.name().equals("_reconstruct") ? read
                : freshGlobal(NumpyModule.reconstruct(core));
        GlobalRef cls = a.ndarrayClass() != null ? a.ndarrayClass() : NumpyModule.NDARRAY;
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
