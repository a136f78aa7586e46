package dev.brine.conformance;

import dev.brine.PickleException;
import dev.brine.Unpickler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One pickle checked in every {@link ReadMode}: either it must read to a value equivalent to what CPython built,
 * or (when CPython refused it) every mode must end in {@link PickleException}. Any other exception (a
 * NullPointerException, a StackOverflowError...) is always a failure.
 */
final class ConformanceCase {
    /** The outcome of all modes. */
    record Verdict(List<String> failures, Set<String> notes, String readInsteadOfError) {
        boolean passed() {
            return failures.isEmpty();
        }
    }

    private ConformanceCase() {
    }

    /**
     * Checks a pickle that CPython reads to {@code expected}; {@code undecodable} is set when the description holds
     * a Python 2 str the encoding cannot decode, in which case Brine must fail, as CPython 3 does.
     */
    static Verdict expectValue(Unpickler unpickler, byte[] data, List<byte[]> buffers, List<ReadMode> modes,
                               Description expected, String encoding, Comparison.Py2Names py2Names,
                               boolean checkPosition) {
        String undecodable = Comparison.undecodablePy2Str(expected, encoding);
        if (undecodable != null) {
            return expectError(unpickler, data, buffers, modes, "Python 2 str " + undecodable + " is not "
                    + encoding, checkPosition);
        }
        Map<String, List<String>> failures = new LinkedHashMap<>();
        Set<String> notes = new LinkedHashSet<>();
        for (ReadMode mode : modes) {
            try {
                ReadMode.Read read = mode.read(unpickler, data, buffers, checkPosition);
                for (int i = 0; i < read.values().size(); i++) {
                    Description actual = Description.of(read.values().get(i), read.buffers().get(i));
                    Comparison c = Comparison.compare(expected, actual, encoding, py2Names);
                    String which = read.values().size() > 1 ? "pickle " + (i + 1) + ": " : "";
                    for (String d : c.differences()) {
                        failures.computeIfAbsent(which + d, k -> new ArrayList<>()).add(mode.toString());
                    }
                    notes.addAll(c.notes());
                }
                if (read.positionProblem() != null) {
                    failures.computeIfAbsent(read.positionProblem(), k -> new ArrayList<>()).add(mode.toString());
                }
            } catch (Throwable t) {
                failures.computeIfAbsent(describe(t), k -> new ArrayList<>()).add(mode.toString());
            }
        }
        return new Verdict(condense(failures, modes.size()), notes, null);
    }

    /** Checks a pickle CPython refuses ({@code why}): every mode must end in PickleException. */
    static Verdict expectError(Unpickler unpickler, byte[] data, List<byte[]> buffers, List<ReadMode> modes,
                               String why, boolean checkPosition) {
        Map<String, List<String>> failures = new LinkedHashMap<>();
        String readInstead = null;
        for (ReadMode mode : modes) {
            try {
                ReadMode.Read read = mode.read(unpickler, data, buffers, checkPosition);
                String got = "read " + Comparison.summary(Description.of(read.values().get(0), List.of()).root,
                        Description.of(read.values().get(0), List.of()));
                readInstead = got;
                failures.computeIfAbsent("expected PickleException (CPython: " + why + ") but " + got,
                        k -> new ArrayList<>()).add(mode.toString());
            } catch (PickleException expected) {
                // As CPython.
            } catch (Throwable t) {
                failures.computeIfAbsent("expected PickleException (CPython: " + why + ") but "
                        + describe(t), k -> new ArrayList<>()).add(mode.toString());
            }
        }
        return new Verdict(condense(failures, modes.size()), Set.of(), readInstead);
    }

    private static String describe(Throwable t) {
        if (t instanceof PickleException) {
            return "PickleException: " + t.getMessage();
        }
        StackTraceElement[] trace = t.getStackTrace();
        String where = trace.length > 0 ? " at " + trace[0] : "";
        return t.getClass().getName() + ": " + Description.abbreviate(String.valueOf(t.getMessage())) + where;
    }

    private static List<String> condense(Map<String, List<String>> failures, int modeCount) {
        List<String> out = new ArrayList<>();
        failures.forEach((message, modes) -> out.add(
                (modes.size() == modeCount ? "[all modes] " : "[" + String.join("; ", modes) + "] ") + message));
        return out;
    }
}
