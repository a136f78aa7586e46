package dev.brine.pickler;

import dev.brine.Pickle;
import dev.brine.cpython.CPython;
import dev.brine.testing.Fixtures;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs {@code src/test/python/pickler_cases.py} under a real CPython and compares Brine's rewrite of each pickle
 * with the original, byte for byte, keeping per-protocol counts for the report.
 */
final class PicklerCases {
    static final Path SCRIPT = Fixtures.script("pickler_cases.py");

    private PicklerCases() {
    }

    /** One pickle CPython wrote. {@code expected}: whether this interpreter's bytes are the ones Brine targets. */
    record Case(String name, int protocol, boolean expected, byte[] pickle) {
    }

    static List<Case> run(CPython python, String... args) {
        CPython.require(Files.isRegularFile(SCRIPT), "test script " + SCRIPT + " is missing");
        String[] full = new String[args.length + 1];
        full[0] = SCRIPT.toString();
        System.arraycopy(args, 0, full, 1, args.length);
        String out = new String(python.check(new byte[0], full), StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t");
            cases.add(new Case(f[0], Integer.parseInt(f[1]), f[2].equals("1"), HexFormat.of().parseHex(f[3])));
        }
        if (cases.isEmpty()) {
            throw new AssertionError(python + " produced no cases for " + String.join(" ", args));
        }
        return cases;
    }

    /** {@code Pickle.dumps(Pickle.loads(p), protocol)}, or null (with the reason in {@code why}) if it throws. */
    static byte[] rewrite(Case c, StringBuilder why) {
        try {
            return Pickle.dumps(Pickle.loads(c.pickle()), c.protocol());
        } catch (RuntimeException e) {
            why.append(e);
            return null;
        }
    }

    /** Byte-identical and total counts per protocol, and the failures that matter. */
    static final class Tally {
        private final String title;
        private final Map<Integer, int[]> perProtocol = new TreeMap<>();
        final List<String> failures = new ArrayList<>();
        final List<String> knownDifferences = new ArrayList<>();

        Tally(String title) {
            this.title = title;
        }

        /** Compares one case; returns Brine's bytes (or null). */
        byte[] check(Case c) {
            StringBuilder why = new StringBuilder();
            byte[] got = rewrite(c, why);
            boolean same = got != null && Arrays.equals(got, c.pickle());
            int[] n = perProtocol.computeIfAbsent(c.protocol(), k -> new int[2]);
            n[1]++;
            if (same) {
                n[0]++;
            } else {
                String what = c.name() + " protocol " + c.protocol() + (got == null ? ": " + why
                        : ": differs at byte " + Arrays.mismatch(got, c.pickle()) + " of " + c.pickle().length);
                (c.expected() ? failures : knownDifferences).add(what);
            }
            return got;
        }

        String report() {
            StringBuilder sb = new StringBuilder(title).append(": byte-identical/total per protocol:");
            perProtocol.forEach((p, n) -> sb.append(" p").append(p).append(' ').append(n[0]).append('/').append(n[1]));
            if (!knownDifferences.isEmpty()) {
                sb.append("; ").append(knownDifferences.size()).append(" known version differences");
            }
            return sb.toString();
        }

        void assertClean() {
            System.out.println(report());
            if (!failures.isEmpty()) {
                throw new AssertionError(title + ": " + failures.size() + " pickles not byte-identical after a"
                        + " Brine round trip:\n  " + String.join("\n  ", failures.subList(0, Math.min(40, failures.size()))));
            }
        }
    }
}
