package dev.brine.tools;

import dev.brine.scipy.SparseMatrix;
import dev.brine.value.DType;
import dev.brine.value.NDArray;
import dev.brine.value.NDScalar;
import dev.brine.value.PyArray;
import dev.brine.value.PyDecimal;
import dev.brine.value.PyException;
import dev.brine.value.PyFraction;
import dev.brine.value.PyNamedTuple;
import dev.brine.value.PyObject;
import dev.brine.value.PyPath;
import dev.brine.value.PyRange;
import dev.brine.value.PySlice;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongFunction;

/**
 * The tagged JSON form of each value type Brine maps to Java ({@link JsonView}'s table lists them): a tag and the
 * content under it, built from plain maps, lists, strings and numbers that {@link JsonView} renders as usual.
 */
final class Legible {
    /** A tag and its content. */
    record Form(String tag, Object content) {
    }

    private Legible() {
    }

    /** The form of a value that has no identity of its own (dates, decimals, dtypes, scalars, ...), or null. */
    static Form of(Object v, int maxItems) {
        if (v instanceof LocalDate d) {
            return new Form("$date", d.toString());
        } else if (v instanceof LocalTime t) {
            return new Form("$time", time(t));
        } else if (v instanceof OffsetTime t) {
            return new Form("$time", time(t.toLocalTime()) + offset(t.getOffset()));
        } else if (v instanceof LocalDateTime t) {
            return new Form("$datetime", t.toLocalDate() + "T" + time(t.toLocalTime()));
        } else if (v instanceof OffsetDateTime t) {
            return new Form("$datetime", t.toLocalDate() + "T" + time(t.toLocalTime()) + offset(t.getOffset()));
        } else if (v instanceof ZonedDateTime t) {
            return new Form("$datetime", t.toLocalDate() + "T" + time(t.toLocalTime()) + offset(t.getOffset())
                    + (t.getZone().normalized() instanceof ZoneOffset ? "" : "[" + t.getZone().getId() + "]"));
        } else if (v instanceof Instant t) {
            return of(t.atOffset(ZoneOffset.UTC), maxItems);
        } else if (v instanceof Duration d) {
            return new Form("$timedelta", d.toString());
        } else if (v instanceof ZoneId z) {
            return new Form("$timezone", z.getId());
        } else if (v instanceof BigDecimal d) {
            return new Form("$decimal", d.toString());
        } else if (v instanceof PyDecimal d) {
            return new Form("$decimal", d.toString());
        } else if (v instanceof PyFraction f) {
            return new Form("$fraction", f.numerator() + "/" + f.denominator());
        } else if (v instanceof UUID u) {
            return new Form("$uuid", u.toString());
        } else if (v instanceof PyPath p) {
            return new Form("$path", p.toString());
        } else if (v instanceof PyRange r) {
            return new Form("$range", List.of(r.start(), r.stop(), r.step()));
        } else if (v instanceof PySlice s) {
            return new Form("$slice", listOf(s.start(), s.stop(), s.step()));
        } else if (v instanceof PyNamedTuple t) {
            return new Form("$namedtuple", members("type", name(t.pythonClass().module(), t.pythonClass().name()),
                    "values", new ArrayList<>(t.values())));
        } else if (v instanceof PyException e) {
            Map<String, Object> m = members("type", name(e.pythonClass().module(), e.pythonClass().name()),
                    "args", new ArrayList<>(e.args()));
            if (e.state() != null) {
                m.put("state", e.state());
            }
            return new Form("$exception", m);
        } else if (v instanceof PyArray a) {
            Object items = a.items();
            return new Form("$array", members("typecode", String.valueOf(a.typecode()),
                    "values", ArrayPreview.of(new long[] {a.length()}, i -> arrayItem(items, a.typecode(), (int) i),
                            maxItems)));
        } else if (v instanceof DType d) {
            return new Form("$dtype", dtype(d));
        } else if (v instanceof NDScalar s) {
            return new Form("$scalar", members("dtype", s.dtype().str(), "value", datetimeItem(s.dtype(),
                    s.value())));
        }
        return null;
    }

    /**
     * A time as Python's {@code isoformat} writes it: seconds always, microseconds when not zero (nanoseconds, which
     * Python lacks, when a value made in Java has them).
     */
    private static String time(LocalTime t) {
        String hms = String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
        int nano = t.getNano();
        return nano == 0 ? hms : nano % 1000 == 0 ? hms + String.format(".%06d", nano / 1000)
                : hms + String.format(".%09d", nano);
    }

    /** An offset as Python writes it: {@code +00:00} for UTC, never {@code Z}. */
    private static String offset(ZoneOffset o) {
        return o.getTotalSeconds() == 0 ? "+00:00" : o.getId();
    }

    /** The values inside a value {@link #of} shows that may be shared containers (for {@code $id}/{@code $ref}). */
    static List<Object> children(Object v) {
        if (v instanceof PyException e) {
            List<Object> out = new ArrayList<>(e.args());
            out.add(e.state());
            return out;
        } else if (v instanceof PyNamedTuple t) {
            return new ArrayList<>(t.values());
        } else if (v instanceof PySlice s) {
            return listOf(s.start(), s.stop(), s.step());
        }
        return List.of();
    }

