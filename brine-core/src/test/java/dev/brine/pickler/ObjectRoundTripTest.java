package dev.brine.pickler;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pickles of arbitrary Python objects, which Brine holds as inert nodes: class instances (copyreg.__reduce_ex__,
 * NEWOBJ, NEWOBJ_EX with keyword arguments, __reduce__ with __setstate__, the protocol 5 state-setter form, list
 * and dict subclasses, cycles), cloudpickle'd functions and numpy arrays, written by python3 at every protocol.
 * Brine reads and rewrites each; the bytes must be identical, and Python must load Brine's bytes back to an equal
 * object (functions are called).
 */
class ObjectRoundTripTest {
    @Test
    void instancesFunctionsAndArrays() {
        CPython python = Interpreters.withModules("cloudpickle", "numpy");
        PicklerCases.Tally tally = new PicklerCases.Tally("objects, " + python);
        StringBuilder rewritten = new StringBuilder();
        int n = 0;
        for (PicklerCases.Case c : PicklerCases.run(python, "objects")) {
            byte[] got = tally.check(c);
            if (got != null) {
                rewritten.append(c.name()).append('\t').append(c.protocol()).append('\t')
                        .append(HexFormat.of().formatHex(got)).append('\n');
                n++;
            }
        }
        String check = new String(python.check(rewritten.toString().getBytes(StandardCharsets.UTF_8),
                PicklerCases.SCRIPT.toString(), "check-objects"), StandardCharsets.UTF_8);
        System.out.println("python loaded " + n + " Brine-written object pickles: " + check.trim()
                .substring(check.trim().lastIndexOf('\n') + 1));
        assertThat(check).as("Python loading Brine's rewrites").endsWith("checked, 0 bad\n");
        tally.assertClean();
    }
}
