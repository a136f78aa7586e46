package dev.brine.portable;

import dev.brine.Pickle;
import dev.brine.Pickler;
import dev.brine.PyFunction;
import dev.brine.cpython.CPython;
import dev.brine.internal.portable.PortableRuntime;
import dev.brine.internal.portable.PortableRuntime.Section;
import dev.brine.testing.Fixtures;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Portable mode against the stock unpicklers of every CPython 3 on the machine, under {@code python -I -S}: no site
 * packages, nothing of Brine installed on the Python side.
 */
@Tag("cross-interpreter")
class PortableTest {
    record Point(int x, int y) {
    }

    enum Color { RED, GREEN, BLUE }

    /** A bean: mutable, with a cycle through itself and a transient and a static field that are not written. */
    static final class Customer {
        static int instances;
        String name;
        List<Object> orders = new ArrayList<>();
        Customer referrer;
        transient int cache = 7;

        Customer(String name) {
            this.name = name;
            instances++;
        }
    }

    record Order(long id, Color color, Point where) {
    }

    @TempDir
    static Path dir;

    private static final Path PROBE = Fixtures.script("portable_probe.py");

    /** Records, an enum, a bean with a cycle, functions: everything but arrays and zones, which import modules. */
    static Map<String, Object> graph() {
        Point p1 = new Point(1, 2);
        Customer ada = new Customer("Ada");
        ada.referrer = ada;
        ada.orders.add(new Order(7, Color.GREEN, p1));
        PyFunction square = PyFunction.of("square", "def square(x):\n    return x * x\n");
        PyFunction isEven = PyFunction.of("is_even", "def is_even(n):\n    return True if n == 0 else is_odd(n - 1)\n");
        PyFunction isOdd = PyFunction.of("is_odd", "def is_odd(n):\n    return False if n == 0 else is_even(n - 1)\n");
        isEven.global("is_odd", isOdd);
        isOdd.global("is_even", isEven);
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("points", List.of(p1, p1, new Point(1, 2), new Point(3, 4)));
        g.put("color", Color.RED);
        g.put("colors", List.of(Color.RED, Color.BLUE));
        g.put("customer", ada);
        g.put("square", square);
        g.put("inc", PyFunction.lambda("lambda x: x + step").withClosure(Map.of("step", 3)));
        g.put("scale", PyFunction.of("scale", "def scale(x, k):\n    return x * k\n").withDefaults(10));
        g.put("even", isEven);
        return g;
    }

    /** Expressions about {@link #graph()} and what every CPython 3 must say. */
    static Map<String, String> graphExpectations() {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("repr(v['points'][0])", "'Point(x=1, y=2)'");
        e.put("v['points'][0] is v['points'][1]", "True");
        e.put("v['points'][0] is v['points'][2]", "False");
        e.put("v['points'][0] == v['points'][2] and hash(v['points'][0]) == hash(v['points'][2])", "True");
        e.put("v['points'][0] != v['points'][3]", "True");
        e.put("(v['points'][0].x, v['points'][0].y)", "(1, 2)");
        e.put("type(v['points'][0]) is type(v['points'][3])", "True");
        e.put("type(v['points'][0]).__name__", "'Point'");
        e.put("setattr(v['points'][0], 'x', 5)", "ERROR AttributeError: Point is immutable");
        e.put("v['color']", "<Color.RED: 'RED'>");
        e.put("v['color'] is v['colors'][0]", "True");
        e.put("isinstance(v['color'], __import__('enum').Enum)", "True");
        e.put("[c.name for c in type(v['color'])]", "['RED', 'GREEN', 'BLUE']");
        e.put("v['customer'].name", "'Ada'");
        e.put("v['customer'].referrer is v['customer']", "True");
        e.put("hasattr(v['customer'], 'cache') or hasattr(v['customer'], 'instances')", "False");
        e.put("repr(v['customer'].orders[0])", "\"Order(id=7, color=<Color.GREEN: 'GREEN'>, where=Point(x=1, y=2))\"");
        e.put("v['customer'].orders[0].where is v['points'][0]", "True");
        e.put("v['customer'].orders[0].color is type(v['color']).GREEN", "True");
        e.put("v['square'](17)", "289");
        e.put("v['square'].__name__", "'square'");
        e.put("v['inc'](4)", "7");
        e.put("v['scale'](3)", "30");
        e.put("v['even'](10), v['even'](7)", "(True, False)");
        return e;
    }

