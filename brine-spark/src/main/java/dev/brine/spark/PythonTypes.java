package dev.brine.spark;

import dev.brine.value.NDArray;
import dev.brine.value.NDScalar;
import dev.brine.value.PyBytes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Spark SQL type of each Python value, and the merge of two types seen in one column: the schema inference of
 * the data source. Python int is bigint, or decimal(38,0) once a value needs more than 64 bits; values with no
 * common type become string (their JSON text).
 */
final class PythonTypes {
    /** What Python ints too large for a long become. */
    static final DecimalType BIG_INT = DataTypes.createDecimalType(38, 0);
    /** numpy uint64. */
    static final DecimalType UINT64 = DataTypes.createDecimalType(20, 0);

    private PythonTypes() {
    }

    /** The inferred type of {@code v}; NullType for None (and empty containers' elements). */
    static DataType of(Object v, boolean dictsAsMaps) {
        if (v == null) {
            return DataTypes.NullType;
        }
        if (v instanceof Boolean) {
            return DataTypes.BooleanType;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return DataTypes.LongType;
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? DataTypes.LongType : BIG_INT;
        }
        if (v instanceof Double || v instanceof Float) {
            return DataTypes.DoubleType;
        }
        if (v instanceof String) {
            return DataTypes.StringType;
        }
        if (v instanceof PyBytes || v instanceof byte[]) {
            return DataTypes.BinaryType;
        }
        if (v instanceof LocalDateTime) {
            return DataTypes.TimestampNTZType;
        }
        if (v instanceof OffsetDateTime || v instanceof ZonedDateTime) {
            return DataTypes.TimestampType;
        }
        if (v instanceof LocalDate) {
            return DataTypes.DateType;
        }
        if (v instanceof NDArray a) {
            return ndarray(a, dictsAsMaps);
        }
        if (v instanceof NDScalar s) {
            return element(s.dtype().kind(), s.dtype().itemSize(), DataTypes.StringType);
        }
        if (v instanceof Map<?, ?> m) {
            return dict(m, dictsAsMaps);
        }
        if (v instanceof Collection<?> c) {   // list, tuple, set, frozenset
            DataType e = DataTypes.NullType;
            for (Object x : c) {
                e = merge(e, of(x, dictsAsMaps));
            }
            return DataTypes.createArrayType(e, true);
        }
        return DataTypes.StringType;   // any other Python object: its JSON text
    }

    /** Whether {@code v} holds (at any depth) a Python int that does not fit 64 bits. */
    static boolean hasBigInt(Object v) {
        return findInt(v, 64, 0);
    }

    /** Whether {@code v} holds a Python int of more than 38 decimal digits, which no Spark decimal holds. */
    static boolean hasHugeInt(Object v) {
        return findInt(v, 127, 0);
    }

    private static final BigInteger DECIMAL38 = BigInteger.TEN.pow(38);

    private static boolean findInt(Object v, int bits, int depth) {
        if (v instanceof BigInteger b) {
            return bits == 64 ? b.bitLength() >= 64 : b.abs().compareTo(DECIMAL38) >= 0;
        }
        if (depth > 100) {
            return false;
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (findInt(e.getKey(), bits, depth + 1) || findInt(e.getValue(), bits, depth + 1)) {
                    return true;
                }
            }
        } else if (v instanceof Collection<?> c) {
            for (Object x : c) {
                if (findInt(x, bits, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The top-level columns of a dict element: one per key, in the order first seen. */
    static StructType columns(Map<?, ?> dict, boolean dictsAsMaps) {
        List<StructField> fields = new ArrayList<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            fields.add(DataTypes.createStructField((String) e.getKey(), of(e.getValue(), dictsAsMaps), true));
        }
        return DataTypes.createStructType(fields);
    }

    /** Whether every key of {@code m} is a str (so it can become columns or a struct). */
    static boolean stringKeys(Map<?, ?> m) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                return false;
            }
        }
        return true;
    }

