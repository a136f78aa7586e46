package dev.brine.portable;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.Unpickler;
import dev.brine.cpython.CPython;
import dev.brine.internal.portable.LibraryRedirects;
import dev.brine.internal.portable.PortableRuntime;
import dev.brine.internal.portable.PortableRuntime.Section;
import dev.brine.scan.FileReport;
import dev.brine.scan.Scanner;
import dev.brine.scan.Verdict;
import dev.brine.testing.MlPython;
import dev.brine.tools.PortableHeader;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyDiscarding;
import dev.brine.value.PyObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue #20 part 2: dill 0.3.6 (Debian's python3), cloudpickle 2.2 (Debian's) and cloudpickle 2.1 (pyenv's
 * python3) streams of {@code portable_library.py}'s cases at protocols 2 to 5, rewritten by
 * {@code Pickler.builder().portable(true).bytecode(3, 11)}, load with the stock unpicklers (C and pure Python, one
 * process) in a fresh {@code python3.11 -I -S} where neither library imports, and compute what the library's own
 * load computes; every other CPython 3.6-3.13 refuses them with the version error, and none crashes.
 */
class PortableLibraryTest {
    static final Path SCRIPT = MlPython.scriptDir().resolve("portable_library.py");

    record Stream(String library, String name, int protocol, byte[] bytes, String expected) {
        String id() {
            return library + "/" + name + "/p" + protocol;
        }
    }

    static List<Stream> emit(CPython python, String library) {
        return emit(python, library, 23 * 4);
    }

