package dev.brine.tools;

import dev.brine.Pickle;
import dev.brine.cpython.CPython;
import dev.brine.testing.Fixtures;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("cross-interpreter")
class JsonViewTest {
    /**
     * For values JSON can hold, Brine's view of a pickle CPython wrote is exactly CPython's own
     * {@code json.dumps} of the value (same float repr, same string escapes).
     */
    @Test
    void jsonNativeValuesRenderAsPythonJsonDumps() {
        CPython python = CPython.newest();
        String script = String.join("\n",
                "import json, pickle, sys",
                "values = [None, True, [1, -2, 2**63 - 1, -2**63], 0.1, 1e16, 1e-05, -0.0, 1/3, 'caf\\u00e9 \\n\\t\\\"q\\\\',",
                "          '\\x00\\x1f\\x7f \\u2028 \\U0001F600', {'a': [1, {'b': None}], 'c': 2.5}, [[[]]], {}, []]",
                "for proto in range(pickle.HIGHEST_PROTOCOL + 1):",
                "    for v in values:",
                "        sys.stdout.write(pickle.dumps(v, proto).hex() + ' ' + json.dumps(v, ensure_ascii=False,",
                "                         separators=(',', ':')) + '\\n')");
        String out = new String(python.check(new byte[0], "-c", script), StandardCharsets.UTF_8);
        int checked = 0;
        for (String line : out.split("\n")) {
            int space = line.indexOf(' ');
            byte[] pickle = hex(line.substring(0, space));
            assertThat(JsonView.toJson(Pickle.loads(pickle))).as(line).isEqualTo(line.substring(space + 1));
            checked++;
        }
        assertThat(checked).isGreaterThan(50);
    }

