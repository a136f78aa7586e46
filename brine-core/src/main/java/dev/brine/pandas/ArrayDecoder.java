package dev.brine.pandas;

import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reads the arrays pandas keeps in blocks and indexes, as the pickle leaves them (nothing is run):
 * <ul>
 *   <li>numpy arrays ({@link NDArray}, or an inert {@code _reconstruct} node for object arrays);</li>
 *   <li>{@code __pyx_unpickle_NDArrayBacked(cls, checksum, None)} with the state tuple
 *       {@code (dtype, ndarray, attributes)} pandas' {@code NDArrayBacked.__setstate__} takes (or its dict form):
 *       DatetimeArray, TimedeltaArray, PeriodArray, Categorical, StringArray, PandasArray/NumpyExtensionArray;</li>
 *   <li>masked arrays (IntegerArray, FloatingArray, BooleanArray) with {@code _data} and {@code _mask};</li>
 *   <li>IntervalArray ({@code __pyx_unpickle_IntervalMixin} or a plain state) with {@code _left}, {@code _right}
 *       and {@code _dtype}.</li>
 * </ul>
 * Two-dimensional numpy data (a DataFrame block of several columns) gives one column per row of the array.
 */
final class ArrayDecoder {
    private static final GlobalRef NA = GlobalRef.of("pandas._libs.missing", "NA");

    private ArrayDecoder() {
    }

    static Decoded decode(Object values, String where) {
        if (values instanceof NDArray a) {
            return numpy(a, where);
        }
        if (!(values instanceof PyObject p)) {
            if (values instanceof List<?> l) {            // a plain list where an old pickle kept Index data
                List<Object> col = new ArrayList<>(l.size());
                for (Object o : l) {
                    col.add(item(o));
                }
                return new Decoded("object", col.size(), List.of(Collections.unmodifiableList(col)),
                        Collections.singletonList(null));
            }
            throw Frames.bad(where, "expected an array, found " + Frames.describe(values));
        }
        String name = Frames.madeName(p);
        if (name == null) {
            throw Frames.bad(where, "expected an array, found " + Frames.describe(values));
        }
        switch (name) {
            case "_reconstruct":
                return objectArray(p, where);
            case "__pyx_unpickle_NDArrayBacked":
                return ndarrayBacked(p, where);
            case "__pyx_unpickle_IntervalMixin":
                return interval(p, Frames.className(p.args().isEmpty() ? null : p.args().get(0)), where);
            case "IntegerArray":
            case "FloatingArray":
            case "BooleanArray":
                return masked(p, name, where);
            case "IntervalArray":
                return interval(p, name, where);
            default:
                throw Frames.bad(where, "unsupported array type " + Frames.made(p));
        }
    }

    // ---------------------------------------------------------------- numpy

    static String numpyName(DType t) {
        int bits = t.itemSize() * 8;
        switch (t.kind()) {
            case 'b':
                return "bool";
            case 'i':
                return "int" + bits;
            case 'u':
                return "uint" + bits;
            case 'f':
                return "float" + bits;
            case 'c':
                return "complex" + bits;
            case 'M':
                return "datetime64[" + unit(t) + "]";
            case 'm':
                return "timedelta64[" + unit(t) + "]";
            case 'S':
                return "|S" + t.itemSize();
            case 'U':
                return "<U" + t.itemSize() / 4;
            default:
                return t.str();
        }
    }

    private static String unit(DType t) {
        long n = t.datetimeUnitCount();
        return (n > 1 ? n : "") + t.datetimeUnit();
    }

