package dev.brine.torch;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real torch 1.13 checkpoint with a storage just over 2 GiB (a zip64 entry), written by torch at test time in a
 * temporary directory that is deleted afterwards: Java reads it across its 1 GiB chunks, and its conversion to
 * safetensors is read back in Python. Needs about 4.3 GB of temporary disk (the checkpoint and its conversion) and
 * a few GB of memory in Python; about 40 s on two cores.
 */
@Tag("large")
class LargeStorageTest {
    /** Just over 2^31 bytes, a multiple of the pattern's period so torch can build it by repeating it. */
    private static final long PERIOD = 251;
    private static final long N = ((1L << 31) + 4096 + PERIOD - 1) / PERIOD * PERIOD;
    private static final long GIB = 1L << 30;

    /** Storage byte {@code i} of the checkpoint: the pattern the Python script writes. */
    private static long expected(long i) {
        return i % PERIOD;
    }

    private static final String WRITE = String.join("\n",
            "import sys, torch",
            "n, period, gib = int(sys.argv[2]), int(sys.argv[3]), 1 << 30",
            "big = torch.arange(period, dtype=torch.int16).to(torch.uint8).repeat(n // period)",
            "assert big.numel() == n",
            "cross = big[2 * gib - 1000: 2 * gib + 1000]",
            "square = big[gib - 2048: gib + 2048].view(64, 64).t()",
            "torch.save({'big': big, 'cross': cross, 'square': square}, sys.argv[1])",
            "");

    private static final String CHECK = String.join("\n",
            "import sys, json, torch",
            "path, original = sys.argv[1], torch.load(sys.argv[2])",
            "with open(path, 'rb') as f:",
            "    n = int.from_bytes(f.read(8), 'little')",
            "    header = json.loads(f.read(n))",
            "    out = {'header': header, 'checked': 0}",
            "    for name, t in original.items():",
            "        entry = header[name]",
            "        assert entry['dtype'] == 'U8' and entry['shape'] == list(t.shape), (name, entry)",
            "        begin, end = entry['data_offsets']",
            "        flat = t.contiguous().view(-1)",
            "        assert end - begin == flat.numel(), (name, begin, end)",
            "        for at in sorted({0, 1, (1 << 30) - 1, 1 << 30, (1 << 31) - 1, 1 << 31, flat.numel() - 4096,"
                    + " flat.numel() - 1}):",
            "            if at < 0 or at >= flat.numel():",
            "                continue",
            "            k = min(4096, flat.numel() - at)",
            "            f.seek(8 + n + begin + at)",
            "            got = torch.frombuffer(bytearray(f.read(k)), dtype=torch.uint8)",
            "            assert torch.equal(got, flat[at:at + k]), (name, at)",
            "            out['checked'] += 1",
            "print(json.dumps(out))",
            "");

