package dev.brine.torch;

import dev.brine.PickleException;
import dev.brine.internal.archive.ZipReader;
import dev.brine.internal.archive.ZipWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Storages held in several chunks, as one over 2 GiB is, with chunks of a few bytes so that every boundary case is
 * cheap: each view is compared with the same view over the storage held in one buffer (the long-standing path).
 */
class ChunkedStorageTest {

    /** {@code n} pseudo-random bytes, the same for a seed. */
    private static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A storage of {@code bytes} in chunks of {@code chunkBytes}, given to it either whole or pre-chunked. */
    private static Storage chunked(String dtype, byte[] bytes, ByteOrder order, int chunkBytes, boolean preChunked) {
        int item = TorchDtype.require(dtype).itemSize;
        List<ByteBuffer> pieces = new ArrayList<>();
        if (preChunked) {
            for (int from = 0; from < bytes.length; from += chunkBytes) {
                pieces.add(ByteBuffer.wrap(bytes, from, Math.min(chunkBytes, bytes.length - from)).slice());
            }
        } else {
            pieces.add(ByteBuffer.wrap(bytes));
        }
        return new Storage("chunked", dtype, bytes.length / item, "cpu", order, chunkBytes, () -> pieces);
    }

    private static Storage whole(String dtype, byte[] bytes, ByteOrder order) {
        int item = TorchDtype.require(dtype).itemSize;
        return new Storage("whole", dtype, bytes.length / item, "cpu", order, () -> ByteBuffer.wrap(bytes));
    }

    private static Tensor view(Storage s, long offset, long[] shape, long[] stride) {
        return Tensor.view(s, offset, shape, stride, false, false, null);
    }

