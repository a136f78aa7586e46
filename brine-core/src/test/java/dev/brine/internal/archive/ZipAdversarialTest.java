package dev.brine.internal.archive;

import dev.brine.PickleException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** Malformed archives: each must end in a {@link PickleException}, never another exception, an OOM or a hang. */
@Timeout(120)
class ZipAdversarialTest {
    @TempDir
    Path dir;

    /** A small archive of stored, deflated and empty entries, as both writers make them. */
    static byte[] smallArchive() {
        byte[] text = "The quick brown fox jumps over the lazy dog. ".repeat(20).getBytes(StandardCharsets.US_ASCII);
        return RawZip.build(RawZip.stored("a/data.pkl", "\u0080\u0002K\u0001.".getBytes(StandardCharsets.ISO_8859_1)),
                RawZip.deflated("a/text", text), RawZip.stored("a/empty", new byte[0]),
                RawZip.stored("a/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
    }

    static byte[] writerArchive() throws IOException {
        return ZipRoundTripTest.write(java.util.Map.of("x/data.pkl", new byte[] {1, 2, 3}, "x/data/0", new byte[0],
                "x/data/1", "payload".getBytes(StandardCharsets.US_ASCII)), 64);
    }

    /** Opens {@code zip} and reads every entry; returns normally, or throws only a PickleException. */
    static void readAll(byte[] zip) throws IOException {
        ZipReader reader = ZipReader.of(ByteBuffer.wrap(zip));
        for (String name : reader.names()) {
            reader.size(name);
            reader.read(name);
        }
    }

    static void assertOnlyPickleExceptions(byte[] zip, String what) {
        try {
            readAll(zip);
        } catch (PickleException e) {
            assertThat(e.entry()).as(what).isNotNull();
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected success or a PickleException, got " + t, t);
        }
    }

    static PickleException failure(byte[] zip) {
        try {
            readAll(zip);
        } catch (PickleException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a PickleException, got " + t, t);
        }
        return fail("expected a PickleException, but the archive was read");
    }

    static void putInt(byte[] zip, int at, int value) {
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
    }

    static void putShort(byte[] zip, int at, int value) {
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
    }

    @Test
    void everyTruncationFailsCleanly() throws IOException {
        for (byte[] zip : new byte[][] {smallArchive(), writerArchive()}) {
            ZipReader.of(ByteBuffer.wrap(zip));
            for (int length = 0; length < zip.length; length++) {
                byte[] prefix = Arrays.copyOf(zip, length);
                PickleException e = failure(prefix);
                assertThat(e.entry()).as("length %d", length).isNotNull();
            }
        }
    }

    @Test
    void everyTruncationOfAFileFailsCleanly() throws IOException {
        byte[] zip = smallArchive();
        Path file = dir.resolve("t.zip");
        for (int length = 0; length < zip.length; length++) {
            Files.write(file, Arrays.copyOf(zip, length));
            int len = length;
            assertThatThrownBy(() -> {
                try (ZipReader reader = ZipReader.open(file)) {
                    for (String name : reader.names()) {
                        reader.read(name);
                    }
                }
            }).as("length %d", len).isInstanceOf(PickleException.class);
        }
    }

    @Test
    void shortFilesAndGarbage() {
        assertThat(failure(new byte[0]).getMessage()).contains("0 bytes are too few");
        assertThat(failure(new byte[21]).getMessage()).contains("too few");
        assertThat(failure(new byte[22]).getMessage()).contains("no end-of-central-directory");
        byte[] garbage = new byte[100_000];
        new Random(1).nextBytes(garbage);
        assertThat(failure(garbage).entry()).isEqualTo("zip");
        // A lone end record: a valid, empty archive.
        byte[] end = new byte[22];
        putInt(end, 0, 0x06054b50);
        assertOnlyPickleExceptions(end, "empty");
    }

    @Test
    void everySingleByteFlipFailsCleanlyOrReads() throws IOException {
        for (byte[] original : new byte[][] {smallArchive(), writerArchive()}) {
            for (int i = 0; i < original.length; i++) {
                for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                    byte[] zip = original.clone();
                    zip[i] ^= (byte) mask;
                    assertOnlyPickleExceptions(zip, "byte " + i + " ^ " + mask);
                }
            }
        }
    }

    @Test
    void randomMutationsFailCleanlyOrRead() throws IOException {
        Random random = new Random(42);
        byte[][] originals = {smallArchive(), writerArchive()};
        int[] interesting = {0, 0xFF, 0xFFFF, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 46, 22};
        for (int round = 0; round < 20_000; round++) {
            byte[] zip = originals[round % 2].clone();
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                int at = random.nextInt(zip.length);
                if (random.nextBoolean() && at + 4 <= zip.length) {
                    putInt(zip, at, interesting[random.nextInt(interesting.length)]);
                } else {
                    zip[at] = (byte) random.nextInt(256);
                }
            }
            assertOnlyPickleExceptions(zip, "round " + round);
        }
    }

