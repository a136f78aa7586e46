package dev.brine.scan;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scanner against the corpus {@code src/test/python/scan_corpus.py} writes with the real python3: every
 * malicious sample (one or more per evasion class) must be DANGEROUS or SUSPICIOUS, and no benign one flagged.
 * Prints the table of verdicts.
 */
class ScanCorpusTest {
    private static Path corpus;
    private static final List<Row> ROWS = new ArrayList<>();

    private record Row(String file, String evasionClass, boolean malicious, FileReport report) {
    }

    @BeforeAll
    static void generate() throws IOException {
        CPython python = CPython.python3();
        corpus = Files.createTempDirectory("brine-scan-corpus-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(corpus)));
        python.check(new byte[0], scripts().resolve("scan_corpus.py").toString(), corpus.toString());
        String manifest = Files.readString(corpus.resolve("manifest.json"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"file\": \"([^\"]+)\",\\s*\"class\": \"([^\"]+)\",\\s*\"malicious\": (true|false)")
                .matcher(manifest);
        Scanner scanner = Scanner.create();
        while (m.find()) {
            ROWS.add(new Row(m.group(1), m.group(2), Boolean.parseBoolean(m.group(3)),
                    scanner.scanFile(corpus.resolve(m.group(1)))));
        }
        StringBuilder table = new StringBuilder("\n| file | class | verdict | format | pickles |\n|---|---|---|---|---|\n");
        for (Row r : ROWS) {
            table.append("| ").append(r.file()).append(" | ").append(r.evasionClass()).append(" | ")
                    .append(r.report().verdict()).append(" | ").append(r.report().format()).append(" | ")
                    .append(r.report().pickles()).append(" |\n");
        }
        System.out.println(table);
    }

    @Test
    void theCorpusHasBothKindsAndEveryEvasionClass() {
        assertThat(ROWS).anyMatch(Row::malicious).anyMatch(r -> !r.malicious());
        assertThat(ROWS.stream().filter(Row::malicious).map(Row::evasionClass).distinct()).contains(
                "memo-indirect names", "STRING names", "dotted names", "compat names", "junk after STOP",
                "broken stream after the payload", "nested pickle inside bytes", "ZIP name mismatch",
                "unusual callable reaching os");
    }

    @Test
    void everyMaliciousSampleIsFlagged() {
        for (Row r : ROWS) {
            if (r.malicious()) {
                assertThat(r.report().verdict()).as(r.file() + " (" + r.evasionClass() + ")")
                        .isIn(Verdict.DANGEROUS, Verdict.SUSPICIOUS);
            }
        }
    }

    @Test
    void noBenignSampleIsFlagged() {
        for (Row r : ROWS) {
            if (!r.malicious()) {
                assertThat(r.report().verdict()).as(r.file() + ": " + r.report().findings()).isEqualTo(Verdict.SAFE);
            }
        }
    }

    @Test
    void maliciousFindingsNameTheirCallAndOffset() {
        Row memo = ROWS.stream().filter(r -> r.file().endsWith("memo_indirect.pkl")).findFirst().orElseThrow();
        assertThat(memo.report().findings()).anySatisfy(f -> {
            assertThat(f.call()).isEqualTo("os.system('id')");
            assertThat(f.offset()).isPositive();
        });
        Row compat = ROWS.stream().filter(r -> r.file().endsWith("compat_commands.pkl")).findFirst().orElseThrow();
        assertThat(compat.report().findings()).anySatisfy(f -> assertThat(f.call()).isEqualTo("subprocess.getoutput('id')"));
    }

    @Test
    void theLayoutsAreRecognised() {
        assertThat(format("benign/state_dict.pt")).isEqualTo("torch-zip");
        assertThat(format("benign/state_dict_legacy.pt")).isEqualTo("torch-legacy");
        assertThat(format("benign/objects.npy")).isEqualTo("npy");
        assertThat(format("benign/arrays.joblib")).isEqualTo("joblib");
        assertThat(ROWS.stream().filter(r -> r.file().equals("benign/concatenated.pkl")).findFirst().orElseThrow()
                .report().pickles()).isEqualTo(2);
    }

    private static String format(String file) {
        return ROWS.stream().filter(r -> r.file().equals(file)).findFirst().orElseThrow().report().format();
    }

    static Path scripts() {
        for (Path p : new Path[] {Path.of("src/test/python"), Path.of("brine-core/src/test/python")}) {
            if (Files.isRegularFile(p.resolve("scan_corpus.py"))) {
                return p.toAbsolutePath();
            }
        }
        throw new AssertionError("cannot find src/test/python/scan_corpus.py");
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
