package dev.brine.pandas;

import dev.brine.value.NDArray;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * Reads a pickled pandas Index: {@code _new_Index(cls, d)} (and {@code _new_DatetimeIndex},
 * {@code _new_PeriodIndex}) as {@code Index.__reduce__} writes it, for RangeIndex ({@code start}, {@code stop},
 * {@code step}), MultiIndex ({@code levels}, {@code codes}, {@code names}) and every Index over an array
 * ({@code data}, {@code name}). A bare array or list (as very old pickles keep axes) reads as its values.
 */
final class IndexDecoder {
    /** An index: its values (MultiIndex rows as PyTuples), level names, and pandas' dtype name. */
    record IndexData(List<Object> values, List<Object> names, String dtype) {
        int size() {
            return values.size();
        }
    }

    private IndexDecoder() {
    }

    static IndexData decode(Object o, String where) {
        if (!(o instanceof PyObject p) || Frames.madeName(p) == null || !Frames.madeName(p).startsWith("_new_")) {
            Decoded d = ArrayDecoder.decode(o, where);
            return new IndexData(d.single(where), Collections.singletonList(null), d.dtype());
        }
        PyTuple a = p.args();
        if (a.size() != 2) {
            throw Frames.bad(where, Frames.made(p) + " with " + a.size() + " arguments, expected (cls, dict)");
        }
        String cls = Frames.className(a.get(0));
        Map<Object, Object> d = Frames.dict(a.get(1), where + " " + cls);
        if ("RangeIndex".equals(cls)) {
            long start = d.get("start") == null ? 0 : Frames.integer(d.get("start"), where + " start");
            long stop = Frames.integer(d.get("stop"), where + " stop");
            long step = d.get("step") == null ? 1 : Frames.integer(d.get("step"), where + " step");
            if (step == 0) {
                throw Frames.bad(where, "RangeIndex with step 0");
            }
            return new IndexData(new Range(start, stop, step, where), Collections.singletonList(d.get("name")),
                    "int64");
        }
        if ("MultiIndex".equals(cls)) {
            return multi(d, where);
        }
        if ("IntervalIndex".equals(cls) && d.containsKey("left")) {
            Decoded iv = ArrayDecoder.intervals(d, where + " IntervalIndex");
            return new IndexData(iv.single(where), Collections.singletonList(d.get("name")), iv.dtype());
        }
        if (!d.containsKey("data")) {
            throw Frames.bad(where, cls + " without data");
        }
        Decoded data = ArrayDecoder.decode(d.get("data"), where + " " + cls);
        List<Object> values = data.single(where);
        String dtype = data.dtype();
        // pandas before 1.0 kept a DatetimeIndex's zone beside naive UTC data.
        if (d.get("tz") != null && dtype.startsWith("datetime64[") && !dtype.contains(",")) {
            Times.Zone zone = Times.tzOf(d.get("tz"), where);
            List<Object> zoned = new ArrayList<>(values.size());
            for (Object v : values) {
                zoned.add(v == null ? null : zone.at((java.time.LocalDateTime) v));
            }
            values = Collections.unmodifiableList(zoned);
            dtype = dtype.substring(0, dtype.length() - 1) + ", " + zone.name() + "]";
        }
        return new IndexData(values, Collections.singletonList(d.get("name")), dtype);
    }

    private static IndexData multi(Map<Object, Object> d, String where) {
        List<?> levels = Frames.list(d.get("levels"), where + " levels");
        Object codesObj = d.containsKey("codes") ? d.get("codes") : d.get("labels");
        List<?> codes = Frames.list(codesObj, where + " codes");
        if (levels.size() != codes.size() || levels.isEmpty()) {
            throw Frames.bad(where, "MultiIndex with " + levels.size() + " levels and " + codes.size() + " codes");
        }
        List<List<Object>> levelValues = new ArrayList<>();
        List<NDArray> codeArrays = new ArrayList<>();
        int rows = -1;
        for (int i = 0; i < levels.size(); i++) {
            levelValues.add(decode(levels.get(i), where + " level " + i).values());
            Decoded c = ArrayDecoder.decode(codes.get(i), where + " codes " + i);
            NDArray arr = c.arrays().get(0);
            if (c.width() != 1 || arr == null || "iu".indexOf(arr.dtype().kind()) < 0) {
                throw Frames.bad(where, "MultiIndex codes must be integer arrays, found " + c.dtype());
            }
            if (rows >= 0 && c.rows() != rows) {
                throw Frames.bad(where, "MultiIndex codes of different lengths: " + rows + " and " + c.rows());
            }
            rows = c.rows();
            codeArrays.add(arr);
        }
        List<Object> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            Object[] row = new Object[levels.size()];
            for (int i = 0; i < row.length; i++) {
                long k = codeArrays.get(i).getLong(r);
                if (k == -1) {
                    row[i] = null;
                } else if (k < 0 || k >= levelValues.get(i).size()) {
                    throw Frames.bad(where, "MultiIndex code " + k + " at row " + r + " but level " + i + " has "
                            + levelValues.get(i).size() + " values");
                } else {
                    row[i] = levelValues.get(i).get((int) k);
                }
            }
            out.add(PyTuple.of(row));
        }
        List<Object> names = d.get("names") instanceof List<?> n ? new ArrayList<>(n)
                : new ArrayList<>(Collections.nCopies(levels.size(), null));
        return new IndexData(Collections.unmodifiableList(out), Collections.unmodifiableList(names), "object");
    }

    /** RangeIndex values, computed on access: a range never allocates its declared length. */
    private static final class Range extends AbstractList<Object> implements RandomAccess {
        private final long start;
        private final long step;
        private final int size;

        Range(long start, long stop, long step, String where) {
            this.start = start;
            this.step = step;
            long n;
            try {
                n = step > 0 ? (stop > start ? Math.addExact(Math.subtractExact(stop, start), step - 1) / step : 0)
                        : (start > stop ? Math.addExact(Math.subtractExact(start, stop), Math.negateExact(step) - 1)
                        / Math.negateExact(step) : 0);
            } catch (ArithmeticException e) {
                n = Long.MAX_VALUE;
            }
            if (n > Integer.MAX_VALUE - 8 || n < 0) {
                throw Frames.bad(where, "RangeIndex of " + n + " rows is too long");
            }
            this.size = (int) n;
        }

        @Override
        public Object get(int i) {
            if (i < 0 || i >= size) {
                throw new IndexOutOfBoundsException(i);
            }
            return start + step * i;
        }

        @Override
        public int size() {
            return size;
        }
    }
}