    /** Every way to read {@code t} gives what the same view over one buffer gives. */
    private static void assertSameValues(Tensor t, Tensor ref) throws IOException {
        assertThat(t.numel()).isEqualTo(ref.numel());
        for (long i = 0; i < t.numel(); i++) {
            assertThat(t.get(i)).as("element %d of %s", i, t).isEqualTo(ref.get(i));
        }
        assertThat(t.contiguousBytes()).isEqualTo(ref.contiguousBytes());
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        t.writeContiguousTo(streamed);
        assertThat(streamed.toByteArray()).isEqualTo(bytes(ref.contiguousBytes()));
        String dtype = t.dtype();
        if (!dtype.startsWith("q")) {
            assertThat(t.toDoubleArray()).containsExactly(ref.toDoubleArray());
        }
        switch (dtype) {
            case "float32", "float16", "bfloat16" -> assertThat(t.toFloatArray()).containsExactly(ref.toFloatArray());
            default -> { }
        }
        switch (dtype) {
            case "int64", "int32", "int16", "int8", "uint8", "bool" ->
                    assertThat(t.toLongArray()).containsExactly(ref.toLongArray());
            default -> { }
        }
        switch (dtype) {
            case "int32", "int16", "int8", "uint8" -> assertThat(t.toIntArray()).containsExactly(ref.toIntArray());
            default -> { }
        }
        switch (dtype) {
            case "int16", "float16", "bfloat16" -> assertThat(t.toShortArray()).containsExactly(ref.toShortArray());
            default -> { }
        }
        if (t.itemSize() == 1) {
            assertThat(t.toByteArray()).containsExactly(ref.toByteArray());
        }
        if (dtype.equals("bool")) {
            assertThat(t.toBooleanArray()).containsExactly(ref.toBooleanArray());
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void viewsAcrossChunkBoundariesReadAsOverOneBuffer() throws IOException {
        String[] dtypes = {"float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8",
                "bool", "complex64", "complex128", "qint8", "quint4x2"};
        int seed = 0;
        for (String dtype : dtypes) {
            int item = TorchDtype.require(dtype).itemSize;
            int numel = 60;
            for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
                for (int chunk : new int[] {16, 32, 48}) {
                    for (boolean pre : new boolean[] {false, true}) {
                        byte[] data = pattern(numel * item, seed++);
                        if (dtype.equals("bool")) {
                            for (int i = 0; i < data.length; i++) {
                                data[i] &= 1;
                            }
                        }
                        Storage c = chunked(dtype, data, order, chunk, pre);
                        Storage w = whole(dtype, data, order);
                        assertThat(c.chunkCount()).isEqualTo((data.length + chunk - 1) / chunk);
                        long[][][] views = {
                                {{0}, {numel}, {1}},                 // the whole storage
                                {{3}, {17}, {1}},                    // a slice crossing boundaries
                                {{1}, {6, 5}, {5, 1}},               // rows from an odd offset
                                {{0}, {6, 10}, {1, 6}},              // a transpose
                                {{7}, {4, 3}, {0, 11}},              // an expand (stride 0) with big steps
                                {{numel - 1}, {1}, {1}},             // the last element
                                {{numel - 3}, {3}, {1}},             // the tail across the last boundary
                                {{5}, {0, 4}, {4, 1}},               // empty
                        };
                        for (long[][] v : views) {
                            assertSameValues(view(c, v[0][0], v[1], v[2]), view(w, v[0][0], v[1], v[2]));
                        }
                        // The chunks concatenate to the storage, each but the last exactly the chunk size.
                        List<ByteBuffer> chunks = view(c, 0, new long[] {numel}, new long[] {1}).storageChunks();
                        ByteArrayOutputStream all = new ByteArrayOutputStream();
                        for (int i = 0; i < chunks.size(); i++) {
                            ByteBuffer b = chunks.get(i);
                            assertThat(b.isReadOnly()).isTrue();
                            assertThat(b.order()).isEqualTo(order);
                            if (i < chunks.size() - 1) {
                                assertThat(b.remaining()).isEqualTo(chunk);
                            }
                            all.write(bytes(b));
                        }
                        assertThat(all.toByteArray()).as("%s %s chunk %d", dtype, order, chunk).isEqualTo(data);
                    }
                }
            }
        }
    }

    @Test
    void oneBufferStorageKeepsStorageAndAChunkedOneNamesTheAlternative() {
        byte[] data = pattern(64, 1);
        Tensor small = view(whole("float32", data, ByteOrder.LITTLE_ENDIAN), 0, new long[] {16}, new long[] {1});
        assertThat(bytes(small.storage())).isEqualTo(data);
        assertThat(small.storageChunks()).hasSize(1);
        assertThat(bytes(small.storageChunks().get(0))).isEqualTo(data);

        Tensor big = view(chunked("float32", data, ByteOrder.LITTLE_ENDIAN, 16, false), 0, new long[] {16},
                new long[] {1});
        assertThatThrownBy(big::storage).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("64 bytes in 4 chunks").hasMessageContaining("storageChunks()");
        Tensor other = view(big.storageObject(), 4, new long[] {2}, new long[] {1});
        assertThat(other.sharesStorageWith(big)).isTrue();
        assertThat(small.sharesStorageWith(big)).isFalse();
    }

    @Test
    void aLoaderOfTheWrongSizeOrLayoutFails() {
        byte[] data = pattern(64, 2);
        Storage shortOne = new Storage("short", "float32", 17, "cpu", ByteOrder.LITTLE_ENDIAN, 16,
                () -> List.of(ByteBuffer.wrap(data)));
        Tensor t = view(shortOne, 0, new long[] {17}, new long[] {1});
        assertThatThrownBy(t::toFloatArray).isInstanceOf(PickleException.class)
                .hasMessageContaining("storage has 64 bytes").hasMessageContaining("needs 68");
        Storage badLayout = new Storage("odd", "float32", 16, "cpu", ByteOrder.LITTLE_ENDIAN, 16,
                () -> List.of(ByteBuffer.wrap(data, 0, 8).slice(), ByteBuffer.wrap(data, 8, 24).slice(),
                        ByteBuffer.wrap(data, 32, 16).slice(), ByteBuffer.wrap(data, 48, 16).slice()));
        Tensor u = view(badLayout, 0, new long[] {16}, new long[] {1});
        assertThatThrownBy(u::toFloatArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("chunk 0 has 8 bytes, 16 expected");
        assertThatThrownBy(() -> new Storage("k", "float32", 1, "cpu", ByteOrder.LITTLE_ENDIAN, 12, List::of))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 16");
    }

    @Test
    void aChunkedStorageWritesAndReadsBackThroughACheckpoint(@TempDir Path dir) throws IOException {
        byte[] data = pattern(400, 3);
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            Storage c = chunked("int32", data, order, 48, true);
            Tensor t = view(c, 0, new long[] {10, 10}, new long[] {10, 1});
            Tensor tt = view(c, 0, new long[] {10, 10}, new long[] {1, 10});
            Path file = dir.resolve("c-" + order + ".pt");
            TorchFile.write(file, Map.of("t", t, "tt", tt));
            Map<?, ?> back = (Map<?, ?>) TorchFile.read(file);
            Tensor rt = (Tensor) back.get("t");
            Tensor rtt = (Tensor) back.get("tt");
            assertThat(rt.sharesStorageWith(rtt)).isTrue();
            Tensor ref = view(whole("int32", data, order), 0, new long[] {10, 10}, new long[] {10, 1});
            assertThat(rt.toIntArray()).containsExactly(ref.toIntArray());
            assertThat(rtt.toIntArray()).containsExactly(tt.toIntArray());
        }
    }

    @Test
    void zipEntriesReadInChunksConcatenateToTheEntry(@TempDir Path dir) throws IOException {
        byte[] data = pattern(1000, 4);
        Path file = dir.resolve("a.zip");
        try (ZipWriter zip = new ZipWriter(Files.newOutputStream(file))) {
            zip.putStored("a/stored", List.of(ByteBuffer.wrap(data, 0, 300), ByteBuffer.wrap(data, 300, 700)), 64);
            zip.putStored("a/empty", ByteBuffer.allocate(0), 64);
        }
        try (ZipReader zip = ZipReader.open(file)) {
            assertThat(bytes(zip.read("a/stored"))).isEqualTo(data);
            for (int chunk : new int[] {1, 7, 999, 1000, 4096}) {
                List<ByteBuffer> chunks = zip.readChunks("a/stored", chunk, true);
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (int i = 0; i < chunks.size(); i++) {
                    if (i < chunks.size() - 1) {
                        assertThat(chunks.get(i).remaining()).isEqualTo(chunk);
                    }
                    all.write(bytes(chunks.get(i)));
                }
                assertThat(all.toByteArray()).isEqualTo(data);
                assertThat(chunks).hasSize((1000 + chunk - 1) / chunk);
            }
            List<ByteBuffer> empty = zip.readChunks("a/empty", 16, true);
            assertThat(empty).hasSize(1);
            assertThat(empty.get(0).remaining()).isZero();
            assertThatThrownBy(() -> ZipReader.checkCrc("a/stored", zip.readChunks("a/stored", 7, false),
                    zip.crc("a/stored") ^ 1)).isInstanceOf(PickleException.class).hasMessageContaining("CRC-32");
        }
    }
}
