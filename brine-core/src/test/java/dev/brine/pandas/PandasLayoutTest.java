package dev.brine.pandas;

import dev.brine.Pickle;
import dev.brine.testing.MlPython;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pickle layouts pandas 1.5.3 does not write for a given object but other versions do, made by rewriting the
 * trees of real pandas 1.5.3 pickles (so the arrays inside are real) and read to the same frames:
 * <ul>
 *   <li>a DataFrame's BlockManager as the {@code "0.14.1"} state tuple of {@code __getstate__} (pandas before
 *       1.3), instead of {@code BlockManager(blocks, axes)};</li>
 *   <li>a Series' SingleBlockManager as {@code SingleBlockManager(block, axis)}, the form of the Cython
 *       {@code BaseBlockManager.__reduce__} (read in pandas' source), instead of the state tuple;</li>
 *   <li>NDArrayBacked state as a dict ({@code _ndarray}, {@code _dtype}), and PeriodDtype by name
 *       ({@code PeriodDtype("period[M]")}, as pandas 2.x's {@code __reduce__} writes it), with 2.x frequency
 *       codes.</li>
 * </ul>
 * These are derived from pandas' source, not written by pandas 2.x itself: no pandas 2 is installed here.
 */
class PandasLayoutTest {
    static Path fixtures;
    static List<Path> pickles;

    @BeforeAll
    static void generate() throws IOException {
        fixtures = MlPython.require("pandas").fixtures("pandas_fixtures.py");
        try (Stream<Path> s = Files.list(fixtures)) {
            pickles = s.filter(p -> p.getFileName().toString().endsWith(".p4.pkl")).sorted().toList();
        }
    }

    @Test
    void everyFixtureReadsTheSameInTheOtherManagerLayout() throws IOException {
        int frames = 0;
        int series = 0;
        for (Path p : pickles) {
            Object original = Pickle.loads(Files.readAllBytes(p));
            PyObject node = (PyObject) original;
            @SuppressWarnings("unchecked")
            Map<Object, Object> state = (Map<Object, Object>) node.state();
            PyObject mgr = (PyObject) state.get("_mgr");
            Map<Object, Object> newState = new LinkedHashMap<>(state);
            if (node.global().name().equals("DataFrame")) {
                assertThat(mgr.kind()).isEqualTo(PyObject.Kind.REDUCE);
                newState.put("_mgr", asGetstate(mgr));
                PyObject rewritten = PyObject.newObj(node.callable());
                rewritten.addState(newState);
                assertThat(PandasReadTest.describe(PandasFrame.from(rewritten)))
                        .as(p.getFileName().toString()).isEqualTo(PandasReadTest.describe(PandasFrame.from(original)));
                frames++;
            } else {
                assertThat(mgr.kind()).isEqualTo(PyObject.Kind.NEWOBJ);
                newState.put("_mgr", asReduce(mgr));
                PyObject rewritten = PyObject.newObj(node.callable());
                rewritten.addState(newState);
                assertThat(PandasReadTest.describe(PandasSeries.from(rewritten)))
                        .as(p.getFileName().toString()).isEqualTo(PandasReadTest.describe(PandasSeries.from(original)));
                series++;
            }
        }
        System.out.println("layout variants: " + frames + " DataFrames as the 0.14.1 state, " + series
                + " Series as SingleBlockManager(block, axis)");
        assertThat(frames).isGreaterThan(20);
        assertThat(series).isGreaterThan(8);
    }

    /** BlockManager(blocks, axes) -> NEWOBJ BlockManager with state (axes, values, items, {"0.14.1": ...}). */
    private static PyObject asGetstate(PyObject mgr) {
        List<?> blocks = (List<?>) mgr.args().get(0);
        List<?> axes = (List<?>) mgr.args().get(1);
        List<Object> values = new ArrayList<>();
        List<Object> described = new ArrayList<>();
        for (Object b : blocks) {
            PyObject block = (PyObject) b;
            values.add(block.args().get(0));
            Map<Object, Object> d = new LinkedHashMap<>();
            d.put("values", block.args().get(0));
            d.put("mgr_locs", block.args().get(1));
            described.add(d);
        }
        Map<Object, Object> inner = new LinkedHashMap<>();
        inner.put("axes", new ArrayList<>(axes));
        inner.put("blocks", described);
        PyObject out = PyObject.newObj(mgr.callable());
        out.addState(PyTuple.of(new ArrayList<>(axes), values, new ArrayList<>(), Map.of("0.14.1", inner)));
        return out;
    }

    /** NEWOBJ SingleBlockManager with the 0.14.1 state -> SingleBlockManager(_unpickle_block(...), axis). */
    private static PyObject asReduce(PyObject mgr) {
        @SuppressWarnings("unchecked")
        Map<Object, Object> inner = (Map<Object, Object>) ((Map<?, ?>) ((PyTuple) mgr.state()).get(3)).get("0.14.1");
        @SuppressWarnings("unchecked")
        Map<Object, Object> block = (Map<Object, Object>) ((List<?>) inner.get("blocks")).get(0);
        PyObject b = PyObject.reduce(GlobalRef.of("pandas._libs.internals", "_unpickle_block"), block.get("values"),
                block.get("mgr_locs"), 1L);
        return PyObject.reduce(mgr.callable(), b, ((List<?>) inner.get("axes")).get(0));
    }

    @Test
    void ndarrayBackedDictStateAndPeriodDtypeByName() {
        NDArray ordinals = NDArray.of(new long[] {648, Long.MIN_VALUE, 650}, 3);
        PyObject byName = PyObject.reduce(GlobalRef.of("pandas.core.dtypes.dtypes", "PeriodDtype"), "period[M]");
        PyObject arr = PyObject.reduce(GlobalRef.of("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked"),
                GlobalRef.of("pandas.core.arrays.period", "PeriodArray"), 1L, null);
        Map<Object, Object> st = new LinkedHashMap<>();
        st.put("_ndarray", ordinals);
        st.put("_dtype", byName);
        arr.addState(st);
        Decoded d = ArrayDecoder.decode(arr, "test");
        assertThat(d.dtype()).isEqualTo("period[M]");
        assertThat(d.single("test")).containsExactly("2024-01", null, "2024-03");

        assertThat(Times.period(54, "Y-DEC", "t")).isEqualTo("2024");
        assertThat(Times.period(473_352, "h", "t")).isEqualTo("2024-01-01 00:00");
        assertThat(Times.period(28_401_120, "min", "t")).isEqualTo("2024-01-01 00:00");
        assertThat(Times.period(-1, "D", "t")).isEqualTo("1969-12-31");
    }
}