    static List<Stream> emit(CPython python, String library, int count) {
        String out = new String(python.check(new byte[0], SCRIPT.toString(), "emit", library),
                StandardCharsets.UTF_8);
        List<Stream> streams = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("PICKLE")) {
                streams.add(new Stream(f[1], f[2], Integer.parseInt(f[3]), HexFormat.of().parseHex(f[4]), f[5]));
            }
        }
        assertThat(streams).as(library + " on " + python).hasSize(count);
        return streams;
    }

    private static List<Stream> cached;

    /** Every writer's streams, generated once per test JVM: one generator process per writer. */
    static synchronized List<Stream> all() {
        if (cached == null) {
            cached = List.copyOf(generate());
        }
        return cached;
    }

    /** The default-settings dill streams of {@code case} at {@code protocol}. */
    static Stream dill(String name, int protocol) {
        return all().stream().filter(x -> x.library().equals("dill-0.3.6") && x.name().equals(name)
                && x.protocol() == protocol).findFirst().orElseThrow();
    }

    private static List<Stream> generate() {
        MlPython ml = MlPython.require("dill", "cloudpickle");
        assertThat(ml.python().minor()).isEqualTo(11);
        CPython pyenv = CPython.python3();
        CPython.require(pyenv.hasModule("cloudpickle") && pyenv.minor() == 11, pyenv + " lacks cloudpickle");
        List<Stream> all = new ArrayList<>();
        all.addAll(emit(ml.python(), "dill"));
        // recurse=True: dill cannot pickle the self-recursive closure and the list holding one that way.
        all.addAll(emit(ml.python(), "dill-recurse", 21 * 4));
        all.addAll(emit(ml.python(), "cloudpickle"));
        all.addAll(emit(pyenv, "cloudpickle"));
        return all;
    }

    static byte[] rewrite(Stream s) {
        return Pickler.builder().protocol(s.protocol()).portable(true).bytecode(3, 11).build()
                .dumps(Pickle.loads(s.bytes()));
    }

    @Test
    void rewrittenStreamsLoadWithoutTheLibrariesAndComputeWhatTheLibrariesLoad() {
        List<Stream> streams = all();
        Map<String, Stream> byId = new LinkedHashMap<>();
        Map<String, byte[]> rewritten = new LinkedHashMap<>();
        Map<String, byte[]> locked = new LinkedHashMap<>();
        Map<String, String> refused = new TreeMap<>();
        Map<String, Integer> headerP4 = new TreeMap<>();
        int headerless = 0;
        StringBuilder in = new StringBuilder();
        for (Stream s : streams) {
            byId.put(s.id(), s);
            byte[] out;
            try {
                out = rewrite(s);
            } catch (PickleException e) {
                refused.put(s.id(), e.getMessage());
                continue;
            }
            rewritten.put(s.id(), out);
            if (LibraryRedirects.plan(Pickle.loads(s.bytes()), new int[] {3, 11}).versionLock() != null) {
                locked.put(s.id(), out);
            }
            PortableRuntime.Header h = PortableRuntime.recognize(out).orElse(null);
            if (h == null) {
                // Nothing of the libraries in it (cloudpickle writes NotImplemented, Ellipsis and ranges as pickle
                // does): no header, the bytes of a plain dump.
                assertThat(out).as(s.id()).isEqualTo(Pickle.dumps(Pickle.loads(s.bytes()), s.protocol()));
                headerless++;
            } else {
                assertThat(h.protocol()).isEqualTo(s.protocol());
                assertThat(out[h.length()] & 0xff).as("the body starts with PROTO").isEqualTo(0x80);
                assertThat(out[h.length() + 1]).as("the body keeps its protocol").isEqualTo((byte) s.protocol());
                if (s.protocol() == 4) {
                    headerP4.merge(s.library(), h.length(), Math::max);
                }
            }
            in.append(s.id()).append('\t').append(s.name()).append('\t').append(s.protocol()).append('\t')
                    .append(HexFormat.of().formatHex(out)).append('\n');
        }
        CPython checker = CPython.version(3, 11);
        CPython.Result r = checker.run(in.toString().getBytes(StandardCharsets.US_ASCII), "-I", "-S",
                SCRIPT.toString(), "check");
        assertThat(r.exitCode()).as(r.stderrText()).isEqualTo(0);
        List<String> failures = new ArrayList<>();
        int loads = 0;
        int sameClass = 0;
        Map<String, int[]> counts = new TreeMap<>();
        for (String line : r.stdoutText().split("\n")) {
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "NOLIB" -> assertThat(f[2]).as(f[1] + " must not import in the checker").isEqualTo("yes");
                case "RESULT" -> {
                    Stream s = byId.get(f[1]);
                    loads++;
                    int[] c = counts.computeIfAbsent(s.library(), k -> new int[3]);
                    if (f[3].equals(s.expected())) {
                        c[0]++;
                    } else {
                        c[1]++;
                        failures.add(f[1] + " " + f[2] + ": got " + f[3] + ", the library's own load " + s.expected());
                    }
                }
                case "MODULES" -> {
                    if (!f[3].equals("-")) {
                        failures.add(f[1] + " " + f[2] + ": sys.modules gained " + f[3]);
                    }
                }
                case "SAME" -> {
                    if (f[1].startsWith("cloudpickle")) {
                        sameClass++;
                        if (!f[2].equals("yes")) {
                            failures.add(f[1] + ": two loads gave two classes; cloudpickle keeps one");
                        }
                    }
                }
                case "REINSTALLS" -> assertThat(f[1]).as("runtime functions replaced by later loads").isEqualTo("0");
                default -> {
                }
            }
        }
        refused.forEach((id, why) -> {
            Stream s = byId.get(id);
            counts.computeIfAbsent(s.library(), k -> new int[3])[2]++;
            // Refusals are for what a fresh interpreter cannot have: dill's by-name __main__ globals.
            if (!why.contains("__main__.")) {
                failures.add(id + ": refused: " + why);
            }
        });
        System.out.println("portable library matrix (library: same result, different, refused), 2 unpicklers each: "
                + counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1]
                + "/" + e.getValue()[2]).toList() + "; header bytes at protocol 4: " + headerP4
                + "; without a header: " + headerless + "; refused: " + refused);
        assertThat(failures).isEmpty();
        assertThat(loads).isEqualTo(2 * rewritten.size());
        assertThat(sameClass).isGreaterThan(0);
        assertThat(headerP4.get("dill-0.3.6")).isLessThanOrEqualTo(3500);
        assertThat(rewritten.size()).isGreaterThanOrEqualTo(streams.size() - 16);
        System.out.println("portable library: " + locked.size() + " of " + rewritten.size()
                + " rewritten streams hold code objects");
        foreign(locked);
    }

    /**
     * Every other CPython 3.6-3.13 gives the version error for each stream holding code, and for its body alone
     * (loaded after the whole stream failed, so the runtime is installed and only the code constructors check),
     * and none crashes.
     */
    private static void foreign(Map<String, byte[]> rewritten) {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (CPython python : CPython.python3s()) {
            if (python.minor() == 11 || python.minor() < 6) {
                continue;
            }
            StringBuilder in = new StringBuilder();
            int n = 0;
            for (Map.Entry<String, byte[]> e : rewritten.entrySet()) {
                byte[] b = e.getValue();
                if (b[1] > python.highestProtocol()) {
                    continue;
                }
                int body = PortableRuntime.recognize(b).orElseThrow().length();
                in.append(e.getKey()).append('\t').append(HexFormat.of().formatHex(b)).append('\t')
                        .append(HexFormat.of().formatHex(b, body, b.length)).append('\n');
                n++;
            }
            CPython.Result r = python.run(in.toString().getBytes(StandardCharsets.US_ASCII), "-I", "-S",
                    SCRIPT.toString(), "foreign");
            assertThat(r.exitCode()).as(python + " must not crash: " + r.stderrText()).isEqualTo(0);
            int lines = 0;
            for (String line : r.stdoutText().split("\n")) {
                String[] f = line.split("\t", -1);
                if (!f[0].equals("FOREIGN") && !f[0].equals("BODY")) {
                    continue;
                }
                lines++;
                String want = "error RuntimeError: this pickle holds CPython 3.11 bytecode, which only CPython 3.11 "
                        + "runs; this interpreter is " + python.version();
                if (!f[2].equals(want)) {
                    failures.add(python + " " + f[0] + " " + f[1] + ": " + f[2]);
                }
            }
            assertThat(lines).as(python.toString()).isEqualTo(2 * n);
            checked += lines;
        }
        System.out.println("portable library: " + checked + " loads on other CPython versions gave the version error");
        assertThat(failures).isEmpty();
        assertThat(checked).isGreaterThan(0);
    }

    @Test
    void theHeaderIsRecognisedAsTodayAndJavaReadsTheRewriteAsTheOriginal() {
        List<Stream> streams = all();
        int checked = 0;
        for (Stream s : streams) {
            if (!s.name().equals("recursive_closure") && !s.name().equals("class_child")) {
                continue;
            }
            byte[] out = rewrite(s);
            PortableRuntime.Header h = PortableRuntime.recognize(out).orElseThrow();
            Section library = s.library().startsWith("dill") ? Section.DILL : Section.CLOUDPICKLE;
            assertThat(h.sections()).as(s.id()).containsExactly(Section.CODE, library); // no base
            assertThat(h.bytecode()).containsExactly(3, 11);
            assertThat(PortableHeader.find(out)).isPresent();
            // Java reads the header as it reads every portable header: its calls are not the value's.
            Object original = Pickle.loads(s.bytes());
            Object again = Pickle.loads(out);
            assertThat(again instanceof PyDiscarding).isEqualTo(original instanceof PyDiscarding);
            // Rewriting the rewrite changes nothing: its runtime names keep their sections and its version.
            assertThat(Pickler.builder().protocol(s.protocol()).portable(true).build().dumps(again)).isEqualTo(out);
            assertThatThrownBy(() -> Pickler.builder().protocol(s.protocol()).portable(true).bytecode(3, 12).build()
                    .dumps(again)).isInstanceOf(PickleException.class).hasMessageContaining("not 3.12");
            // A body stripped of its version check is no header: recognised only in full.
            byte[] cut = java.util.Arrays.copyOf(out, h.length() - 3);
            assertThat(PortableRuntime.recognize(cut).map(PortableRuntime.Header::bytecode)).isNotEqualTo(
                    java.util.Optional.of(h.bytecode()));
            // Strict mode skips the recognised header and refuses the runtime's code-running names, as today.
            assertThatThrownBy(() -> Unpickler.builder().strict(true).build().loads(out))
                    .isInstanceOf(PickleException.class).hasMessageContaining("_brine1.")
                    .hasMessageContaining("not allowed in strict mode");
            // The scanner trusts the header, never the code-building body.
            FileReport originalScan = Scanner.create().scan("original.pkl", s.bytes());
            FileReport rewritten = Scanner.create().scan("portable.pkl", out);
            assertThat(rewritten.findings()).anySatisfy(f -> assertThat(f.kind()).isEqualTo("portable-header"));
            assertThat(rewritten.verdict()).as(s.id() + " " + rewritten.findings()).isEqualTo(Verdict.DANGEROUS);
            assertThat(originalScan.verdict()).isEqualTo(Verdict.DANGEROUS);
            checked++;
        }
        assertThat(checked).isEqualTo(4 * 2 * 4 - 4);
    }

    /**
     * dill's default mode takes a function's globals from the loading interpreter's {@code __main__}: where that
     * lacks them, dill's own load and the rewrite fail the same way when the function runs.
     */
    @Test
    void dillFunctionsTakeTheirGlobalsFromTheLoadersMainAsDillDoes() {
        MlPython ml = MlPython.require("dill");
        Stream s = dill("function", 4);
        String call = String.join("\n",
                "import sys",
                "f = load(bytes.fromhex(sys.argv[1]))",
                "try:",
                "    print(f(1))",
                "except Exception as e:",
                "    print(type(e).__name__, e)");
        String own = ml.run("from dill import loads as load\n" + call, HexFormat.of().formatHex(s.bytes()));
        CPython.Result r = CPython.version(3, 11).run(new byte[0], "-I", "-S", "-c",
                "from pickle import loads as load\n" + call, HexFormat.of().formatHex(rewrite(s)));
        assertThat(r.exitCode()).as(r.stderrText()).isZero();
        assertThat(own.strip()).isEqualTo("NameError name 'SCALE' is not defined");
        assertThat(r.stdoutText().strip()).isEqualTo(own.strip());
    }

    /** Brine's own value records stand for Python's types: portable mode writes them as without it. */
    @Test
    void pythonValuesReadIntoBrinesValueRecordsAreNotPortableRecords() {
        Object values = List.of(new dev.brine.value.PyRange(1, 10, 3), new dev.brine.value.PySlice(1L, 2L, null),
                dev.brine.value.PyDecimal.parse("-sNaN12"));
        for (int protocol = 2; protocol <= 5; protocol++) {
            assertThat(Pickler.builder().protocol(protocol).portable(true).build().dumps(values))
                    .isEqualTo(Pickler.builder().protocol(protocol).build().dumps(values));
        }
    }

    @Test
    void codeNeedsTheWritersVersionAndItsLayout() {
        Stream s = dill("closure", 4);
        Object graph = Pickle.loads(s.bytes());
        assertThatThrownBy(() -> Pickler.builder().portable(true).build().dumps(graph))
                .isInstanceOf(PickleException.class).hasMessageContaining("code object")
                .hasMessageContaining("3.11+ layout").hasMessageContaining("--python X.Y");
        assertThatThrownBy(() -> Pickler.builder().portable(true).bytecode(3, 10).build().dumps(graph))
                .isInstanceOf(PickleException.class).hasMessageContaining("not that of CPython 3.10");
        assertThat(LibraryRedirects.plan(graph, new int[] {3, 12}).versionLock()).containsExactly(3, 12);
        assertThat(LibraryRedirects.plan(graph, new int[] {3, 12}).redirected())
                .containsEntry("dill._dill._create_code", "_brine1.code_for(3, 12)");
        dev.brine.tools.PortablePlan plan = dev.brine.tools.PortablePlan.of(graph, 3, 11);
        assertThat(plan.versionLock()).contains("3.11");
        assertThat(plan.codeObjects()).isEqualTo(1);
        assertThat(plan.redirected()).containsEntry("dill._dill._create_function", "_brine1.d_function")
                .containsEntry("__builtin__.__main__", "__main__.__dict__");
        assertThatThrownBy(() -> dev.brine.tools.PortablePlan.of(graph)).isInstanceOf(PickleException.class);
    }

    /** dill's {@code dill.dill} alias, cloudpickle_fast and cloudpickle 3's module name go where the others go. */
    @Test
    void aliasesAndCloudpickle3NamesAreRedirected() {
        Object graph = List.of(PyObject.reduce(GlobalRef.of("dill.dill", "_create_cell"), 5L),
                PyObject.reduce(GlobalRef.of("builtins", "getattr"), GlobalRef.of("dill", "dill"), "_setattr"),
                PyObject.reduce(GlobalRef.of("cloudpickle.cloudpickle", "_make_cell"), 1L),
                PyObject.reduce(GlobalRef.of("cloudpickle.cloudpickle_fast", "_class_setstate"), 1L, 2L),
                PyObject.reduce(GlobalRef.of("dill._dill", "_eval_repr"), "range(0, -5, -1)"));
        assertThat(dev.brine.tools.PortablePlan.of(graph).redirected())
                .containsEntry("dill.dill._create_cell", "_brine1.d_cell")
                .containsEntry("dill.dill", "_brine1.d_module")
                .containsEntry("cloudpickle.cloudpickle._make_cell", "_brine1.cp_cell")
                .containsEntry("cloudpickle.cloudpickle_fast._class_setstate", "_brine1.cp_class_setstate")
                .containsEntry("dill._dill._eval_repr", "_brine1.d_singleton");
        PortableRuntime.Header h = PortableRuntime.recognize(Pickler.builder().portable(true).build().dumps(graph))
                .orElseThrow();
        assertThat(h.sections()).containsExactly(Section.DILL, Section.CLOUDPICKLE);
        assertThat(h.bytecode()).isNull();
    }

    @Test
    void otherLibraryNamesAndMainByNameAreRefused() {
        for (GlobalRef g : List.of(GlobalRef.of("dill._dill", "_create_lock"),
                GlobalRef.of("cloudpickle.cloudpickle", "_lookup_class_or_track"), GlobalRef.of("__main__", "f"))) {
            Object graph = List.of(PyObject.reduce(g, "x"));
            assertThatThrownBy(() -> Pickler.builder().portable(true).build().dumps(graph))
                    .as(g.toString()).isInstanceOf(PickleException.class)
                    .hasMessageContaining(g.module() + "." + g.name());
        }
        Object eval = PyObject.reduce(GlobalRef.of("dill._dill", "_eval_repr"), "__import__('os').system('x')");
        assertThatThrownBy(() -> Pickler.builder().portable(true).build().dumps(eval))
                .isInstanceOf(PickleException.class).hasMessageContaining("dill._dill._eval_repr");
        Object viaModule = PyObject.reduce(GlobalRef.of("builtins", "getattr"), GlobalRef.of("dill", "_dill"),
                "_eval_repr");
        assertThatThrownBy(() -> Pickler.builder().portable(true).build().dumps(viaModule))
                .isInstanceOf(PickleException.class).hasMessageContaining("dill._dill._eval_repr");
    }
}