    @Test
    void centralDirectoryLargerThanTheFile() {
        byte[] zip = smallArchive();
        putInt(zip, RawZip.endOffset(zip) + 12, 0x7FFFFFF0);
        assertThat(failure(zip).getMessage()).contains("runs past").contains("offset");
        zip = smallArchive();
        putInt(zip, RawZip.endOffset(zip) + 16, -2);
        assertThat(failure(zip).entry()).isEqualTo("zip central directory");
    }

    @Test
    void entryCountLargerThanTheDirectoryCanHold() {
        byte[] zip = smallArchive();
        putShort(zip, RawZip.endOffset(zip) + 8, 0xFFFE);
        putShort(zip, RawZip.endOffset(zip) + 10, 0xFFFE);
        assertThat(failure(zip).getMessage()).contains("65534 entries");
    }

    @Test
    void entrySizePastTheEndOfTheFile() {
        RawZip.Entry e = RawZip.stored("a", new byte[10]);
        e.size = 1000;
        e.compressedSize = 1000;
        assertThat(failure(RawZip.build(e)).getMessage()).contains("run past the end");
    }

    @Test
    void hugeDeclaredInflatedSizeFailsWithoutAllocating() {
        RawZip.Entry e = RawZip.deflated("bomb", new byte[100]);
        e.size = 1L << 40;
        PickleException ex = failure(RawZip.build(e));
        assertThat(ex.entry()).isEqualTo("bomb");
        assertThat(ex.getMessage()).contains("1099511627776").contains("limit");
    }

    @Test
    void largeDeclaredSizeWithinTheLimitGrowsOnlyAsDataArrives() {
        // 2 GiB declared, 100 bytes delivered: must not allocate 2 GiB up front.
        RawZip.Entry e = RawZip.deflated("liar", new byte[100]);
        e.size = Integer.MAX_VALUE - 8;
        assertThat(failure(RawZip.build(e)).getMessage()).contains("inflates to 100 bytes");
    }

