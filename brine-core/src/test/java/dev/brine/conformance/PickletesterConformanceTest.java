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

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * CPython's own unpickling tests ({@code AbstractUnpickleTests} in each interpreter's {@code test/pickletester.py},
 * run through its C and pure-Python unpickler test classes by {@code src/test/python/pickletester_corpus.py}):
 * every pickle they load must read in Brine, in every {@link ReadMode} but the concatenated ones, to the value
 * CPython built (positive cases), or end in {@code PickleException} (negative cases: bad stack, bad mark,
 * truncated data, bad quoting, negative PUT, bad REDUCE/NEWOBJ, 32-bit lengths...).
 *
 * <p>Brine legitimately differs from CPython where CPython fails only by running code. Brine reads globals as
 * inert names and never calls them, so these negative cases read in Brine, and are reported as differences:
 * <ul>
 *   <li>every unpickler that ran raised a lookup error ({@code AttributeError}, {@code ImportError} or a
 *       subclass): a global that does not exist in CPython's process, which Brine reads as a {@code GlobalRef};</li>
 *   <li>the explicit cases of {@link #CALLS_THAT_FAIL_IN_CPYTHON}, where CPython's call of a real global fails.</li>
 * </ul>
 */
@Tag("cross-interpreter")
class PickletesterConformanceTest {
    private static final String SUITE = "pickletester (CPython's AbstractUnpickleTests)";
    private static final List<String> PY2_ENCODINGS = List.of("ASCII", "latin1", "bytes");
    private static final HexFormat HEX = HexFormat.of();

    /** Lookup errors: CPython could not find a global, which Brine never looks up. */
    private static final Set<String> LOOKUP_ERRORS = Set.of("AttributeError", "ImportError");

    /**
     * Negative cases that fail in CPython only because calling a real global fails (hex of the pickle to reason).
     * Brine does not call globals it does not map, so it reads them as inert nodes.
     */
    private static final Map<String, String> CALLS_THAT_FAIL_IN_CPYTHON = Map.of(
            // test_bad_newobj / test_bad_newobj_ex: cbuiltins\nlen\n)\x81. and cbuiltins\nlen\n)}\x92.
            "636275696c74696e730a6c656e0a29812e", "NEWOBJ of builtins.len: CPython checks that the class is a "
                    + "type; whether an inert global names a type is unknowable without importing it",
            "636275696c74696e730a6c656e0a297d922e", "NEWOBJ_EX of builtins.len: CPython checks that the class "
                    + "is a type; whether an inert global names a type is unknowable without importing it",
            // Python 2.7 test_load_classic_instance_error (issue 28925): class I's __init__ raises MyErr.
            "28695f5f6d61696e5f5f0a490a2864622e", "INST of __main__.I: the test's class raises in __init__",
            "28635f5f6d61696e5f5f0a490a6f7d622e", "OBJ of __main__.I: the test's class raises in __init__");

    private static final List<ReadMode> MODES = List.of(ReadMode.LOADS_BYTES, ReadMode.STREAM_1_BYTE,
            ReadMode.STREAM_1_BYTE_MARK, ReadMode.STREAM_3_BYTES, ReadMode.STREAM_3_BYTES_MARK,
            ReadMode.STREAM_4K_MARK, ReadMode.BUFFER_HEAP, ReadMode.BUFFER_DIRECT);

    @TestFactory
    Stream<DynamicNode> pickletester() {
        return CPython.all().stream().map(python -> DynamicContainer.dynamicContainer(python.toString(),
                Stream.of(python).flatMap(PickletesterConformanceTest::cases)));
    }

    @AfterAll
    static void report() {
        ConformanceReport.write();
    }

    private static Stream<DynamicNode> cases(CPython python) {
        java.nio.file.Path dir = Corpora.generate(python, "pickletester_corpus.py");
        if (dir == null) {
            ConformanceReport.record(SUITE, python.version(), "all", Outcome.SKIPPED,
                    "no usable test/pickletester.py in this interpreter", null);
            return Stream.empty();
        }
        Map<String, Object> corpus = Json.object(Json.read(dir.resolve("corpus.json")));
        for (Object problem : Json.array(corpus.get("cpython_test_problems"))) {
            ConformanceReport.record(SUITE, python.version(), "CPython's own test run", Outcome.SKIPPED,
                    "a CPython test failed under the recorder: " + problem, null);
        }
        List<DynamicNode> tests = new ArrayList<>();
        for (Object e : Json.array(corpus.get("entries"))) {
            Map<String, Object> entry = Json.object(e);
            String hex = (String) entry.get("data");
            String test = String.join(",", Json.array(entry.get("tests")).stream().map(String::valueOf).toList());
            Map<String, Object> kwargs = Json.object(entry.get("kwargs"));
            String name = test + " " + (hex.length() <= 48 ? hex : hex.substring(0, 40) + "...(" + hex.length() / 2
                    + " bytes)") + (kwargs.isEmpty() ? "" : " " + kwargs);
            Set<String> unknown = new java.util.HashSet<>(kwargs.keySet());
            unknown.removeAll(Set.of("encoding", "fix_imports"));
            if (!unknown.isEmpty()) {
                ConformanceReport.record(SUITE, python.version(), name, Outcome.SKIPPED,
                        "loads() keyword arguments Brine has no equivalent for: " + unknown, null);
                continue;
            }
            boolean positive = ok(entry.get("c")) && ok(entry.get("py"));
            boolean negative = !ok(entry.get("c")) && !ok(entry.get("py"));
            if (positive && entry.get("expect") == null) {
                ConformanceReport.record(SUITE, python.version(), name, Outcome.SKIPPED,
                        "cannot describe CPython's value: " + entry.get("describe_error"), null);
                continue;
            }
            Description expected = positive ? Description.fromJson(entry.get("expect")) : null;
            String encoding = (String) kwargs.getOrDefault("encoding", "ASCII");
            List<String> encodings = expected != null && expected.hasPy2Str() ? PY2_ENCODINGS : List.of(encoding);
            for (String enc : encodings) {
                String label = encodings.size() > 1 ? name + " [" + enc + "]" : name;
                tests.add(DynamicTest.dynamicTest(label, () -> check(python, entry, label, enc, expected,
                        positive, negative)));
            }
        }
        return tests.stream();
    }

    private static boolean ok(Object outcome) {
        return outcome != null && Boolean.TRUE.equals(Json.object(outcome).get("ok"));
    }

    private static void check(CPython python, Map<String, Object> entry, String label, String encoding,
                              Description expected, boolean positive, boolean negative) {
        byte[] data = HEX.parseHex((String) entry.get("data"));
        Map<String, Object> kwargs = Json.object(entry.get("kwargs"));
        Unpickler unpickler = Unpickler.builder().encoding(encoding)
                .fixImports(!Boolean.FALSE.equals(kwargs.get("fix_imports"))).build();
        String version = python.version();
        ConformanceCase.Verdict v;
        if (positive) {
            v = ConformanceCase.expectValue(unpickler, data, List.of(), MODES, expected, encoding,
                    Corpora.py2Names(), false);
        } else {
            String why = negative ? errors(entry) : "the C and pure-Python unpicklers disagree: " + errors(entry);
            v = ConformanceCase.expectError(unpickler, data, List.of(), MODES, why, false);
            if (!v.passed() && !negative) {
                ConformanceReport.record(SUITE, version, label, Outcome.DIFFERS,
                        "CPython's unpicklers disagree (" + errors(entry) + "); Brine " + v.readInsteadOfError(), null);
                return;
            }
            if (!v.passed() && v.readInsteadOfError() != null && v.failures().size() == 1) {
                String reason = legitimate(entry);
                if (reason != null) {
                    ConformanceReport.record(SUITE, version, label, Outcome.DIFFERS,
                            reason + "; Brine " + v.readInsteadOfError(), null);
                    return;
                }
            }
        }
        if (!v.passed()) {
            String detail = String.join("\n", v.failures());
            ConformanceReport.record(SUITE, version, label, Outcome.FAILED, detail, v.notes());
            throw new AssertionError("CPython " + version + " " + label + ":\n" + detail);
        }
        ConformanceReport.record(SUITE, version, label, v.notes().isEmpty() ? Outcome.PASSED : Outcome.PASSED_INERT,
                null, v.notes());
    }

    /** Why a negative case may legitimately read in Brine, or null if it must not. */
    private static String legitimate(Map<String, Object> entry) {
        String explicit = CALLS_THAT_FAIL_IN_CPYTHON.get((String) entry.get("data"));
        if (explicit != null) {
            return "CPython fails calling a real global: " + explicit;
        }
        boolean lookupOnly = true;
        for (String unpickler : List.of("c", "py")) {
            Object outcome = entry.get(unpickler);
            if (outcome == null) {
                continue;
            }
            List<Object> mro = Json.array(Json.object(outcome).get("mro"));
            lookupOnly &= mro.stream().anyMatch(LOOKUP_ERRORS::contains);
        }
        return lookupOnly ? "CPython fails only looking up a global (" + errors(entry)
                + "), which Brine reads as an inert name" : null;
    }

    private static String errors(Map<String, Object> entry) {
        List<String> out = new ArrayList<>();
        for (String unpickler : List.of("c", "py")) {
            Object outcome = entry.get(unpickler);
            if (outcome != null) {
                Map<String, Object> o = Json.object(outcome);
                out.add(unpickler + ": " + (ok(outcome) ? "ok" : o.get("error") + " " + Description.abbreviate(
                        String.valueOf(o.get("message")))));
            }
        }
        return String.join("; ", out);
    }
}
