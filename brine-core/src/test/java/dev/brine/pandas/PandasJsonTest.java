package dev.brine.pandas;

import dev.brine.Pickle;
import dev.brine.conformance.Json;
import dev.brine.testing.MlPython;
import dev.brine.tools.JsonView;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code brine json} of DataFrames and Series: {@code $dataframe} and {@code $series} with the shape, labels, dtypes,
 * index and values pandas itself reports for the same pickle; long columns summarized as numpy summarizes them.
 */
class PandasJsonTest {
    @Test
    @SuppressWarnings("unchecked")
    void framesAndSeriesShowAsPandasDescribesThem() throws IOException {
        MlPython python = MlPython.require("pandas");
        String out = python.run("""
                import json, pickle, sys
                import pandas as pd
                df = pd.DataFrame({"n": range(2000), "x": [i / 2 for i in range(2000)],
                                   "c": pd.Categorical(["a", "b"] * 1000),
                                   "t": pd.date_range("2024-01-01", periods=2000, freq="H", tz="UTC")})
                s = pd.Series([1.5, None], name="price", index=pd.Index(["p", "q"], name="k"))
                want = {"shape": list(df.shape), "labels": list(df.columns), "dtypes": [str(d) for d in df.dtypes],
                        "head": df["n"].head(3).tolist(), "tail": df["n"].tail(3).tolist(),
                        "t0": df["t"][0].isoformat(),
                        "series": {"name": s.name, "dtype": str(s.dtype), "index": list(s.index),
                                   "index_name": s.index.name}}
                print(pickle.dumps([df, s], protocol=4).hex())
                print(json.dumps(want))
                """);
        String[] lines = out.strip().split("\\n");
        Object value = Pickle.loads(HexFormat.of().parseHex(lines[0]));
        Map<String, Object> want = (Map<String, Object>) Json.parse(lines[1]);
        StringWriter json = new StringWriter();
        JsonView.write(value, json, 0, 10);
        assertThat(json.toString()).doesNotContain("$java").doesNotContain("$object");
        List<Object> both = (List<Object>) Json.parse(json.toString());

        Map<String, Object> frame = (Map<String, Object>) ((Map<String, Object>) both.get(0)).get("$dataframe");
        assertThat(frame.get("shape")).isEqualTo(want.get("shape"));
        List<Map<String, Object>> columns = (List<Map<String, Object>>) frame.get("columns");
        assertThat(columns).extracting(c -> c.get("label")).isEqualTo(want.get("labels"));
        assertThat(columns).extracting(c -> c.get("dtype")).isEqualTo(want.get("dtypes"));
        List<Object> n = (List<Object>) columns.get(0).get("values");
        assertThat(n).hasSize(7).element(3).isEqualTo("...");
        assertThat(n.subList(0, 3)).isEqualTo(want.get("head"));
        assertThat(n.subList(4, 7)).isEqualTo(want.get("tail"));
        Object t0 = ((List<Object>) columns.get(3).get("values")).get(0);
        assertThat(t0).isEqualTo(Map.of("$datetime", want.get("t0")));
        assertThat(((Map<String, Object>) frame.get("index")).get("dtype")).isEqualTo("int64");

        Map<String, Object> series = (Map<String, Object>) ((Map<String, Object>) both.get(1)).get("$series");
        Map<String, Object> ws = (Map<String, Object>) want.get("series");
        assertThat(series.get("name")).isEqualTo(ws.get("name"));
        assertThat(series.get("dtype")).isEqualTo(ws.get("dtype"));
        assertThat(series.get("values")).isEqualTo(List.of(1.5, Map.of("$float", "nan")));
        Map<String, Object> index = (Map<String, Object>) series.get("index");
        assertThat(index.get("values")).isEqualTo(ws.get("index"));
        assertThat(index.get("names")).isEqualTo(List.of(ws.get("index_name")));
    }
}