    @Test
    void inflatedSizeLimitIsConfigurable() throws IOException {
        byte[] zip = RawZip.build(RawZip.deflated("d", new byte[5000]));
        assertThat(ZipReader.of(ByteBuffer.wrap(zip), 5000).read("d").remaining()).isEqualTo(5000);
        assertThatThrownBy(() -> ZipReader.of(ByteBuffer.wrap(zip), 4999).read("d"))
                .isInstanceOf(PickleException.class).hasMessageContaining("4999");
        assertThatThrownBy(() -> ZipReader.of(ByteBuffer.wrap(zip), -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deflatedDataLongerOrShorterThanDeclared() {
        RawZip.Entry more = RawZip.deflated("more", new byte[1000]);
        more.size = 999;
        assertThat(failure(RawZip.build(more)).getMessage()).contains("more than the declared 999");
        RawZip.Entry fewer = RawZip.deflated("fewer", new byte[1000]);
        fewer.size = 1001;
        assertThat(failure(RawZip.build(fewer)).getMessage()).contains("not the declared 1001");
        RawZip.Entry cut = RawZip.deflated("cut", new byte[1000]);
        cut.data = Arrays.copyOf(cut.data, cut.data.length - 1);
        cut.compressedSize = cut.data.length;
        assertThat(failure(RawZip.build(cut)).getMessage()).contains("ends early");
        RawZip.Entry corrupt = RawZip.deflated("corrupt", new byte[1000]);
        corrupt.data = new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        corrupt.compressedSize = 4;
        assertThat(failure(RawZip.build(corrupt)).getMessage()).contains("corrupt");
    }

    @Test
    void duplicateNames() {
        byte[] zip = RawZip.build(RawZip.stored("same", new byte[1]), RawZip.stored("same", new byte[2]));
        PickleException e = failure(zip);
        assertThat(e.entry()).isEqualTo("same");
        assertThat(e.getMessage()).contains("twice").contains("ambiguous");
    }

    @Test
    void badLocalSignature() {
        RawZip.Entry e = RawZip.stored("a", new byte[4]);
        e.localSignature = 0x12345678;
        assertThat(failure(RawZip.build(e)).getMessage()).contains("bad local header signature 0x12345678")
                .contains("offset 0");
    }

    @Test
    void mismatchedLocalName() {
        RawZip.Entry e = RawZip.stored("a/one", new byte[4]);
        e.localName = "a/two";
        PickleException ex = failure(RawZip.build(e));
        assertThat(ex.entry()).isEqualTo("a/one");
        assertThat(ex.getMessage()).contains("names a different entry: a/two");
    }

    @Test
    void localExtraPastTheEnd() {
        byte[] zip = RawZip.build(RawZip.stored("a", new byte[4]));
        putShort(zip, 28, 0xFFFF);
        assertThat(failure(zip).getMessage()).contains("past the end");
    }

    @Test
    void crcMismatch() throws IOException {
        RawZip.Entry e = RawZip.stored("a", new byte[] {1, 2, 3});
        e.crc ^= 1;
        byte[] zip = RawZip.build(e);
        assertThat(failure(zip).getMessage()).contains("CRC-32 mismatch");
        assertThat(ZipReader.of(ByteBuffer.wrap(zip)).read("a", false).remaining()).isEqualTo(3);
        RawZip.Entry d = RawZip.deflated("d", new byte[] {1, 2, 3});
        d.crc ^= 0x80000000L;
        assertThat(failure(RawZip.build(d)).getMessage()).contains("CRC-32 mismatch");
    }

    @Test
    void unsupportedMethodEncryptionAndMultiDisk() {
        RawZip.Entry bzip = RawZip.stored("b", new byte[4]);
        bzip.method = 12;
        assertThat(failure(RawZip.build(bzip)).getMessage()).contains("method 12");
        RawZip.Entry encrypted = RawZip.stored("e", new byte[4]);
        encrypted.flags |= 1;
        assertThat(failure(RawZip.build(encrypted)).getMessage()).contains("encrypted");
        byte[] zip = RawZip.build(RawZip.stored("a", new byte[4]));
        putShort(zip, RawZip.endOffset(zip) + 4, 1);
        assertThat(failure(zip).getMessage()).contains("multi-disk");
        RawZip.Entry storedSizes = RawZip.stored("s", new byte[4]);
        storedSizes.size = 3;
        assertThat(failure(RawZip.build(storedSizes)).getMessage()).contains("differs from its size");
    }

    @Test
    void nameFieldsOutOfBounds() {
        byte[] zip = RawZip.build(RawZip.stored("a", new byte[4]));
        int central = RawZip.centralOffset(zip);
        putShort(zip, central + 28, 0xFFFF);
        assertThat(failure(zip).getMessage()).contains("past the directory's end");
        zip = RawZip.build(RawZip.stored("a", new byte[4]));
        putShort(zip, central + 32, 0x100);
        assertThat(failure(zip).getMessage()).contains("comment of 256 bytes");
        zip = RawZip.build(RawZip.stored("\u00e9", new byte[4]));
        zip[RawZip.centralOffset(zip) + 46] = (byte) 0xFF;
        assertThat(failure(zip).getMessage()).contains("not valid UTF-8");
    }

    @Test
    void zip64ExtraFieldsThatLie() {
        // A size of 0xFFFFFFFF without a zip64 field is taken at face value, as Python's zipfile takes it.
        byte[] zip = RawZip.build(RawZip.stored("a", new byte[4]));
        putInt(zip, RawZip.centralOffset(zip) + 24, -1);
        assertThat(failure(zip).getMessage()).contains("differs from its size 4294967295");
        // The zip64 value present, but past 2^63.
        RawZip.Entry e = RawZip.deflated("z", new byte[4]);
        e.size = 1L << 40;
        byte[] big = RawZip.build(e);
        int extra = RawZip.centralOffset(big) + 46 + 1 + 4;
        ByteBuffer.wrap(big).order(ByteOrder.LITTLE_ENDIAN).putLong(extra, -5);
        assertThat(failure(big).getMessage()).contains("too large to be real");
        // An extra field whose length runs past the record's extra data.
        big = RawZip.build(e);
        putShort(big, extra - 2, 200);
        assertThat(failure(big).getMessage()).contains("runs past");
        // A zip64 field too short for the values the record saturates.
        big = RawZip.build(e);
        putShort(big, extra - 2, 4);
        assertThat(failure(big).getMessage()).contains("lacks the size");
    }

    @Test
    void zip64EndRecordsThatLie() throws IOException {
        Path file = dir.resolve("z64.zip");
        ZipRoundTripTest.writeSparseZip64(file);
        long size = Files.size(file);
        // The layout: ... zip64 end record (56), locator (20), end record (22).
        long locator = size - 22 - 20;
        long zip64End = locator - 56;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(zip64End);
            raf.writeInt(0x01020304);
        }
        assertThatThrownBy(() -> ZipReader.open(file)).isInstanceOf(PickleException.class)
                .hasMessageContaining("bad zip64 end record signature");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(locator + 8);
            raf.writeLong(-1L);
        }
        assertThatThrownBy(() -> ZipReader.open(file)).isInstanceOf(PickleException.class)
                .hasMessageContaining("too large to be real");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(locator + 8);
            raf.writeLong(Long.reverseBytes(size));
        }
        assertThatThrownBy(() -> ZipReader.open(file)).isInstanceOf(PickleException.class)
                .hasMessageContaining("leaves no room");
    }