    private static List<String> probe(CPython python, List<String> flags, String mode, Path pickle,
                                      List<String> expressions, String... repickle) {
        List<String> args = new ArrayList<>(flags);
        args.add(PROBE.toString());
        args.add(mode);
        args.add(pickle.toString());
        args.addAll(List.of(repickle));
        byte[] stdin = String.join("\n", expressions).getBytes(StandardCharsets.UTF_8);
        String out = new String(python.check(stdin, args.toArray(new String[0])), StandardCharsets.UTF_8);
        return out.lines().toList();
    }

    private static void assertProbe(CPython python, List<String> flags, String mode, Path pickle,
                                    Map<String, String> expected, String... repickle) {
        List<String> expressions = new ArrayList<>(expected.keySet());
        List<String> got = probe(python, flags, mode, pickle, expressions, repickle);
        Map<String, String> actual = new LinkedHashMap<>();
        for (int i = 0; i < expressions.size(); i++) {
            actual.put(expressions.get(i), i < got.size() ? got.get(i) : "<missing>");
        }
        assertThat(actual).as("%s %s %s %s", python, flags, mode, pickle.getFileName()).isEqualTo(expected);
    }

    private static Path write(String name, Object value, int protocol) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, Pickler.builder().portable(true).protocol(protocol).build().dumps(value));
        return p;
    }

    @BeforeAll
    static void requirePython() {
        CPython.python3s();
    }

    @Test
    void theDraftsSquareExampleWorksOnEveryPython3() throws IOException {
        PyFunction square = PyFunction.of("square", "def square(x):\n    return x*x\n");
        Path work = Files.createDirectories(dir.resolve("draft"));
        Files.write(work.resolve("portable.pkl"), Pickler.builder().portable(true).build().dumps(square));
        for (CPython python : CPython.python3s()) {
            CPython.Result r = python.run(new byte[0], "-I", "-S", "-c",
                    "import os; os.chdir(" + pyString(work.toString()) + "); "
                            + "import pickle; f = pickle.load(open(\"portable.pkl\",\"rb\")); print(f(17))");
            assertThat(r.stdoutText().strip()).as(python + ": " + r.stderrText()).isEqualTo("289");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyPython3EveryProtocolBothUnpicklers() {
        List<DynamicTest> tests = new ArrayList<>();
        for (CPython python : CPython.python3s()) {
            for (int protocol = 2; protocol <= python.highestProtocol(); protocol++) {
                for (String mode : List.of("c", "py")) {
                    int p = protocol;
                    tests.add(dynamicTest(python + " protocol " + p + " " + mode, () -> {
                        Path file = write("graph-p" + p + ".pkl", graph(), p);
                        assertProbe(python, List.of("-I", "-S"), mode, file, graphExpectations());
                    }));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void runtimeLoadsOnceAndClassesKeepTheirIdentityAcrossStreams() throws IOException {
        Path file = write("twice.pkl", graph(), 4);
        Map<String, String> e = new LinkedHashMap<>();
        e.put("type(v['points'][0]) is type(v2['points'][0])", "True");
        e.put("v['color'] is v2['color']", "True");
        e.put("type(v['customer']) is type(v2['customer'])", "True");
        // One bundle installed by the first stream; the second stream's _install returned without running.
        e.put("len(sys.modules['_brine1']._Z)", "1");
        e.put("sorted(set(sys.modules) - before)", "['_brine1']");
        e.put("sorted(set(sys.modules) - after_first)", "[]");
        for (CPython python : CPython.python3s()) {
            for (String mode : List.of("c", "py")) {
                assertProbe(python, List.of("-I", "-S"), mode, file, e);
            }
        }
    }

    @Test
    void importingRealModulesBehavesAsBefore() throws IOException {
        Path file = write("modules.pkl", graph(), 4);
        Map<String, String> e = new LinkedHashMap<>();
        e.put("__import__('zlib').decompress(__import__('zlib').compress(b'x'))", "b'x'");
        e.put("__import__('enum').Enum.__module__", "'enum'");
        e.put("'zlib' in before or 'zlib' not in after_first", "True");
        for (CPython python : CPython.python3s()) {
            assertProbe(python, List.of("-I", "-S"), "c", file, e);
        }
    }

    @Test
    void objectsRebuiltFromAPortableStreamPickleAgainForAFreshInterpreter() throws IOException {
        Path file = write("source.pkl", graph(), 4);
        Map<String, String> fresh = new LinkedHashMap<>(graphExpectations());
        fresh.put("sorted(set(sys.modules) - before)", "['_brine1']");
        for (CPython python : CPython.python3s()) {
            for (int protocol = 2; protocol <= python.highestProtocol(); protocol++) {
                Path again = dir.resolve("repickled-" + python.version() + "-p" + protocol + ".pkl");
                probe(python, List.of("-I", "-S"), "c", file, List.of("1"), String.valueOf(protocol),
                        again.toString());
                assertProbe(python, List.of("-I", "-S"), "c", again, fresh);
                assertProbe(python, List.of("-I", "-S"), "py", again, fresh);
            }
        }
    }

    @Test
    void primitiveArraysAreNumpyWhereNumpyImportsAndArrayArrayElsewhere() throws IOException {
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("longs", new long[] {1, -2, Long.MAX_VALUE});
        arrays.put("doubles", new double[] {0.5, -1e300});
        arrays.put("ints", new int[] {7});
        arrays.put("shorts", new short[] {-3});
        arrays.put("floats", new float[] {1.5f});
        arrays.put("chars", new char[] {'a'});
        arrays.put("bools", new boolean[] {true, false});
        Path file = write("arrays.pkl", arrays, 4);
        Map<String, String> plain = new LinkedHashMap<>();
        plain.put("[type(v[k]).__name__ for k in v]", "['array', 'array', 'array', 'array', 'array', 'array', 'array']");
        plain.put("[v[k].typecode for k in v]", "['q', 'd', 'i', 'h', 'f', 'H', 'B']");
        plain.put("list(v['longs']), list(v['doubles']), list(v['bools'])",
                "([1, -2, 9223372036854775807], [0.5, -1e+300], [1, 0])");
        for (CPython python : CPython.python3s()) {
            assertProbe(python, List.of("-I", "-S"), "c", file, plain);
        }
        CPython withNumpy = CPython.python3();
        CPython.require(withNumpy.hasModule("numpy"), withNumpy + " has no numpy");
        Map<String, String> numpy = new LinkedHashMap<>();
        numpy.put("[type(v[k]).__name__ for k in v]",
                "['ndarray', 'ndarray', 'ndarray', 'ndarray', 'ndarray', 'ndarray', 'ndarray']");
        numpy.put("[str(v[k].dtype) for k in v]", "['int64', 'float64', 'int32', 'int16', 'float32', 'uint16', 'bool']");
        numpy.put("v['longs'].tolist(), v['bools'].tolist()", "([1, -2, 9223372036854775807], [True, False])");
        numpy.put("v['longs'].flags.writeable", "True");
        assertProbe(withNumpy, List.of(), "c", file, numpy);
        assertProbe(withNumpy, List.of(), "py", file, numpy);
    }

    @Test
    void regionZonesUseZoneinfoWhereItExists() throws IOException {
        ZonedDateTime paris = ZonedDateTime.of(2024, 10, 27, 2, 30, 0, 123_456_000, ZoneId.of("Europe/Paris"))
                .withLaterOffsetAtOverlap();
        Path file = write("zone.pkl", Map.of("when", paris, "day", LocalDate.of(2024, 2, 29)), 4);
        for (CPython python : CPython.python3s()) {
            Map<String, String> e = new LinkedHashMap<>();
            boolean zoneinfo = python.minor() >= 9;
            e.put("v['when'].isoformat()", "'2024-10-27T02:30:00.123456+01:00'");
            e.put("type(v['when'].tzinfo).__name__", zoneinfo ? "'ZoneInfo'" : "'timezone'");
            e.put("v['when'].fold", "1");
            e.put("v['day']", "datetime.date(2024, 2, 29)");
            assertProbe(python, List.of("-I", "-S"), "c", file, e);
        }
    }

    @Test
    void aValueThatNeedsNoRuntimeGetsNoHeader() {
        Map<String, Object> plain = Map.of("a", List.of(1, 2.5, "x"), "when", LocalDate.of(2020, 1, 1));
        for (int p = 2; p <= 5; p++) {
            byte[] portable = Pickler.builder().portable(true).protocol(p).build().dumps(plain);
            assertThat(portable).isEqualTo(Pickle.dumps(plain, p));
        }
    }

    @Test
    void theHeaderUsesNoMemoAndLeavesTheStackEmpty() {
        byte[] header = PortableRuntime.header(EnumSet.allOf(Section.class), 2);
        String script = "import pickletools, sys\n"
                + "data = sys.stdin.buffer.read() + b'N.'\n"
                + "names = [op.name for op, arg, pos in pickletools.genops(data)]\n"
                + "print(sorted(set(n for n in names if 'PUT' in n or 'GET' in n or n == 'MEMOIZE')))\n"
                + "pickletools.dis(data, out=open('/dev/null', 'w'))\n"
                + "print('stack empty at STOP')\n";
        CPython python = CPython.newest();
        String out = new String(python.check(header, "-c", script), StandardCharsets.UTF_8);
        assertThat(out.lines().toList()).containsExactly("[]", "stack empty at STOP");
    }

    @Test
    void headerPlusRuntimeFitIn4KiBForRecordsEnumsBeansAndFunctions() {
        EnumSet<Section> all4 = EnumSet.of(Section.RECORD, Section.ENUM, Section.BEAN, Section.FUNCTION);
        int size = PortableRuntime.header(all4, 4).length;
        System.out.println("portable header sizes (protocol 4): records+enums+beans+functions " + size
                + " B; records only " + PortableRuntime.header(EnumSet.of(Section.RECORD), 4).length
                + " B; functions only " + PortableRuntime.header(EnumSet.of(Section.FUNCTION), 4).length
                + " B; every section " + PortableRuntime.header(EnumSet.allOf(Section.class), 4).length + " B");
        assertThat(size).isLessThanOrEqualTo(4096);
        // The header carries only what the body uses.
        assertThat(PortableRuntime.header(EnumSet.of(Section.RECORD), 4).length).isLessThan(size);
    }

    @Test
    void pythonRebuildsTheSameHeaderBytesJavaWrites() throws IOException {
        // base.py's _header() re-emits the header when a rebuilt object is pickled again; it must match Java's.
        Path file = write("match.pkl", graph(), 2);
        byte[] java = PortableRuntime.header(EnumSet.of(Section.RECORD, Section.ENUM, Section.BEAN, Section.FUNCTION), 2);
        String expected = "b'" + hex(java) + "'";
        Map<String, String> e = new LinkedHashMap<>();
        e.put("(b'\\x80\\x02' + sys.modules['_brine1']._header()).hex().encode()", expected);
        assertProbe(CPython.newest(), List.of("-I", "-S"), "c", file, e);
    }

    @Test
    void javaReadsItsOwnPortableStreamAsInertNodesWithFieldNames() {
        byte[] data = Pickler.builder().portable(true).build().dumps(new Point(1, 2));
        PyObject point = (PyObject) Pickle.loads(data);
        PyObject cls = (PyObject) point.callable();
        PyTuple spec = (PyTuple) cls.args().get(0);
        assertThat(spec).containsExactly("record", Point.class.getName(), "Point", PyTuple.of("x", "y"));
        assertThat(point.state()).isEqualTo(PyTuple.of(1L, 2L));
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
