package dev.brine.security;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brine.PickleException;
import dev.brine.joblib.JoblibFile;
import dev.brine.scan.FileReport;
import dev.brine.scan.Scanner;
import dev.brine.tools.Disassembler;
import dev.brine.tools.DisassemblyException;
import dev.brine.tools.FileDisassembler;
import dev.brine.torch.Tensor;
import dev.brine.torch.TorchFile;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer fuzz tests for the readers of torch and joblib files, for the disassembler of such files, and for the
 * scanner's container readers.
 *
 * <p>In a plain {@code mvn verify} each target runs once on the empty input and once on every file under
 * {@code src/test/resources/dev/brine/security/ContainerFuzzTestInputs}: small real files written by torch 1.13 and
 * joblib 1.2 ({@code src/test/python/container_fuzz_seeds.py}), and in per-target subdirectories every crasher a
 * fuzzing run has saved. To fuzz one target (see SECURITY.md):
 * <pre>
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=10m JAZZER_INSTRUMENTATION_INCLUDES='dev.brine.**' \
 *     mvn -pl brine-core test -Dtest='ContainerFuzzTest#torchFile'
 * </pre>
 *
 * <p>The property checked: whatever the bytes, reading ends in a value or a {@link PickleException}, never another
 * exception, an error or a hang; and reading the tensors of a value that was read ends the same way.
 */
class ContainerFuzzTest {
    /** The most elements of a tensor the target copies out (a stride-0 view may declare far more, legitimately). */
    private static final long MAX_COPY = 1 << 20;

    /** {@code TorchFile.read} of the bytes as a stream, then every tensor's values. */
    @FuzzTest(maxDuration = "5m")
    void torchFile(byte[] data) throws IOException {
        Object value;
        try {
            value = TorchFile.read(new ByteArrayInputStream(data));
        } catch (PickleException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        for (Tensor t : TorchFile.tensors(value).values()) {
            if (t.numel() > MAX_COPY) {
                continue;
            }
            try {
                t.toDoubleArray();
            } catch (PickleException e) {
                assertThat(e.getMessage()).isNotBlank();
            } catch (IllegalStateException e) {
                // A quantized tensor has no plain double values, as its documentation says.
                assertThat(t.dtype()).startsWith("q");
            }
        }
    }

    /** {@code JoblibFile.read} of the bytes as a stream. */
    @FuzzTest(maxDuration = "5m")
    void joblibFile(byte[] data) throws IOException {
        try {
            JoblibFile.read(new ByteArrayInputStream(data));
        } catch (PickleException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    /**
     * The scanner on containers, under the names that make it read them as torch, numpy, pandas and joblib files
     * do: ZIP archives (also after other data), tar, npy, joblib arrays and the compression wrappers. A report,
     * never an exception, and never the catch-all finding the scanner makes when one of its own parts throws.
     */
    @FuzzTest(maxDuration = "5m")
    void scannerContainers(byte[] data) {
        for (String name : new String[] {"fuzz.pt", "fuzz.joblib", "fuzz.pkl.zip"}) {
            FileReport report = SCANNER.scan(name, data);
            assertThat(report.verdict()).isNotNull();
            assertThat(report.findings()).noneMatch(f -> f.message().startsWith("the scanner failed"));
        }
    }

    private static final Scanner SCANNER = Scanner.builder().maxSteps(1_000_000).build();

    /** The disassembly {@code brine dis} prints: a listing, a DisassemblyException or a PickleException. */
    @FuzzTest(maxDuration = "5m")
    void fileDisassembler(byte[] data) throws IOException {
        StringBuilder out = new StringBuilder();
        try {
            new FileDisassembler(Disassembler.create()).disassemble(data, out, null);
        } catch (DisassemblyException e) {
            assertThat(e.pythonError()).isNotBlank();
        } catch (PickleException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        assertThat(out.toString()).doesNotContain("$java");
    }
}