    private static Decoded numpy(NDArray a, String where) {
        long[] shape = a.shape();
        int width;
        int rows;
        if (shape.length == 1) {
            width = 1;
            rows = checkedInt(shape[0], where);
        } else if (shape.length == 2) {
            width = checkedInt(shape[0], where);
            rows = checkedInt(shape[1], where);
        } else {
            throw Frames.bad(where, "expected a one- or two-dimensional array, found shape " + Arrays.toString(shape));
        }
        checkDtype(a.dtype(), where);
        boolean temporal = a.dtype().kind() == 'M' || a.dtype().kind() == 'm';
        List<List<Object>> cols = new ArrayList<>(width);
        List<NDArray> arrays = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
            NDArray col = shape.length == 1 ? a : row(a, c, width, rows);
            arrays.add(col);
            if (temporal) {
                // Converted now, so that a count outside java.time's range fails here and not on access.
                List<Object> values = new ArrayList<>(rows);
                for (int r = 0; r < rows; r++) {
                    values.add(temporalItem(col, r, where));
                }
                cols.add(Collections.unmodifiableList(values));
            } else {
                cols.add(new NumpyColumn(col, rows));
            }
        }
        return new Decoded(numpyName(a.dtype()), rows, cols, arrays);
    }

    /** The numpy dtypes a pandas block or index holds as a numpy array, with item sizes Brine can read. */
    private static void checkDtype(DType t, String where) {
        int size = t.itemSize();
        boolean ok;
        switch (t.kind()) {
            case 'b':
                ok = size == 1;
                break;
            case 'i':
            case 'u':
                ok = size == 1 || size == 2 || size == 4 || size == 8;
                break;
            case 'f':
                ok = size == 2 || size == 4 || size == 8;
                break;
            case 'c':
                ok = size == 8 || size == 16;
                break;
            case 'M':
            case 'm':
                ok = size == 8 && Times.knownUnit(t.datetimeUnit());
                break;
            default:
                ok = false;
        }
        if (!ok) {
            throw Frames.bad(where, "unsupported numpy dtype " + t + " for a pandas column or index");
        }
    }

    private static Object temporalItem(NDArray a, int i, String where) {
        try {
            return numpyItem(a, i);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw Frames.bad(where, "value " + a.getLong(i) + " of " + a.dtype() + " at row " + i
                    + " is outside java.time's range");
        }
    }

    /** Row {@code c} of a two-dimensional array (one DataFrame column of a block), as its own C-order array. */
    private static NDArray row(NDArray a, int c, int width, int rows) {
        int size = a.dtype().itemSize();
        ByteBuffer src = a.buffer();
        byte[] out = new byte[Math.multiplyExact(rows, size)];
        if (a.order() == NDArray.Order.C) {
            src.position(c * rows * size);
            src.get(out);
        } else {
            for (int r = 0; r < rows; r++) {
                src.position((r * width + c) * size);
                src.get(out, r * size, size);
            }
        }
        return NDArray.wrap(a.dtype(), ByteBuffer.wrap(out), NDArray.Order.C, rows);
    }

    private static int checkedInt(long n, String where) {
        if (n < 0 || n > Integer.MAX_VALUE - 8) {
            throw Frames.bad(where, "array length " + n + " out of range");
        }
        return (int) n;
    }

    /** A numpy column's items as natural Java values, converted on access. */
    private static final class NumpyColumn extends java.util.AbstractList<Object> implements java.util.RandomAccess {
        private final NDArray a;
        private final int rows;

        NumpyColumn(NDArray a, int rows) {
            this.a = a;
            this.rows = rows;
        }

        @Override
        public Object get(int i) {
            if (i < 0 || i >= rows) {
                throw new IndexOutOfBoundsException(i);
            }
            return numpyItem(a, i);
        }

        @Override
        public int size() {
            return rows;
        }
    }

    static Object numpyItem(NDArray a, int i) {
        DType t = a.dtype();
        switch (t.kind()) {
            case 'M': {
                long v = a.getLong(i);
                return v == Long.MIN_VALUE ? null : Times.local(v, t.datetimeUnit(), t.datetimeUnitCount());
            }
            case 'm': {
                long v = a.getLong(i);
                return v == Long.MIN_VALUE ? null : Times.duration(v, t.datetimeUnit(), t.datetimeUnitCount());
            }
            case 'f':
                return a.getDouble(i);
            default:
                return a.get(i);
        }
    }

    // ---------------------------------------------------------------- object arrays

    /** {@code _reconstruct(ndarray, (0,), b'b')} whose state holds a list of objects: numpy's object array. */
    private static Decoded objectArray(PyObject p, String where) {
        Object s = p.state();
        if (!(s instanceof PyTuple t) || (t.size() != 5 && t.size() != 4)) {
            throw Frames.bad(where, "numpy array without the state numpy writes");
        }
        PyTuple st = t.size() == 5 ? PyTuple.of(t.get(1), t.get(2), t.get(3), t.get(4)) : t;
        long[] shape = shape(st.get(0), where);
        boolean fortran = Boolean.TRUE.equals(st.get(2));
        Object data = st.get(3);
        if (!(data instanceof List<?> items)) {
            // A numeric dtype whose bytes did not fit the shape: Brine left the node inert. Say why.
            String dtype = st.get(1) instanceof DType d ? d.toString() : Frames.describe(st.get(1));
            long have = data instanceof PyBytes b ? b.length() : -1;
            throw Frames.bad(where, "array of shape " + Arrays.toString(shape) + " and " + dtype + " holds "
                    + (have < 0 ? Frames.describe(data) : have + " bytes") + ", which does not match its shape"
                    + " (truncated or corrupt array data)");
        }
        int width = shape.length == 1 ? 1 : checkedInt(shape[0], where);
        int rows = checkedInt(shape.length == 1 ? shape[0] : shape[1], where);
        if (shape.length > 2 || (long) width * rows != items.size()) {
            throw Frames.bad(where, "object array of shape " + Arrays.toString(shape) + " holds " + items.size()
                    + " items");
        }
        List<List<Object>> cols = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
            List<Object> col = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                col.add(item(items.get(fortran ? r * width + c : c * rows + r)));
            }
            cols.add(Collections.unmodifiableList(col));
        }
        List<NDArray> none = new ArrayList<>(Collections.nCopies(width, null));
        return new Decoded("object", rows, cols, none);
    }

    private static long[] shape(Object o, String where) {
        List<?> l = Frames.list(o, where + " shape");
        long[] s = new long[l.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = Frames.integer(l.get(i), where + " shape");
            if (s[i] < 0) {
                throw Frames.bad(where, "negative array dimension " + s[i]);
            }
        }
        if (s.length == 0 || s.length > 2) {
            throw Frames.bad(where, "expected a one- or two-dimensional array, found shape " + Arrays.toString(s));
        }
        return s;
    }

    /** One item of an object array: None, pd.NA and NaT as null; pandas scalars in their Java form. */
    static Object item(Object o) {
        if (o == null || NA.equals(o)) {
            return null;
        }
        if (o instanceof Float f) {
            return f.doubleValue();
        }
        if (o instanceof PyObject p) {
            String name = Frames.madeName(p);
            if ("__nat_unpickle".equals(name)) {
                return null;
            }
            if ("_unpickle_timestamp".equals(name)) {
                try {
                    return Times.timestamp(p);
                } catch (java.time.DateTimeException | ArithmeticException e) {
                    return p;               // outside java.time's range: left as the inert node it was read as
                }
            }
            if ("Timedelta".equals(name) && p.args().size() >= 1 && p.args().get(0) instanceof Long v) {
                return Times.duration(v, "ns", 1);
            }
        }
        return o;
    }

    // ---------------------------------------------------------------- NDArrayBacked

    private static Decoded ndarrayBacked(PyObject p, String where) {
        String cls = Frames.className(p.args().isEmpty() ? null : p.args().get(0));
        Object dtype;
        Object data;
        Map<Object, Object> attrs = Map.of();
        Object s = Frames.state(p);
        if (s instanceof PyTuple t && t.size() == 3) {
            dtype = t.get(0);
            data = t.get(1);
            if (dtype instanceof NDArray || Frames.madeName(dtype) != null && "_reconstruct".equals(Frames.madeName(dtype))) {
                Object x = dtype;       // NDArrayBacked.__setstate__ also accepts (ndarray, dtype, attrs)
                dtype = data;
                data = x;
            }
            if (t.get(2) instanceof Map<?, ?> m) {
                attrs = Frames.dict(m, where);
            }
        } else if (s instanceof Map<?, ?> m) {
            attrs = Frames.dict(m, where);
            data = attrs.containsKey("_ndarray") ? attrs.get("_ndarray") : attrs.get("_data");
            dtype = attrs.get("_dtype");
        } else {
            throw Frames.bad(where, cls + " without the state NDArrayBacked writes");
        }
        if (cls == null) {
            throw Frames.bad(where, "NDArrayBacked of " + Frames.describe(p.args().isEmpty() ? null : p.args().get(0)));
        }
        switch (cls) {
            case "DatetimeArray":
                return datetimes(dtype, data, where);
            case "TimedeltaArray":
                return decode(data, where);
            case "PeriodArray":
                return periods(dtype, data, attrs, where);
            case "Categorical":
                return categorical(dtype, data, where);
            case "StringArray": {
                Decoded d = decode(data, where);
                return new Decoded("string", d.rows(), d.columns(), new ArrayList<>(Collections.nCopies(d.width(), null)));
            }
            case "PandasArray":
            case "NumpyExtensionArray":
                return decode(data, where);
            default:
                throw Frames.bad(where, "unsupported pandas array " + cls);
        }
    }

    private static Decoded datetimes(Object dtype, Object data, String where) {
        Decoded d = decode(data, where);
        if (dtype instanceof DType || dtype == null) {
            return d;
        }
        Times.Zone zone = Times.zone(dtype, where);
        String unit = d.dtype().substring("datetime64[".length(), d.dtype().length() - 1);
        String name = "datetime64[" + unit + ", " + zone.name() + "]";
        List<List<Object>> cols = new ArrayList<>(d.width());
        for (List<Object> col : d.columns()) {
            List<Object> out = new ArrayList<>(col.size());
            for (Object v : col) {
                out.add(v == null ? null : zone.at((java.time.LocalDateTime) v));
            }
            cols.add(Collections.unmodifiableList(out));
        }
        return new Decoded(name, d.rows(), cols, d.arrays());
    }

    private static Decoded periods(Object dtype, Object data, Map<Object, Object> attrs, String where) {
        Object freq = dtype != null ? dtype : attrs.get("_freq");
        String code = Times.periodCode(freq, where);
        Decoded d = decode(data, where);
        List<List<Object>> cols = new ArrayList<>(d.width());
        for (NDArray a : d.arrays()) {
            if (a == null || a.dtype().kind() != 'i') {
                throw Frames.bad(where, "period ordinals must be int64, found " + d.dtype());
            }
            List<Object> out = new ArrayList<>(d.rows());
            for (int i = 0; i < d.rows(); i++) {
                long v = a.getLong(i);
                out.add(v == Long.MIN_VALUE ? null : Times.period(v, code, where));
            }
            cols.add(Collections.unmodifiableList(out));
        }
        return new Decoded("period[" + code + "]", d.rows(), cols, new ArrayList<>(Collections.nCopies(d.width(), null)));
    }

    private static Decoded categorical(Object dtype, Object codes, String where) {
        if (!(dtype instanceof PyObject dt) || !"CategoricalDtype".equals(Frames.madeName(dt))) {
            throw Frames.bad(where, "Categorical without a CategoricalDtype: " + Frames.describe(dtype));
        }
        Map<Object, Object> st = Frames.dict(Frames.state(dt), where + " CategoricalDtype");
        Object cats = st.get("categories");
        List<Object> categories = cats == null ? List.of()
                : IndexDecoder.decode(cats, where + " categories").values();
        Decoded c = decode(codes, where + " codes");
        NDArray a = c.arrays().get(0);
        if (c.width() != 1 || a == null || "iu".indexOf(a.dtype().kind()) < 0) {
            throw Frames.bad(where, "categorical codes must be one integer array, found " + c.dtype());
        }
        List<Object> out = new ArrayList<>(c.rows());
        for (int i = 0; i < c.rows(); i++) {
            long k = a.getLong(i);
            if (k == -1) {
                out.add(null);
            } else if (k < 0 || k >= categories.size()) {
                throw Frames.bad(where, "categorical code " + k + " at row " + i + " but only "
                        + categories.size() + " categories");
            } else {
                out.add(categories.get((int) k));
            }
        }
        return new Decoded("category", c.rows(), List.of(Collections.unmodifiableList(out)),
                Collections.singletonList(null));
    }

    // ---------------------------------------------------------------- masked arrays

    private static Decoded masked(PyObject p, String cls, String where) {
        Map<Object, Object> st = Frames.dict(Frames.state(p), where + " " + cls);
        Decoded data = decode(st.get("_data"), where + " _data");
        Decoded mask = decode(st.get("_mask"), where + " _mask");
        NDArray d = data.arrays().get(0);
        NDArray m = mask.arrays().get(0);
        if (data.width() != 1 || mask.width() != 1 || d == null || m == null || m.dtype().kind() != 'b') {
            throw Frames.bad(where, cls + " needs one data array and one bool mask");
        }
        if (data.rows() != mask.rows()) {
            throw Frames.bad(where, cls + " has " + data.rows() + " values but a mask of " + mask.rows());
        }
        String name;
        switch (d.dtype().kind()) {
            case 'b':
                name = "boolean";
                break;
            case 'i':
                name = "Int" + d.dtype().itemSize() * 8;
                break;
            case 'u':
                name = "UInt" + d.dtype().itemSize() * 8;
                break;
            case 'f':
                name = "Float" + d.dtype().itemSize() * 8;
                break;
            default:
                throw Frames.bad(where, cls + " over " + d.dtype());
        }
        List<Object> out = new ArrayList<>(data.rows());
        for (int i = 0; i < data.rows(); i++) {
            out.add(Boolean.TRUE.equals(m.get(i)) ? null : numpyItem(d, i));
        }
        return new Decoded(name, data.rows(), List.of(Collections.unmodifiableList(out)),
                Collections.singletonList(null));
    }

    // ---------------------------------------------------------------- intervals

    private static Decoded interval(PyObject p, String cls, String where) {
        if (cls != null && !cls.equals("IntervalArray")) {
            throw Frames.bad(where, "unsupported interval type " + cls);
        }
        return intervals(Frames.dict(Frames.state(p), where + " IntervalArray"), where);
    }

    /**
     * Intervals from an IntervalArray's state ({@code _left}, {@code _right}, {@code _dtype} or {@code _closed}), or
     * from the dict {@code IntervalIndex.__reduce__} gives {@code _new_IntervalIndex} ({@code left}, {@code right},
     * {@code closed}).
     */
    static Decoded intervals(Map<Object, Object> st, String where) {
        Object left = st.containsKey("_left") ? st.get("_left") : st.get("left");
        Object right = st.containsKey("_right") ? st.get("_right") : st.get("right");
        String closed = null;
        String subtype = null;
        Object dt = st.get("_dtype");
        if (dt instanceof PyObject d && "IntervalDtype".equals(Frames.madeName(d))) {
            Object ds = Frames.state(d);
            if (ds instanceof Map<?, ?> m) {
                Object sub = m.get("subtype");
                subtype = sub instanceof DType t ? numpyName(t) : sub instanceof String s ? s : null;
                closed = m.get("closed") instanceof String c ? c : null;
            }
        }
        if (closed == null) {
            closed = st.get("_closed") instanceof String c ? c : st.get("closed") instanceof String c2 ? c2 : null;
        }
        if (closed == null || !List.of("right", "left", "both", "neither").contains(closed)) {
            throw Frames.bad(where, "IntervalArray without a valid 'closed' side: " + closed);
        }
        List<Object> l = unwrap(left, where + " left").single(where + " left");
        Decoded rd = unwrap(right, where + " right");
        List<Object> r = rd.single(where + " right");
        if (l.size() != r.size()) {
            throw Frames.bad(where, "IntervalArray has " + l.size() + " left and " + r.size() + " right ends");
        }
        if (subtype == null) {
            subtype = rd.dtype();
        }
        List<Object> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            out.add(Times.interval(l.get(i), r.get(i), closed));
        }
        return new Decoded("interval[" + subtype + ", " + closed + "]", l.size(),
                List.of(Collections.unmodifiableList(out)), Collections.singletonList(null));
    }

    /** An interval end array: a numpy array, or an Index around one (as older pandas kept it). */
    private static Decoded unwrap(Object o, String where) {
        if (o instanceof PyObject p && Frames.madeName(p) != null && Frames.madeName(p).startsWith("_new_")) {
            IndexDecoder.IndexData ix = IndexDecoder.decode(p, where);
            return new Decoded(ix.dtype(), ix.values().size(), List.of(ix.values()), Collections.singletonList(null));
        }
        return decode(o, where);
    }

}
