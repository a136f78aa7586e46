package dev.brine.pandas;

import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builders of DataFrames and Series for {@link dev.brine.Pickle#dumps}. The value built is an inert call of
 * pandas' public constructors ({@code pandas.DataFrame(dict, index)}, {@code pandas.Series(values, index, None,
 * name)}, {@code pandas.array(list, dtype)}, {@code pandas.Categorical(...)}, {@code pandas.Index(...)}) over numpy
 * arrays and plain lists, so one stream loads on pandas 1.x and 2.x: none of pandas' internal layouts is written.
 *
 * <pre>{@code
 * Object df = PandasFrame.builder()
 *         .column("id", "int64", List.of(1L, 2L))
 *         .column("when", "datetime64[ns, Europe/Berlin]", List.of(zoned1, zoned2))
 *         .index("object", List.of("a", "b"))
 *         .build();
 * byte[] pickle = Pickle.dumps(df);
 * }</pre>
 *
 * <p>The dtypes are those {@link PandasColumn#dtype()} names (see {@code docs/PANDAS.md}), with values of the
 * types {@link PandasColumn#values()} gives. Period and Interval values are their text ({@code 2024-01},
 * {@code (0, 1]}).
 */
public final class PandasBuilder {
    private static final GlobalRef PD_ARRAY = GlobalRef.of("pandas", "array");
    private static final GlobalRef CATEGORICAL = GlobalRef.of("pandas", "Categorical");
    private static final GlobalRef INTERVAL = GlobalRef.of("pandas", "Interval");
    private static final GlobalRef INDEX = GlobalRef.of("pandas", "Index");
    private static final GlobalRef MULTI_INDEX = GlobalRef.of("pandas", "MultiIndex");
    private static final GlobalRef DATAFRAME = GlobalRef.of("pandas", "DataFrame");
    private static final GlobalRef SERIES = GlobalRef.of("pandas", "Series");
    private static final GlobalRef GETATTR = GlobalRef.of("builtins", "getattr");
    private static final Pattern INTERVAL_TEXT = Pattern.compile("([\\[(])\\s*(\\S+?)\\s*,\\s*(\\S+?)\\s*([\\])])");
    private static final Pattern INTERVAL_DTYPE = Pattern.compile("interval\\[(\\w+), (right|left|both|neither)]");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSxxx");

    private PandasBuilder() {
    }

    /** Builds a DataFrame: columns in order, then an optional index (a RangeIndex when none is given). */
    public static final class Frame {
        private final Map<Object, Object> columns = new LinkedHashMap<>();
        private Object index;

        Frame() {
        }

        /**
         * Adds a column of {@code dtype} (pandas' name: {@code int64}, {@code datetime64[ns, UTC]}, {@code category}
         * ...) holding {@code values} (null for NA where the dtype allows it).
         *
         * @throws IllegalArgumentException if the label is taken, the dtype unknown, a value of the wrong type, or
         *                                  the length differs from earlier columns
         */
        public Frame column(Object label, String dtype, List<?> values) {
            checkLength(values.size());
            Object key = label instanceof List<?> l && !(label instanceof PyTuple) ? PyTuple.copyOf(l) : label;
            if (columns.containsKey(key)) {
                throw new IllegalArgumentException("column " + label + " was already added");
            }
            columns.put(key, array(dtype, values, "column " + label));
            sizes.add(values.size());
            return this;
        }

        /**
         * Adds a one-dimensional numpy column with its values and dtype; it is written under numpy 1's module names
         * ({@code numpy.core}), which numpy 2 also loads, whatever names it was read or made with.
         */
        public Frame column(Object label, NDArray values) {
            if (values.ndim() != 1) {
                throw new IllegalArgumentException("column " + label + " must be one-dimensional");
            }
            checkLength((int) values.size());
            java.nio.ByteBuffer bytes = values.buffer();
            byte[] data = new byte[bytes.remaining()];
            bytes.get(data);
            NDArray portable = NDArray.fromPickle(values.dtype(), values.shape(), NDArray.Order.C, data, "numpy.core",
                    NDArray.Form.RECONSTRUCT);
            if (columns.putIfAbsent(label, portable) != null) {
                throw new IllegalArgumentException("column " + label + " was already added");
            }
            sizes.add((int) values.size());
            return this;
        }

        /**
         * A categorical column with the given categories (in order; null lets pandas sort the distinct values) and
         * orderedness.
         */
        public Frame categorical(Object label, List<?> values, List<?> categories, boolean ordered) {
            checkLength(values.size());
            if (columns.putIfAbsent(label, categoricalOf(values, categories, ordered, "column " + label)) != null) {
                throw new IllegalArgumentException("column " + label + " was already added");
            }
            sizes.add(values.size());
            return this;
        }

        /** An index of {@code dtype} with {@code values}, unnamed. */
        public Frame index(String dtype, List<?> values) {
            return index(dtype, values, null);
        }

        /** An index of {@code dtype} with {@code values} and a name. */
        public Frame index(String dtype, List<?> values, Object name) {
            index = indexOf(dtype, values, name);
            return this;
        }

        /** A MultiIndex of these rows (each a List or PyTuple of one value per level) and level names. */
        public Frame multiIndex(List<? extends List<?>> rows, List<?> names) {
            index = multiIndexOf(rows, names);
            return this;
        }

        private final List<Integer> sizes = new ArrayList<>();

        private void checkLength(int n) {
            if (!sizes.isEmpty() && sizes.get(0) != n) {
                throw new IllegalArgumentException("a column of " + n + " rows in a frame of " + sizes.get(0));
            }
        }

        /** The frame as an inert {@code pandas.DataFrame(dict, index)} call for {@link dev.brine.Pickle#dumps}. */
        public PyObject build() {
            return PyObject.reduce(DATAFRAME, new LinkedHashMap<>(columns), index);
        }
    }

    /** Builds a Series: values of one dtype, an optional name and index. */
    public static final class Series {
        private Object values;
        private Object name;
        private Object index;

        Series() {
        }

        /** The values, of {@code dtype} (as for {@link Frame#column(Object, String, List)}). */
        public Series values(String dtype, List<?> values) {
            this.values = array(dtype, values, "Series");
            return this;
        }

        /** Categorical values with the given categories (null: sorted distinct values) and orderedness. */
        public Series categorical(List<?> values, List<?> categories, boolean ordered) {
            this.values = categoricalOf(values, categories, ordered, "Series");
            return this;
        }

        /** The name (null for none). */
        public Series name(Object name) {
            this.name = name;
            return this;
        }

        /** An index of {@code dtype}. */
        public Series index(String dtype, List<?> values) {
            index = indexOf(dtype, values, null);
            return this;
        }

        /** A MultiIndex. */
        public Series multiIndex(List<? extends List<?>> rows, List<?> names) {
            index = multiIndexOf(rows, names);
            return this;
        }

        /** The Series as an inert {@code pandas.Series(values, index, None, name)} call. */
        public PyObject build() {
            if (values == null) {
                throw new IllegalStateException("no values; call values(dtype, list)");
            }
            return PyObject.reduce(SERIES, values, index, null, name);
        }
    }

    // ---------------------------------------------------------------- values of each dtype

    static Object array(String dtype, List<?> values, String where) {
        Objects.requireNonNull(dtype, "dtype");
        switch (dtype) {
            case "int64":
            case "int32":
            case "int16":
            case "int8":
            case "uint64":
            case "uint32":
            case "uint16":
            case "uint8":
                return integers(dtype, values, where);
            case "float64":
            case "float32":
                return floats(dtype, values, where);
            case "bool":
                return bools(values, where);
            case "datetime64[ns]":
                return nanos("<M8[ns]", values, where);
            case "timedelta64[ns]":
                return nanos("<m8[ns]", values, where);
            case "object":
                return PyObject.reduce(PD_ARRAY, plain(values, where), "object");
            case "category":
                return categoricalOf(values, null, false, where);
            case "Int8": case "Int16": case "Int32": case "Int64":
            case "UInt8": case "UInt16": case "UInt32": case "UInt64":
            case "Float32": case "Float64":
            case "boolean":
            case "string":
                return PyObject.reduce(PD_ARRAY, plain(values, where), dtype);
            default:
                break;
        }
        if (dtype.startsWith("datetime64[ns, ") && dtype.endsWith("]")) {
            // As UTC text: pandas parses text of one offset into the dtype's zone; mixed offsets it refuses.
            List<Object> text = new ArrayList<>(values.size());
            for (Object v : values) {
                text.add(v == null ? null : ISO.format(aware(v, where).withOffsetSameInstant(ZoneOffset.UTC)));
            }
            return PyObject.reduce(PD_ARRAY, text, dtype);
        }
        if (dtype.startsWith("period[") && dtype.endsWith("]")) {
            List<Object> text = new ArrayList<>(values.size());
            for (Object v : values) {
                if (v != null && !(v instanceof String)) {
                    throw new IllegalArgumentException(where + ": a period value is its text (2024-01), not " + v);
                }
                text.add(v);
            }
            return PyObject.reduce(PD_ARRAY, text, dtype);
        }
        Matcher m = INTERVAL_DTYPE.matcher(dtype);
        if (m.matches()) {
            boolean integral = m.group(1).startsWith("int") || m.group(1).startsWith("uint");
            List<Object> items = new ArrayList<>(values.size());
            for (Object v : values) {
                if (v == null) {
                    if (integral) {
                        throw new IllegalArgumentException(where + ": pandas has no missing interval in " + dtype);
                    }
                    items.add(null);
                    continue;
                }
                Matcher t = v instanceof String s ? INTERVAL_TEXT.matcher(s) : null;
                if (t == null || !t.matches()) {
                    throw new IllegalArgumentException(where + ": an interval is text such as (0, 1], not " + v);
                }
                String closed = t.group(1).equals("[") ? (t.group(4).equals("]") ? "both" : "left")
                        : (t.group(4).equals("]") ? "right" : "neither");
                if (!closed.equals(m.group(2))) {
                    throw new IllegalArgumentException(where + ": " + v + " is closed " + closed + ", the dtype "
                            + m.group(2));
                }
                items.add(PyObject.reduce(INTERVAL, number(t.group(2), integral, where),
                        number(t.group(3), integral, where), closed));
            }
            return PyObject.reduce(PD_ARRAY, items, dtype);
        }
        throw new IllegalArgumentException(where + ": unsupported dtype '" + dtype + "' (see docs/PANDAS.md)");
    }

    private static Object number(String s, boolean integral, String where) {
        try {
            return integral ? (Object) Long.parseLong(s) : (Object) Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": bad interval end " + s);
        }
    }

    private static OffsetDateTime aware(Object v, String where) {
        if (v instanceof ZonedDateTime z) {
            return z.toOffsetDateTime();
        }
        if (v instanceof OffsetDateTime o) {
            return o;
        }
        if (v instanceof java.time.Instant i) {
            return i.atOffset(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException(where + ": an aware datetime is a ZonedDateTime, OffsetDateTime or "
                + "Instant, not " + v);
    }

    static Object categoricalOf(List<?> values, List<?> categories, boolean ordered, String where) {
        return PyObject.reduce(CATEGORICAL, plain(values, where), categories == null ? null : plain(categories, where),
                ordered);
    }

    /** Values Brine writes as Python scalars: Long, Double, Boolean, String, null (Integer etc. widened). */
    private static List<Object> plain(List<?> values, String where) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object v : values) {
            if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
                out.add(((Number) v).longValue());
            } else if (v instanceof Float f) {
                out.add(f.doubleValue());
            } else if (v == null || v instanceof Long || v instanceof Double || v instanceof Boolean
                    || v instanceof String || v instanceof java.math.BigInteger || v instanceof PyTuple) {
                out.add(v);
            } else {
                throw new IllegalArgumentException(where + ": unsupported value " + v + " (" + v.getClass()
                        .getSimpleName() + ")");
            }
        }
        return out;
    }

    private static NDArray integers(String dtype, List<?> values, String where) {
        boolean unsigned = dtype.startsWith("u");
        int bits = Integer.parseInt(dtype.substring(unsigned ? 4 : 3));
        int size = bits / 8;
        ByteBuffer b = ByteBuffer.allocate(values.size() * size).order(ByteOrder.LITTLE_ENDIAN);
        long min = unsigned ? 0 : bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
        long max = bits == 64 ? Long.MAX_VALUE : unsigned ? (1L << bits) - 1 : (1L << (bits - 1)) - 1;
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (!(v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)) {
                throw new IllegalArgumentException(where + " row " + i + ": " + dtype + " needs an integer, not " + v
                        + (v == null ? " (use Int64 and friends for missing values)" : ""));
            }
            long x = ((Number) v).longValue();
            if (x < min || x > max) {
                throw new IllegalArgumentException(where + " row " + i + ": " + x + " does not fit " + dtype);
            }
            switch (size) {
                case 1 -> b.put((byte) x);
                case 2 -> b.putShort((short) x);
                case 4 -> b.putInt((int) x);
                default -> b.putLong(x);
            }
        }
        return numpy((size == 1 ? "|" : "<") + (unsigned ? "u" : "i") + size, b.array(), values.size());
    }

    private static NDArray floats(String dtype, List<?> values, String where) {
        boolean f4 = dtype.equals("float32");
        ByteBuffer b = ByteBuffer.allocate(values.size() * (f4 ? 4 : 8)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v != null && !(v instanceof Number)) {
                throw new IllegalArgumentException(where + " row " + i + ": " + dtype + " needs a number, not " + v);
            }
            double x = v == null ? Double.NaN : ((Number) v).doubleValue();
            if (f4) {
                b.putFloat((float) x);
            } else {
                b.putDouble(x);
            }
        }
        return numpy(f4 ? "<f4" : "<f8", b.array(), values.size());
    }

    private static NDArray bools(List<?> values, String where) {
        byte[] b = new byte[values.size()];
        for (int i = 0; i < b.length; i++) {
            if (!(values.get(i) instanceof Boolean x)) {
                throw new IllegalArgumentException(where + " row " + i + ": bool needs a Boolean, not "
                        + values.get(i) + (values.get(i) == null ? " (use boolean for missing values)" : ""));
            }
            b[i] = (byte) (x ? 1 : 0);
        }
        return numpy("|b1", b, b.length);
    }

    private static NDArray nanos(String dtype, List<?> values, String where) {
        ByteBuffer b = ByteBuffer.allocate(values.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            long n;
            if (v == null) {
                n = Long.MIN_VALUE;                                 // NaT
            } else if (dtype.startsWith("<M") && v instanceof LocalDateTime t) {
                Duration d = Duration.between(LocalDateTime.ofEpochSecond(0, 0, ZoneOffset.UTC), t);
                n = exactNanos(d, where, i);
            } else if (dtype.startsWith("<m") && v instanceof Duration d) {
                n = exactNanos(d, where, i);
            } else {
                throw new IllegalArgumentException(where + " row " + i + ": " + (dtype.startsWith("<M")
                        ? "datetime64[ns] needs a LocalDateTime" : "timedelta64[ns] needs a Duration") + ", not " + v);
            }
            b.putLong(n);
        }
        return numpy(dtype, b.array(), values.size());
    }

    private static long exactNanos(Duration d, String where, int row) {
        try {
            long n = d.toNanos();
            if (n == Long.MIN_VALUE) {
                throw new ArithmeticException();
            }
            return n;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(where + " row " + row + ": " + d + " is outside what nanoseconds "
                    + "in 64 bits hold (about 1677 to 2262)");
        }
    }

    /** A numpy array written as numpy 1.x names it ({@code numpy.core}), which numpy 2 also loads. */
    private static NDArray numpy(String dtype, byte[] data, int n) {
        return NDArray.fromPickle(DType.of(dtype), new long[] {n}, NDArray.Order.C, data, "numpy.core",
                NDArray.Form.RECONSTRUCT);
    }

    // ---------------------------------------------------------------- indexes

    static Object indexOf(String dtype, List<?> values, Object name) {
        Object data = dtype.equals("object") ? plain(values, "index") : array(dtype, values, "index");
        return PyObject.reduce(INDEX, data, dtype.equals("object") ? "object" : null, false, name);
    }

    static Object multiIndexOf(List<? extends List<?>> rows, List<?> names) {
        List<Object> tuples = new ArrayList<>(rows.size());
        for (List<?> r : rows) {
            tuples.add(PyTuple.copyOf(plain(r, "MultiIndex row")));
        }
        // MultiIndex.from_tuples through getattr: a dotted global name needs protocol 4, this loads at any.
        PyObject fromTuples = PyObject.reduce(GETATTR, MULTI_INDEX, "from_tuples");
        return PyObject.reduce(fromTuples, tuples, null, names == null ? null : new ArrayList<>(names));
    }
}
