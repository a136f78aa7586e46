package dev.brine.pickler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brine.Pickle;
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
        roundTrip(debian("dill"), "dill", 0);
    }

    @Test
    void cloudpickle22StreamsAreWrittenBackIdentically() {
        roundTrip(debian("cloudpickle"), "cloudpickle", 0);
    }

    @Test
    void cloudpickle21StreamsAreWrittenBackIdentically() {
        CPython python = CPython.python3();
        CPython.require(python.hasModule("cloudpickle"), python + " has no cloudpickle");
        roundTrip(python, "cloudpickle", 0);
    }

    /**
     * Reads and writes back every stream the library wrote; counts identical files per protocol, and has the library
     * load the rest and compute the same results. {@code expectedDifferent} is how many may differ.
     */
    private static void roundTrip(CPython python, String library, int expectedDifferent) {
        CPython.require(Files.isRegularFile(SCRIPT), "test script " + SCRIPT + " is missing");
        List<Pickled> pickles = emit(python, "emit", library);
        assertThat(pickles).hasSize(20 * 4);
        Map<Integer, int[]> perProtocol = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Map<String, Pickled> different = new LinkedHashMap<>();
        StringBuilder rewritten = new StringBuilder();
        for (Pickled p : pickles) {
            int[] counts = perProtocol.computeIfAbsent(p.protocol(), k -> new int[2]);
            byte[] back = Pickle.dumps(Pickle.loads(p.bytes()), p.protocol());
            counts[1]++;
            if (Arrays.equals(back, p.bytes())) {
                counts[0]++;
            } else {
                different.put(p.name() + "\t" + p.protocol(), p);
                failures.add(p.name() + " p" + p.protocol() + " (" + p.bytes().length + " bytes, rewrite "
                        + back.length + ")");
            }
            rewritten.append(p.name()).append('\t').append(p.protocol()).append('\t')
                    .append(HexFormat.of().formatHex(back)).append('\n');
        }
        // Every rewrite, identical or not, must load with the library and compute what the original computed.
        String out = new String(python.check(rewritten.toString().getBytes(StandardCharsets.US_ASCII),
                "-W", "ignore", SCRIPT.toString(), "call", library), StandardCharsets.UTF_8);
        Map<String, String> expected = new LinkedHashMap<>();
        for (Pickled p : pickles) {
            expected.put(p.name() + "\t" + p.protocol(), p.expected());
        }
        List<String> wrongResults = new ArrayList<>();
        int loaded = 0;
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            loaded++;
            String want = expected.get(f[0] + "\t" + f[1]);
            if (!want.equals(f[2])) {
                wrongResults.add(f[0] + " p" + f[1] + ": rewrite computes " + f[2] + ", original " + want);
            }
        }
        StringBuilder report = new StringBuilder(pickles.get(0).library() + ":");
        perProtocol.forEach((proto, c) -> report.append(" p").append(proto).append(' ').append(c[0]).append('/')
                .append(c[1]).append(" identical;"));
        System.out.println(report + " different " + different.size() + " " + failures);
        assertThat(wrongResults).isEmpty();
        assertThat(loaded).isEqualTo(pickles.size());
        assertThat(failures).hasSize(expectedDifferent);
    }
}
