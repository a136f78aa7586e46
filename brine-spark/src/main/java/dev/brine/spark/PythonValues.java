package dev.brine.spark;

import dev.brine.value.PyBytes;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts Spark's external values (a {@link Row} and what it holds) into the Java values Brine's {@code Pickler}
 * writes as the matching Python values: struct → dict (field order kept), array → list, map → dict,
 * timestamp → aware datetime (UTC), timestamp_ntz → naive datetime, date → date, decimal of scale 0 → int,
 * other decimals → decimal.Decimal, binary → bytes, the numbers → int/float, string → str.
 */
final class PythonValues implements Serializable {
    private static final long serialVersionUID = 1L;

    private PythonValues() {
    }

    /** A row as a dict of its columns. */
    static Map<String, Object> dict(Row row, StructType schema) {
        StructField[] fields = schema.fields();
        Map<String, Object> out = new LinkedHashMap<>(fields.length * 2);
        for (int i = 0; i < fields.length; i++) {
            out.put(fields[i].name(), of(row.isNullAt(i) ? null : row.get(i), fields[i].dataType()));
        }
        return out;
    }

    /**
     * {@code v}, an external value whose Spark type is not at hand (a UDF's argument), by its Java class: a
     * {@link Row} with a schema is a dict (without one, a tuple), a Scala sequence a list, a Scala map a dict, a
     * {@code BigDecimal} of scale 0 an int.
     */
    static Object ofAny(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Row r) {
            if (r.schema() != null) {
                return dict(r, r.schema());
            }
            Object[] items = new Object[r.length()];
            for (int i = 0; i < items.length; i++) {
                items[i] = ofAny(r.get(i));
            }
            return dev.brine.value.PyTuple.wrap(items);
        }
        if (v instanceof scala.collection.Map<?, ?> sm) {
            Map<Object, Object> out = new LinkedHashMap<>();
            scala.collection.Iterator<? extends scala.Tuple2<?, ?>> i = sm.iterator();
            while (i.hasNext()) {
                scala.Tuple2<?, ?> e = i.next();
                out.put(ofAny(e._1()), ofAny(e._2()));
            }
            return out;
        }
        if (v instanceof scala.collection.Iterable<?> it) {
            List<Object> out = new ArrayList<>();
            scala.collection.Iterator<?> i = it.iterator();
            while (i.hasNext()) {
                out.add(ofAny(i.next()));
            }
            return out;
        }
        if (v instanceof BigDecimal || v instanceof scala.math.BigDecimal) {
            return of(v, DecimalType.SYSTEM_DEFAULT());
        }
        return of(v, org.apache.spark.sql.types.DataTypes.NullType);
    }

    /** {@code v}, an external value of type {@code t}, as a value for the Pickler. */
    static Object of(Object v, DataType t) {
        if (v == null) {
            return null;
        }
        if (t instanceof StructType s) {
            return dict((Row) v, s);
        }
        if (t instanceof ArrayType a) {
            List<Object> out = new ArrayList<>();
            if (v instanceof scala.collection.Iterable<?> it) {
                scala.collection.Iterator<?> i = it.iterator();
                while (i.hasNext()) {
                    out.add(of(i.next(), a.elementType()));
                }
            } else if (v instanceof Iterable<?> it) {
                for (Object x : it) {
                    out.add(of(x, a.elementType()));
                }
            } else if (v instanceof Object[] arr) {
                for (Object x : arr) {
                    out.add(of(x, a.elementType()));
                }
            } else {
                throw new IllegalArgumentException("an array value is a " + v.getClass().getName());
            }
            return out;
        }
        if (t instanceof MapType m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            if (v instanceof scala.collection.Map<?, ?> sm) {
                scala.collection.Iterator<? extends scala.Tuple2<?, ?>> i = sm.iterator();
                while (i.hasNext()) {
                    scala.Tuple2<?, ?> e = i.next();
                    out.put(of(e._1(), m.keyType()), of(e._2(), m.valueType()));
                }
            } else if (v instanceof Map<?, ?> jm) {
                jm.forEach((k, x) -> out.put(of(k, m.keyType()), of(x, m.valueType())));
            } else {
                throw new IllegalArgumentException("a map value is a " + v.getClass().getName());
            }
            return out;
        }
        if (t instanceof DecimalType) {
            BigDecimal d = v instanceof scala.math.BigDecimal sd ? sd.bigDecimal() : (BigDecimal) v;
            return d.scale() == 0 ? d.toBigIntegerExact() : d;
        }
        if (v instanceof byte[] b) {
            return PyBytes.wrap(b.clone());
        }
        if (v instanceof Timestamp ts) {
            return OffsetDateTime.ofInstant(ts.toInstant(), ZoneOffset.UTC);
        }
        if (v instanceof Instant i) {
            return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean
                || v instanceof LocalDate || v instanceof LocalDateTime) {
            return v;
        }
        throw new IllegalArgumentException("no Python value for a Spark " + t.simpleString() + " held as a "
                + v.getClass().getName());
    }
}
