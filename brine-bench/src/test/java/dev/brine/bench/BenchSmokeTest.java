package dev.brine.bench;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keeps the benchmarks compiling and running: every benchmark, on tiny payloads from {@code bench/payloads.py},
 * for one short iteration in this JVM. It checks that each one ran and returned, never how fast: timings on a
 * shared CI machine mean nothing, and bench/compare is the place for them.
 */
class BenchSmokeTest {
    private static final List<String> PAYLOADS = List.of("ints-p2", "records-p5", "tree-p2", "strings-p5", "bytes-p5");

    @TempDir
    static Path dir;

    @BeforeAll
    static void writePayloads() throws Exception {
        Path script = Paths.get("..", "bench", "payloads.py").toAbsolutePath().normalize();
        assertThat(script).exists();
        String python = findPython();
        Process p = new ProcessBuilder(python, script.toString(), "--out", dir.toString(), "--scale", "0.0005")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        System.setProperty("brine.bench.payloads", dir.toString());
    }

    /** python3 from the PATH; skips loudly without one, or fails under BRINE_REQUIRE_PYTHON=1. */
    private static String findPython() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.version_info[0])").start();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return "python3";
            }
        } catch (IOException e) {
            // Not installed: handled below.
        }
        String message = "no python3 on the PATH to write the benchmark payloads";
        if ("1".equals(System.getenv("BRINE_REQUIRE_PYTHON"))) {
            throw new AssertionError(message + " (BRINE_REQUIRE_PYTHON=1)");
        }
        System.err.println("WARNING: SKIPPED: " + message);
        assumeTrue(false, message);
        return null;
    }

    @Test
    void everyBenchmarkRunsOnce() throws Exception {
        Options options = new OptionsBuilder()
                .include(PickleBench.class.getSimpleName())
                .include(ArraycopyBench.class.getSimpleName())
                .param("payload", PAYLOADS.toArray(new String[0]))
                .param("contender", "brine", "brineZeroCopy", "pyrolite")
                .param("bytes", "65536")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(20))
                .shouldFailOnError(true)
                .build();
        // A bench run elsewhere on the machine holds JMH's global lock; the smoke only needs to run, not time.
        System.setProperty("jmh.ignoreLock", "true");
        Collection<RunResult> results = new Runner(options).run();
        Set<String> ran = results.stream()
                .map(r -> r.getParams().getBenchmark().replaceAll(".*\\.", "") + " "
                        + r.getParams().getParam("contender") + " " + r.getParams().getParam("payload"))
                .collect(Collectors.toCollection(TreeSet::new));
        // 5 payloads x 3 contenders x (loads, dumps, dumpsFresh), plus arraycopy.
        assertThat(ran).hasSize(46).contains("loads brine records-p5", "dumps pyrolite ints-p2",
                "dumpsFresh brine tree-p2", "loads brineZeroCopy bytes-p5", "arraycopy null null");
    }

    /**
     * bench/report.py on real results: JMH's JSON from a short run of the benchmarks bench/compare runs (with JMH's
     * gc profiler, as its loads run has), in both file names' configurations, and the probes' output. Checks that
     * the report reads them into its tables and computes every goal row, not what the figures are.
     */
    @Test
    void reportReadsARun(@TempDir Path run) throws Exception {
        String python = findPython();
        Files.createSymbolicLink(run.resolve("payloads"), dir);
        Options options = new OptionsBuilder()
                .include("PickleBench.loads$")
                .include("PickleBench.dumps$")
                .include("PickleBench.dumpsFresh")
                .include(ArraycopyBench.class.getSimpleName())
                .param("payload", "records-p5", "records-p2", "bytes-p5")
                .param("contender", "brine", "pyrolite")
                .param("bytes", String.valueOf(bytesPayloadSize()))
                .addProfiler(org.openjdk.jmh.profile.GCProfiler.class)
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(20))
                .shouldFailOnError(true)
                .resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON)
                .result(run.resolve("jmh-run.json").toString())
                .build();
        System.setProperty("jmh.ignoreLock", "true");
        new Runner(options).run();
        Files.copy(run.resolve("jmh-run.json"), run.resolve("jmh-run-par.json"));
        String heap = capture(() -> HeapProbe.main(new String[] {"records-p5", "brine"}))
                + capture(() -> HeapProbe.main(new String[] {"bytes-p5", "brine"}));
        Files.writeString(run.resolve("heap.jsonl"), heap);
        Files.writeString(run.resolve("startup.jsonl"), capture(() -> StartupProbe.main(new String[] {"small-p5"})));
        Path script = Paths.get("..", "bench", "report.py").toAbsolutePath().normalize();
        String table = run(python, script.toString(), run.toString());
        String records = table.lines().filter(l -> l.startsWith("| 100k record dicts | 5 |")).findFirst().orElse("");
        // Brine's loads in both columns, first dump and re-dump in both: figures, not dashes.
        assertThat(records.split("\\|")[4].trim()).matches("[0-9.,]+");
        assertThat(records.split("\\|")[5].trim()).matches("[0-9.,]+");
        assertThat(records.split("\\|")[11].trim()).matches("[0-9.,]+");
        assertThat(records.split("\\|")[12].trim()).matches("[0-9.,]+");
        assertThat(table).contains("## Goals (issue #22), from this run");
        String goals = table.substring(table.indexOf("## Goals"));
        // Measured here: CPython's goals are not (no timeit run), the allocation, arraycopy, Pyrolite and
        // start-up goals are.
        assertThat(goals.lines().filter(l -> l.startsWith("| Allocation per load")).findFirst().orElse(""))
                .matches("\\| Allocation per load .*\\| [0-9.]+× \\| records-p[25] \\| (met|NOT met) \\| [+-][0-9]+% \\|");
        assertThat(goals).containsPattern("\\| Large bytes/ndarray p5 rows.*\\| (loads|dumps) bytes-p5 \\|")
                .containsPattern("\\| Brine vs Pyrolite .*\\| (loads|dumps) records-p[25] \\|")
                .containsPattern("\\| First small loads .*\\| small-p5 \\|")
                .containsPattern("\\| Loads vs CPython .*\\| not measured \\|");
    }

    /** The size of the bytes payload (its bytes object, not the pickle), from the manifest. */
    private static long bytesPayloadSize() throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\"name\": \"bytes-p5\"[^}]*\"payload_bytes\": ([0-9]+)|\"payload_bytes\": ([0-9]+)[^}]*\"name\": \"bytes-p5\"")
                .matcher(Files.readString(dir.resolve("manifest.json")));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2));
    }

    @Test
    void probesReport() throws Exception {
        assertThat(capture(() -> HeapProbe.main(new String[] {"bytes-p5", "brineZeroCopy"})))
                .contains("\"allocated\":").contains("\"result\": \"PyBytes\"");
        assertThat(capture(() -> StartupProbe.main(new String[] {"small-p5"}))).contains("\"ok\": true");
    }

    /**
     * bench/torch_compare's pieces on a checkpoint of about 300 kB: torch writes it, torch_probe.py and
     * {@link TorchProbe} (both read passes) each load it once and read every tensor, and torch_report.py, which
     * exits non-zero when the two sides' bit sums or float sums differ, prints the table. Needs Debian's python3
     * with torch, as the other torch tests: skips loudly without it, or fails under BRINE_REQUIRE_PYTHON=1.
     */
    @Test
    void torchCompareHarnessAgreesWithTorch(@TempDir Path work) throws Exception {
        String python = requireTorch();
        Path bench = Paths.get("..", "bench").toAbsolutePath().normalize();
        Path file = work.resolve("tiny.pt");
        run(python, bench.resolve("torch_state_dict.py").toString(), "--out", file.toString(), "--vocab", "200",
                "--d-model", "32", "--ctx", "16", "--layers", "2");
        StringBuilder runs = new StringBuilder();
        String buffer = capture(() -> main(file, "buffer"));
        String arrays = capture(() -> main(file, "arrays"));
        // 2 embeddings, 14 a layer, the final norm's 2 and the tied head.
        assertThat(buffer).contains("\"side\": \"brine\"").contains("\"tensors\": 33,");
        runs.append(buffer).append(arrays);
        for (String read : List.of("sum", "double")) {
            runs.append(run(python, bench.resolve("torch_probe.py").toString(), file.toString(), "--loads", "1",
                    "--read", read));
        }
        Files.writeString(work.resolve("runs.jsonl"), runs);
        String table = run(python, bench.resolve("torch_report.py").toString(), work.toString());
        assertThat(table).contains("Checksums: all 4 runs read the same 33 tensors to equal bit sums")
                .contains("| torch.load, `t.double().sum()` |");
    }

    private static void main(Path file, String read) {
        try {
            TorchProbe.main(new String[] {file.toString(), "1", read});
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a command, asserts it exits 0 within two minutes, and returns its standard output. */
    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    /**
     * Debian's /usr/bin/python3 if it imports torch (python3-torch); otherwise skips loudly, or fails under
     * BRINE_REQUIRE_PYTHON=1, as brine-core's MlPython.require does.
     */
    private static String requireTorch() throws InterruptedException {
        String python = "/usr/bin/python3";
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return python;
            }
        } catch (IOException e) {
            // No such interpreter: handled below.
        }
        String message = python + " cannot import torch; install python3-torch (tools/test does)";
        if ("1".equals(System.getenv("BRINE_REQUIRE_PYTHON"))) {
            throw new AssertionError(message + " (BRINE_REQUIRE_PYTHON=1)");
        }
        System.err.println("WARNING: SKIPPED: " + message);
        assumeTrue(false, message);
        return null;
    }

    private static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
