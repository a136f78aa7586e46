package dev.brine.types;

import dev.brine.Pickle;
import dev.brine.cpython.CPython;
import dev.brine.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fractions (in their text form), special decimals and builtin exceptions pickled by Python 2.7 at protocols 0 to
 * 2: Brine reads each into the Java type, and {@link Canon} of it must equal what the newest Python 3 loads from the
 * same bytes. (Writing back gives Python 3's bytes, not 2.7's: 2.7 writes str arguments as byte strings.)
 */
class Python2TypesTest {
    static final Path SCRIPT = Fixtures.script("types_python2.py");

    @Test
    void python27PicklesReadAsPython3LoadsThem() {
        CPython python2 = CPython.version(2, 7);
        String hex = new String(python2.check(new byte[0], SCRIPT.toString()), StandardCharsets.UTF_8);
        String[] pickles = hex.split("\n");
        String[] loaded = new String(CPython.newest().check(hex.getBytes(StandardCharsets.UTF_8),
                StdlibTypesTest.SCRIPT.toString(), "--canon"), StandardCharsets.UTF_8).split("\n");
        assertThat(loaded).hasSameSizeAs(pickles);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < pickles.length; i++) {
            String got = Canon.of(Pickle.loads(HexFormat.of().parseHex(pickles[i])));
            if (!got.equals(loaded[i])) {
                failures.add(pickles[i] + ": Python 3 loads " + loaded[i] + ", Brine read " + got);
            }
        }
        System.out.println("python 2.7 types: " + pickles.length + " pickles, " + failures.size() + " failures");
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
    }
}
