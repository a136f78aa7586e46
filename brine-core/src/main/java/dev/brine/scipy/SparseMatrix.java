package dev.brine.scipy;

import dev.brine.PickleException;
import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code scipy.sparse} matrix or array as {@link dev.brine.Pickle#loads} reads it, legible from Java: its
 * {@linkplain #format() format}, {@linkplain #shape() shape}, and its defining arrays as {@link NDArray}s
 * ({@code data}/{@code indices}/{@code indptr} for csr, csc and bsr; {@code row}/{@code col}/{@code data} for coo;
 * {@code data}/{@code offsets} for dia).
 *
 * <p>scipy pickles these classes by their instance {@code __dict__}, so the value read is an inert
 * {@link PyObject}; {@link #from} interprets it without running anything and checks that the arrays agree with the
 * shape (an index out of range, a decreasing {@code indptr} or arrays of different lengths are rejected), so that
 * {@link #get} and {@link #forEachStored} never read past what the pickle holds. The node is kept as
 * {@link #source()}, and writing it back with {@link dev.brine.Pickle#dumps} gives the same bytes.
 *
 * <p>{@link #csr}, {@link #csc} and {@link #coo} build a matrix from Java; {@link #toPython()} gives the value to
 * pickle, a call of scipy's public constructor ({@code scipy.sparse.csr_matrix((data, indices, indptr), shape)}),
 * which every scipy since 0.x loads.
 *
 * <pre>{@code
 * SparseMatrix m = SparseMatrix.from(Pickle.loads(bytes));
 * m.forEachStored((row, col, value) -> System.out.println(row + "," + col + " = " + value));
 * }</pre>
 *
 * <p>dok and lil matrices, whose entries are Python dicts and lists of lists, are not interpreted:
 * {@link #isSparse} is true for them but {@link #from} says it cannot read them.
 */
public final class SparseMatrix {
    /** The storage formats of {@code scipy.sparse}. */
    public enum Format {
        /** Compressed sparse rows: {@code data}, {@code indices} (columns), {@code indptr} (row starts). */
        CSR,
        /** Compressed sparse columns: {@code data}, {@code indices} (rows), {@code indptr} (column starts). */
        CSC,
        /** Coordinates: {@code row}, {@code col}, {@code data}; duplicates are summed. */
        COO,
        /** Block sparse rows: csr over blocks of {@link #blockShape()}, {@code data} of shape (n, r, c). */
        BSR,
        /** Diagonals: {@code data} of shape (k, n) and the {@code offsets} of its k diagonals. */
        DIA,
        /** Dictionary of keys; not interpreted. */
        DOK,
        /** Lists of lists; not interpreted. */
        LIL;

        String lower() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Receives a stored entry. */
    @FunctionalInterface
    public interface EntryConsumer {
        /** Called once per stored entry (explicit zeros and coo duplicates included), with the item as a Java value. */
        void accept(long row, long column, Object value);
    }

    private final Format format;
    private final boolean array;
    private final GlobalRef pythonClass;
    private final long rows;
    private final long columns;
    private final NDArray data;
    private final NDArray indices;   // csr/csc/bsr: minor indices; coo: rows
    private final NDArray pointers;  // csr/csc/bsr: indptr; coo: columns; dia: offsets
    private final PyObject source;

    private SparseMatrix(Format format, boolean array, GlobalRef pythonClass, long rows, long columns, NDArray data,
                         NDArray indices, NDArray pointers, PyObject source) {
        this.format = format;
        this.array = array;
        this.pythonClass = pythonClass;
        this.rows = rows;
        this.columns = columns;
        this.data = data;
        this.indices = indices;
        this.pointers = pointers;
        this.source = source;
    }

    /** Whether {@code value} is a {@code scipy.sparse} matrix or array as the reader returns it. */
    public static boolean isSparse(Object value) {
        return classOf(value) != null;
    }

    /**
     * The sparse matrix {@code value} stands for.
     *
     * @throws IllegalArgumentException if {@code value} is not a {@code scipy.sparse} matrix or array, or is a dok or
     *                                  lil matrix
     * @throws PickleException          if its state is not what scipy writes: a missing or mistyped array, or
     *                                  arrays that disagree with each other or with the shape
     */
    public static SparseMatrix from(Object value) {
        GlobalRef cls = classOf(value);
        if (cls == null) {
            throw new IllegalArgumentException("not a scipy.sparse matrix: " + describe(value));
        }
        Format format = formatOf(cls.name());
        if (format == Format.DOK || format == Format.LIL) {
            throw new IllegalArgumentException(cls + " is not interpreted: its entries are Python "
                    + (format == Format.DOK ? "dict items" : "lists") + "; read them from the PyObject");
        }
        PyObject node = (PyObject) value;
        String where = cls.name();
        if (!(node.state() instanceof Map<?, ?> state)) {
            throw new PickleException("its state is " + describe(node.state()) + ", not the instance dict scipy "
                    + "writes", where);
        }
        long[] shape = shape(state.get("_shape"), where + "._shape");
        boolean isArray = cls.name().endsWith("_array");
        return switch (format) {
            case CSR, CSC, BSR -> compressed(format, isArray, cls, shape, state, node, where);
            case COO -> {
                NDArray row = array(state, "row", where, true);
                NDArray col = array(state, "col", where, true);
                NDArray data = array(state, "data", where, false);
                yield checkedCoo(isArray, cls, shape[0], shape[1], data, row, col, node, where);
            }
            case DIA -> {
                NDArray data = array(state, "data", where, false);
                NDArray offsets = array(state, "offsets", where, true);
                if (data.ndim() != 2 || offsets.ndim() != 1 || data.shape()[0] != offsets.size()) {
                    throw new PickleException("dia data of shape " + Arrays.toString(data.shape()) + " does not "
                            + "match " + offsets.size() + " offsets", where);
                }
                yield new SparseMatrix(format, isArray, cls, shape[0], shape[1], data, null, offsets, node);
            }
            default -> throw new AssertionError(format);
        };
    }

    /**
     * A csr matrix ({@code scipy.sparse.csr_matrix}) built from Java: row {@code r} holds the columns
     * {@code indices[indptr[r]..indptr[r+1])} with the values at the same positions of {@code data}.
     *
     * @throws IllegalArgumentException if the arrays disagree with each other or with the shape
     */
    public static SparseMatrix csr(long rows, long columns, NDArray data, NDArray indices, NDArray indptr) {
        return built(Format.CSR, rows, columns, data, indices, indptr);
    }

    /** A csc matrix, as {@link #csr} with rows and columns swapped. */
    public static SparseMatrix csc(long rows, long columns, NDArray data, NDArray indices, NDArray indptr) {
        return built(Format.CSC, rows, columns, data, indices, indptr);
    }

    /**
     * A coo matrix ({@code scipy.sparse.coo_matrix}): entry {@code i} is {@code data[i]} at
     * ({@code row[i]}, {@code col[i]}).
     *
     * @throws IllegalArgumentException if the arrays differ in length or an index is out of range
     */
    public static SparseMatrix coo(long rows, long columns, NDArray data, NDArray row, NDArray col) {
        try {
            return checkedCoo(false, null, checkDim(rows), checkDim(columns), data, row, col, null, "coo_matrix");
        } catch (PickleException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static SparseMatrix built(Format format, long rows, long columns, NDArray data, NDArray indices,
                                      NDArray indptr) {
        try {
            return checkedCompressed(format, false, null, new long[] {checkDim(rows), checkDim(columns)}, data,
                    indices, indptr, null, format.lower() + "_matrix");
        } catch (PickleException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static long checkDim(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("a dimension must be >= 0, got " + n);
        }
        return n;
    }

    /** The storage format. */
    public Format format() {
        return format;
    }

    /** Whether this is one of the {@code *_array} classes (numpy semantics) rather than a {@code *_matrix}. */
    public boolean isArray() {
        return array;
    }

    /** The class the pickle named ({@code scipy.sparse._csr.csr_matrix}, ...), or null for a matrix built here. */
    public GlobalRef pythonClass() {
        return pythonClass;
    }

    /** The shape, {@code [rows, columns]}. */
    public long[] shape() {
        return new long[] {rows, columns};
    }

    /** The number of rows. */
    public long rows() {
        return rows;
    }

    /** The number of columns. */
    public long columns() {
        return columns;
    }

    /** The dtype of the values. */
    public DType dtype() {
        return data.dtype();
    }

    /** The stored values: one per entry, or (bsr) one block per entry, or (dia) one row per diagonal. */
    public NDArray data() {
        return data;
    }

    /** csr, csc, bsr: the minor index of each stored entry (a column for csr, a row for csc, a block column for bsr). */
    public NDArray indices() {
        return requireFormat(indices, "indices", Format.CSR, Format.CSC, Format.BSR);
    }

    /** csr, csc, bsr: where each major line (row, column, block row) starts in {@link #indices()}, and the end. */
    public NDArray indptr() {
        return requireFormat(pointers, "indptr", Format.CSR, Format.CSC, Format.BSR);
    }

    /** coo: the row of each entry. */
    public NDArray row() {
        return requireFormat(indices, "row", Format.COO);
    }

    /** coo: the column of each entry. */
    public NDArray col() {
        return requireFormat(pointers, "col", Format.COO);
    }

    /** dia: the offset of each diagonal (0 the main one, positive above it). */
    public NDArray offsets() {
        return requireFormat(pointers, "offsets", Format.DIA);
    }

    /** bsr: the shape of one block, {@code [r, c]}; {@code [1, 1]} for the other formats. */
    public long[] blockShape() {
        return format == Format.BSR ? new long[] {data.shape()[1], data.shape()[2]} : new long[] {1, 1};
    }

    /**
     * The number of stored values, as scipy's {@code nnz} counts them: explicit zeros and coo duplicates count, and
     * for dia every position of each diagonal inside the matrix counts, even past the width of {@code data} (where
     * {@link #forEachStored} has nothing to give).
     */
    public long storedCount() {
        if (format != Format.DIA) {
            return data.size();
        }
        long n = 0;
        for (long k = 0, count = pointers.size(); k < count; k++) {
            long offset = pointers.getLong(k);
            n += Math.max(0, offset > 0 ? Math.min(rows, columns - offset) : Math.min(rows + offset, columns));
        }
        return n;
    }

    /** The node the pickle held, or null for a matrix built with {@link #csr}, {@link #csc} or {@link #coo}. */
    public PyObject source() {
        return source;
    }

    /**
     * Calls {@code consumer} for every stored entry in storage order, with its row, column and value as a Java value
     * ({@code Double}, {@code Long}, {@code Boolean}, ... as {@link NDArray#get} gives it).
     */
    public void forEachStored(EntryConsumer consumer) {
        Objects.requireNonNull(consumer, "consumer");
        switch (format) {
            case CSR, CSC -> {
                long major = format == Format.CSR ? rows : columns;
                for (long m = 0; m < major; m++) {
                    for (long k = pointers.getLong(m), end = pointers.getLong(m + 1); k < end; k++) {
                        long minor = indices.getLong(k);
                        Object v = data.get(k);
                        if (format == Format.CSR) {
                            consumer.accept(m, minor, v);
                        } else {
                            consumer.accept(minor, m, v);
                        }
                    }
                }
            }
            case BSR -> {
                long br = data.shape()[1];
                long bc = data.shape()[2];
                for (long m = 0; m < rows / br; m++) {
                    for (long k = pointers.getLong(m), end = pointers.getLong(m + 1); k < end; k++) {
                        long blockColumn = indices.getLong(k);
                        for (long i = 0; i < br; i++) {
                            for (long j = 0; j < bc; j++) {
                                consumer.accept(m * br + i, blockColumn * bc + j, data.get((k * br + i) * bc + j));
                            }
                        }
                    }
                }
            }
            case COO -> {
                for (long k = 0, n = data.size(); k < n; k++) {
                    consumer.accept(indices.getLong(k), pointers.getLong(k), data.get(k));
                }
            }
            case DIA -> {
                // scipy: data[k, j] is the item at column j of diagonal offsets[k], row j - offsets[k].
                long width = data.shape()[1];
                for (long k = 0, n = pointers.size(); k < n; k++) {
                    long offset = pointers.getLong(k);
                    for (long j = Math.max(0, offset); j < Math.min(columns, width); j++) {
                        long r = j - offset;
                        if (r >= 0 && r < rows) {
                            consumer.accept(r, j, data.get(k * width + j));
                        }
                    }
                }
            }
            default -> throw new AssertionError(format);
        }
    }

    /**
     * The value at ({@code row}, {@code column}) as a double: the sum of the entries stored there (scipy sums coo
     * duplicates), 0 if none. Bool, int, uint and float dtypes only.
     *
     * @throws IndexOutOfBoundsException if the position is outside the shape
     * @throws IllegalStateException     if the dtype is not numeric
     */
    public double getDouble(long row, long column) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(column, columns);
        char kind = data.dtype().kind();
        if ("biuf".indexOf(kind) < 0) {
            throw new IllegalStateException("getDouble needs a bool, int, uint or float dtype, not " + data.dtype());
        }
        if (format == Format.CSR || format == Format.CSC) {
            long major = format == Format.CSR ? row : column;
            long minor = format == Format.CSR ? column : row;
            double sum = 0;
            for (long k = pointers.getLong(major), end = pointers.getLong(major + 1); k < end; k++) {
                if (indices.getLong(k) == minor) {
                    sum += data.getDouble(k);
                }
            }
            return sum;
        }
        double[] sum = {0};
        forEachStored((r, c, v) -> {
            if (r == row && c == column) {
                sum[0] += v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
            }
        });
        return sum[0];
    }

    /**
     * The matrix as a dense row-major {@code double[]} of {@code rows * columns} items (duplicates summed).
     *
     * @throws IllegalStateException if it has more than {@code Integer.MAX_VALUE - 8} items or a non-numeric dtype
     */
    public double[] toDenseDoubleArray() {
        if (rows != 0 && columns > (Integer.MAX_VALUE - 8) / rows) {
            throw new IllegalStateException("a dense " + rows + "x" + columns + " array does not fit a Java array");
        }
        if ("biuf".indexOf(data.dtype().kind()) < 0) {
            throw new IllegalStateException("toDenseDoubleArray needs a numeric dtype, not " + data.dtype());
        }
        double[] dense = new double[(int) (rows * columns)];
        forEachStored((r, c, v) -> dense[(int) (r * columns + c)] +=
                v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue());
        return dense;
    }

    /**
     * The value to give {@link dev.brine.Pickle#dumps}: the node read, or for a matrix built here a call of scipy's
     * public constructor, {@code scipy.sparse.csr_matrix((data, indices, indptr), (rows, columns))} (likewise
     * {@code csc_matrix}, and {@code coo_matrix((data, (row, col)), shape)}), which loads on every scipy.
     */
    public Object toPython() {
        if (source != null) {
            return source;
        }
        PyTuple shape = PyTuple.of(rows, columns);
        GlobalRef ctor = GlobalRef.of("scipy.sparse", format.lower() + "_matrix");
        PyTuple arrays = format == Format.COO
                ? PyTuple.of(data, PyTuple.of(indices, pointers))
                : PyTuple.of(data, indices, pointers);
        return PyObject.reduce(ctor, arrays, shape);
    }

    @Override
    public String toString() {
        return "<" + rows + "x" + columns + " sparse " + (array ? "array" : "matrix") + " of type " + data.dtype().str()
                + " with " + data.size() + " stored " + (format == Format.BSR ? "blocks" : "values") + " in "
                + format + " format>";
    }

    private static SparseMatrix compressed(Format format, boolean isArray, GlobalRef cls, long[] shape,
                                           Map<?, ?> state, PyObject node, String where) {
        NDArray data = array(state, "data", where, false);
        NDArray indices = array(state, "indices", where, true);
        NDArray indptr = array(state, "indptr", where, true);
        return checkedCompressed(format, isArray, cls, shape, data, indices, indptr, node, where);
    }

    private static SparseMatrix checkedCompressed(Format format, boolean isArray, GlobalRef cls, long[] shape,
                                                  NDArray data, NDArray indices, NDArray indptr, PyObject node,
                                                  String where) {
        requireIndexArray(indices, where + ".indices");
        requireIndexArray(indptr, where + ".indptr");
        long major = format == Format.CSC ? shape[1] : shape[0];
        long minor = format == Format.CSC ? shape[0] : shape[1];
        long entries = data.size();
        if (format == Format.BSR) {
            if (data.ndim() != 3) {
                throw new PickleException("bsr data has shape " + Arrays.toString(data.shape()) + ", not "
                        + "(blocks, r, c)", where + ".data");
            }
            long br = data.shape()[1];
            long bc = data.shape()[2];
            if (br <= 0 || bc <= 0 || shape[0] % br != 0 || shape[1] % bc != 0) {
                throw new PickleException("blocks of " + br + "x" + bc + " do not tile a " + shape[0] + "x"
                        + shape[1] + " matrix", where + ".data");
            }
            major = shape[0] / br;
            minor = shape[1] / bc;
            entries = data.shape()[0];
        } else if (data.ndim() != 1) {
            throw new PickleException("data has shape " + Arrays.toString(data.shape()) + ", not one dimension",
                    where + ".data");
        }
        if (indptr.size() != major + 1) {
            throw new PickleException("indptr has " + indptr.size() + " items for " + major + " "
                    + (format == Format.CSC ? "columns" : "rows") + "; it needs " + (major + 1), where + ".indptr");
        }
        if (indices.size() != entries) {
            throw new PickleException("indices has " + indices.size() + " items but data has " + entries,
                    where + ".indices");
        }
        long previous = 0;
        for (long m = 0; m <= major; m++) {
            long p = indptr.getLong(m);
            if (p < previous || p > entries || (m == 0 && p != 0)) {
                throw new PickleException("indptr[" + m + "] is " + p + (m == 0 && p != 0 ? "; it must start at 0"
                        : p > entries ? ", past the " + entries + " stored entries"
                        : ", below indptr[" + (m - 1) + "] = " + previous), where + ".indptr");
            }
            previous = p;
        }
        if (previous != entries) {
            throw new PickleException("indptr ends at " + previous + " but there are " + entries + " entries",
                    where + ".indptr");
        }
        checkRange(indices, minor, where + ".indices");
        return new SparseMatrix(format, isArray, cls, shape[0], shape[1], data, indices, indptr, node);
    }

    private static SparseMatrix checkedCoo(boolean isArray, GlobalRef cls, long rows, long columns, NDArray data,
                                           NDArray row, NDArray col, PyObject node, String where) {
        requireIndexArray(row, where + ".row");
        requireIndexArray(col, where + ".col");
        if (data.ndim() != 1 || row.size() != data.size() || col.size() != data.size()) {
            throw new PickleException("row, col and data have " + row.size() + ", " + col.size() + " and "
                    + data.size() + " items; they must agree", where);
        }
        checkRange(row, rows, where + ".row");
        checkRange(col, columns, where + ".col");
        return new SparseMatrix(Format.COO, isArray, cls, rows, columns, data, row, col, node);
    }

    private static void checkRange(NDArray index, long bound, String where) {
        for (long k = 0, n = index.size(); k < n; k++) {
            long i = index.getLong(k);
            if (i < 0 || i >= bound) {
                throw new PickleException("item " + k + " is " + i + ", outside 0.." + (bound - 1), where);
            }
        }
    }

    private static void requireIndexArray(NDArray a, String where) {
        char kind = a.dtype().kind();
        if (a.ndim() != 1 || (kind != 'i' && kind != 'u')) {
            throw new PickleException("expected a one-dimensional integer array, found " + a.dtype() + " of shape "
                    + Arrays.toString(a.shape()), where);
        }
    }

    private static NDArray array(Map<?, ?> state, String key, String where, boolean index) {
        Object v = state.get(key);
        if (!(v instanceof NDArray a)) {
            throw new PickleException(state.containsKey(key) ? "'" + key + "' is " + describe(v) + ", not a numpy "
                    + "array" : "the state has no '" + key + "'", where);
        }
        if (index) {
            requireIndexArray(a, where + "." + key);
        }
        return a;
    }

    private static long[] shape(Object v, String where) {
        if (v instanceof PyTuple t && t.size() == 2 && t.get(0) instanceof Long r && t.get(1) instanceof Long c
                && r >= 0 && c >= 0) {
            return new long[] {r, c};
        }
        throw new PickleException("the shape is " + describe(v) + ", not two non-negative ints", where);
    }

    private NDArray requireFormat(NDArray a, String name, Format... formats) {
        for (Format f : formats) {
            if (f == format) {
                return a;
            }
        }
        throw new IllegalStateException("a " + format.lower() + " matrix has no " + name);
    }

    /** The scipy.sparse class a node was made from, or null. */
    private static GlobalRef classOf(Object value) {
        if (!(value instanceof PyObject o)) {
            return null;
        }
        GlobalRef cls = null;
        if (o.kind() == PyObject.Kind.REDUCE && o.global() != null && o.global().equals(RECONSTRUCTOR)
                && o.args().size() >= 1 && o.args().get(0) instanceof GlobalRef g) {
            cls = g;  // dok: copyreg._reconstructor(dok_matrix, dict, items)
        } else if (o.kind() != PyObject.Kind.REDUCE && o.callable() instanceof GlobalRef g) {
            cls = g;
        }
        if (cls == null || !cls.module().startsWith("scipy.sparse")) {
            return null;
        }
        return formatOf(cls.name()) == null ? null : cls;
    }

    private static final GlobalRef RECONSTRUCTOR = GlobalRef.of("copyreg", "_reconstructor");

    private static Format formatOf(String className) {
        int underscore = className.indexOf('_');
        if (underscore != 3) {
            return null;
        }
        String suffix = className.substring(4);
        if (!suffix.equals("matrix") && !suffix.equals("array")) {
            return null;
        }
        for (Format f : Format.values()) {
            if (className.startsWith(f.lower())) {
                return f;
            }
        }
        return null;
    }

    private static String describe(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof PyObject o) {
            return "an object made by " + (o.callable() instanceof GlobalRef g ? g.toString() : o.kind().name());
        }
        return "a " + v.getClass().getSimpleName();
    }
}
