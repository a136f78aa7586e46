package dev.brine.pandas;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.testing.MlPython;
import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyObject;
import dev.brine.value.PySlice;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Frames whose parts do not fit together, or whose arrays are cut short, fail with a PickleException that says
 * what is wrong: never a short column, a ClassCastException or an allocation of a declared size. Each tree is
 * written with {@link Pickle#dumps} and read back, so it reaches the reader the way a file would.
 */
class PandasBadInputTest {
    private static final GlobalRef MANAGER = GlobalRef.of("pandas.core.internals.managers", "BlockManager");
    private static final GlobalRef UNPICKLE_BLOCK = GlobalRef.of("pandas._libs.internals", "_unpickle_block");
    private static final GlobalRef NEW_INDEX = GlobalRef.of("pandas.core.indexes.base", "_new_Index");
    private static final GlobalRef RECONSTRUCT = GlobalRef.of("numpy.core.multiarray", "_reconstruct");

    private static Object frame(Object manager) {
        PyObject df = PyObject.newObj(GlobalRef.of("pandas.core.frame", "DataFrame"));
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put("_mgr", manager);
        state.put("_typ", "dataframe");
        df.addState(state);
        return Pickle.loads(Pickle.dumps(df));
    }

    private static Object manager(List<Object> blocks, long columns, long rows) {
        long[] labels = new long[(int) columns];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i;
        }
        Map<Object, Object> items = new LinkedHashMap<>();
        items.put("data", NDArray.of(labels, columns));
        items.put("name", null);
        Map<Object, Object> range = new LinkedHashMap<>();
        range.put("name", null);
        range.put("start", 0L);
        range.put("stop", rows);
        range.put("step", 1L);
        List<Object> axes = List.of(PyObject.reduce(NEW_INDEX, GlobalRef.of("pandas.core.indexes.numeric", "Int64Index"),
                items), PyObject.reduce(NEW_INDEX, GlobalRef.of("pandas.core.indexes.range", "RangeIndex"), range));
        return PyObject.reduce(MANAGER, PyTuple.copyOf(blocks), new ArrayList<>(axes));
    }

    private static Object block(Object values, long from, long to) {
        return PyObject.reduce(UNPICKLE_BLOCK, values, new PySlice(from, to, 1L), 2L);
    }

    private static NDArray ints(long columns, long rows) {
        return NDArray.of(new long[(int) (columns * rows)], columns, rows);
    }

    private static void fails(Object value, String... message) {
        var t = assertThatThrownBy(() -> PandasFrame.from(value)).isInstanceOf(PickleException.class);
        for (String m : message) {
            t.hasMessageContaining(m);
        }
    }

    @Test
    void aGoodTreeReads() {
        PandasFrame df = PandasFrame.from(frame(manager(List.of(block(ints(2, 3), 0, 2)), 2, 3)));
        assertThat(df.columnLabels()).containsExactly(0L, 1L);
        assertThat(df.rowCount()).isEqualTo(3);
        assertThat(df.values(1)).containsExactly(0L, 0L, 0L);
    }

    @Test
    void blocksThatDoNotMatchTheAxesFail() {
        fails(frame(manager(List.of(block(ints(1, 2), 0, 1)), 1, 3)), "block 0", "holds 2 rows but the index has 3");
        fails(frame(manager(List.of(block(ints(1, 3), 0, 1)), 2, 3)), "column 1 (1) is in no block");
        fails(frame(manager(List.of(block(ints(1, 3), 5, 6)), 1, 3)), "placed at column 5 but there are 1 columns");
        fails(frame(manager(List.of(block(ints(2, 3), 0, 1)), 2, 3)), "holds 2 columns but is placed at 1");
        fails(frame(manager(List.of(block(ints(1, 3), 0, 1), block(ints(1, 3), 0, 1)), 1, 3)),
                "column 0 is placed by two blocks");
        fails(frame(manager(List.of("not a block"), 1, 3)), "expected _unpickle_block");
        fails(frame(PyObject.reduce(GlobalRef.of("pandas.core.internals.array_manager", "ArrayManager"))),
                "ArrayManager");
    }

    @Test
    void truncatedAndInconsistentArraysFail() {
        // numpy's _reconstruct state with 16 bytes for 3 int64s: Brine's reader leaves it an inert node.
        PyObject cut = PyObject.reduce(RECONSTRUCT, GlobalRef.of("numpy", "ndarray"), PyTuple.of(0L), PyBytes.of((byte) 'b'));
        cut.addState(PyTuple.of(1L, PyTuple.of(1L, 3L), DType.of("<i8"), false, PyBytes.wrap(new byte[16])));
        fails(frame(manager(List.of(block(cut, 0, 1)), 1, 3)), "16 bytes", "truncated or corrupt");

        PyObject objects = PyObject.reduce(RECONSTRUCT, GlobalRef.of("numpy", "ndarray"), PyTuple.of(0L),
                PyBytes.of((byte) 'b'));
        objects.addState(PyTuple.of(1L, PyTuple.of(1L, 3L), "O8 dtype", false, new ArrayList<>(List.of("a", "b"))));
        fails(frame(manager(List.of(block(objects, 0, 1)), 1, 3)), "object array of shape [1, 3] holds 2 items");

        PyObject categorical = PyObject.reduce(GlobalRef.of("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"),
                GlobalRef.of("pandas.core.arrays.categorical", "Categorical"), 1L, null);
        PyObject dtype = PyObject.newObj(GlobalRef.of("pandas.core.dtypes.dtypes", "CategoricalDtype"));
        Map<Object, Object> dtypeState = new LinkedHashMap<>();
        dtypeState.put("categories", new ArrayList<>(List.of("x", "y")));
        dtypeState.put("ordered", false);
        dtype.addState(dtypeState);
        categorical.addState(PyTuple.of(dtype, NDArray.of(new byte[] {0, 5, -1}, 3), new LinkedHashMap<>()));
        fails(frame(manager(List.of(block(categorical, 0, 1)), 1, 3)), "categorical code 5 at row 1",
                "only 2 categories");
    }

    /** Found by mutating real pickles: counts outside java.time's range, and units without a fixed length. */
    @Test
    void timesOutsideJavaTimeFailAtRead() {
        NDArray days = NDArray.fromPickle(DType.of("<M8[D]"), new long[] {1, 1}, NDArray.Order.C,
                java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 3_802_477_732_449L)
                        .array(), "numpy.core", NDArray.Form.RECONSTRUCT);
        fails(frame(manager(List.of(block(days, 0, 1)), 1, 1)), "3802477732449", "outside java.time's range");
        NDArray years = NDArray.fromPickle(DType.of("<M8[Y]"), new long[] {1, 1}, NDArray.Order.C, new byte[8],
                "numpy.core", NDArray.Form.RECONSTRUCT);
        fails(frame(manager(List.of(block(years, 0, 1)), 1, 1)), "unsupported numpy dtype");
        assertThatThrownBy(() -> Times.period(3_802_477_732_449L, "D", "p")).isInstanceOf(PickleException.class)
                .hasMessageContaining("outside java.time's range");
    }

    /**
     * Real pandas pickles with one to three bytes changed (a fixed seed): whatever still loads as a pickle either
     * reads or fails with a PickleException or IllegalArgumentException, never another exception, and no column
     * differs in length from the index.
     */
    @Test
    void mutatedRealPicklesFailCleanly() throws IOException {
        Path dir = MlPython.require("pandas").fixtures("pandas_fixtures.py");
        java.util.Random random = new java.util.Random(20261204);
        int read = 0;
        int refused = 0;
        for (String name : List.of("all_dtypes", "periods", "datetimes", "multiindex_rows", "intervals",
                "series_category", "categories", "masked")) {
            for (String form : List.of("p2", "p5")) {
                byte[] good = Files.readAllBytes(dir.resolve(name + "." + form + ".pkl"));
                for (int k = 0; k < 150; k++) {
                    byte[] b = good.clone();
                    for (int j = random.nextInt(3); j >= 0; j--) {
                        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                    }
                    Object value;
                    try {
                        value = Pickle.loads(b);
                    } catch (PickleException e) {
                        continue;
                    }
                    try {
                        if (name.startsWith("series")) {
                            PandasSeries s = PandasSeries.from(value);
                            assertThat(s.values()).hasSize(s.rowCount());
                        } else {
                            PandasFrame df = PandasFrame.from(value);
                            for (PandasColumn c : df.columns()) {
                                assertThat(c.values()).hasSize(df.rowCount());
                                c.values().forEach(v -> { });
                            }
                        }
                        read++;
                    } catch (PickleException | IllegalArgumentException e) {
                        refused++;
                    }
                }
            }
        }
        System.out.println("mutated pandas pickles: " + read + " read, " + refused + " refused cleanly");
        assertThat(refused).isPositive();
    }

    @Test
    void aHugeDeclaredRangeIndexFailsWithoutAllocating() {
        fails(frame(manager(List.of(), 0, 1L << 40)), "RangeIndex of 1099511627776 rows is too long");
    }

    @Test
    void somethingElseIsAnIllegalArgument() {
        assertThatThrownBy(() -> PandasFrame.from("hello")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a pickled pandas DataFrame: got a String");
        assertThatThrownBy(() -> PandasFrame.from(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got None");
        Object df = frame(manager(List.of(block(ints(1, 3), 0, 1)), 1, 3));
        assertThatThrownBy(() -> PandasSeries.from(df)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a pickled pandas Series: got a pandas.core.frame.DataFrame object");
        assertThatThrownBy(() -> PandasFrame.from(df).column("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the columns are [0]");
        assertThat(PandasFrame.from(df).array(0).toLongArray()).hasSize(3);
    }

    /** A real pandas pickle whose RangeIndex was edited to claim one row more than its blocks hold. */
    @Test
    void aRealPickleWithALongerIndexFails() throws IOException {
        MlPython python = MlPython.require("pandas");
        Path file = python.fixtures("pandas_fixtures.py").resolve("all_dtypes.p2.pkl");
        byte[] b = Files.readAllBytes(file);
        assertThat(PandasFrame.from(Pickle.loads(b)).rowCount()).isEqualTo(3);
        byte[] stop = "stop".getBytes(StandardCharsets.US_ASCII);
        int edits = 0;
        for (int i = 0; i + 4 < b.length; i++) {
            if (java.util.Arrays.equals(b, i, i + 4, stop, 0, 4)) {
                for (int j = i + 4; j < i + 12 && j + 1 < b.length; j++) {
                    if (b[j] == 'K' && b[j + 1] == 3) {             // BININT1 3
                        b[j + 1] = 4;
                        edits++;
                        break;
                    }
                }
            }
        }
        assertThat(edits).isEqualTo(1);
        byte[] edited = b;
        assertThatThrownBy(() -> PandasFrame.from(Pickle.loads(edited))).isInstanceOf(PickleException.class)
                .hasMessageContaining("holds 3 rows but the index has 4");
    }
}