    /** Every well-formed case pickle, from every interpreter, loads and renders; nothing but PickleException. */
    @Test
    void rendersEveryCasePickle(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        for (CPython python : CPython.all()) {
            python.check(new byte[0], Fixtures.script("dis_cases.py").toString(), "generate", dir.toString());
        }
        dev.brine.Unpickler latin1 = dev.brine.Unpickler.builder().encoding("latin1").build();
        int rendered = 0;
        try (var files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path p : files.sorted().toList()) {
                if (p.getFileName().toString().startsWith("bad_")) {
                    continue;
                }
                Object value;
                try {
                    value = latin1.loads(java.nio.file.Files.readAllBytes(p));
                } catch (dev.brine.PickleException e) {
                    continue; // out-of-band buffers without buffers, say: the Unpickler's business
                }
                String json = JsonView.toJson(value, 1);
                assertThat(json).as(p.toString()).isNotEmpty().doesNotContain("\"$java\"");
                rendered++;
            }
        }
        assertThat(rendered).isGreaterThan(500);
    }

    @Test
    void tagsTypesJsonLacks() {
        Map<Object, Object> intKeys = new LinkedHashMap<>();
        intKeys.put(1L, "one");
        intKeys.put(PyTuple.of(1L, 2L), null);
        Map<Object, Object> dollar = new LinkedHashMap<>();
        dollar.put("$id", 1L);
        List<Object> value = List.of(
                PyTuple.of(1L, "a"), PyBytes.of((byte) 0, (byte) 0xff), new byte[] {1, 2},
                BigInteger.TWO.pow(64), Double.NaN, Double.NEGATIVE_INFINITY, new PyComplex(1.5, -0.0),
                new LinkedHashSet<>(List.of(1L)), PyFrozenSet.of("x"), new GlobalRef("os", "system"), intKeys,
                dollar, PyTuple.empty(), "lone \ud800");
        assertThat(JsonView.toJson(value)).isEqualTo("["
                + "{\"$tuple\":[1,\"a\"]},"
                + "{\"$bytes\":\"" + Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xff}) + "\"},"
                + "{\"$bytearray\":\"AQI=\"},"
                + "{\"$int\":\"18446744073709551616\"},"
                + "{\"$float\":\"nan\"},{\"$float\":\"-inf\"},"
                + "{\"$complex\":[1.5,-0.0]},"
                + "{\"$set\":[1]},{\"$frozenset\":[\"x\"]},"
                + "{\"$global\":\"os.system\"},"
                + "{\"$dict\":[[1,\"one\"],[{\"$tuple\":[1,2]},null]]},"
                + "{\"$dict\":{\"$id\":1}},"
                + "{\"$tuple\":[]},"
                + "\"lone \\ud800\""
                + "]");
    }

    /**
     * Every value type Brine maps to Java shows as a tag with its content, never as a placeholder: CPython pickles
     * each value and computes the JSON expected for it from the value itself ({@code isoformat}, {@code str},
     * numpy's {@code datetime_as_string}, ...); Brine's view of the pickle must parse to the same JSON.
     */
    @Test
    void mappedTypesShowAsTaggedValuesPythonAgreesWith() {
        String script = """
                import array, collections, datetime, decimal, fractions, json, pathlib, pickle, sys, uuid, zoneinfo
                import numpy as np
                cases, expected = [], []
                def case(value, form):
                    cases.append(value); expected.append(form)
                def iso(t):
                    return t.isoformat()
                berlin = zoneinfo.ZoneInfo("Europe/Berlin")
                for d in [datetime.date(2024, 2, 29), datetime.date(1, 1, 1)]:
                    case(d, {"$date": iso(d)})
                for t in [datetime.time(1, 2, 3), datetime.time(23, 59, 59, 500000),
                          datetime.time(12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30)))]:
                    case(t, {"$time": iso(t)})
                for t in [datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.datetime(2024, 1, 1),
                          datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
                          datetime.datetime(2024, 7, 1, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=-3)))]:
                    case(t, {"$datetime": iso(t)})
                t = datetime.datetime(2024, 7, 1, 12, tzinfo=berlin)
                case(t, {"$datetime": iso(t) + "[Europe/Berlin]"})
                case(berlin, {"$timezone": "Europe/Berlin"})
                for d in [decimal.Decimal("1.50"), decimal.Decimal("-0"), decimal.Decimal("NaN"), decimal.Decimal("-Infinity")]:
                    case(d, {"$decimal": str(d)})
                f = fractions.Fraction(-1, 3)
                case(f, {"$fraction": f"{f.numerator}/{f.denominator}"})
                u = uuid.UUID("12345678-1234-5678-1234-567812345678")
                case(u, {"$uuid": str(u)})
                case(pathlib.PurePosixPath("/etc/hosts"), {"$path": "/etc/hosts"})
                case(range(1, 10, 3), {"$range": [1, 10, 3]})
                case(slice(1, None, 2), {"$slice": [1, None, 2]})
                e = ValueError("bad", 7)
                case(e, {"$exception": {"type": "builtins.ValueError", "args": ["bad", 7]}})
                case(array.array("i", [1, -2]), {"$array": {"typecode": "i", "values": [1, -2]}})
                case(array.array("u", "hé"), {"$array": {"typecode": "u", "values": ["h", "é"]}})
                case(collections.deque([1, 2], maxlen=3), {"$deque": {"items": [1, 2], "maxlen": 3}})
                case(np.dtype("<i4"), {"$dtype": "<i4"})
                case(np.int32(-5), {"$scalar": {"dtype": "<i4", "value": -5}})
                case(np.float64(0.25), {"$scalar": {"dtype": "<f8", "value": 0.25}})
                for unit in ["D", "M", "Y", "s", "ms", "us", "ns", "h"]:
                    a = np.array(["2024-03-01T12:34:56.789", "NaT"], dtype="datetime64[ms]").astype(f"datetime64[{unit}]")
                    case(a, {"$ndarray": {"dtype": a.dtype.str, "shape": [2], "order": "C",
                                          "values": [str(x) for x in np.datetime_as_string(a)]}})
                o = np.array([[1, "x"], [None, 2.5]], dtype=object)
                case(o, {"$ndarray": {"dtype": "|O", "shape": [2, 2], "order": "C", "values": o.tolist()}})
                m = np.ma.array([1, 2, 3], mask=[0, 1, 0])
                case(m, {"$masked": {"dtype": "<i8", "shape": [3],
                                     "data": {"$ndarray": {"dtype": "<i8", "shape": [3], "order": "C", "values": [1, 2, 3]}},
                                     "mask": {"$ndarray": {"dtype": "|b1", "shape": [3], "order": "C",
                                                           "values": [False, True, False]}},
                                     "fill_value": None}})
                sys.stdout.write(pickle.dumps(cases, 4).hex() + "\\n" + json.dumps(expected))
                """;
        String[] out = new String(CPython.python3().check(new byte[0], "-c", script), StandardCharsets.UTF_8)
                .split("\n", 2);
        Object value = Pickle.loads(java.util.HexFormat.of().parseHex(out[0]));
        List<?> got = (List<?>) dev.brine.conformance.Json.parse(JsonView.toJson(value));
        List<?> want = (List<?>) dev.brine.conformance.Json.parse(out[1]);
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            assertThat(got.get(i)).as("case %d: %s", i, want.get(i)).isEqualTo(want.get(i));
        }
    }

    @Test
    void inertObjectsShowGlobalArgsAndState() {
        PyObject o = PyObject.reduce(new GlobalRef("collections", "OrderedDict"));
        o.putItem("k", 1L);
        PyObject p = PyObject.newObj(new GlobalRef("m", "C"), 7L);
        p.addState(Map.of("x", 1L));
        assertThat(JsonView.toJson(List.of(o, p))).isEqualTo("[{\"$object\":{\"kind\":\"REDUCE\","
                + "\"callable\":{\"$global\":\"collections.OrderedDict\"},\"args\":{\"$tuple\":[]},"
                + "\"dictitems\":{\"k\":1}}},"
                + "{\"$object\":{\"kind\":\"NEWOBJ\",\"callable\":{\"$global\":\"m.C\"},"
                + "\"args\":{\"$tuple\":[7]},\"state\":{\"x\":1}}}]");
    }

    @Test
    void sharedAndCyclicReferencesGetIds() {
        List<Object> shared = new ArrayList<>(List.of(1L));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        Map<Object, Object> dict = new LinkedHashMap<>();
        dict.put("self", dict);
        List<Object> root = List.of(shared, shared, cycle, dict);
        assertThat(JsonView.toJson(root)).isEqualTo("[{\"$id\":1,\"$list\":[1]},{\"$ref\":1},"
                + "{\"$id\":2,\"$list\":[{\"$ref\":2}]},{\"$id\":3,\"$dict\":{\"self\":{\"$ref\":3}}}]");
    }

    @Test
    void sharingSurvivesARealPickle() {
        byte[] pickle = CPython.newest().check(new byte[0], "-c",
                "import pickle, sys; a = [1]; r = []; r.append(r); "
                        + "sys.stdout.buffer.write(pickle.dumps([a, (a, a), r], 2))");
        assertThat(JsonView.toJson(Pickle.loads(pickle))).isEqualTo(
                "[{\"$id\":1,\"$list\":[1]},{\"$tuple\":[{\"$ref\":1},{\"$ref\":1}]},"
                        + "{\"$id\":2,\"$list\":[{\"$ref\":2}]}]");
    }

    @Test
    void deepNestingDoesNotUseTheJavaStack() {
        List<Object> root = new ArrayList<>();
        List<Object> cur = root;
        int depth = 200_000;
        for (int i = 0; i < depth; i++) {
            List<Object> next = new ArrayList<>();
            cur.add(next);
            cur = next;
        }
        String json = JsonView.toJson(root);
        assertThat(json).hasSize(2 * (depth + 1)).startsWith("[[[").endsWith("]]]");
    }

    @Test
    void indentsWhenAsked() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("a", List.of(1L, PyTuple.of()));
        m.put("b", Map.of());
        assertThat(JsonView.toJson(m, 2)).isEqualTo("{\n  \"a\": [\n    1,\n    {\n      \"$tuple\": []\n    }\n  ],"
                + "\n  \"b\": {}\n}");
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