    private static DataType dict(Map<?, ?> m, boolean dictsAsMaps) {
        if (!dictsAsMaps && stringKeys(m)) {
            return columns(m, false);
        }
        DataType k = DataTypes.NullType;
        DataType v = DataTypes.NullType;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            k = merge(k, of(e.getKey(), dictsAsMaps));
            v = merge(v, of(e.getValue(), dictsAsMaps));
        }
        return DataTypes.createMapType(k, v, true);
    }

    private static DataType ndarray(NDArray a, boolean dictsAsMaps) {
        DataType e;
        if (a.dtype().kind() == 'O') {
            e = DataTypes.NullType;
            for (Object x : a.toObjectArray()) {
                e = merge(e, of(x, dictsAsMaps));
            }
        } else {
            e = element(a.dtype().kind(), a.dtype().itemSize(), null);
            if (e == null) {
                return DataTypes.StringType;   // datetime64, complex, structured...: JSON text
            }
        }
        if (a.ndim() == 0) {
            return e;
        }
        for (int i = 0; i < a.ndim(); i++) {
            e = DataTypes.createArrayType(e, a.dtype().kind() == 'O');
        }
        return e;
    }

    /** The Spark type of one numpy item of this kind and size, or {@code otherwise}. */
    static DataType element(char kind, int size, DataType otherwise) {
        switch (kind) {
            case 'b':
                return DataTypes.BooleanType;
            case 'i':
                return size == 1 ? DataTypes.ByteType : size == 2 ? DataTypes.ShortType
                        : size == 4 ? DataTypes.IntegerType : DataTypes.LongType;
            case 'u':
                return size == 1 ? DataTypes.ShortType : size == 2 ? DataTypes.IntegerType
                        : size == 4 ? DataTypes.LongType : UINT64;
            case 'f':
                return size == 8 ? DataTypes.DoubleType : DataTypes.FloatType;
            case 'U':
                return DataTypes.StringType;
            case 'S':
                return DataTypes.BinaryType;
            default:
                return otherwise;
        }
    }

    /** The type holding values of both {@code a} and {@code b}. */
    static DataType merge(DataType a, DataType b) {
        if (a.equals(b)) {
            return a;
        }
        if (a instanceof NullType) {
            return b;
        }
        if (b instanceof NullType) {
            return a;
        }
        int ra = numericRank(a);
        int rb = numericRank(b);
        if (ra > 0 && rb > 0) {
            if (a instanceof DecimalType || b instanceof DecimalType) {
                DataType other = a instanceof DecimalType ? b : a;
                if (other instanceof DecimalType) {
                    DecimalType da = (DecimalType) a;
                    DecimalType db = (DecimalType) b;
                    return da.scale() == 0 && db.scale() == 0 ? BIG_INT : DataTypes.DoubleType;
                }
                return numericRank(other) <= 4 ? BIG_INT : DataTypes.DoubleType;
            }
            boolean floating = ra >= 5 || rb >= 5;
            if (floating && (ra <= 4 || rb <= 4)) {
                return DataTypes.DoubleType;
            }
            return ra >= rb ? a : b;
        }
        if (a instanceof ArrayType x && b instanceof ArrayType y) {
            return DataTypes.createArrayType(merge(x.elementType(), y.elementType()), true);
        }
        if (a instanceof MapType x && b instanceof MapType y) {
            return DataTypes.createMapType(merge(x.keyType(), y.keyType()), merge(x.valueType(), y.valueType()), true);
        }
        if (a instanceof StructType x && b instanceof StructType y) {
            return mergeStructs(x, y);
        }
        if (a instanceof StructType x && b instanceof MapType y) {
            return mergeIntoMap(x, y);
        }
        if (a instanceof MapType x && b instanceof StructType y) {
            return mergeIntoMap(y, x);
        }
        return DataTypes.StringType;
    }

    /** Fields of both, in the order first seen, each with the merged type. */
    static StructType mergeStructs(StructType x, StructType y) {
        Map<String, DataType> fields = new LinkedHashMap<>();
        for (StructField f : x.fields()) {
            fields.put(f.name(), f.dataType());
        }
        for (StructField f : y.fields()) {
            fields.merge(f.name(), f.dataType(), PythonTypes::merge);
        }
        List<StructField> out = new ArrayList<>();
        fields.forEach((n, t) -> out.add(DataTypes.createStructField(n, t, true)));
        return DataTypes.createStructType(out);
    }

    private static DataType mergeIntoMap(StructType s, MapType m) {
        DataType v = m.valueType();
        for (StructField f : s.fields()) {
            v = merge(v, f.dataType());
        }
        return DataTypes.createMapType(merge(m.keyType(), DataTypes.StringType), v, true);
    }

    /** 1-4 integral (byte..long), 5 float, 6 double, 7 decimal; 0 not numeric. */
    private static int numericRank(DataType t) {
        if (t.equals(DataTypes.ByteType)) {
            return 1;
        }
        if (t.equals(DataTypes.ShortType)) {
            return 2;
        }
        if (t.equals(DataTypes.IntegerType)) {
            return 3;
        }
        if (t.equals(DataTypes.LongType)) {
            return 4;
        }
        if (t.equals(DataTypes.FloatType)) {
            return 5;
        }
        if (t.equals(DataTypes.DoubleType)) {
            return 6;
        }
        if (t instanceof DecimalType) {
            return 7;
        }
        return 0;
    }

    /** {@code t} with every NullType (a column or element only ever None) replaced by string. */
    static DataType finish(DataType t) {
        if (t instanceof NullType) {
            return DataTypes.StringType;
        }
        if (t instanceof ArrayType a) {
            return DataTypes.createArrayType(finish(a.elementType()), true);
        }
        if (t instanceof MapType m) {
            return DataTypes.createMapType(finish(m.keyType()), finish(m.valueType()), true);
        }
        if (t instanceof StructType s) {
            List<StructField> out = new ArrayList<>();
            for (StructField f : s.fields()) {
                out.add(DataTypes.createStructField(f.name(), finish(f.dataType()), true));
            }
            return DataTypes.createStructType(out);
        }
        return t;
    }
}
