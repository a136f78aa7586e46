package dev.brine.cli;

import dev.brine.joblib.JoblibFile;
import dev.brine.torch.Tensor;
import dev.brine.torch.TorchFile;
import dev.brine.value.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code brine convert} and {@code brine json} on torch checkpoints and joblib files written from Java. */
class ArtifactCommandsTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    private Path checkpoint(boolean withEpoch) throws IOException {
        Map<String, Object> sd = new LinkedHashMap<>();
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        sd.put("fc.weight", w);
        sd.put("fc.weight_t", w.view(0, new long[] {3, 2}, new long[] {1, 3}));
        sd.put("fc.bias", Tensor.of(new long[] {7, 8}, 2));
        if (withEpoch) {
            sd.put("epoch", 3L);
        }
        Path p = dir.resolve(withEpoch ? "with-epoch.pt" : "model.pt");
        TorchFile.write(p, sd);
        return p;
    }

    @Test
    void convertWritesEachTensorContiguouslyInSafetensors() throws IOException {
        Path out = dir.resolve("model.safetensors");
        CliRun r = run("convert", checkpoint(false).toString(), out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("3 tensors written");
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = file.getLong();
        String header = new String(Files.readAllBytes(out), 8, (int) headerLength, StandardCharsets.UTF_8);
        assertThat(header).contains("\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,3]")
                .contains("\"fc.weight_t\":{\"dtype\":\"F32\",\"shape\":[3,2]")
                .contains("\"fc.bias\":{\"dtype\":\"I64\",\"shape\":[2]");
        // 2 int64 + 6 + 6 float32 values, each tensor its own copy although two share a storage.
        assertThat(Files.size(out)).isEqualTo(8 + headerLength + 16 + 24 + 24);
        assertThat(Files.exists(dir.resolve("model.safetensors.partial"))).isFalse();
    }

    @Test
    void convertRefusesValuesThatAreNotTensorsUnlessToldToDropThem() throws IOException {
        Path in = checkpoint(true);
        Path out = dir.resolve("e.safetensors");
        CliRun refused = run("convert", in.toString(), out.toString());
        assertThat(refused.code()).isEqualTo(BrineCli.FAILED);
        assertThat(refused.err()).contains("epoch").contains("not tensors");
        assertThat(Files.exists(out)).isFalse();
        CliRun dropped = run("convert", "--drop-non-tensors", in.toString(), out.toString());
        assertThat(dropped.code()).as(dropped.err()).isZero();
        assertThat(dropped.err()).contains("1 values that are not tensors left out");
    }

    @Test
    void convertOfAFileThatIsNoCheckpointFails() throws IOException {
        Path bad = dir.resolve("bad.pt");
        Files.write(bad, new byte[] {'P', 'K', 3, 4, 0, 0});
        CliRun r = run("convert", bad.toString(), dir.resolve("x.safetensors").toString());
        assertThat(r.code()).isEqualTo(BrineCli.FAILED);
        assertThat(r.err()).startsWith("brine convert: ");
        assertThat(run("convert", dir.resolve("missing.pt").toString(), "x").err()).contains("no such file");
        assertThat(run("convert", "only-one-argument").code()).isEqualTo(ConvertCommand.USAGE);
    }

    @Test
    void jsonShowsTensorsAndArraysAsDtypeShapeAndAPreview() throws IOException {
        CliRun torch = run("json", "-i", "0", checkpoint(false).toString());
        assertThat(torch.code()).as(torch.err()).isZero();
        assertThat(torch.out()).contains("{\"$tensor\":{\"dtype\":\"float32\",\"shape\":[2,3],\"stride\":[3,1]")
                .contains("\"values\":[[1.0,2.0,3.0],[4.0,5.0,6.0]]").doesNotContain("$java");

        Path joblib = dir.resolve("a.joblib");
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("big", NDArray.of(new double[2000], 2, 1000));
        JoblibFile.write(joblib, arrays);
        CliRun j = run("json", "-i", "0", "--max-items", "10", joblib.toString());
        assertThat(j.code()).as(j.err()).isZero();
        assertThat(j.out()).contains("\"$ndarray\":{\"dtype\":\"<f8\",\"shape\":[2,1000],\"order\":\"C\"")
                .contains("[0.0,0.0,0.0,\"...\",0.0,0.0,0.0]").doesNotContain("$java");

        CliRun all = run("json", "-i", "0", "--max-items", "-1", joblib.toString());
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).doesNotContain("...").contains("[" + "0.0,".repeat(999) + "0.0]");
        CliRun bad = run("json", "--max-items", "-2", joblib.toString());
        assertThat(bad.code()).isEqualTo(picocli.CommandLine.ExitCode.USAGE);
        assertThat(bad.err()).contains("--max-items must be >= 0, or -1 for every item");
    }

    @Test
    void filesOverTwoGibibytesThatAreNoCheckpointFailCleanly() throws IOException {
        Path big = dir.resolve("big.pkl");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength((1L << 31) + 16);     // sparse: no disk is written
            f.write(0x80);
        }
        for (String tool : new String[] {"dis", "json"}) {
            CliRun r = run(tool, big.toString());
            assertThat(r.code()).as(tool).isEqualTo(BrineCli.FAILED);
            assertThat(r.err()).as(tool).contains("is " + ((1L << 31) + 16) + " bytes; brine " + tool
                    + " reads files up to 2 GiB");
        }
    }

    @Test
    void jsonSaysSoWhenAFileHoldsMoreThanOnePickle() throws IOException {
        Path two = dir.resolve("two.pkl");
        Files.write(two, new byte[] {(byte) 0x80, 2, 'K', 1, '.', (byte) 0x80, 2, 'K', 2, '.'});
        CliRun r = run("json", two.toString());
        assertThat(r.code()).isEqualTo(BrineCli.FAILED);
        assertThat(r.err()).contains("5 bytes follow the pickle's STOP");
    }

    @Test
    void disListsTheDataPickleOfATorchZipAndNoRawBytes() throws IOException {
        CliRun r = run("dis", checkpoint(false).toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("# torch zip archive, ").contains("# record model/data.pkl, ")
                .contains("BINPERSID").contains("highest protocol among opcodes = 2")
                .containsPattern("# \\d+ other records, \\d+ bytes: storage data and metadata, not pickles\\n$")
                .doesNotContain("$java");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void disListsAJoblibFileAcrossItsArraysAndAfterDecompression() throws IOException {
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put("a", NDArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        arrays.put("b", NDArray.of(new long[] {7, 8}, 2));
        for (JoblibFile.Compression c : JoblibFile.Compression.values()) {
            Path p = dir.resolve("a-" + c + ".joblib");
            JoblibFile.write(p, arrays, c);
            CliRun r = run("dis", p.toString());
            assertThat(r.code()).as(c + ": " + r.err()).isZero();
            assertThat(r.out().lines().filter(l -> l.startsWith("# array data at ")).toList()).hasSize(2)
                    .anyMatch(l -> l.endsWith("48 bytes of items (dtype <f8, shape (2, 3), order C)"))
                    .anyMatch(l -> l.endsWith("16 bytes of items (dtype <i8, shape (2,), order C)"));
            assertThat(r.out()).startsWith(c == JoblibFile.Compression.NONE ? "# joblib file, uncompressed"
                    : "# joblib file, " + c.name().toLowerCase(java.util.Locale.ROOT) + "-compressed")
                    .endsWith("highest protocol among opcodes = 4\n");
        }
    }

    @Test
    void disOfAFileWithBytesAfterWhatWasListedExitsNonZeroAndSaysSo() throws IOException {
        Path joblib = dir.resolve("t.joblib");
        JoblibFile.write(joblib, NDArray.of(new double[] {1, 2}, 2));
        Files.write(joblib, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        CliRun r = run("dis", joblib.toString());
        assertThat(r.code()).isEqualTo(BrineCli.FAILED);
        assertThat(r.out()).contains("# array data at ").contains("highest protocol among opcodes");
        assertThat(r.err()).startsWith("brine dis: " + joblib + ": 3 bytes follow the joblib pickle's STOP opcode");

        Path two = dir.resolve("two.pkl");
        Files.write(two, new byte[] {(byte) 0x80, 2, 'K', 1, '.', (byte) 0x80, 2, 'K', 2, '.'});
        CliRun p = run("dis", two.toString());
        assertThat(p.code()).isEqualTo(BrineCli.FAILED);
        assertThat(p.out()).isEqualTo("    0: \\x80 PROTO      2\n    2: K    BININT1    1\n    4: .    STOP\n"
                + "highest protocol among opcodes = 2\n");
        assertThat(p.err()).contains("5 bytes follow the pickle's STOP opcode, from offset 5");
    }
}
