package dev.brine.pandas;

import dev.brine.Pickle;
import dev.brine.cpython.CPython;
import dev.brine.testing.MlPython;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Frames and Series made by {@link PandasFrame#builder()} and {@link PandasSeries#builder()}, written by
 * {@link Pickle#dumps} at protocols 2, 4 and 5, loaded by the real pandas and compared ({@code equals}, dtypes,
 * index) with the same frames built in Python ({@code pandas_builder_check.py}); what pandas loaded, saved again
 * with {@code to_pickle}, reads back in Java to the values the builder was given.
 */
class PandasBuilderTest {
    @TempDir
    static Path dir;
    static MlPython python;

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final ZoneId UTC = ZoneId.of("UTC");

    /** name -> (label -> [dtype, values]) of the frames built; for Series the label is the name. */
    static final Map<String, Map<Object, Object[]>> BUILT = new LinkedHashMap<>();

    @BeforeAll
    static void require() {
        python = MlPython.require("pandas", "numpy");
    }

    private static List<Object> list(Object... values) {
        return new ArrayList<>(Arrays.asList(values));
    }

    private static PandasBuilder.Frame frame(String name, Object[][] columns) {
        PandasBuilder.Frame b = PandasFrame.builder();
        Map<Object, Object[]> spec = new LinkedHashMap<>();
        for (Object[] c : columns) {
            @SuppressWarnings("unchecked")
            List<Object> values = (List<Object>) c[2];
            b.column(c[0], (String) c[1], values);
            spec.put(c[0], new Object[] {c[1], values});
        }
        BUILT.put(name, spec);
        return b;
    }

    static Map<String, Object> built() {
        BUILT.clear();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("numeric", frame("numeric", new Object[][] {
                {"i64", "int64", list(1L, -2L, 1L << 62)},
                {"i32", "int32", list(1, 2, 3)},
                {"u8", "uint8", list(0L, 7L, 255L)},
                {"f64", "float64", list(1.5, null, -0.0)},
                {"f32", "float32", list(0.5, 2.0, null)},
                {"b", "bool", list(true, false, true)}})
                .column("raw", dev.brine.value.NDArray.of(new double[] {0.25, 0.5, 0.75}, 3)).build());
        BUILT.get("numeric").put("raw", new Object[] {"float64", list(0.25, 0.5, 0.75)});
        out.put("objects", frame("objects", new Object[][] {
                {"o", "object", list("a", null, 3L)},
                {"s", "string", list("x", null, "ü")}})
                .index("object", List.of("r1", "r2", "r3"), "key").build());
        out.put("datetimes", frame("datetimes", new Object[][] {
                {"dt", "datetime64[ns]", list(LocalDateTime.of(2024, 1, 1, 10, 0), null,
                        LocalDateTime.of(1969, 12, 31, 23, 59, 59, 1))},
                {"dtz", "datetime64[ns, Europe/Berlin]", list(ZonedDateTime.of(2024, 3, 31, 1, 30, 0, 0, BERLIN),
                        null, ZonedDateTime.of(2024, 3, 31, 3, 30, 0, 0, BERLIN))},
                {"utc", "datetime64[ns, UTC]", list(ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, UTC),
                        ZonedDateTime.of(2024, 1, 2, 0, 0, 0, 0, UTC), ZonedDateTime.of(2024, 1, 3, 0, 0, 0, 0, UTC))},
                {"td", "timedelta64[ns]", list(Duration.ofSeconds(1), null, Duration.ofNanos(-1))}}).build());
        PandasBuilder.Frame ext = frame("extension", new Object[][] {
                {"cat", "category", list("x", null, "y")}});
        ext.categorical("ordered", list("x", "y", "x"), List.of("y", "x"), true);
        BUILT.get("extension").put("ordered", new Object[] {"category", list("x", "y", "x")});
        for (Object[] c : new Object[][] {
                {"I64", "Int64", list(1L, null, 3L)},
                {"U8", "UInt8", list(null, 2L, 255L)},
                {"F64", "Float64", list(0.25, null, 1.0)},
                {"B", "boolean", list(true, null, false)},
                {"pM", "period[M]", list("2024-01", null, "2024-03")},
                {"pD", "period[D]", list("2024-02-29", "1970-01-01", null)},
                {"iv", "interval[int64, right]", list("(0, 1]", "(1, 2]", "(2, 5]")},
                {"ivf", "interval[float64, left]", list("[0.5, 1.5)", null, "[2.0, 2.25)")}}) {
            @SuppressWarnings("unchecked")
            List<Object> values = (List<Object>) c[2];
            ext.column(c[0], (String) c[1], values);
            BUILT.get("extension").put(c[0], new Object[] {c[1], values});
        }
        out.put("extension", ext.build());
        out.put("datetime_index", frame("datetime_index", new Object[][] {{"v", "float64", list(1.0, 2.0)}})
                .index("datetime64[ns, Asia/Tokyo]", List.of(
                        ZonedDateTime.of(2024, 1, 1, 10, 0, 0, 0, ZoneId.of("Asia/Tokyo")),
                        ZonedDateTime.of(2024, 7, 1, 10, 0, 0, 0, ZoneId.of("Asia/Tokyo"))), "when").build());
        out.put("multiindex_int_labels", frame("multiindex_int_labels", new Object[][] {
                {0L, "int64", list(1L, 2L, 3L)}, {1L, "object", list("a", "b", "c")}})
                .multiIndex(List.of(List.of("a", 1L), List.of("a", 2L), PyTuple.of("b", 1L)), List.of("k", "n"))
                .build());
        out.put("no_columns", frame("no_columns", new Object[][] {}).index("int64", List.of(1L, 2L)).build());
        out.put("series_named", PandasSeries.builder().name("count").values("int64", List.of(1L, 2L, 3L)).build());
        BUILT.put("series_named", Map.of("count", new Object[] {"int64", List.of(1L, 2L, 3L)}));
        List<Object> tz = List.of(ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, BERLIN),
                ZonedDateTime.of(2024, 1, 2, 0, 0, 0, 0, BERLIN));
        out.put("series_tz", PandasSeries.builder().name("t").values("datetime64[ns, Europe/Berlin]", tz)
                .index("object", List.of("a", "b")).build());
        BUILT.put("series_tz", Map.of("t", new Object[] {"datetime64[ns, Europe/Berlin]", tz}));
        out.put("series_category", PandasSeries.builder().categorical(List.of("lo", "hi", "lo"), List.of("lo", "hi"),
                true).build());
        Map<Object, Object[]> cat = new LinkedHashMap<>();
        cat.put(null, new Object[] {"category", List.of("lo", "hi", "lo")});
        BUILT.put("series_category", cat);
        return out;
    }

    @Test
    void pandasLoadsWhatTheBuildersWriteToEqualFrames() throws IOException {
        Map<String, Object> frames = built();
        int files = 0;
        for (Map.Entry<String, Object> e : frames.entrySet()) {
            for (int protocol : new int[] {2, 4, 5}) {
                Files.write(dir.resolve(e.getKey() + ".p" + protocol + ".pkl"), Pickle.dumps(e.getValue(), protocol));
                files++;
            }
        }
        CPython.Result r = python.python().run(new byte[0],
                MlPython.scriptDir().resolve("pandas_builder_check.py").toString(), dir.toString());
        assertThat(r.exitCode()).as(r.stderrText()).isZero();
        List<String> lines = r.stdoutText().lines().toList();
        System.out.println("pandas " + python.versions().get("pandas") + " loaded " + lines.size() + " of " + files
                + " builder pickles (" + frames.size() + " frames and series x protocols 2, 4, 5)");
        assertThat(lines).hasSize(files);
        assertThat(lines.stream().filter(l -> !l.endsWith(" OK")).toList()).isEmpty();

        // What pandas loaded, saved by pandas, reads back to what the builder was given.
        for (String name : frames.keySet()) {
            Object back = Pickle.loads(Files.readAllBytes(dir.resolve(name + ".back.pkl")));
            List<PandasColumn> columns = name.startsWith("series_") ? List.of(PandasSeries.from(back).column())
                    : PandasFrame.from(back).columns();
            Map<Object, Object[]> spec = BUILT.get(name);
            assertThat(columns).hasSameSizeAs(spec.keySet());
            for (PandasColumn c : columns) {
                Object[] s = spec.get(c.label());
                assertThat(s).as(name + " " + c.label()).isNotNull();
                assertThat(c.dtype()).as(name + " " + c.label()).isEqualTo(s[0]);
                assertThat(c.values()).as(name + " " + c.label()).isEqualTo(widen((List<?>) s[1], (String) s[0]));
            }
        }
        PandasFrame idx = PandasFrame.from(Pickle.loads(Files.readAllBytes(dir.resolve("multiindex_int_labels.back.pkl"))));
        assertThat(idx.index()).containsExactly(PyTuple.of("a", 1L), PyTuple.of("a", 2L), PyTuple.of("b", 1L));
        assertThat(idx.indexNames()).containsExactly("k", "n");
        assertThat(idx.values(1)).containsExactly("a", "b", "c");
    }

    /** The values as read back: Integer as Long; a null in a numpy float column is NaN. */
    private static List<Object> widen(List<?> values, String dtype) {
        List<Object> out = new ArrayList<>();
        for (Object v : values) {
            out.add(v instanceof Integer i ? (Object) i.longValue() : v == null && dtype.startsWith("float")
                    ? (Object) Double.NaN : v);
        }
        return out;
    }

    @Test
    void buildersRejectValuesTheDtypeCannotHold() {
        assertThatThrownBy(() -> PandasFrame.builder().column("a", "int64", list(1L, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1")
                .hasMessageContaining("Int64");
        assertThatThrownBy(() -> PandasFrame.builder().column("a", "int8", list(300L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit int8");
        assertThatThrownBy(() -> PandasFrame.builder().column("a", "int64", list(1L)).column("b", "int64", list(1L, 2L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 rows in a frame of 1");
        assertThatThrownBy(() -> PandasFrame.builder().column("a", "int64", list(1L)).column("a", "int64", list(1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already");
        assertThatThrownBy(() -> PandasFrame.builder().column("a", "complex256", list(1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported dtype");
        assertThatThrownBy(() -> PandasFrame.builder().column("a", "interval[int64, right]", list("[0, 1)")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closed left");
        assertThatThrownBy(() -> PandasFrame.builder().column("a", "datetime64[ns, UTC]", list(LocalDateTime.now())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ZonedDateTime");
        assertThatThrownBy(() -> PandasFrame.builder().column("a", "datetime64[ns]",
                list(LocalDateTime.of(3000, 1, 1, 0, 0)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1677 to 2262");
        assertThatThrownBy(() -> PandasSeries.builder().build()).isInstanceOf(IllegalStateException.class);
    }
}