    /** The form of an inert node that Brine can read as a richer value (a scipy sparse matrix), or null. */
    static Form ofNode(PyObject node, int maxItems) {
        if (node.callable() instanceof dev.brine.value.GlobalRef g && g.module().startsWith("pandas.")
                && (g.name().equals("DataFrame") || g.name().equals("Series"))) {
            try {
                return pandas(node, g.name().equals("DataFrame"), maxItems);
            } catch (RuntimeException e) {
                return null;   // a layout the pandas reader refuses: shown as the node it is
            }
        }
        if (node.global() != null && node.global().module().startsWith("numpy.")) {
            try {
                return numpyNode(node, maxItems);
            } catch (IllegalArgumentException e) {
                return null;   // not as numpy writes it: shown as the node it is
            }
        }
        if (!SparseMatrix.isSparse(node)) {
            return null;
        }
        SparseMatrix m;
        try {
            m = SparseMatrix.from(node);
        } catch (RuntimeException e) {
            return null;   // dok and lil, or a state scipy would not write: shown as the node it is
        }
        Map<String, Object> c = members("format", m.format().name().toLowerCase(java.util.Locale.ROOT),
                "class", name(m.pythonClass().module(), m.pythonClass().name()));
        c.put("shape", List.of(m.rows(), m.columns()));
        c.put("dtype", m.dtype().str());
        c.put("nnz", m.storedCount());
        switch (m.format()) {
            case COO -> {
                c.put("row", m.row());
                c.put("col", m.col());
            }
            case DIA -> c.put("offsets", m.offsets());
            default -> {
                c.put("indices", m.indices());
                c.put("indptr", m.indptr());
            }
        }
        c.put("data", m.data());
        return new Form("$sparse", c);
    }

    /** A DataFrame as its shape, index and columns; a Series as its name, dtype, index and values. */
    private static Form pandas(PyObject node, boolean frame, int maxItems) {
        if (frame) {
            dev.brine.pandas.PandasFrame df = dev.brine.pandas.PandasFrame.from(node);
            List<Object> columns = new ArrayList<>();
            for (dev.brine.pandas.PandasColumn c : df.columns()) {
                columns.add(members("label", c.label(), "dtype", c.dtype(), "values", rows(c.values(), maxItems)));
            }
            return new Form("$dataframe", members("shape", List.of((long) df.rowCount(), (long) columns.size()),
                    "index", index(df.indexNames(), df.indexDtype(), df.index(), maxItems), "columns", columns));
        }
        dev.brine.pandas.PandasSeries s = dev.brine.pandas.PandasSeries.from(node);
        return new Form("$series", members("name", s.name(), "dtype", s.dtype(),
                "index", index(s.indexNames(), s.indexDtype(), s.index(), maxItems),
                "values", rows(s.values(), maxItems)));
    }

    private static Map<String, Object> index(List<Object> names, String dtype, List<Object> values, int maxItems) {
        return members("names", new ArrayList<>(names), "dtype", dtype, "values", rows(values, maxItems));
    }

    /** A column's values, summarized past {@code maxItems} as numpy summarizes one dimension. */
    private static Object rows(List<Object> values, int maxItems) {
        return ArrayPreview.of(new long[] {values.size()}, i -> values.get((int) i), maxItems);
    }

    /**
     * An object array ({@code _reconstruct} with a list of items, which numpy writes in C order whatever the
     * array's order) or a masked array ({@code _mareconstruct} with data and mask bytes in the array's order).
     */
    private static Form numpyNode(PyObject node, int maxItems) {
        String name = node.global().name();
        if (node.kind() != PyObject.Kind.REDUCE || node.states().size() != 1
                || !(node.state() instanceof dev.brine.value.PyTuple st)) {
            return null;
        }
        if (name.equals("_reconstruct") && node.global().module().endsWith("core.multiarray") && st.size() == 5
                && isObjectDType(st.get(2)) && st.get(4) instanceof List<?> items) {
            long[] shape = shapeOf(st.get(1));
            if (shape == null || count(shape) != items.size()) {
                return null;
            }
            return new Form("$ndarray", members("dtype", "|O", "shape", boxed(shape),
                    "order", Boolean.TRUE.equals(st.get(3)) ? "F" : "C",
                    "values", ArrayPreview.of(shape, i -> items.get((int) i), maxItems)));
        }
        if (name.equals("_mareconstruct") && node.global().module().equals("numpy.ma.core") && st.size() == 7
                && st.get(2) instanceof DType d && d.kind() != 'O') {
            long[] shape = shapeOf(st.get(1));
            if (shape == null) {
                return null;
            }
            NDArray.Order order = Boolean.TRUE.equals(st.get(3)) ? NDArray.Order.F : NDArray.Order.C;
            NDArray data = NDArray.fromPickle(d, shape, order, st.get(4), "numpy.core", NDArray.Form.RECONSTRUCT);
            Object mask = st.get(5);
            if (mask instanceof dev.brine.value.PyBytes || mask instanceof byte[]) {
                mask = NDArray.fromPickle(DType.of("|b1"), shape, order, mask, "numpy.core",
                        NDArray.Form.RECONSTRUCT);
            }
            return new Form("$masked", members("dtype", d.str(), "shape", boxed(shape), "data", data,
                    "mask", mask, "fill_value", st.get(6)));
        }
        return null;
    }

