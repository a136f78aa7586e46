package dev.brine.security;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brine.PickleException;
import dev.brine.scan.FileReport;
import dev.brine.scan.Scanner;
import dev.brine.Unpickler;
import dev.brine.testing.ThrottledInputStream;
import dev.brine.tools.Disassembler;
import dev.brine.tools.DisassemblyException;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer fuzz tests for everything in Brine that reads untrusted pickle bytes.
 *
 * <p>In a plain {@code mvn verify} each target runs once on the empty input and once on every file under
 * {@code src/test/resources/dev/brine/security/PickleFuzzTestInputs}: the seed corpus, written from the conformance
 * catalogue by {@code src/test/python/fuzz_seeds.py}, and in the per-target subdirectories every crasher a fuzzing
 * run has saved. To fuzz one target (see SECURITY.md):
 * <pre>
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=30m mvn -pl brine-core test -Dtest=PickleFuzzTest#unpickler
 * </pre>
 *
 * <p>The property checked is the one SECURITY.md promises: whatever the bytes, reading ends in a
 * {@link PickleException} or a value, never another exception, an error or a hang.
 */
class PickleFuzzTest {
    private static final Unpickler DEFAULTS = Unpickler.builder().build();

    /**
     * The unpickler with default limits, reading the same bytes from an array and from a stream that delivers them
     * a few at a time: both must end the same way, in a value or in a PickleException.
     */
    @FuzzTest(maxDuration = "5m")
    void unpickler(byte[] data) throws IOException {
        boolean fromArray = loads(data);
        boolean fromStream;
        try {
            DEFAULTS.load(new ThrottledInputStream(data, 3, false));
            fromStream = true;
        } catch (PickleException e) {
            fromStream = false;
        }
        assertThat(fromStream).as("reading from a stream succeeds exactly when reading the array does")
                .isEqualTo(fromArray);
    }

    private static boolean loads(byte[] data) {
        try {
            DEFAULTS.loads(data);
            return true;
        } catch (PickleException e) {
            assertThat(e.offset()).as("error offset").isBetween(-1L, (long) data.length);
            return false;
        }
    }

    /** The disassembler, annotated: a listing, or the DisassemblyException pickletools' error maps to. */
    @FuzzTest(maxDuration = "5m")
    void disassembler(byte[] data) {
        try {
            Disassembler.builder().annotate(true).build().disassemble(data);
        } catch (DisassemblyException e) {
            assertThat(e.partialListing()).isNotNull();
        }
    }

    /**
     * The scanner, reading the bytes as a plain file and as a joblib file: a report, never an exception, and never
     * the catch-all finding the scanner makes when one of its own parts throws.
     */
    @FuzzTest(maxDuration = "5m")
    void scanner(byte[] data) {
        for (String name : new String[] {"fuzz.pkl", "fuzz.joblib"}) {
            FileReport report = SCANNER.scan(name, data);
            assertThat(report.verdict()).isNotNull();
            assertThat(report.findings()).noneMatch(f -> f.message().startsWith("the scanner failed"));
        }
    }

    private static final Scanner SCANNER = Scanner.builder().maxSteps(1_000_000).build();
}