    @Test
    void aStorageOverTwoGibReadsAndConverts(@TempDir Path dir) throws IOException {
        DebianPython.requireTorch();
        Path pt = dir.resolve("big.pt");
        DebianPython.run(WRITE, pt.toString(), Long.toString(N), Long.toString(PERIOD));

        Map<?, ?> checkpoint = (Map<?, ?>) TorchFile.read(pt);
        Tensor big = (Tensor) checkpoint.get("big");
        Tensor cross = (Tensor) checkpoint.get("cross");
        Tensor square = (Tensor) checkpoint.get("square");
        assertThat(big.dtype()).isEqualTo("uint8");
        assertThat(big.shape()).containsExactly(N);
        assertThat(cross.sharesStorageWith(big)).isTrue();
        assertThat(square.sharesStorageWith(big)).isTrue();

        // Values at the ends and on both sides of each chunk boundary.
        for (long at : new long[] {0, 1, GIB - 1, GIB, GIB + 1, 2 * GIB - 1, 2 * GIB, 2 * GIB + 1, N - 2, N - 1}) {
            assertThat(big.get(at)).as("element %d", at).isEqualTo(expected(at));
        }
        List<ByteBuffer> chunks = big.storageChunks();
        assertThat(chunks).extracting(ByteBuffer::remaining)
                .containsExactly((int) GIB, (int) GIB, (int) (N - 2 * GIB));
        assertThat(chunks.get(2).get(0) & 0xFF).isEqualTo((int) expected(2 * GIB));
        assertThatThrownBy(big::storage).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("storageChunks()");
        assertThatThrownBy(big::toByteArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(N + " elements, more than a Java byte array holds");

        // A contiguous view across the 2 GiB line, and a transposed one across the 1 GiB line.
        assertThat(cross.storageOffset()).isEqualTo(2 * GIB - 1000);
        long[] crossValues = cross.toLongArray();
        assertThat(crossValues).hasSize(2000);
        for (int i = 0; i < crossValues.length; i++) {
            assertThat(crossValues[i]).isEqualTo(expected(2 * GIB - 1000 + i));
        }
        ByteBuffer crossBytes = cross.contiguousBytes();
        for (int i = 0; i < 2000; i++) {
            assertThat(crossBytes.get(i) & 0xFF).isEqualTo((int) expected(2 * GIB - 1000 + i));
        }
        int[] squareValues = square.toIntArray();
        for (int r = 0; r < 64; r++) {
            for (int c = 0; c < 64; c++) {
                // square = base.view(64, 64).t(): element (r, c) is base[c * 64 + r].
                assertThat(squareValues[r * 64 + c]).isEqualTo((int) expected(GIB - 2048 + c * 64L + r));
            }
        }

        Path st = dir.resolve("big.safetensors");
        TorchFile.toSafetensors(pt, st, false);
        assertThat(Files.size(st)).isGreaterThan(N + 2000 + 4096);
        String report = new String(DebianPython.run(CHECK, st.toString(), pt.toString()), StandardCharsets.UTF_8);
        assertThat(report).contains("\"big\": {\"dtype\": \"U8\", \"shape\": [" + N + "]")
                .contains("\"checked\": 14");
        Files.delete(st);
        Files.delete(pt);
    }

    /**
     * The legacy format's storages are mapped in chunks too. Another ~40 s, so beyond the default run's budget for
     * large tests: it runs with {@code BRINE_LARGE_TESTS=all} in the environment.
     */
    @Test
    @EnabledIfEnvironmentVariable(named = "BRINE_LARGE_TESTS", matches = "all")
    void aLegacyFileWithAStorageOverTwoGibReads(@TempDir Path dir) throws IOException {
        DebianPython.requireTorch();
        Path pt = dir.resolve("big-legacy.pt");
        DebianPython.run(WRITE.replace("sys.argv[1])", "sys.argv[1], _use_new_zipfile_serialization=False)"),
                pt.toString(), Long.toString(N), Long.toString(PERIOD));
        Map<?, ?> checkpoint = (Map<?, ?>) TorchFile.read(pt);
        Tensor big = (Tensor) checkpoint.get("big");
        Tensor cross = (Tensor) checkpoint.get("cross");
        assertThat(big.shape()).containsExactly(N);
        assertThat(cross.sharesStorageWith(big)).isTrue();
        for (long at : new long[] {0, GIB - 1, GIB, 2 * GIB - 1, 2 * GIB, N - 1}) {
            assertThat(big.get(at)).as("element %d", at).isEqualTo(expected(at));
        }
        long[] crossValues = cross.toLongArray();
        for (int i = 0; i < crossValues.length; i++) {
            assertThat(crossValues[i]).isEqualTo(expected(2 * GIB - 1000 + i));
        }
        assertThat(big.storageChunks()).hasSize(3);

        // Written back by Brine as a zip64 record, streamed from the chunks: torch loads the same values.
        Path written = dir.resolve("written.pt");
        TorchFile.write(written, Map.of("big", big, "cross", cross));
        Files.delete(pt);
        String report = new String(DebianPython.run(String.join("\n",
                "import sys, torch",
                "d = torch.load(sys.argv[1], weights_only=True)",
                "big, cross, n, gib = d['big'], d['cross'], int(sys.argv[2]), 1 << 30",
                "assert big.dtype == torch.uint8 and big.shape == (n,), (big.dtype, big.shape)",
                "assert cross.storage().data_ptr() == big.storage().data_ptr()",
                "assert torch.equal(cross, big[2 * gib - 1000: 2 * gib + 1000])",
                "for at in (0, gib - 1, gib, 2 * gib - 1, 2 * gib, n - 1):",
                "    assert int(big[at]) == at % 251, at",
                "print('ok', n)", ""), written.toString(), Long.toString(N)), StandardCharsets.UTF_8);
        assertThat(report.trim()).isEqualTo("ok " + N);
        Files.delete(written);
    }
}
