package dev.brine.conformance;

import dev.brine.Unpickler;
import dev.brine.conformance.ConformanceReport.Outcome;
import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The catalogue: values pickled by every CPython on this machine at every protocol it writes, by its C pickler and
 * (where the bytes differ) its pure-Python pickler, made at test time by {@code src/test/python/catalogue.py}.
 * Every pickle must read, in every {@link ReadMode}, to a value equivalent to what CPython's own unpickler builds
 * from it, with the same sharing and cycles. Pickles holding Python 2 str are read with each encoding CPython 3
 * offers for them: ASCII (the default, which must fail on non-ASCII bytes, as CPython does), latin1 and bytes.
 */
@Tag("cross-interpreter")
class CatalogueConformanceTest {
    private static final String SUITE = "catalogue (values pickled by CPython, read in every mode)";
    private static final List<String> PY2_ENCODINGS = List.of("ASCII", "latin1", "bytes");

    @TestFactory
    Stream<DynamicNode> catalogue() {
        return CPython.all().stream().map(python -> DynamicContainer.dynamicContainer(python.toString(),
                Stream.of(python).flatMap(CatalogueConformanceTest::cases)));
    }

    @AfterAll
    static void report() {
        ConformanceReport.write();
    }

    private static Stream<DynamicNode> cases(CPython python) {
        Path dir = Corpora.generate(python, "catalogue.py");
        Map<String, Object> index = Json.object(Json.read(dir.resolve("index.json")));
        for (Object skipped : Json.array(index.get("skipped"))) {
            ConformanceReport.record(SUITE, python.version(), String.valueOf(skipped).split(":")[0],
                    Outcome.SKIPPED, "CPython cannot pickle it: " + skipped, null);
        }
        List<DynamicNode> tests = new ArrayList<>();
        for (Object e : Json.array(index.get("cases"))) {
            Map<String, Object> entry = Json.object(e);
            String name = (String) entry.get("name");
            if (entry.get("expect") == null) {
                ConformanceReport.record(SUITE, python.version(), name, Outcome.SKIPPED,
                        "CPython cannot read its own pickle: " + entry.get("load_error"), null);
                continue;
            }
            Description expected = Description.fromJson(Json.read(dir.resolve((String) entry.get("expect"))));
            List<String> encodings = expected.hasPy2Str() ? PY2_ENCODINGS : List.of("ASCII");
            for (String encoding : encodings) {
                String label = encodings.size() > 1 ? name + " [" + encoding + "]" : name;
                tests.add(DynamicTest.dynamicTest(label, () -> check(python, dir, entry, label, encoding)));
            }
        }
        return tests.stream();
    }

    private static void check(CPython python, Path dir, Map<String, Object> entry, String label, String encoding)
            throws IOException {
        byte[] data = Files.readAllBytes(dir.resolve((String) entry.get("file")));
        List<byte[]> buffers = new ArrayList<>();
        for (Object b : Json.array(entry.get("buffers"))) {
            buffers.add(Files.readAllBytes(dir.resolve((String) b)));
        }
        Unpickler.Builder builder = Unpickler.builder().encoding(encoding);
        List<Object> extensions = Json.array(entry.get("extensions"));
        for (Object ext : extensions) {
            List<Object> x = Json.array(ext);
            builder.extension(((Number) x.get(0)).intValue(), (String) x.get(1), (String) x.get(2));
        }
        boolean defaultConfig = encoding.equals("ASCII") && extensions.isEmpty() && buffers.isEmpty();
        List<ReadMode> modes = new ArrayList<>(Arrays.asList(ReadMode.values()));
        if (!defaultConfig) {
            modes.remove(ReadMode.PICKLE_LOADS);
        }
        Description expected;
        try {
            expected = Description.fromJson(Json.read(dir.resolve((String) entry.get("expect"))));
        } catch (UncheckedIOException e) {
            throw new AssertionError(e);
        }
        ConformanceCase.Verdict v = ConformanceCase.expectValue(builder.build(), data, buffers, modes, expected,
                encoding, Corpora.py2Names(), true);
        String where = "CPython " + python.version() + " " + label + " (" + data.length + " bytes"
                + (data.length <= 64 ? ": " + Comparison.hex(data) : "") + ")";
        if (!v.passed()) {
            String detail = String.join("\n", v.failures());
            ConformanceReport.record(SUITE, python.version(), label + " (" + data.length + " bytes"
                    + (data.length <= 64 ? ": " + Comparison.hex(data) : "") + ")", Outcome.FAILED, detail, v.notes());
            throw new AssertionError(where + ":\n" + detail);
        }
        ConformanceReport.record(SUITE, python.version(), label, v.notes().isEmpty() ? Outcome.PASSED
                : Outcome.PASSED_INERT, null, v.notes());
    }
}
