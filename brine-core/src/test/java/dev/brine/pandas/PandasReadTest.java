package dev.brine.pandas;

import dev.brine.Pickle;
import dev.brine.conformance.Json;
import dev.brine.testing.MlPython;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DataFrames and Series written by the real pandas ({@code pandas_fixtures.py}: 40 shapes, each by
 * {@code pickle.dumps} at protocols 2, 4 and 5 and by {@code to_pickle}) read by {@link PandasFrame} and
 * {@link PandasSeries}, compared with what pandas says each holds (labels, dtypes, values, index).
 */
class PandasReadTest {
    static MlPython python;
    static Path fixtures;
    static List<Path> cases;

    /** Every dtype the issue names; the fixtures must show each one. */
    static final List<String> REQUIRED_DTYPES = List.of("int64", "float64", "bool", "object", "datetime64[ns]",
            "datetime64[ns, Europe/Berlin]", "timedelta64[ns]", "category", "Int64", "boolean", "string",
            "period[M]", "interval[int64, right]");

    @BeforeAll
    static void generate() throws IOException {
        python = MlPython.require("pandas", "numpy");
        fixtures = python.fixtures("pandas_fixtures.py");
        try (Stream<Path> s = Files.list(fixtures)) {
            cases = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        assertThat(cases).hasSizeGreaterThanOrEqualTo(20);
    }

    @Test
    void readsEveryPickleAsPandasSaysItHolds() throws IOException {
        List<String> failures = new ArrayList<>();
        Map<String, Integer> perForm = new TreeMap<>();
        TreeSet<String> dtypes = new TreeSet<>();
        int frames = 0;
        int series = 0;
        for (Path json : cases) {
            String name = json.getFileName().toString().replaceFirst("\\.json$", "");
            @SuppressWarnings("unchecked")
            Map<String, Object> expected = (Map<String, Object>) Json.read(json);
            for (String form : List.of("p2", "p4", "p5", "to_pickle")) {
                Path file = fixtures.resolve(name + "." + form + ".pkl");
                Object value = Pickle.loads(Files.readAllBytes(file));
                Map<String, Object> actual;
                try {
                    if (expected.get("kind").equals("frame")) {
                        actual = describe(PandasFrame.from(value));
                        frames++;
                    } else {
                        actual = describe(PandasSeries.from(value));
                        series++;
                    }
                } catch (RuntimeException e) {
                    failures.add(file.getFileName() + ": " + e);
                    continue;
                }
                perForm.merge(form, 1, Integer::sum);
                for (String key : expected.keySet()) {
                    if (!Objects.equals(expected.get(key), actual.get(key))) {
                        failures.add(file.getFileName() + " " + key + ":\n  pandas " + expected.get(key)
                                + "\n  brine  " + actual.get(key));
                    }
                }
                @SuppressWarnings("unchecked")
                List<String> d = (List<String>) actual.get("dtypes");
                dtypes.addAll(d);
            }
        }
        System.out.println("pandas " + python.versions().get("pandas") + ": " + cases.size() + " shapes, "
                + frames + " DataFrame and " + series + " Series pickles read per form " + perForm + "; dtypes "
                + dtypes);
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        assertThat(dtypes).containsAll(REQUIRED_DTYPES);
        assertThat(perForm.values()).allMatch(n -> n == cases.size());
    }

    /** The same description pandas_fixtures.py writes, from what Brine read. */
    static Map<String, Object> describe(PandasFrame df) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "frame");
        m.put("labels", Canonical.all(df.columnLabels(), ""));
        List<Object> dtypes = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (PandasColumn c : df.columns()) {
            dtypes.add(c.dtype());
            values.add(Canonical.all(c.values(), c.dtype()));
            checkArray(c);
        }
        m.put("dtypes", dtypes);
        m.put("values", values);
        index(m, df.index(), df.indexNames(), df.indexDtype(), df.rowCount());
        assertThat(df.toString()).startsWith("DataFrame[" + df.rowCount() + " rows x " + df.columns().size());
        return m;
    }

    static Map<String, Object> describe(PandasSeries s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "series");
        m.put("labels", Canonical.all(s.columnLabels(), ""));
        m.put("dtypes", List.of(s.dtype()));
        m.put("values", List.of(Canonical.all(s.values(), s.dtype())));
        checkArray(s.column());
        assertThat(s.values(s.name())).isSameAs(s.values());
        index(m, s.index(), s.indexNames(), s.indexDtype(), s.rowCount());
        return m;
    }

    private static void index(Map<String, Object> m, List<Object> index, List<Object> names, String dtype, int rows) {
        m.put("index", Canonical.all(index, dtype));
        m.put("index_names", Canonical.all(names, ""));
        m.put("index_dtype", dtype);
        m.put("rows", (long) rows);
    }

    /** Exactly the numpy dtypes have an array, of the column's length and (naive ones) of its dtype. */
    private static void checkArray(PandasColumn c) {
        boolean numpy = c.dtype().matches("(u?int|float|complex)\\d+|bool|(datetime|timedelta)64\\[.*");
        assertThat(c.hasArray()).as(c.label() + " " + c.dtype()).isEqualTo(numpy);
        if (!numpy) {
            return;
        }
        assertThat(c.array().size()).isEqualTo(c.size());
        if (Canonical.zoneOf(c.dtype()) == null) {
            assertThat(ArrayDecoder.numpyName(c.array().dtype())).isEqualTo(c.dtype());
        }
    }
}
