package dev.brine.internal;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyBytes;
import dev.brine.value.PyObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The Python equivalents of plain Java values that are not already in Brine's value model: primitive arrays,
 * {@link BigDecimal}, {@code java.time}, {@link UUID}, {@link Optional} and {@link Character}.
 *
 * <p>Each becomes the inert node CPython's own reduction of the equivalent Python value would produce, so a
 * Java {@code LocalDate} pickles to the same bytes as Python's {@code datetime.date} (for example
 * {@code datetime.date.__reduce__} is {@code (date, (b'\x07\xe8\x05\x06',))}, and {@code array.array} at
 * protocol 3 and up is {@code array._array_reconstructor(array, typecode, mformat_code, bytes)}).
 * Only the standard library is named: {@code datetime}, {@code decimal}, {@code uuid}, {@code array} and, for
 * region time zones, {@code zoneinfo} (Python 3.9 and up).
 */
final class JavaEquivalents {
    /** Returned by {@link #convert} for a value with no known Python equivalent. */
    static final Object UNKNOWN = new Object();

    /** Python's datetime.MINYEAR and MAXYEAR. */
    private static final int MIN_YEAR = 1;
    private static final int MAX_YEAR = 9999;
    /** timedelta.max.days. */
    private static final long MAX_DELTA_DAYS = 999_999_999L;

    private static final String DATETIME = "datetime";
    private static final String ARRAY = "array";

    private JavaEquivalents() {
    }