    @Test
    void storedEntryTooLargeForOneBuffer() throws IOException {
        // A 3 GiB stored entry in a sparse file: listed with its size, refused when read.
        long size = 3L << 30;
        RawZip.Entry e = RawZip.stored("big", new byte[0]);
        byte[] header = Arrays.copyOf(RawZip.build(e), 30 + 3);
        e.size = size;
        e.compressedSize = size;
        byte[] central = RawZip.build(e);
        int cdStart = RawZip.centralOffset(central);
        byte[] tail = Arrays.copyOfRange(central, cdStart, central.length);
        long cdOffset = header.length + size;
        ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN).putInt(tail.length - 22 + 16, (int) cdOffset);
        Path file = dir.resolve("big.zip");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(header);
            raf.seek(cdOffset);
            raf.write(tail);
        }
        try (ZipReader reader = ZipReader.open(file)) {
            assertThat(reader.size("big")).isEqualTo(size);
            assertThatThrownBy(() -> reader.read("big")).isInstanceOf(PickleException.class)
                    .hasMessageContaining("more than one ByteBuffer can hold");
        }
    }

    @Test
    void errorsNameTheEntryOrTheArchive() {
        assertThat(failure(new byte[3]).getMessage()).startsWith("in zip: ");
        RawZip.Entry e = RawZip.stored("w/x", new byte[4]);
        e.localSignature = 0;
        assertThat(failure(RawZip.build(e)).getMessage()).startsWith("in w/x: ");
    }
}
