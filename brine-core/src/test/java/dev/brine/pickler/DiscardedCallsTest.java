package dev.brine.pickler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.cpython.CPython;
import dev.brine.testing.MlPython;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue #20 part 1: a call whose result the stream discards (REDUCE then POP, at the top level or inside a container
 * being built) is kept and written back in place. dill 0.3.6 (Debian's python3) and cloudpickle 2.2 (Debian) and
 * 2.1 (pyenv python3) write the streams at test time ({@code discarded_calls.py}); Brine reads and writes each back
 * at its protocol, and the bytes must be identical. Where they are not, the library loads Brine's bytes and the
 * loaded function or class must compute what the original computed.
 */
class DiscardedCallsTest {
    static final Path SCRIPT = MlPython.scriptDir().resolve("discarded_calls.py");

    record Pickled(String library, String name, int protocol, byte[] bytes, String expected) {
    }

    static List<Pickled> emit(CPython python, String... args) {
        List<String> command = new ArrayList<>(List.of("-W", "ignore", SCRIPT.toString()));
        command.addAll(List.of(args));
        String out = new String(python.check(new byte[0], command.toArray(String[]::new)), StandardCharsets.UTF_8);
        List<Pickled> pickles = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("PICKLE")) {
                pickles.add(new Pickled(f[1], f[2], Integer.parseInt(f[3]), HexFormat.of().parseHex(f[4]), f[5]));
            }
        }
        return pickles;
    }

    static CPython debian(String module) {
        MlPython.require(module);
        return CPython.at(MlPython.EXECUTABLE).orElseThrow();
    }

    @Test
    void dillStreamsAreWrittenBackIdentically() {
        // dataclass: dill writes some globals without memoizing them and fills a module dict it fetched from the
        // memo (SETITEMS, then POP) after writing it; Python still computes the same results. enum_member: dill's
        // _create_type(...) REDUCE POP sits between getattr (a global, not a node) and its arguments; it is kept
        // after that global (PyDiscarding.anchored) and written back in place.
        roundTrip(debian("dill"), "dill", 0, List.of("dataclass", "dataclass_instance"), List.of());
    }

    @Test
    void cloudpickle22StreamsAreWrittenBackIdentically() {
        roundTrip(debian("cloudpickle"), "cloudpickle", 0, List.of(), List.of());
    }

    @Test
    void cloudpickle21StreamsAreWrittenBackIdentically() {
        CPython python = CPython.python3();
        CPython.require(python.hasModule("cloudpickle"), python + " has no cloudpickle");
        roundTrip(python, "cloudpickle", 0, List.of(), List.of());
    }

    /**
     * {@code brine json} shows a discarded call: the minimal {@code call_top_level} stream's {@code note('top')}
     * is a {@code discarded} member of the node it followed, and the dill closure's {@code _setattr} call too.
     */
    @Test
    void jsonShowsDiscardedCalls() {
        Pickled top = emit(CPython.python3(), "minimal").stream()
                .filter(p -> p.name().equals("call_top_level") && p.protocol() == 4).findFirst().orElseThrow();
        Object loaded = Pickle.loads(top.bytes());
        assertThat(loaded).isInstanceOf(dev.brine.value.PyObject.class);
        dev.brine.value.PyObject node = (dev.brine.value.PyObject) loaded;
        assertThat(node.discarded()).hasSize(1);
        assertThat(node.discarded().get(0).memoized()).isFalse();
        String json = dev.brine.tools.JsonView.toJson(loaded);
        assertThat(json).contains("\"discarded\":[{\"$object\":{\"kind\":\"REDUCE\",\"callable\":"
                + "{\"$global\":\"__main__.note\"},\"args\":{\"$tuple\":[\"top\"]}}}]");

        Pickled closure = emit(debian("dill"), "emit", "dill").stream()
                .filter(p -> p.name().equals("closure") && p.protocol() == 4).findFirst().orElseThrow();
        String dill = dev.brine.tools.JsonView.toJson(Pickle.loads(closure.bytes()));
        assertThat(dill).contains("\"discarded\":[").contains("_setattr").contains("cell_contents");

        // dill's enum class: _create_type(...) REDUCE POP with nothing under it, then the class from the memo.
        Pickled enumClass = emit(debian("dill"), "emit", "dill").stream()
                .filter(p -> p.name().equals("enum") && p.protocol() == 4).findFirst().orElseThrow();
        Object result = Pickle.loads(enumClass.bytes());
        assertThat(result).isInstanceOf(dev.brine.value.PyDiscarding.class);
        dev.brine.value.PyDiscarding d = (dev.brine.value.PyDiscarding) result;
        assertThat(d.value()).isEqualTo(dev.brine.value.GlobalRef.of("__main__", "Color"));
        assertThat(d.discarded()).hasSize(1);
        assertThat(((dev.brine.value.PyObject) d.discarded().get(0).value()).callable())
                .isEqualTo(dev.brine.value.GlobalRef.of("dill._dill", "_create_type"));
        assertThat(dev.brine.tools.JsonView.toJson(result)).startsWith("{\"$discarding\":{\"discarded\":[")
                .endsWith("\"value\":{\"$global\":\"__main__.Color\"}}}");

        // dill's enum member: _create_type(...) REDUCE POP right after the getattr global (not a node), kept after it.
        Pickled member = emit(debian("dill"), "emit", "dill").stream()
                .filter(p -> p.name().equals("enum_member") && p.protocol() == 4).findFirst().orElseThrow();
        Object memberResult = Pickle.loads(member.bytes());
        assertThat(memberResult).isInstanceOf(dev.brine.value.PyDiscarding.class);
        dev.brine.value.PyDiscarding m = (dev.brine.value.PyDiscarding) memberResult;
        assertThat(m.unplaced()).isEmpty();
        assertThat(m.anchored()).hasSize(1);
        assertThat(m.anchored().get(0).below()).isEqualTo(dev.brine.value.GlobalRef.of("builtins", "getattr"));
        assertThat(m.anchored().get(0).discarded().occurrence()).isZero();
        assertThat(((dev.brine.value.PyObject) m.anchored().get(0).discarded().value()).callable())
                .isEqualTo(dev.brine.value.GlobalRef.of("dill._dill", "_create_type"));
        assertThat(dev.brine.tools.JsonView.toJson(memberResult)).contains("\"anchored\":[{\"after\":"
                + "{\"$global\":\"builtins.getattr\"},\"occurrence\":0,\"discarded\":{\"$object\":{\"kind\":"
                + "\"REDUCE\",\"callable\":{\"$global\":\"dill._dill._create_type\"}");
    }

    /**
     * Hand-made streams that CPython's pickle.py writes ({@code discarded_calls.py minimal}): a state setter's
     * {@code setter(obj, state) REDUCE POP}, and a plain call {@code f(args) REDUCE POP} right after a value, at the
     * top level, inside a list being APPENDSed, inside a dict's SETITEMS, inside a tuple's MARK, inside a MARK that
     * POP_MARK drops (a tuple its own items reach), two in a row, with an argument the memo shares with later
     * objects, and above values that are not nodes (a string, a global, a list, a dict, the second and third memo
     * fetch of a string). Each must be written back byte for byte. The {@code refused_} streams discard a call right
     * after a MARK and above None: Brine keeps the call ({@code PyDiscarding.unplaced}) and refuses to write it back.
     */
    @Test
    void minimalStreamsAreWrittenBackIdentically() {
        CPython python = CPython.python3();
        List<Pickled> all = emit(python, "minimal");
        List<Pickled> pickles = all.stream().filter(p -> !p.name().startsWith("refused_")).toList();
        List<Pickled> refused = all.stream().filter(p -> p.name().startsWith("refused_")).toList();
        assertThat(pickles).hasSize(16 * 4);
        assertThat(refused).hasSize(2 * 4);
        for (Pickled p : refused) {
            Object loaded = Pickle.loads(p.bytes());
            assertThat(loaded).as(p.name() + " p" + p.protocol()).isInstanceOf(dev.brine.value.PyDiscarding.class);
            dev.brine.value.PyDiscarding d = (dev.brine.value.PyDiscarding) loaded;
            assertThat(d.unplaced()).as(p.name()).hasSize(1);
            assertThat(((dev.brine.value.PyObject) d.unplaced().get(0).value()).callable())
                    .isEqualTo(dev.brine.value.GlobalRef.of("__main__", "note"));
            assertThat(d.value()).isEqualTo(p.name().equals("refused_after_mark") ? List.of(1L, 2L)
                    : Arrays.asList(null, "w"));
            assertThatThrownBy(() -> Pickle.dumps(loaded, p.protocol())).isInstanceOf(PickleException.class)
                    .hasMessageContaining("no place to write").hasMessageContaining("__main__.note");
        }
        List<String> failures = new ArrayList<>();
        for (Pickled p : pickles) {
            byte[] back = Pickle.dumps(Pickle.loads(p.bytes()), p.protocol());
            if (!Arrays.equals(back, p.bytes())) {
                failures.add(p.name() + " p" + p.protocol() + ":\n  " + HexFormat.of().formatHex(p.bytes()) + "\n  "
                        + HexFormat.of().formatHex(back));
            }
        }
        System.out.println("minimal: " + (pickles.size() - failures.size()) + "/" + pickles.size()
                + " identical");
        assertThat(failures).isEmpty();
    }

    /**
     * Reads and writes back every stream the library wrote and counts identical files per protocol. Every rewrite,
     * identical or not, must load with the library and compute what the library's own load of the original computes.
     * Files that differ are classified by {@code discarded_calls.py compare}: {@code main-global} files would differ
     * only where dill wrote its raw, unmemoized {@code GLOBAL '__builtin__ __main__'} (the writer writes that global
     * the same way, so none are expected); the others must be exactly the cases {@code otherCases} names, each documented in docs/READING.md.
     * {@code lostCalls} names the cases whose discarded call Brine does not keep yet (not compared in Python).
     */
    private static void roundTrip(CPython python, String library, int expectedMainGlobal, List<String> otherCases,
            List<String> lostCalls) {
        CPython.require(Files.isRegularFile(SCRIPT), "test script " + SCRIPT + " is missing");
        List<Pickled> pickles = emit(python, "emit", library);
        assertThat(pickles).hasSize(20 * 4);
        Map<Integer, int[]> perProtocol = new TreeMap<>();
        StringBuilder different = new StringBuilder();
        StringBuilder rewritten = new StringBuilder();
        Map<String, String> expected = new LinkedHashMap<>();
        for (Pickled p : pickles) {
            int[] counts = perProtocol.computeIfAbsent(p.protocol(), k -> new int[2]);
            byte[] back = Pickle.dumps(Pickle.loads(p.bytes()), p.protocol());
            counts[1]++;
            if (Arrays.equals(back, p.bytes())) {
                counts[0]++;
            } else {
                different.append(p.name()).append('\t').append(p.protocol()).append('\t')
                        .append(HexFormat.of().formatHex(p.bytes())).append('\t')
                        .append(HexFormat.of().formatHex(back)).append('\n');
            }
            rewritten.append(p.name()).append('\t').append(p.protocol()).append('\t')
                    .append(HexFormat.of().formatHex(back)).append('\n');
            expected.put(p.name() + "\t" + p.protocol(), p.expected());
        }
        String out = new String(python.check(rewritten.toString().getBytes(StandardCharsets.US_ASCII),
                "-W", "ignore", SCRIPT.toString(), "call", library), StandardCharsets.UTF_8);
        List<String> wrongResults = new ArrayList<>();
        int loaded = 0;
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            loaded++;
            String want = expected.get(f[0] + "\t" + f[1]);
            if (lostCalls.contains(f[0])) {
                continue;
            }
            if (!want.equals(f[2])) {
                wrongResults.add(f[0] + " p" + f[1] + ": rewrite computes " + f[2] + ", the library's load of the "
                        + "original " + want);
            }
        }
        int mainGlobal = 0;
        List<String> others = new ArrayList<>();
        if (different.length() > 0) {
            String verdicts = new String(python.check(different.toString().getBytes(StandardCharsets.US_ASCII),
                    "-W", "ignore", SCRIPT.toString(), "compare"), StandardCharsets.UTF_8);
            for (String line : verdicts.split("\n")) {
                String[] f = line.split("\t", -1);
                if (f[2].equals("main-global")) {
                    mainGlobal++;
                } else {
                    others.add(f[0] + " p" + f[1]);
                }
            }
        }
        StringBuilder report = new StringBuilder(pickles.get(0).library() + ":");
        perProtocol.forEach((proto, c) -> report.append(" p").append(proto).append(' ').append(c[0]).append('/')
                .append(c[1]).append(" identical;"));
        System.out.println(report + " differing only by dill's raw __builtin__.__main__ global: " + mainGlobal
                + "; other differences: " + others.size() + " " + others);
        assertThat(wrongResults).isEmpty();
        assertThat(loaded).isEqualTo(pickles.size());
        assertThat(mainGlobal).isEqualTo(expectedMainGlobal);
        List<String> expectedOthers = new ArrayList<>();
        for (String name : otherCases) {
            for (int proto = 2; proto <= 5; proto++) {
                expectedOthers.add(name + " p" + proto);
            }
        }
        assertThat(others).containsExactlyInAnyOrderElementsOf(expectedOthers);
    }
}
