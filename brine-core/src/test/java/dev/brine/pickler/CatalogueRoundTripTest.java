package dev.brine.pickler;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * A fixed catalogue of every boundary in CPython's C pickler (integer sizes, string and bytes lengths, batch sizes,
 * memo indexes, frame sizes, recursive tuples, sharing), pickled by every CPython 3.x on the machine at each of its
 * protocols, read by Brine, written again and compared byte for byte.
 *
 * <p>Brine writes what CPython 3.13 writes. Older interpreters differ in a few documented places, which the script
 * marks as not expected to match (3.6 at protocol 0; bytearray below protocol 3 before 3.8); those are counted,
 * not asserted.
 */
@Tag("cross-interpreter")
class CatalogueRoundTripTest {
    @TestFactory
    Stream<DynamicTest> everyInterpreter() {
        return CPython.python3s().stream().map(python -> DynamicTest.dynamicTest(python.toString(), () -> {
            PicklerCases.Tally tally = new PicklerCases.Tally("catalogue, " + python);
            for (PicklerCases.Case c : PicklerCases.run(python, "catalogue")) {
                tally.check(c);
            }
            tally.assertClean();
        }));
    }
}