    /** numpy's object dtype, which the reader leaves as the inert {@code numpy.dtype('O8', False, True)} call. */
    private static boolean isObjectDType(Object v) {
        if (v instanceof DType d) {
            return d.kind() == 'O';
        }
        return v instanceof PyObject o && o.global() != null && o.global().name().equals("dtype")
                && o.global().module().equals("numpy") && o.args().size() >= 1
                && ("O8".equals(o.args().get(0)) || "O4".equals(o.args().get(0)) || "O".equals(o.args().get(0)));
    }

    private static long[] shapeOf(Object v) {
        if (!(v instanceof dev.brine.value.PyTuple t)) {
            return null;
        }
        long[] shape = new long[t.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(t.get(i) instanceof Long n) || n < 0) {
                return null;
            }
            shape[i] = n;
        }
        return shape;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = d == 0 ? 0 : n > Long.MAX_VALUE / d ? -1 : n * d;
            if (n < 0) {
                return -1;
            }
        }
        return n;
    }

    /** A {@code long[]} as a list, for rendering. */
    static List<Object> boxed(long[] values) {
        List<Object> out = new ArrayList<>(values.length);
        for (long v : values) {
            out.add(v);
        }
        return out;
    }

    /**
     * The item of an array as JSON shows it: datetime64 items as ISO 8601 text in the array's unit (as numpy prints
     * them), {@code "NaT"} for not-a-time; anything else as {@link NDArray#get} gives it.
     */
    static LongFunction<Object> items(NDArray a) {
        DType d = a.dtype();
        if (d.kind() == 'M' || d.kind() == 'm') {
            return i -> datetimeItem(d, a.getLong(i));
        }
        return a::get;
    }

    private static Object datetimeItem(DType d, Object value) {
        if ((d.kind() != 'M' && d.kind() != 'm') || !(value instanceof Long n)) {
            return value;
        }
        if (n == Long.MIN_VALUE) {
            return "NaT";
        }
        if (d.kind() == 'm') {
            return n;
        }
        String unit = d.datetimeUnit();
        long count = Math.max(1, d.datetimeUnitCount());
        try {
            long steps = Math.multiplyExact(n, count);
            return switch (unit) {
                case "Y" -> String.format("%04d", Math.addExact(1970, steps));
                case "M" -> LocalDate.of(1970, 1, 1).plusMonths(steps).toString().substring(0, 7);
                case "W" -> LocalDate.ofEpochDay(Math.multiplyExact(steps, 7)).toString();
                case "D" -> LocalDate.ofEpochDay(steps).toString();
                case "h" -> at(ChronoUnit.HOURS, steps).substring(0, 13);
                case "m" -> at(ChronoUnit.MINUTES, steps).substring(0, 16);
                case "s" -> at(ChronoUnit.SECONDS, steps).substring(0, 19);
                case "ms" -> at(ChronoUnit.MILLIS, steps).substring(0, 23);
                case "us" -> at(ChronoUnit.MICROS, steps).substring(0, 26);
                case "ns" -> at(ChronoUnit.NANOS, steps);
                default -> n;   // generic, ps, fs, as: the number, in the unit the dtype names
            };
        } catch (ArithmeticException | DateTimeException e) {
            return n;           // beyond java.time's years: the number
        }
    }

    /** An instant {@code steps} units after the epoch, as {@code yyyy-MM-ddTHH:mm:ss.nnnnnnnnn}. */
    private static String at(ChronoUnit unit, long steps) {
        LocalDateTime t = LocalDateTime.of(1970, 1, 1, 0, 0).plus(steps, unit);
        return DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS").format(t);
    }

    private static Object dtype(DType d) {
        if (!d.isStructured()) {
            return d.str();
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (String name : d.names()) {
            DType.Field f = d.fields().get(name);
            fields.put(name, members("dtype", dtype(f.dtype()), "offset", f.offset()));
        }
        return members("itemsize", (long) d.itemSize(), "fields", fields);
    }

    private static Object arrayItem(Object items, char typecode, int i) {
        Object v = Array.get(items, i);
        if (v instanceof Character c) {
            return String.valueOf(c);
        }
        if (v instanceof Integer n && typecode == 'u') {
            return new String(Character.toChars(n));
        }
        return v;
    }

    private static String name(String module, String name) {
        return module + "." + name;
    }

    private static List<Object> listOf(Object... items) {
        List<Object> l = new ArrayList<>(items.length);
        for (Object o : items) {
            l.add(o);
        }
        return l;
    }

    private static Map<String, Object> members(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
