package dev.brine.internal.types;

import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.NDScalar;
import dev.brine.value.PyArray;
import dev.brine.value.PyCounter;
import dev.brine.value.PyDecimal;
import dev.brine.value.PyDefaultDict;
import dev.brine.value.PyDeque;
import dev.brine.value.PyException;
import dev.brine.value.PyFraction;
import dev.brine.value.PyNamedTuple;
import dev.brine.value.PyObject;
import dev.brine.value.PyOrderedDict;
import dev.brine.value.PyPath;
import dev.brine.value.PyRange;
import dev.brine.value.PySlice;

import java.math.BigInteger;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The writing half of {@link KnownGlobals}: the Python forms of the value types the reader maps stdlib and numpy
 * values to, each exactly as CPython's (or numpy's) {@code __reduce_ex__} gives it, so that a value read and written
 * back at the protocol it was read from gives the same bytes.
 */
final class TypedEquivalents {
    private TypedEquivalents() {
    }

    /** The BUILD state a read dict subclass instance carried, written after its items as the pickle had it. */
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
        Object collection = CollectionsModule.fromJava(value);
        if (collection != JavaEquivalents.UNKNOWN) {
            return collection;
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
            return DatetimeModule.zoneInfoOf(((ZoneId) value).getId());
        }
        if (value instanceof PyArray) {
            return ArrayModule.fromPyArray((PyArray) value, protocol);
        }
        if (value instanceof DType || value instanceof NDScalar || value instanceof NDArray) {
            return NumpyModule.fromJava(value, protocol);
        }
        return JavaEquivalents.UNKNOWN;
    }

    /** An int as the reader gives it: a Long when it fits, so it is written as CPython writes that value. */
    private static Object integer(BigInteger n) {
        return n.bitLength() < 64 ? (Object) n.longValue() : n;
    }

}
