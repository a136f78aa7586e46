package dev.brine.pandas;

import dev.brine.value.NDArray;

import java.util.List;
import java.util.Objects;

/**
 * One column of a {@link PandasFrame} (or the values of a {@link PandasSeries}): its label, pandas' dtype name
 * and its values as Java objects. Immutable.
 *
 * <pre>{@code
 * for (PandasColumn c : PandasFrame.from(Pickle.loads(bytes)).columns()) {
 *     System.out.println(c.label() + " " + c.dtype() + " " + c.values());
 * }
 * }</pre>
 */
public final class PandasColumn {
    private final Object label;
    private final String dtype;
    private final List<Object> values;
    private final NDArray array;

    PandasColumn(Object label, String dtype, List<Object> values, NDArray array) {
        this.label = label;
        this.dtype = Objects.requireNonNull(dtype);
        this.values = values;
        this.array = array;
    }

    /** The label: a String, Long, PyTuple (MultiIndex columns), or null (an unnamed Series). */
    public Object label() {
        return label;
    }

    /** The dtype as pandas prints it, such as {@code int64}, {@code category} or {@code datetime64[ns, UTC]}. */
    public String dtype() {
        return dtype;
    }

    /**
     * The values, unmodifiable, in row order, as the table in {@code docs/PANDAS.md} gives them: {@code Long},
     * {@code Double} (NaN kept), {@code Boolean}, {@code String}, {@code LocalDateTime}, {@code ZonedDateTime} or
     * {@code OffsetDateTime}, {@code Duration}, Period and Interval as pandas' own text; null for NA/NaT/None.
     */
    public List<Object> values() {
        return values;
    }

    /** The number of rows. */
    public int size() {
        return values.size();
    }

    /** Whether the column is one numpy array (numeric, bool, datetime64 and timedelta64 columns). */
    public boolean hasArray() {
        return array != null;
    }

    /**
     * The numpy array that holds this column: for numeric and bool columns the values, for datetime64 and
     * timedelta64 the counts in their unit (UTC for aware datetimes).
     *
     * @throws IllegalStateException if the column is not one numpy array (object, category, masked, string,
     *                               period and interval columns); use {@link #values()}
     */
    public NDArray array() {
        if (array == null) {
            throw new IllegalStateException("column " + label + " is " + dtype
                    + ", which is not held as one numpy array; use values()");
        }
        return array;
    }

    /** {@code label: dtype (n rows)}. */
    @Override
    public String toString() {
        return label + ": " + dtype + " (" + values.size() + " rows)";
    }
}
