package dev.brine.types;

import dev.brine.Pickle;
import dev.brine.cpython.CPython;
import dev.brine.testing.Fixtures;
import dev.brine.value.PyNamedTuple;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Standard-library values pickled by every CPython 3 on the machine at every protocol: Brine reads each into the
 * Java type of docs/TYPES.md (checked against the Python value through {@link Canon}), and writes it back to the
 * very bytes CPython wrote.
 */
@Tag("cross-interpreter")
class StdlibTypesTest {
    static final Path SCRIPT = Fixtures.script("types_stdlib.py");

    /**
     * Known byte differences, with the value still equal: a named {@code timezone} stays inert but its
     * {@code timedelta} argument is read as a Duration, and the Pickler writes the Duration's {@code datetime}
     * module name as its own string where CPython's pickle shares the one string with the inert node's class (a memo
     * fetch instead of a second copy). Python loads both as the same value.
     */
    static final java.util.Set<String> KNOWN_BYTE_DIFFERENCES = java.util.Set.of("timezone_named");

    record Case(String name, int protocol, String canon, byte[] pickle) {
    }

    static List<Case> cases(CPython python, Path script) {
        CPython.require(Files.isRegularFile(script), "test script " + script + " is missing");
        String out = new String(python.check(new byte[0], script.toString()), StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                String[] f = line.split("\t");
                cases.add(new Case(f[0], Integer.parseInt(f[1]), f[2], HexFormat.of().parseHex(f[3])));
            }
        }
        assertThat(cases).as("cases from " + python).isNotEmpty();
        return cases;
    }

    /**
     * A namedtuple stays an inert node (see PyNamedTuple); its PyNamedTuple view, written by the Pickler, must give
     * CPython's bytes too.
     */
    private static void writeNamedTuples(Object value, Case c, String where, List<String> failures) {
        Object view = value;
        if (value instanceof java.util.List && !((java.util.List<?>) value).isEmpty()
                && PyNamedTuple.from(((java.util.List<?>) value).get(0)).isPresent()) {
            // namedtuple_nested: a list of namedtuples, some holding namedtuples.
            List<Object> views = new ArrayList<>();
            for (Object o : (java.util.List<?>) value) {
                views.add(asNamedTuple(o));
            }
            view = views;
        } else if (PyNamedTuple.from(value).isPresent()) {
            view = asNamedTuple(value);
        } else {
            return;
        }
        byte[] back = Pickle.dumps(view, c.protocol());
        if (!Arrays.equals(back, c.pickle())) {
            failures.add(where + ": PyNamedTuple written differently:\n  " + HexFormat.of().formatHex(c.pickle())
                    + "\n  " + HexFormat.of().formatHex(back));
        }
    }

    private static Object asNamedTuple(Object o) {
        java.util.Optional<PyNamedTuple> t = PyNamedTuple.from(o);
        if (t.isEmpty()) {
            return o;
        }
        Object[] values = t.get().values().toArray();
        for (int i = 0; i < values.length; i++) {
            values[i] = asNamedTuple(values[i]);
        }
        return new PyNamedTuple(t.get().pythonClass(), PyTuple.of(values));
    }

    @Test
    void readsIntoJavaTypesAndWritesBackTheSameBytes() {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (CPython python : CPython.python3s()) {
            // The Pickler writes CPython 3.10+'s bytes for array module names (see docs/WRITING.md).
            boolean exactBytes = python.minor() >= 10;
            for (Case c : cases(python, SCRIPT)) {
                String where = python.version() + " " + c.name() + " p" + c.protocol();
                Object value;
                try {
                    value = Pickle.loads(c.pickle());
                } catch (RuntimeException e) {
                    failures.add(where + ": load failed: " + e);
                    continue;
                }
                String got = Canon.of(value);
                if (!got.equals(c.canon())) {
                    failures.add(where + ": expected " + c.canon() + " but read " + got);
                    continue;
                }
                if (exactBytes && !KNOWN_BYTE_DIFFERENCES.contains(c.name())) {
                    try {
                        byte[] back = Pickle.dumps(value, c.protocol());
                        if (!Arrays.equals(back, c.pickle())) {
                            failures.add(where + ": written back differently:\n  " + HexFormat.of().formatHex(c.pickle())
                                    + "\n  " + HexFormat.of().formatHex(back));
                        }
                    } catch (RuntimeException e) {
                        failures.add(where + ": write failed: " + e);
                    }
                    writeNamedTuples(value, c, where, failures);
                }
                checked++;
            }
        }
        System.out.println("stdlib types: " + checked + " pickles read and checked, " + failures.size() + " failures");
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
    }
}
