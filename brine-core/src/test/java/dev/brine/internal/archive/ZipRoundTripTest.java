package dev.brine.internal.archive;

import dev.brine.PickleException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZipRoundTripTest {
    @TempDir
    Path dir;

    static Map<String, byte[]> sampleEntries() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Random random = new Random(7);
        entries.put("archive/data.pkl", "\u0080\u0002}q\u0000.".getBytes(StandardCharsets.ISO_8859_1));
        entries.put("archive/data/0", new byte[0]);
        byte[] big = new byte[100_003];
        random.nextBytes(big);
        entries.put("archive/data/1", big);
        entries.put("archive/empty", new byte[0]);
        entries.put("archive/\u00e9t\u00e9/\u6587\u5b57", "unicode name".getBytes(StandardCharsets.UTF_8));
        byte[] small = new byte[65];
        random.nextBytes(small);
        entries.put("archive/version", small);
        return entries;
    }

    static byte[] write(Map<String, byte[]> entries, int alignment) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipWriter zip = new ZipWriter(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putStored(e.getKey(), ByteBuffer.wrap(e.getValue()), alignment);
            }
        }
        return out.toByteArray();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void roundTripInMemoryWithAlignment64() throws IOException {
        Map<String, byte[]> entries = sampleEntries();
        byte[] zip = write(entries, 64);
        ZipReader reader = ZipReader.of(ByteBuffer.wrap(zip));
        assertThat(reader.names()).containsExactlyElementsOf(entries.keySet());
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            assertThat(reader.contains(e.getKey())).isTrue();
            assertThat(reader.size(e.getKey())).isEqualTo(e.getValue().length);
            ByteBuffer data = reader.read(e.getKey());
            assertThat(data.position()).isZero();
            assertThat(data.limit()).isEqualTo(e.getValue().length);
            assertThat(data.isReadOnly()).isTrue();
            assertThat(bytes(data)).isEqualTo(e.getValue());
            assertThat(reader.dataOffset(e.getKey()) % 64).isZero();
            assertThat(localDataOffset(zip, e.getKey()) % 64).isZero();
        }
        assertThat(reader.contains("archive/missing")).isFalse();
    }

    @Test
    void roundTripThroughAFileIsMapped() throws IOException {
        Map<String, byte[]> entries = sampleEntries();
        Path file = dir.resolve("a.zip");
        Files.write(file, write(entries, 64));
        try (ZipReader reader = ZipReader.open(file)) {
            assertThat(reader.names()).containsExactlyElementsOf(entries.keySet());
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ByteBuffer data = reader.read(e.getKey());
                assertThat(data).isInstanceOf(MappedByteBuffer.class);
                assertThat(data.isReadOnly()).isTrue();
                assertThat(bytes(data)).isEqualTo(e.getValue());
                assertThat(bytes(reader.read(e.getKey(), false))).isEqualTo(e.getValue());
                assertThat(reader.dataOffset(e.getKey()) % 64).isZero();
            }
        }
    }

    @Test
    void otherAlignments() throws IOException {
        for (int alignment : new int[] {1, 2, 3, 7, 64, 4096, ZipWriter.MAX_ALIGNMENT}) {
            Map<String, byte[]> entries = sampleEntries();
            byte[] zip = write(entries, alignment);
            ZipReader reader = ZipReader.of(ByteBuffer.wrap(zip));
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                assertThat(reader.dataOffset(e.getKey()) % alignment).as("alignment %d", alignment).isZero();
                assertThat(bytes(reader.read(e.getKey()))).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void layoutIsExactAndDeterministic() throws IOException {
        byte[] zip = write(Map.of("a", new byte[] {1, 2, 3}), 64);
        // 30-byte header, 1-byte name, 4-byte "FB" field header, 29 'Z's of padding: the data starts at 64.
        assertThat(localDataOffset(zip, "a")).isEqualTo(64);
        assertThat(new String(zip, 31, 2, StandardCharsets.US_ASCII)).isEqualTo("FB");
        assertThat(zip[35]).isEqualTo((byte) 'Z');
        assertThat(zip.length).isEqualTo(64 + 3 + 46 + 1 + 22);
        assertThat(write(Map.of("a", new byte[] {1, 2, 3}), 64)).isEqualTo(zip);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getShort(6)).isEqualTo((short) 0x0800);
        assertThat(b.getShort(8)).isZero();
        assertThat(b.getShort(12)).isEqualTo((short) 0x21);
    }

    @Test
    void directAndReadOnlyBuffersAreWrittenWithoutMovingThem() throws IOException {
        byte[] payload = new byte[200_000];
        new Random(3).nextBytes(payload);
        ByteBuffer direct = ByteBuffer.allocateDirect(payload.length + 10);
        direct.put(new byte[10]).put(payload).position(10);
        ByteBuffer readOnly = ByteBuffer.wrap(payload).asReadOnlyBuffer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipWriter zip = new ZipWriter(out)) {
            zip.putStored("direct", direct, 64);
            zip.putStored("readonly", readOnly, 64);
        }
        assertThat(direct.position()).isEqualTo(10);
        assertThat(readOnly.position()).isZero();
        ZipReader reader = ZipReader.of(ByteBuffer.wrap(out.toByteArray()));
        assertThat(bytes(reader.read("direct"))).isEqualTo(payload);
        assertThat(bytes(reader.read("readonly"))).isEqualTo(payload);
    }

    @Test
    void readerOverABufferSliceLeavesItAlone() throws IOException {
        byte[] zip = write(sampleEntries(), 64);
        byte[] prefixed = new byte[zip.length + 5];
        System.arraycopy(zip, 0, prefixed, 5, zip.length);
        ByteBuffer buf = ByteBuffer.wrap(prefixed).position(5);
        ZipReader reader = ZipReader.of(buf);
        assertThat(buf.position()).isEqualTo(5);
        assertThat(bytes(reader.read("archive/version"))).isEqualTo(sampleEntries().get("archive/version"));
    }

    @Test
    void emptyArchive() throws IOException {
        byte[] zip = write(Map.of(), 64);
        assertThat(zip).hasSize(22);
        assertThat(ZipReader.of(ByteBuffer.wrap(zip)).names()).isEmpty();
    }

    @Test
    void writerRejectsDuplicateAndOverlongNames() throws IOException {
        ZipWriter zip = new ZipWriter(new ByteArrayOutputStream());
        zip.putStored("a", ByteBuffer.allocate(1), 64);
        assertThatThrownBy(() -> zip.putStored("a", ByteBuffer.allocate(1), 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already");
        assertThatThrownBy(() -> zip.putStored("x".repeat(65536), ByteBuffer.allocate(1), 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
        assertThatThrownBy(() -> zip.putStored("\u00e9".repeat(32768), ByteBuffer.allocate(1), 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536 bytes");
        assertThatThrownBy(() -> zip.putStored("bad\ud800", ByteBuffer.allocate(1), 64))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> zip.putStored("b", ByteBuffer.allocate(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alignment");
        zip.putStored("x".repeat(65535), ByteBuffer.allocate(1), 64);
        zip.close();
        zip.close();
        assertThatThrownBy(() -> zip.putStored("c", ByteBuffer.allocate(1), 64))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void longestNameRoundTrips() throws IOException {
        String name = "n".repeat(65535);
        byte[] zip = write(Map.of(name, new byte[] {9}), 64);
        ZipReader reader = ZipReader.of(ByteBuffer.wrap(zip));
        assertThat(reader.names()).containsExactly(name);
        assertThat(bytes(reader.read(name))).containsExactly(9);
    }

    @Test
    void missingEntryIsAPickleException() {
        ZipReader reader = ZipReader.of(ByteBuffer.wrap(RawZip.build(RawZip.stored("a", new byte[1]))));
        assertThatThrownBy(() -> reader.read("b")).isInstanceOf(PickleException.class)
                .satisfies(e -> assertThat(((PickleException) e).entry()).isEqualTo("b"));
        assertThatThrownBy(() -> reader.size("b")).isInstanceOf(PickleException.class);
        assertThatThrownBy(() -> reader.names().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void deflatedEntriesAreInflated() throws IOException {
        byte[] text = "hello hello hello hello, deflate".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        byte[] zip = RawZip.build(RawZip.deflated("d", text), RawZip.deflated("empty", new byte[0]),
                RawZip.stored("s", new byte[] {1}));
        ZipReader reader = ZipReader.of(ByteBuffer.wrap(zip));
        assertThat(bytes(reader.read("d"))).isEqualTo(text);
        assertThat(reader.read("empty").remaining()).isZero();
        Path file = dir.resolve("d.zip");
        Files.write(file, zip);
        try (ZipReader fromFile = ZipReader.open(file)) {
            assertThat(bytes(fromFile.read("d"))).isEqualTo(text);
        }
    }

    /** Offsets at and past 4 GiB, reached with a sparse file: zip64 extra fields and zip64 end records. */
    @Test
    void zip64OffsetsInASparseFile() throws IOException {
        Path file = dir.resolve("sparse.zip");
        writeSparseZip64(file);
        try (ZipReader reader = ZipReader.open(file)) {
            assertThat(reader.names()).containsExactly("first", "second", "empty");
            assertThat(bytes(reader.read("first"))).isEqualTo("first entry".getBytes(StandardCharsets.US_ASCII));
            assertThat(bytes(reader.read("second"))).isEqualTo(new byte[100]);
            assertThat(reader.read("empty").remaining()).isZero();
            for (String name : reader.names()) {
                assertThat(reader.dataOffset(name)).isGreaterThan(0xFFFFFFFFL);
                assertThat(reader.dataOffset(name) % 64).isZero();
            }
        }
    }

    static final long SPARSE_START = 5L << 30;

    static void writeSparseZip64(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.position(SPARSE_START);
            try (ZipWriter zip = new ZipWriter(Channels.newOutputStream(ch), SPARSE_START)) {
                zip.putStored("first", ByteBuffer.wrap("first entry".getBytes(StandardCharsets.US_ASCII)), 64);
                zip.putStored("second", ByteBuffer.allocate(100), 64);
                zip.putStored("empty", ByteBuffer.allocate(0), 64);
            }
        }
    }

    /** The data offset of {@code name}, from its local header, found by scanning for it. */
    static long localDataOffset(byte[] zip, String name) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int p = 0;
        while (b.getInt(p) == 0x04034b50) {
            int n = Short.toUnsignedInt(b.getShort(p + 26));
            int m = Short.toUnsignedInt(b.getShort(p + 28));
            long size = Integer.toUnsignedLong(b.getInt(p + 18));
            int data = p + 30 + n + m;
            if (new String(zip, p + 30, n, StandardCharsets.UTF_8).equals(name)) {
                return data;
            }
            p = (int) (data + size);
        }
        throw new AssertionError("no local header for " + name);
    }
}
