package dev.brine.pandas;

import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PyObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A pandas DataFrame read from a pickle: what {@code pickle.dumps(df)} (protocols 2 to 5) and
 * {@code df.to_pickle(path)} write, given to {@link #from} as {@link dev.brine.Pickle#loads} returns it. Nothing
 * of pandas runs: the inert BlockManager tree is interpreted, and checked (every column in exactly one block,
 * every block as long as the index) so that a frame is never read short. Immutable.
 *
 * <pre>{@code
 * PandasFrame df = PandasFrame.from(Pickle.loads(Files.readAllBytes(Path.of("frame.pkl"))));
 * df.columnLabels();          // [id, price, when]
 * df.dtype("when");           // datetime64[ns, Europe/Berlin]
 * df.values("when").get(0);   // a ZonedDateTime
 * df.array("price").toDoubleArray();
 * }</pre>
 *
 * <p>{@link #builder()} makes a frame in Java for {@link dev.brine.Pickle#dumps}. See {@code docs/PANDAS.md} for
 * the dtypes, value types and pickle layouts covered.
 */
public final class PandasFrame {
    private final List<PandasColumn> columns;
    private final List<Object> labels;
    private final List<Object> index;
    private final List<Object> indexNames;
    private final String indexDtype;

    PandasFrame(List<PandasColumn> columns, IndexDecoder.IndexData index) {
        this.columns = List.copyOf(columns);
        List<Object> l = new ArrayList<>(columns.size());
        for (PandasColumn c : columns) {
            l.add(c.label());
        }
        this.labels = Collections.unmodifiableList(l);
        this.index = index.values();
        this.indexNames = index.names();
        this.indexDtype = index.dtype();
    }

    /**
     * The frame a pickle holds.
     *
     * @param value what {@link dev.brine.Pickle#loads} returned for a pickled DataFrame
     * @throws IllegalArgumentException     if {@code value} is not a pickled DataFrame (the message says what it is)
     * @throws dev.brine.PickleException if it is one whose parts do not fit together or are truncated
     */
    public static PandasFrame from(Object value) {
        Map<Object, Object> state = frameState(value, "DataFrame");
        ManagerReader.Manager m = ManagerReader.manager(mgr(state), "DataFrame._mgr");
        List<ManagerReader.Col> cols = ManagerReader.columns(m, false, null, "DataFrame._mgr");
        List<PandasColumn> out = new ArrayList<>(cols.size());
        for (ManagerReader.Col c : cols) {
            out.add(new PandasColumn(c.label(), c.dtype(), c.values(), c.array()));
        }
        return new PandasFrame(out, m.axes().get(1));
    }

    /** The state dict of a pandas {@code cls} node, or an IllegalArgumentException saying what value is. */
    static Map<Object, Object> frameState(Object value, String cls) {
        if (!(value instanceof PyObject p) || !(p.callable() instanceof GlobalRef g) || !Frames.isPandas(g)
                || !g.name().equals(cls)) {
            String text = value instanceof PyObject || value == null ? "" : String.valueOf(value);
            text = text.length() > 60 ? text.substring(0, 60) + "..." : text;
            throw new IllegalArgumentException("not a pickled pandas " + cls + ": got " + Frames.describe(value)
                    + (text.isEmpty() ? "" : " (" + text + ")"));
        }
        if (!(p.state() instanceof Map<?, ?>)) {
            throw Frames.bad(cls, "no state dict (found " + Frames.describe(p.state()) + ")");
        }
        return Frames.dict(p.state(), cls);
    }

    /** {@code _mgr} (pandas 1.1 and later) or {@code _data} (before). */
    static Object mgr(Map<Object, Object> state) {
        Object m = state.get("_mgr");
        return m != null ? m : state.get("_data");
    }

    /** A builder of a frame that {@link dev.brine.Pickle#dumps} writes as a pickle pandas 1.x and 2.x load. */
    public static PandasBuilder.Frame builder() {
        return new PandasBuilder.Frame();
    }

    /** The column labels in order: Strings, Longs, PyTuples (MultiIndex columns), ... Unmodifiable. */
    public List<Object> columnLabels() {
        return labels;
    }

    /** Every column in order. Unmodifiable. */
    public List<PandasColumn> columns() {
        return columns;
    }

    /**
     * The first column labelled {@code label} (an Integer finds a Long label; a List finds a PyTuple one).
     *
     * @throws IllegalArgumentException if there is none; the message lists the labels
     */
    public PandasColumn column(Object label) {
        return find(columns, label);
    }

    static PandasColumn find(List<PandasColumn> columns, Object label) {
        Object key = normalize(label);
        for (PandasColumn c : columns) {
            if (java.util.Objects.equals(normalize(c.label()), key)) {
                return c;
            }
        }
        List<Object> labels = new ArrayList<>();
        for (PandasColumn c : columns) {
            labels.add(c.label());
        }
        throw new IllegalArgumentException("no column " + label + "; the columns are " + labels);
    }

    private static Object normalize(Object o) {
        if (o instanceof Integer || o instanceof Short || o instanceof Byte) {
            return ((Number) o).longValue();
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) {
                out.add(normalize(x));
            }
            return out;
        }
        return o;
    }

    /** The dtype of a column as pandas prints it ({@code df.dtypes}); see {@link PandasColumn#dtype()}. */
    public String dtype(Object label) {
        return column(label).dtype();
    }

    /** The values of a column; see {@link PandasColumn#values()}. */
    public List<Object> values(Object label) {
        return column(label).values();
    }

    /** The numpy array of a column; see {@link PandasColumn#array()}. */
    public NDArray array(Object label) {
        return column(label).array();
    }

    /**
     * The row labels: a RangeIndex as Longs (computed on access), other indexes as their values (a DatetimeIndex
     * with a zone as ZonedDateTime), a MultiIndex as PyTuples. Unmodifiable.
     */
    public List<Object> index() {
        return index;
    }

    /** The index's names: one per level, null where unnamed. */
    public List<Object> indexNames() {
        return indexNames;
    }

    /** The index's dtype as pandas prints it ({@code object} for a MultiIndex). */
    public String indexDtype() {
        return indexDtype;
    }

    /** The number of rows (the index's length). */
    public int rowCount() {
        return index.size();
    }

    /** A summary: {@code DataFrame[3 rows x 2 columns: a int64, b object]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("DataFrame[").append(rowCount()).append(" rows x ")
                .append(columns.size()).append(" columns");
        String sep = ": ";
        for (PandasColumn c : columns) {
            sb.append(sep).append(c.label()).append(' ').append(c.dtype());
            sep = ", ";
        }
        return sb.append(']').toString();
    }
}
