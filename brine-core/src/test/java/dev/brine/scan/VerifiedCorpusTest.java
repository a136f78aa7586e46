package dev.brine.scan;

import dev.brine.testing.MlPython;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scanner against the verified corpus: every malicious sample of {@code src/test/python/scan_malicious.py} was
 * seen, when it was generated, to run its payload under its real loader (pickle, torch 1.13, joblib, numpy, pandas;
 * the script fails otherwise), and the benign files are written by those libraries themselves
 * ({@code scan_benign.py}, {@code sparse_fixtures.py}, {@code joblib_fixtures.py}, {@code torch_fixtures.py}).
 *
 * <p>Every malicious sample must be DANGEROUS, except one compressed with a codec the JDK lacks (bzip2, xz, lzma),
 * which must be UNREADABLE naming the codec; every benign file must be SAFE (or UNREADABLE naming such a codec).
 * Prints the counts per loader that SECURITY.md quotes.
 */
class VerifiedCorpusTest {
    private static final Scanner SCANNER = Scanner.create();
    private static final List<String> NO_JDK_CODEC = List.of("bzip2", "xz", "lzma");

    private record Sample(String file, String loader, String evasionClass, String source, FileReport report) {
    }

    private static final List<Sample> MALICIOUS = new ArrayList<>();
    private static Path dir;

    @BeforeAll
    static void scanTheCorpus() throws IOException {
        // pip, lib2to3 and distutils (python3-pip, -lib2to3, -setuptools) carry three of the gadgets.
        MlPython python = MlPython.require("torch", "joblib", "numpy", "pandas", "pip", "lib2to3", "distutils");
        dir = python.fixtures("scan_malicious.py");
        String manifest = Files.readString(dir.resolve("manifest.json"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"file\": \"([^\"]+)\",\\s*\"loader\": \"([^\"]+)\",\\s*\"class\": \"([^\"]+)\","
                + "\\s*\"source\": \"([^\"]+)\",\\s*\"verified\": (true|false)").matcher(manifest);
        while (m.find()) {
            assertThat(m.group(5)).as(m.group(1) + " verified").isEqualTo("true");
            MALICIOUS.add(new Sample(m.group(1), m.group(2), m.group(3), m.group(4),
                    SCANNER.scanFile(dir.resolve(m.group(1)))));
        }
    }

    /** The codec a file's only unreadable finding names, if the scanner could not decompress it; else null. */
    private static String missingCodec(FileReport r) {
        if (r.verdict() != Verdict.UNREADABLE) {
            return null;
        }
        for (String codec : NO_JDK_CODEC) {
            if (r.format().contains(codec) || r.findings().stream().anyMatch(f -> f.verdict() == Verdict.UNREADABLE
                    && f.message().contains(codec))) {
                return codec;
            }
        }
        return null;
    }

    @Test
    void everyVerifiedMaliciousSampleIsDangerous() {
        assertThat(MALICIOUS).as("samples in the manifest").hasSizeGreaterThanOrEqualTo(88);
        Map<String, Map<Verdict, Integer>> perLoader = new TreeMap<>();
        StringBuilder table = new StringBuilder("\n| file | loader | class | source | verdict | format |\n"
                + "|---|---|---|---|---|---|\n");
        List<String> wrong = new ArrayList<>();
        for (Sample s : MALICIOUS) {
            Verdict v = s.report().verdict();
            perLoader.computeIfAbsent(s.loader().replaceFirst("[+-].*", ""), k -> new EnumMap<>(Verdict.class))
                    .merge(v, 1, Integer::sum);
            table.append("| ").append(String.join(" | ", s.file(), s.loader(), s.evasionClass(), s.source(),
                    v.toString(), s.report().format())).append(" |\n");
            boolean ok = v == Verdict.DANGEROUS || missingCodec(s.report()) != null;
            if (!ok) {
                wrong.add(s.file() + " (" + s.evasionClass() + ", " + s.loader() + "): " + v + " "
                        + s.report().format() + " " + s.report().findings());
            }
        }
        System.out.println(table);
        System.out.println("VerifiedCorpusTest malicious per loader: " + perLoader);
        assertThat(wrong).as("malicious samples not DANGEROUS").isEmpty();
        // The counts SECURITY.md quotes (a new sample changes them: update both).
        assertThat(perLoader.toString()).isEqualTo("{joblib={DANGEROUS=7, UNREADABLE=3}, numpy={DANGEROUS=5, "
                + "UNREADABLE=1}, pandas={DANGEROUS=5, UNREADABLE=2}, pickle={DANGEROUS=51}, torch={DANGEROUS=14}}");
    }

    @Test
    void benignFilesOfTheRealLibrariesAreSafe() throws IOException {
        MlPython python = MlPython.require("torch", "pandas", "numpy", "scipy", "sklearn", "joblib");
        Map<String, int[]> counts = new TreeMap<>();      // script -> {files, SAFE, UNREADABLE naming a codec}
        List<String> wrong = new ArrayList<>();
        for (String script : List.of("scan_benign.py", "sparse_fixtures.py", "joblib_fixtures.py",
                "torch_fixtures.py")) {
            Path out = python.fixtures(script);
            List<Path> files;
            try (Stream<Path> s = Files.list(out)) {
                files = s.filter(p -> !p.getFileName().toString().endsWith(".json")
                        && !p.getFileName().toString().startsWith(".")).sorted().toList();
            }
            int[] c = counts.computeIfAbsent(script, k -> new int[3]);
            for (Path f : files) {
                FileReport r = SCANNER.scanFile(f);
                c[0]++;
                if (r.verdict() == Verdict.SAFE) {
                    c[1]++;
                } else if (missingCodec(r) != null) {
                    c[2]++;
                } else {
                    wrong.add(script + ": " + f.getFileName() + " " + r.verdict() + " " + r.findings());
                }
            }
        }
        StringBuilder summary = new StringBuilder("VerifiedCorpusTest benign:");
        counts.forEach((k, c) -> summary.append(' ').append(k).append(' ').append(c[0]).append(" files, SAFE ")
                .append(c[1]).append(", UNREADABLE (codec named) ").append(c[2]).append(';'));
        System.out.println(summary);
        assertThat(wrong).as("benign files not SAFE").isEmpty();
        // The counts SECURITY.md quotes: files, SAFE, UNREADABLE naming bzip2, xz or lzma.
        assertThat(counts.values().stream().mapToInt(c -> c[0]).sum()).isEqualTo(410);
        assertThat(counts.values().stream().mapToInt(c -> c[1]).sum()).isEqualTo(393);
        assertThat(counts.values().stream().mapToInt(c -> c[2]).sum()).isEqualTo(17);
    }
}
