package dev.brine.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Conformance counts per suite and interpreter: cases run, passed, differing (with the reason) and failed. Printed
 * to standard output and written to {@code target/conformance-report.txt} after each test class, so the file
 * holds every suite that ran in this JVM.
 */
final class ConformanceReport {
    /** How one case ended. */
    enum Outcome {
        /** Read exactly as CPython. */
        PASSED,
        /** Read as CPython, except for inert nodes where CPython ran code: see the notes. */
        PASSED_INERT,
        /** A documented, legitimate difference from CPython (listed with its reason). */
        DIFFERS,
        /** Not as CPython. */
        FAILED,
        /** Not run (the reason is listed). */
        SKIPPED
    }

    private static final class Tally {
        final Map<Outcome, Integer> counts = new LinkedHashMap<>();
        final Map<String, Integer> notes = new TreeMap<>();
        final List<String> differs = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
    }

    private static final Map<String, Map<String, Tally>> SUITES = new TreeMap<>();
    private static final Path FILE = Path.of("target", "conformance-report.txt");

    private ConformanceReport() {
    }

    static synchronized void record(String suite, String python, String name, Outcome outcome, String detail,
                                    Iterable<String> notes) {
        Tally t = SUITES.computeIfAbsent(suite, k -> new TreeMap<>(ConformanceReport::byVersion))
                .computeIfAbsent(python, k -> new Tally());
        t.counts.merge(outcome, 1, Integer::sum);
        if (notes != null) {
            notes.forEach(n -> t.notes.merge(n, 1, Integer::sum));
        }
        switch (outcome) {
            case DIFFERS -> t.differs.add(name + ": " + detail);
            case FAILED -> t.failures.add(name + ":\n      " + detail.replace("\n", "\n      "));
            case SKIPPED -> t.skipped.add(name + ": " + detail);
            default -> {
            }
        }
    }

    private static int byVersion(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Integer.compare(parse(x[i]), parse(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static synchronized String text() {
        StringBuilder sb = new StringBuilder("Brine conformance report\n");
        SUITES.forEach((suite, pythons) -> {
            sb.append("\n== ").append(suite).append(" ==\n");
            pythons.forEach((python, t) -> {
                int run = t.counts.values().stream().mapToInt(Integer::intValue).sum()
                        - t.counts.getOrDefault(Outcome.SKIPPED, 0);
                sb.append(String.format("CPython %-8s run %5d | passed %5d (of which %d with inert nodes where "
                                + "CPython ran code) | legitimate differences %d | FAILED %d | skipped %d%n",
                        python, run, t.counts.getOrDefault(Outcome.PASSED, 0)
                                + t.counts.getOrDefault(Outcome.PASSED_INERT, 0),
                        t.counts.getOrDefault(Outcome.PASSED_INERT, 0), t.counts.getOrDefault(Outcome.DIFFERS, 0),
                        t.counts.getOrDefault(Outcome.FAILED, 0), t.counts.getOrDefault(Outcome.SKIPPED, 0)));
            });
            pythons.forEach((python, t) -> {
                if (t.notes.isEmpty() && t.differs.isEmpty() && t.failures.isEmpty() && t.skipped.isEmpty()) {
                    return;
                }
                sb.append("\n-- ").append(suite).append(", CPython ").append(python).append('\n');
                t.notes.forEach((n, c) -> sb.append("  accepted (x").append(c).append("): ").append(n).append('\n'));
                t.differs.forEach(d -> sb.append("  legitimate difference: ").append(d).append('\n'));
                t.skipped.forEach(d -> sb.append("  skipped: ").append(d).append('\n'));
                t.failures.forEach(f -> sb.append("  FAILED ").append(f).append('\n'));
            });
        });
        return sb.toString();
    }

    /** Prints the report and writes it to target/conformance-report.txt. */
    static synchronized void write() {
        String text = text();
        System.out.println(text);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
