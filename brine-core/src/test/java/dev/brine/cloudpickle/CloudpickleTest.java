package dev.brine.cloudpickle;

import dev.brine.Pickle;
import dev.brine.cpython.CPython;
import dev.brine.internal.format.PyRepr;
import dev.brine.value.CloudpickleView;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyCode;
import dev.brine.value.PyDynamicClass;
import dev.brine.value.PyFunctionView;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Functions, lambdas, closures, a nested function, a dynamic class and a dynamic enum pickled by the real
 * cloudpickle (python3's 2.1.0) at protocols 0 to 5: Brine's views report what Python reports about them
 * ({@code co_name}, {@code co_varnames}, {@code co_consts}, {@code co_filename}, {@code co_firstlineno}, closure
 * values, members, ...); Brine writes each back to the very bytes cloudpickle wrote; and Python loads Brine's bytes
 * with the stock {@code pickle.loads} and gets the same results from calling them.
 */
class CloudpickleTest {
    static final Path SCRIPT = Path.of("src/test/python/cloudpickle_cases.py").toAbsolutePath();

    record Pickled(String name, int protocol, byte[] bytes) {
    }

    /** What the script printed: the pickles, and per case the facts Python reports and the call result. */
    static final class Cases {
        final List<Pickled> pickles = new ArrayList<>();
        final Map<String, Map<String, String>> facts = new LinkedHashMap<>();
        final Map<String, String> calls = new LinkedHashMap<>();
    }

    static CPython python() {
        CPython python = CPython.python3();
        CPython.require(python.hasModule("cloudpickle"), python + " has no cloudpickle");
        CPython.require(Files.isRegularFile(SCRIPT), "test script " + SCRIPT + " is missing");
        return python;
    }

    static Cases emit(CPython python) {
        Cases cases = new Cases();
        String out = new String(python.check(new byte[0], SCRIPT.toString(), "emit"), StandardCharsets.UTF_8);
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "PICKLE" -> cases.pickles.add(new Pickled(f[1], Integer.parseInt(f[2]),
                        HexFormat.of().parseHex(f[3])));
                case "EXPECT" -> cases.facts.computeIfAbsent(f[1], k -> new LinkedHashMap<>()).put(f[2], f[3]);
                case "CALL" -> cases.calls.put(f[1], f[2]);
                default -> {
                }
            }
        }
        assertThat(cases.pickles).hasSize(6 * 6);
        assertThat(cases.facts.keySet()).containsExactly("function", "lambda", "closure", "nested", "class", "enum");
        return cases;
    }

    @Test
    void viewsReportWhatPythonReportsAndRewrittenBytesAreIdenticalAndCallable() {
        CPython python = python();
        Cases cases = emit(python);
        List<String> failures = new ArrayList<>();
        StringBuilder rewritten = new StringBuilder();
        int compared = 0;
        for (Pickled p : cases.pickles) {
            String where = p.name() + " p" + p.protocol();
            Object loaded = Pickle.loads(p.bytes());
            Map<String, String> expected = cases.facts.get(p.name());
            // kind is canon text, a quoted str: 'function', 'class' or 'enum'.
            String kind = expected.get("kind").replace("'", "");
            Map<String, String> got = facts(kind, loaded);
            for (Map.Entry<String, String> e : expected.entrySet()) {
                compared++;
                if (!e.getValue().equals(got.get(e.getKey()))) {
                    failures.add(where + " " + e.getKey() + ": Python says " + e.getValue() + ", view says "
                            + got.get(e.getKey()));
                }
            }
            byte[] back = Pickle.dumps(loaded, p.protocol());
            if (!Arrays.equals(back, p.bytes())) {
                failures.add(where + ": written back differently:\n  " + HexFormat.of().formatHex(p.bytes())
                        + "\n  " + HexFormat.of().formatHex(back));
            }
            rewritten.append(p.name()).append('\t').append(p.protocol()).append('\t')
                    .append(HexFormat.of().formatHex(back)).append('\n');
        }
        String out = new String(python.check(rewritten.toString().getBytes(StandardCharsets.US_ASCII),
                SCRIPT.toString(), "call"), StandardCharsets.UTF_8);
        int calls = 0;
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            calls++;
            if (!cases.calls.get(f[0]).equals(f[2])) {
                failures.add(f[0] + " p" + f[1] + ": Python calling Brine's bytes got " + f[2] + ", the original "
                        + cases.calls.get(f[0]));
            }
        }
        assertThat(failures).isEmpty();
        assertThat(compared).isGreaterThan(6 * 100);
        assertThat(calls).isEqualTo(cases.pickles.size());
    }

    @Test
    void viewsAreEmptyForWhatCloudpickleDidNotWrite() {
        PyObject plain = PyObject.reduce(GlobalRef.of("builtins", "len"), "abc");
        PyObject foreign = PyObject.reduce(GlobalRef.of("mypackage.tools", "_make_function"), 1, 2, 3, 4, 5);
        for (Object o : new Object[] {null, "f", 1L, plain, foreign, GlobalRef.of("cloudpickle.cloudpickle",
                "_make_function")}) {
            assertThat(CloudpickleView.function(o)).as(String.valueOf(o)).isEmpty();
            assertThat(CloudpickleView.code(o)).as(String.valueOf(o)).isEmpty();
            assertThat(CloudpickleView.dynamicClass(o)).as(String.valueOf(o)).isEmpty();
        }
    }

    @Test
    void codeWithArgumentsOfTheWrongTypeIsNotViewed() {
        CPython python = python();
        Pickled lambda = emit(python).pickles.stream()
                .filter(p -> p.name().equals("lambda") && p.protocol() == 4).findFirst().orElseThrow();
        PyObject code = CloudpickleView.function(Pickle.loads(lambda.bytes())).orElseThrow().code().node();
        Object[] args = code.args().toArray();
        args[11] = 42L; // co_name must be text
        assertThat(CloudpickleView.code(new PyObject(PyObject.Kind.REDUCE, code.callable(), PyTuple.wrap(args), null)))
                .isEmpty();
        Object[] shorter = Arrays.copyOf(code.args().toArray(), 17);
        assertThat(CloudpickleView.code(new PyObject(PyObject.Kind.REDUCE, code.callable(), PyTuple.wrap(shorter),
                null))).isEmpty();
    }

    // ---- the facts, computed from Brine's views as cloudpickle_cases.py computes them from Python objects ----

    static Map<String, String> facts(String kind, Object loaded) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("kind", canon(kind));
        if (kind.equals("function")) {
            Optional<PyFunctionView> view = CloudpickleView.function(loaded);
            if (view.isEmpty()) {
                return facts;
            }
            PyFunctionView f = view.get();
            codeFacts("", f.code(), facts);
            facts.put("__name__", canon(f.name()));
            facts.put("__qualname__", canon(f.qualname()));
            facts.put("__module__", canon(f.module().orElse(null)));
            facts.put("__doc__", canon(f.doc().orElse(null)));
            facts.put("__defaults__", canon(f.defaults()));
            facts.put("__kwdefaults__", canon(f.kwDefaults()));
            facts.put("globals", canon(new ArrayList<>(new TreeSet<>(f.globals().keySet()))));
            facts.put("closure", canon(f.closure().stream().map(PyFunctionView.Cell::value).toList()));
            f.code().constants().stream().map(CloudpickleView::code).flatMap(Optional::stream).findFirst()
                    .ifPresent(c -> codeFacts("nested.", c, facts));
            return facts;
        }
        Optional<PyDynamicClass> view = CloudpickleView.dynamicClass(loaded);
        if (view.isEmpty() || view.get().isEnum() != kind.equals("enum")) {
            return facts;
        }
        PyDynamicClass c = view.get();
        facts.put("__name__", canon(c.name()));
        facts.put("__module__", canon(c.module().orElse(null)));
        facts.put("__doc__", canon(c.doc().orElse(null)));
        facts.put("bases", canon(c.bases().stream().map(String::valueOf).toList()));
        facts.put("methods", canon(new ArrayList<>(new TreeSet<>(c.methods().keySet()))));
        if (c.isEnum()) {
            facts.put("__qualname__", canon(c.qualname()));
            facts.put("members", canon(c.members()));
        } else {
            facts.put("dim", canon(c.classDict().get("dim")));
            PyFunctionView norm2 = c.methods().get("norm2");
            if (norm2 != null) {
                codeFacts("norm2.", norm2.code(), facts);
            }
        }
        return facts;
    }

    static void codeFacts(String prefix, PyCode code, Map<String, String> facts) {
        facts.put(prefix + "co_name", canon(code.name()));
        facts.put(prefix + "co_qualname", canon(code.qualname().orElse(null)));
        facts.put(prefix + "argnames", canon(code.argumentNames()));
        facts.put(prefix + "varargs", canon(code.varArgsName().orElse(null)));
        facts.put(prefix + "varkw", canon(code.varKeywordsName().orElse(null)));
        facts.put(prefix + "argcount", canon((long) code.argCount()));
        facts.put(prefix + "posonly", canon((long) code.posOnlyArgCount()));
        facts.put(prefix + "kwonly", canon((long) code.kwOnlyArgCount()));
        facts.put(prefix + "co_varnames", canon(code.varNames()));
        facts.put(prefix + "co_consts", canon(new ArrayList<>(code.constants())));
        facts.put(prefix + "co_names", canon(code.names()));
        facts.put(prefix + "co_filename", canon(code.fileName()));
        facts.put(prefix + "co_firstlineno", canon((long) code.firstLineNumber()));
        facts.put(prefix + "co_freevars", canon(code.freeVars()));
        facts.put(prefix + "co_cellvars", canon(code.cellVars()));
    }

    /** As canon() in cloudpickle_cases.py: repr of simple values, {@code <code NAME>} for a code object. */
    static String canon(Object v) {
        Optional<PyCode> code = CloudpickleView.code(v);
        if (code.isPresent()) {
            return "<code " + code.get().name() + ">";
        }
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? "True" : "False";
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return v.toString();
        }
        if (v instanceof Double) {
            return PyRepr.floatRepr((Double) v);
        }
        if (v instanceof String) {
            return PyRepr.strRepr((String) v);
        }
        if (v instanceof PyTuple) {
            PyTuple t = (PyTuple) v;
            String items = t.stream().map(CloudpickleTest::canon).collect(Collectors.joining(", "));
            return "(" + items + (t.size() == 1 ? ",)" : ")");
        }
        if (v instanceof List) {
            return ((List<?>) v).stream().map(CloudpickleTest::canon).collect(Collectors.joining(", ", "[", "]"));
        }
        if (v instanceof Map) {
            return ((Map<?, ?>) v).entrySet().stream().map(e -> canon(e.getKey()) + ": " + canon(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return "<" + v.getClass().getSimpleName() + ">";
    }
}