    /**
     * The Python equivalent of {@code value}, or {@link #UNKNOWN}. Throws {@link IllegalArgumentException} with a
     * reason when the type is known but this value has no Python equivalent (a year outside 1..9999, say).
     */
    static Object convert(Object value, int protocol) {
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
            return array(value, protocol);
        }
        if (value instanceof LocalDate) {
            return reduce(DATETIME, "date", dateBytes((LocalDate) value));
        }
        if (value instanceof LocalTime) {
            return time((LocalTime) value, null, false, protocol);
        }
        if (value instanceof OffsetTime) {
            OffsetTime t = (OffsetTime) value;
            return time(t.toLocalTime(), timezone(t.getOffset()), false, protocol);
        }
        if (value instanceof LocalDateTime) {
            return datetime((LocalDateTime) value, null, false, protocol);
        }
        if (value instanceof OffsetDateTime) {
            OffsetDateTime t = (OffsetDateTime) value;
            return datetime(t.toLocalDateTime(), timezone(t.getOffset()), false, protocol);
        }
        if (value instanceof ZonedDateTime) {
            ZonedDateTime t = (ZonedDateTime) value;
            if (t.getZone() instanceof ZoneOffset) {
                return datetime(t.toLocalDateTime(), timezone((ZoneOffset) t.getZone()), false, protocol);
            }
            // Python marks the second of two ambiguous wall times with fold=1.
            boolean fold = !t.equals(t.withEarlierOffsetAtOverlap());
            return datetime(t.toLocalDateTime(), zoneInfo(t.getZone().getId()), fold, protocol);
        }
        if (value instanceof Instant) {
            Instant i = (Instant) value;
            return datetime(LocalDateTime.ofInstant(i, ZoneOffset.UTC), timezone(ZoneOffset.UTC), false, protocol);
        }
        if (value instanceof ZoneOffset) {
            return timezone((ZoneOffset) value);
        }
        if (value instanceof Duration) {
            return timedelta((Duration) value);
        }
        return UNKNOWN;
    }

    /** Whether {@code value} is a Java map or list that stands for a Python subclass of dict or list. */
    static boolean isPythonSubtype(Object value) {
        return TypedEquivalents.isPythonSubtype(value);
    }

    /** zoneinfo.ZoneInfo(key), for the region zones the reader maps ZoneInfo to. */
    static PyObject zoneInfoOf(String key) {
        return zoneInfo(key);
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
    private static Object array(Object value, int protocol) {
        if (value instanceof byte[]) {
            return UNKNOWN; // byte[] is bytes, handled by the writer itself
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
            return UNKNOWN;
        }
        if (protocol < 3) {
            // array.__reduce_ex__ below protocol 3: (array, (typecode, list)).
            List<Object> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                items.add(item(value, i));
            }
            return PyObject.reduce(GlobalRef.of(ARRAY, new String(ARRAY)), code, items);
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(n, size)).order(ByteOrder.LITTLE_ENDIAN);
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
        return PyObject.reduce(GlobalRef.of(ARRAY, "_array_reconstructor"),
                GlobalRef.of(new String(ARRAY), new String(ARRAY)),
                code, (long) mformat, PyBytes.wrap(buf.array()));
    }

    private static Object item(Object array, int i) {
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

    private static PyBytes dateBytes(LocalDate d) {
        int y = checkYear(d.getYear());
        return PyBytes.wrap(new byte[] {(byte) (y >> 8), (byte) y, (byte) d.getMonthValue(), (byte) d.getDayOfMonth()});
    }

    private static int checkYear(int year) {
        if (year < MIN_YEAR || year > MAX_YEAR) {
            throw new IllegalArgumentException("year " + year + " is outside Python's datetime range 1..9999");
        }
        return year;
    }

    private static int micros(int nano) {
        if (nano % 1000 != 0) {
            throw new IllegalArgumentException("Python's datetime keeps microseconds; this value has "
                    + nano + " nanoseconds (truncate it first, e.g. with truncatedTo(ChronoUnit.MICROS))");
        }
        return nano / 1000;
    }

    /** datetime.time: (time, (b'HHMMSSuuu',)) or with a tzinfo; fold adds 128 to the hour at protocol 4+. */
    private static PyObject time(LocalTime t, Object tz, boolean fold, int protocol) {
        int us = micros(t.getNano());
        int hour = t.getHour() + (fold && protocol > 3 ? 128 : 0);
        PyBytes state = PyBytes.wrap(new byte[] {(byte) hour, (byte) t.getMinute(), (byte) t.getSecond(),
                (byte) (us >> 16), (byte) (us >> 8), (byte) us});
        return tz == null ? reduce(DATETIME, "time", state) : reduce(DATETIME, "time", state, tz);
    }

    /**
     * datetime.datetime: (datetime, (b'YYMDHMSuuu',)) or with a tzinfo. As CPython's datetime __reduce_ex__,
     * fold is recorded only at protocol 4 and up, by adding 128 to the month byte.
     */
    /** A zoned date-time with the given tzinfo, for portable mode's region zones. */
    static PyObject zonedDateTime(ZonedDateTime t, Object tzinfo, int protocol) {
        return datetime(t.toLocalDateTime(), tzinfo, !t.equals(t.withEarlierOffsetAtOverlap()), protocol);
    }

    private static PyObject datetime(LocalDateTime t, Object tz, boolean fold, int protocol) {
        int y = checkYear(t.getYear());
        int us = micros(t.getNano());
        int month = t.getMonthValue() + (fold && protocol > 3 ? 128 : 0);
        PyBytes state = PyBytes.wrap(new byte[] {(byte) (y >> 8), (byte) y, (byte) month, (byte) t.getDayOfMonth(),
                (byte) t.getHour(), (byte) t.getMinute(), (byte) t.getSecond(),
                (byte) (us >> 16), (byte) (us >> 8), (byte) us});
        return tz == null ? reduce(DATETIME, DATETIME, state) : reduce(DATETIME, DATETIME, state, tz);
    }

    /** datetime.timezone(timedelta(seconds=offset)), as timezone.__reduce__ gives it (no name). */
    private static PyObject timezone(ZoneOffset offset) {
        return reduce(DATETIME, "timezone", timedelta(Duration.ofSeconds(offset.getTotalSeconds())));
    }

    /** zoneinfo.ZoneInfo(key): ZoneInfo.__reduce__ is (ZoneInfo._unpickle, (key, from_cache=1)). */
    private static PyObject zoneInfo(String key) {
        // A bound classmethod pickles as getattr(ZoneInfo, '_unpickle').
        PyObject unpickle = PyObject.reduce(GlobalRef.of("builtins", "getattr"),
                GlobalRef.of("zoneinfo", "ZoneInfo"), "_unpickle");
        return PyObject.reduce(unpickle, key, 1L);
    }

    /** datetime.timedelta(days, seconds, microseconds), normalized as Python normalizes it. */
    private static PyObject timedelta(Duration d) {
        int us = micros(d.getNano());
        long seconds = d.getSeconds();
        long days = Math.floorDiv(seconds, 86_400L);
        long secs = Math.floorMod(seconds, 86_400L);
        if (Math.abs(days) > MAX_DELTA_DAYS) {
            throw new IllegalArgumentException("duration " + d + " is outside Python's timedelta range");
        }
        return reduce(DATETIME, "timedelta", days, secs, (long) us);
    }
}
