package dev.brine.internal.types;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The Python equivalents of plain Java values that are not already in Brine's value model: primitive arrays,
 * {@link BigDecimal}, {@link UUID}, {@link Optional} and {@link Character}; {@code java.time} values through
 * {@link DatetimeModule#fromJava}, Brine's own value types through {@link TypedEquivalents}.
 *
 * <p>Each becomes the inert node CPython's own reduction of the equivalent Python value would produce, so a
 * Java {@code LocalDate} pickles to the same bytes as Python's {@code datetime.date} (for example
 * {@code datetime.date.__reduce__} is {@code (date, (b'\x07\xe8\x05\x06',))}, and {@code array.array} at
 * protocol 3 and up is {@code array._array_reconstructor(array, typecode, mformat_code, bytes)}).
 * Only the standard library is named: {@code datetime}, {@code decimal}, {@code uuid}, {@code array} and, for
 * region time zones, {@code zoneinfo} (Python 3.9 and up).
 */
public final class JavaEquivalents {
    /** Returned by {@link #convert} for a value with no known Python equivalent. */
    public static final Object UNKNOWN = new Object();

    private static final String ARRAY = "array";

    private JavaEquivalents() {
    }

    /**
     * The Python equivalent of {@code value}, or {@link #UNKNOWN}. Throws {@link NotPicklable} with a
     * reason when the type is known but this value has no Python equivalent (a year outside 1..9999, say).
     */
    public static Object convert(Object value, int protocol) {
        if (value instanceof Character) {
            return String.valueOf((char) (Character) value);
        }
        if (value instanceof Optional) {
            return ((Optional<?>) value).orElse(null);
        }
        if (value instanceof OptionalInt) {
            OptionalInt o = (OptionalInt) value;
            return o.isPresent() ? (Object) (long) o.getAsInt() : null;
        }
        if (value instanceof OptionalLong) {
            OptionalLong o = (OptionalLong) value;
            return o.isPresent() ? (Object) o.getAsLong() : null;
        }
        if (value instanceof OptionalDouble) {
            OptionalDouble o = (OptionalDouble) value;
            return o.isPresent() ? (Object) o.getAsDouble() : null;
        }
        if (value instanceof BigDecimal) {
            // Java's toString and Python's Decimal.__str__ both follow the General Decimal Arithmetic
            // to-scientific-string rules, so the digits and the exponent survive exactly.
            return PyObject.reduce(GlobalRef.of("decimal", "Decimal"), value.toString());
        }
        if (value instanceof UUID) {
            return uuid((UUID) value, protocol);
        }
        Object typed = TypedEquivalents.convert(value, protocol);
        if (typed != UNKNOWN) {
            return typed;
        }
        if (value.getClass().isArray()) {
            return ArrayModule.fromJava(value, protocol);
        }
        Object time = DatetimeModule.fromJava(value, protocol);
        if (time != UNKNOWN) {
            return time;
        }
        return UNKNOWN;
    }

    /** Whether {@code value} is a Java map or list that stands for a Python subclass of dict or list. */
    public static boolean isPythonSubtype(Object value) {
        return TypedEquivalents.isPythonSubtype(value);
    }

    private static PyObject reduce(String module, String name, Object... args) {
        // A fresh name string, as CPython's __qualname__ is a different object from the module's name.
        return PyObject.reduce(GlobalRef.of(module, new String(name)), args);
    }

    private static Object uuid(UUID u, int protocol) {
        // uuid.UUID pickles through copyreg.__reduce_ex__ with state {'int': n} (CPython 3.7+ __getstate__).
        BigInteger n = new BigInteger(1, ByteBuffer.allocate(16)
                .putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array());
        Object small = n.bitLength() < 64 ? (Object) n.longValue() : n;
        GlobalRef cls = GlobalRef.of("uuid", "UUID");
        PyObject node = protocol >= 2
                ? new PyObject(PyObject.Kind.NEWOBJ, cls, dev.brine.value.PyTuple.empty(), null)
                : PyObject.reduce(GlobalRef.of("copyreg", "_reconstructor"), cls,
                        GlobalRef.of("builtins", "object"), null);
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put("int", small);
        node.addState(state);
        return node;
    }

    /** array.array: typecode, the machine format code of arraymodule.c, the item size, little-endian bytes. */

}
