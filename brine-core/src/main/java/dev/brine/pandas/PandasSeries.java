package dev.brine.pandas;

import dev.brine.value.NDArray;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A pandas Series read from a pickle ({@code pickle.dumps(s)}, {@code s.to_pickle(path)}), given to {@link #from}
 * as {@link dev.brine.Pickle#loads} returns it. It answers the questions of {@link PandasFrame} as a frame of one
 * column labelled by the Series' name. Immutable.
 *
 * <pre>{@code
 * PandasSeries s = PandasSeries.from(Pickle.loads(bytes));
 * s.name();        // "price", or null
 * s.dtype();       // "float64"
 * s.values();      // [1.5, NaN, 3.0]
 * }</pre>
 */
public final class PandasSeries {
    private final PandasColumn column;
    private final IndexDecoder.IndexData index;

    private PandasSeries(PandasColumn column, IndexDecoder.IndexData index) {
        this.column = column;
        this.index = index;
    }

    /**
     * The Series a pickle holds.
     *
     * @throws IllegalArgumentException     if {@code value} is not a pickled Series (the message says what it is)
     * @throws dev.brine.PickleException if its parts do not fit together or are truncated
     */
    public static PandasSeries from(Object value) {
        Map<Object, Object> state = PandasFrame.frameState(value, "Series");
        Object name = state.get("name");
        ManagerReader.Manager m = ManagerReader.manager(PandasFrame.mgr(state), "Series._mgr");
        ManagerReader.Col c = ManagerReader.columns(m, true, name, "Series._mgr").get(0);
        return new PandasSeries(new PandasColumn(name, c.dtype(), c.values(), c.array()), m.axes().get(0));
    }

    /** A builder of a Series that {@link dev.brine.Pickle#dumps} writes as a pickle pandas 1.x and 2.x load. */
    public static PandasBuilder.Series builder() {
        return new PandasBuilder.Series();
    }

    /** The name, or null. */
    public Object name() {
        return column.label();
    }

    /** {@code [name]}; {@code [null]} for a Series without a name. */
    public List<Object> columnLabels() {
        return Collections.singletonList(column.label());
    }

    /** The values as one column. */
    public PandasColumn column() {
        return column;
    }

    /** The dtype as pandas prints it. */
    public String dtype() {
        return column.dtype();
    }

    /** The dtype, for {@code label} equal to the name (as for a one-column frame). */
    public String dtype(Object label) {
        return PandasFrame.find(List.of(column), label).dtype();
    }

    /** The values; see {@link PandasColumn#values()}. */
    public List<Object> values() {
        return column.values();
    }

    /** The values, for {@code label} equal to the name. */
    public List<Object> values(Object label) {
        return PandasFrame.find(List.of(column), label).values();
    }

    /** The numpy array; see {@link PandasColumn#array()}. */
    public NDArray array() {
        return column.array();
    }

    /** The numpy array, for {@code label} equal to the name. */
    public NDArray array(Object label) {
        return PandasFrame.find(List.of(column), label).array();
    }

    /** The row labels; see {@link PandasFrame#index()}. */
    public List<Object> index() {
        return index.values();
    }

    /** The index's names, one per level. */
    public List<Object> indexNames() {
        return index.names();
    }

    /** The index's dtype as pandas prints it. */
    public String indexDtype() {
        return index.dtype();
    }

    /** The number of rows. */
    public int rowCount() {
        return index.size();
    }

    /** A summary: {@code Series[name: float64, 3 rows]}. */
    @Override
    public String toString() {
        return "Series[" + column.label() + ": " + column.dtype() + ", " + rowCount() + " rows]";
    }
}
