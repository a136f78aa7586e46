package dev.brine.spark;

import dev.brine.tools.JsonView;
import dev.brine.value.NDArray;
import dev.brine.value.NDScalar;
import dev.brine.value.PyBytes;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.unsafe.types.UTF8String;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Converts the Java values Brine reads into Spark's internal (Catalyst) values of a given type. A value that does
 * not fit its type throws {@link Mismatch} naming the column path, the Python type and the Spark type.
 */
final class CatalystValues implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A value that does not fit the schema. */
    static final class Mismatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Mismatch(String message) {
            super(message);
        }
    }

    private final String sessionTimeZone;
    private transient ZoneId zone;

    /** {@code sessionTimeZone} places naive datetimes read into a {@code timestamp} column. */
    CatalystValues(String sessionTimeZone) {
        this.sessionTimeZone = sessionTimeZone;
    }

    /**
     * The row for one element. With {@code wholeElement} the element fills the column {@code value}; otherwise a
     * str-keyed dict fills columns by name (missing keys are null, other keys are ignored) and any other value
     * fills the column {@code value}. Columns not in {@code schema} (pruned) are not converted.
     */
    InternalRow row(Object element, StructType schema, boolean wholeElement, String corruptColumn) {
        Object[] cells = new Object[schema.length()];
        StructField[] fields = schema.fields();
        if (!wholeElement && element instanceof Map<?, ?> dict && PythonTypes.stringKeys(dict)) {
            for (int i = 0; i < fields.length; i++) {
                StructField f = fields[i];
                if (f.name().equals(corruptColumn)) {
                    continue;
                }
                cells[i] = convert(dict.get(f.name()), f.dataType(), f.name());
            }
            return new GenericInternalRow(cells);
        }
        int at = -1;
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].name().equals("value")) {
                at = i;
            }
        }
        if (at < 0) {
            if (wholeElement) {
                return new GenericInternalRow(cells);   // value pruned away: only the row count matters
            }
            throw new Mismatch("the element is a " + pythonType(element) + ", not a dict with str keys, and the "
                    + "schema has no column named value for it");
        }
        cells[at] = convert(element, fields[at].dataType(), "value");
        return new GenericInternalRow(cells);
    }

    /** {@code v} as an internal value of type {@code t}; {@code path} names it in errors. */
    Object convert(Object v, DataType t, String path) {
        if (v == null) {
            return null;
        }
        if (v instanceof NDScalar s && !(t instanceof StringType)) {
            v = s.value();
            if (s.dtype().kind() == 'u' && s.dtype().itemSize() == 8 && v instanceof Long l) {
                v = new BigInteger(Long.toUnsignedString(l));
            }
        }
        if (t instanceof StringType) {
            return UTF8String.fromString(v instanceof String s ? s : JsonView.toJson(v));
        }
        if (t instanceof LongType) {
            return integral(v, t, path, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (t instanceof IntegerType) {
            return (int) integral(v, t, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (t instanceof ShortType) {
            return (short) integral(v, t, path, Short.MIN_VALUE, Short.MAX_VALUE);
        }
        if (t instanceof ByteType) {
            return (byte) integral(v, t, path, Byte.MIN_VALUE, Byte.MAX_VALUE);
        }
        if (t instanceof DoubleType) {
            if (v instanceof Double || v instanceof Float || isIntegral(v)) {
                return ((Number) v).doubleValue();
            }
            throw mismatch(v, t, path);
        }
        if (t instanceof FloatType) {
            if (v instanceof Double || v instanceof Float || isIntegral(v)) {
                return ((Number) v).floatValue();
            }
            throw mismatch(v, t, path);
        }
        if (t instanceof DecimalType d) {
            BigDecimal big;
            if (v instanceof BigInteger b) {
                big = new BigDecimal(b);
            } else if (isIntegral(v)) {
                big = BigDecimal.valueOf(((Number) v).longValue());
            } else if (v instanceof BigDecimal b) {
                big = b;
            } else {
                throw mismatch(v, t, path);
            }
            Decimal dec = Decimal.apply(big);
            if (!dec.changePrecision(d.precision(), d.scale())) {
                throw new Mismatch(path + ": " + big + " does not fit " + t.simpleString());
            }
            return dec;
        }
        if (t instanceof BooleanType) {
            if (v instanceof Boolean) {
                return v;
            }
            throw mismatch(v, t, path);
        }
        if (t instanceof BinaryType) {
            if (v instanceof PyBytes b) {
                return b.toByteArray();
            }
            if (v instanceof byte[] b) {
                return b.clone();
            }
            throw mismatch(v, t, path);
        }
        if (t instanceof DateType) {
            if (v instanceof LocalDate d) {
                return Math.toIntExact(d.toEpochDay());
            }
            throw mismatch(v, t, path);
        }
        if (t instanceof TimestampNTZType) {
            if (v instanceof LocalDateTime d) {
                return micros(d.toInstant(ZoneOffset.UTC));
            }
            throw mismatch(v, t, path);
        }
        if (t instanceof TimestampType) {
            if (v instanceof OffsetDateTime d) {
                return micros(d.toInstant());
            }
            if (v instanceof ZonedDateTime d) {
                return micros(d.toInstant());
            }
            if (v instanceof LocalDateTime d) {
                return micros(d.atZone(zone()).toInstant());
            }
            throw mismatch(v, t, path);
        }
        if (t instanceof ArrayType a) {
            return array(v, a, path);
        }
        if (t instanceof MapType m) {
            if (!(v instanceof Map<?, ?> map)) {
                throw mismatch(v, t, path);
            }
            Object[] keys = new Object[map.size()];
            Object[] values = new Object[map.size()];
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getKey() == null) {
                    throw new Mismatch(path + ": a map key is None, which Spark maps cannot hold");
                }
                keys[i] = convert(e.getKey(), m.keyType(), path + ".key");
                values[i] = convert(e.getValue(), m.valueType(), path + "[" + e.getKey() + "]");
                i++;
            }
            return new ArrayBasedMapData(new GenericArrayData(keys), new GenericArrayData(values));
        }
        if (t instanceof StructType s) {
            if (!(v instanceof Map<?, ?> map) || !PythonTypes.stringKeys(map)) {
                throw mismatch(v, t, path);
            }
            StructField[] fields = s.fields();
            Object[] cells = new Object[fields.length];
            for (int i = 0; i < fields.length; i++) {
                cells[i] = convert(map.get(fields[i].name()), fields[i].dataType(), path + "." + fields[i].name());
            }
            return new GenericInternalRow(cells);
        }
        if (t instanceof NullType) {
            throw mismatch(v, t, path);
        }
        throw new Mismatch(path + ": Spark type " + t.simpleString() + " is not supported by the pickle source");
    }

    private Object array(Object v, ArrayType a, String path) {
        if (v instanceof NDArray nd) {
            return ndarray(nd, a, path);
        }
        if (!(v instanceof Collection<?> c)) {
            throw mismatch(v, a, path);
        }
        Object[] out = new Object[c.size()];
        int i = 0;
        for (Object x : c) {
            out[i] = convert(x, a.elementType(), path + "[" + i + "]");
            i++;
        }
        return new GenericArrayData(out);
    }

    private Object ndarray(NDArray nd, ArrayType a, String path) {
        if (nd.ndim() == 0) {
            throw new Mismatch(path + ": a 0-d numpy array is a scalar, not an " + a.simpleString());
        }
        DataType e = a.elementType();
        char kind = nd.dtype().kind();
        int size = nd.dtype().itemSize();
        if (nd.ndim() == 1) {
            // Fast paths: numpy's own item type straight into an unsafe array.
            if (e instanceof DoubleType && kind == 'f') {
                return UnsafeArrayData.fromPrimitiveArray(nd.toDoubleArray());
            }
            if (e instanceof FloatType && kind == 'f' && size == 4) {
                return UnsafeArrayData.fromPrimitiveArray(nd.toFloatArray());
            }
            if (e instanceof LongType && (kind == 'i' || (kind == 'u' && size < 8))) {
                return UnsafeArrayData.fromPrimitiveArray(nd.toLongArray());
            }
            if (e instanceof IntegerType && kind == 'i' && size == 4) {
                return UnsafeArrayData.fromPrimitiveArray(nd.toIntArray());
            }
            if (e instanceof BooleanType && kind == 'b') {
                return UnsafeArrayData.fromPrimitiveArray(nd.toBooleanArray());
            }
        }
        Object[] items = nd.toObjectArray();
        if (kind == 'u' && size == 8) {
            for (int i = 0; i < items.length; i++) {
                items[i] = new BigInteger(Long.toUnsignedString((Long) items[i]));
            }
        }
        return nested(items, nd.shape(), 0, 0, a, path);
    }

    /** The C-order {@code items} of an array of {@code shape}, from dimension {@code dim} at item {@code from}. */
    private Object nested(Object[] items, long[] shape, int dim, int from, ArrayType a, String path) {
        int n = (int) shape[dim];
        Object[] out = new Object[n];
        int stride = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            stride *= (int) shape[d];
        }
        for (int i = 0; i < n; i++) {
            String p = path + "[" + i + "]";
            if (dim == shape.length - 1) {
                out[i] = convert(items[from + i], a.elementType(), p);
            } else if (a.elementType() instanceof ArrayType inner) {
                out[i] = nested(items, shape, dim + 1, from + i * stride, inner, p);
            } else {
                throw new Mismatch(path + ": a " + shape.length + "-d numpy array needs " + shape.length
                        + " nested arrays, the schema has " + (dim + 1));
            }
        }
        return new GenericArrayData(out);
    }

    private static long integral(Object v, DataType t, String path, long min, long max) {
        long x;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            x = ((Number) v).longValue();
        } else if (v instanceof BigInteger b) {
            if (b.bitLength() >= 64) {
                throw new Mismatch(path + ": the int " + b + " needs more than 64 bits; read it as decimal(38,0)");
            }
            x = b.longValue();
        } else {
            throw mismatch(v, t, path);
        }
        if (x < min || x > max) {
            throw new Mismatch(path + ": " + x + " does not fit " + t.simpleString());
        }
        return x;
    }

    private static boolean isIntegral(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger;
    }

    private static long micros(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
    }

    private ZoneId zone() {
        if (zone == null) {
            zone = ZoneId.of(sessionTimeZone);
        }
        return zone;
    }

    private static Mismatch mismatch(Object v, DataType t, String path) {
        return new Mismatch(path + ": a Python " + pythonType(v) + " cannot be read as " + t.simpleString());
    }

    /** A Python-ish name of the type Brine read {@code v} from. */
    static String pythonType(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long || v instanceof BigInteger || v instanceof Integer) {
            return "int";
        }
        if (v instanceof Double) {
            return "float";
        }
        if (v instanceof PyBytes) {
            return "bytes";
        }
        if (v instanceof byte[]) {
            return "bytearray";
        }
        if (v instanceof dev.brine.value.PyTuple) {
            return "tuple";
        }
        if (v instanceof List) {
            return "list";
        }
        if (v instanceof Map) {
            return "dict";
        }
        if (v instanceof LocalDate) {
            return "date";
        }
        if (v instanceof LocalDateTime) {
            return "naive datetime";
        }
        if (v instanceof OffsetDateTime || v instanceof ZonedDateTime) {
            return "aware datetime";
        }
        if (v instanceof NDArray a) {
            return "numpy.ndarray of " + a.dtype();
        }
        if (v instanceof dev.brine.value.PyObject o) {
            return o.toString().length() > 80 ? o.getClass().getSimpleName() : o.toString();
        }
        return v.getClass().getSimpleName();
    }
}
