package dev.brine.internal.archive;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32;

import static dev.brine.internal.archive.ZipReader.CENTRAL_HEADER_SIZE;
import static dev.brine.internal.archive.ZipReader.CENTRAL_SIG;
import static dev.brine.internal.archive.ZipReader.END_SIG;
import static dev.brine.internal.archive.ZipReader.END_SIZE;
import static dev.brine.internal.archive.ZipReader.LOCAL_HEADER_SIZE;
import static dev.brine.internal.archive.ZipReader.LOCAL_SIG;
import static dev.brine.internal.archive.ZipReader.U16_MAX;
import static dev.brine.internal.archive.ZipReader.U32_MAX;
import static dev.brine.internal.archive.ZipReader.ZIP64_END_SIG;
import static dev.brine.internal.archive.ZipReader.ZIP64_END_SIZE;
import static dev.brine.internal.archive.ZipReader.ZIP64_EXTRA_ID;
import static dev.brine.internal.archive.ZipReader.ZIP64_LOCATOR_SIG;
import static dev.brine.internal.archive.ZipReader.ZIP64_LOCATOR_SIZE;

/**
 * Writes a ZIP archive the way {@code torch.save} does, to any output stream (it need not be seekable).
 *
 * <pre>{@code
 * try (ZipWriter zip = new ZipWriter(Files.newOutputStream(path))) {
 *     zip.putStored("model/data.pkl", pickle, 64);
 *     zip.putStored("model/data/0", storage, 64);
 * }
 * }</pre>
 *
 * <p>Every entry is stored (not compressed), with its UTF-8 name flagged as such, a fixed timestamp
 * (1980-01-01 00:00) so that the same entries always give the same bytes, and its sizes and CRC-32 in the local
 * header (no data descriptor). An extra field {@code "FB"} (id 0x4246) pads the local header so the data begins at
 * a multiple of the requested alignment, as PyTorch's writer pads it (with {@code 'Z'} bytes) so storages can be
 * memory-mapped. Zip64 records are written for entries whose local header lies at or beyond 4 GiB and, at the end,
 * when the central directory's offset, size or entry count needs them.
 *
 * <p>A writer is not safe for use from several threads.
 */
public final class ZipWriter implements Closeable {
    /** The padding extra field's id, the bytes {@code "FB"}, as PyTorch writes it. */
    static final int PADDING_EXTRA_ID = 0x4246;
    /** The largest alignment {@link #putStored} accepts: its padding must fit in the extra field. */
    public static final int MAX_ALIGNMENT = 32768;

    private static final int FLAG_UTF8 = 0x0800;
    private static final int VERSION_DEFAULT = 20;
    private static final int VERSION_ZIP64 = 45;
    /** MS-DOS date 1980-01-01 (year 0 from 1980, month 1, day 1); the time is 00:00:00. */
    private static final int DOS_DATE = (1 << 5) | 1;
    private static final int DOS_TIME = 0;

    private record Written(byte[] name, long crc, long size, long offset) {
        boolean zip64() {
            return offset >= U32_MAX || size >= U32_MAX;
        }
    }

    private final OutputStream out;
    private final List<Written> written = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private long position;
    private boolean closed;
    private byte[] copyBuffer;

    /** A writer to {@code out}, whose first byte written is the archive's offset 0. */
    public ZipWriter(OutputStream out) {
        this(out, 0);
    }

    /**
     * A writer to {@code out} whose first byte is at offset {@code startOffset} of the archive: the stream already
     * holds that many bytes (used by tests to reach zip64 offsets with a sparse file).
     */
    ZipWriter(OutputStream out, long startOffset) {
        this.out = Objects.requireNonNull(out, "out");
        this.position = startOffset;
    }

    /**
     * Writes an entry named {@code name} holding {@code data}'s remaining bytes, stored, with its data beginning at
     * an archive offset that is a multiple of {@code alignment} (PyTorch uses 64; 1 means no alignment). The
     * buffer's position is not changed.
     *
     * @throws IllegalArgumentException if the name is already in the archive, is longer than 65,535 bytes in UTF-8
     *                                  or is not valid Unicode, or if {@code alignment} is not in 1 to
     *                                  {@link #MAX_ALIGNMENT}
     * @throws IllegalStateException if the writer is closed
     * @throws IOException if the stream fails
     */
    public void putStored(String name, ByteBuffer data, int alignment) throws IOException {
        Objects.requireNonNull(data, "data");
        putStored(name, java.util.List.of(data), alignment);
    }

    /**
     * As {@link #putStored(String, ByteBuffer, int)}, for an entry whose bytes are the concatenation of
     * {@code data}'s remaining bytes: the way to write an entry over 2 GiB (a zip64 entry) from chunks. The
     * buffers' positions are not changed.
     *
     * @throws IllegalArgumentException as {@link #putStored(String, ByteBuffer, int)}
     * @throws IllegalStateException if the writer is closed
     * @throws IOException if the stream fails
     */
    public void putStored(String name, java.util.List<ByteBuffer> data, int alignment) throws IOException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        if (closed) {
            throw new IllegalStateException("the ZipWriter is closed");
        }
        if (alignment < 1 || alignment > MAX_ALIGNMENT) {
            throw new IllegalArgumentException("alignment must be from 1 to " + MAX_ALIGNMENT + ": " + alignment);
        }
        byte[] rawName = encodeName(name);
        if (names.contains(name)) {
            throw new IllegalArgumentException("the archive already has an entry named " + name);
        }
        CRC32 crc32 = new CRC32();
        long size = 0;
        for (ByteBuffer b : data) {
            crc32.update(b.duplicate());
            size += b.remaining();
        }
        Written entry = new Written(rawName, crc32.getValue(), size, position);

        // Zip64: both sizes in the local header's extra field, as the spec asks, and in the 32-bit fields 0xFFFFFFFF.
        int zip64Extra = entry.zip64() ? 4 + 16 : 0;
        long headerEnd = position + LOCAL_HEADER_SIZE + rawName.length + zip64Extra + 4;
        int padding = (int) ((alignment - headerEnd % alignment) % alignment);
        int extraLength = zip64Extra + 4 + padding;

        ByteBuffer header = ByteBuffer.allocate(LOCAL_HEADER_SIZE + rawName.length + extraLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(LOCAL_SIG)
                .putShort((short) (entry.zip64() ? VERSION_ZIP64 : VERSION_DEFAULT))
                .putShort((short) FLAG_UTF8)
                .putShort((short) 0)
                .putShort((short) DOS_TIME)
                .putShort((short) DOS_DATE)
                .putInt((int) entry.crc)
                .putInt((int) (entry.zip64() ? U32_MAX : entry.size))
                .putInt((int) (entry.zip64() ? U32_MAX : entry.size))
                .putShort((short) rawName.length)
                .putShort((short) extraLength)
                .put(rawName);
        if (entry.zip64()) {
            header.putShort((short) ZIP64_EXTRA_ID).putShort((short) 16).putLong(entry.size).putLong(entry.size);
        }
        header.putShort((short) PADDING_EXTRA_ID).putShort((short) padding);
        while (header.hasRemaining()) {
            header.put((byte) 'Z');
        }
        write(header.array(), header.array().length);
        for (ByteBuffer b : data) {
            writeData(b.duplicate());
        }
        names.add(name);
        written.add(entry);
    }

    /**
     * Writes the central directory and the end records (zip64 ones too when needed), then closes the stream.
     * Calling it again does nothing.
     *
     * @throws IOException if the stream fails
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (out) {
            long cdOffset = position;
            for (Written w : written) {
                writeCentralRecord(w);
            }
            long cdSize = position - cdOffset;
            long count = written.size();
            if (count >= U16_MAX || cdOffset >= U32_MAX || cdSize >= U32_MAX) {
                long zip64EndOffset = position;
                ByteBuffer z = ByteBuffer.allocate(ZIP64_END_SIZE + ZIP64_LOCATOR_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                z.putInt(ZIP64_END_SIG)
                        .putLong(ZIP64_END_SIZE - 12)
                        .putShort((short) VERSION_ZIP64)
                        .putShort((short) VERSION_ZIP64)
                        .putInt(0)
                        .putInt(0)
                        .putLong(count)
                        .putLong(count)
                        .putLong(cdSize)
                        .putLong(cdOffset);
                z.putInt(ZIP64_LOCATOR_SIG)
                        .putInt(0)
                        .putLong(zip64EndOffset)
                        .putInt(1);
                write(z.array(), z.array().length);
            }
            ByteBuffer end = ByteBuffer.allocate(END_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            end.putInt(END_SIG)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) Math.min(count, U16_MAX))
                    .putShort((short) Math.min(count, U16_MAX))
                    .putInt((int) Math.min(cdSize, U32_MAX))
                    .putInt((int) Math.min(cdOffset, U32_MAX))
                    .putShort((short) 0);
            write(end.array(), END_SIZE);
            out.flush();
        }
    }

    private void writeCentralRecord(Written w) throws IOException {
        boolean bigSize = w.size >= U32_MAX;
        boolean bigOffset = w.offset >= U32_MAX;
        // The zip64 extra field holds only the saturated values, in the spec's order: size, compressed, offset.
        int zip64Values = (bigSize ? 2 : 0) + (bigOffset ? 1 : 0);
        int extraLength = zip64Values == 0 ? 0 : 4 + 8 * zip64Values;
        int version = w.zip64() ? VERSION_ZIP64 : VERSION_DEFAULT;
        ByteBuffer r = ByteBuffer.allocate(CENTRAL_HEADER_SIZE + w.name.length + extraLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(CENTRAL_SIG)
                .putShort((short) version)
                .putShort((short) version)
                .putShort((short) FLAG_UTF8)
                .putShort((short) 0)
                .putShort((short) DOS_TIME)
                .putShort((short) DOS_DATE)
                .putInt((int) w.crc)
                .putInt((int) (bigSize ? U32_MAX : w.size))
                .putInt((int) (bigSize ? U32_MAX : w.size))
                .putShort((short) w.name.length)
                .putShort((short) extraLength)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0)
                .putInt(0)
                .putInt((int) (bigOffset ? U32_MAX : w.offset))
                .put(w.name);
        if (zip64Values > 0) {
            r.putShort((short) ZIP64_EXTRA_ID).putShort((short) (8 * zip64Values));
            if (bigSize) {
                r.putLong(w.size).putLong(w.size);
            }
            if (bigOffset) {
                r.putLong(w.offset);
            }
        }
        write(r.array(), r.array().length);
    }

    private static byte[] encodeName(String name) {
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(name));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the entry name is not valid Unicode (an unpaired surrogate): "
                    + name, e);
        }
        if (encoded.remaining() > U16_MAX) {
            throw new IllegalArgumentException("the entry name is " + encoded.remaining()
                    + " bytes in UTF-8, more than a zip name can hold (65535)");
        }
        byte[] raw = new byte[encoded.remaining()];
        encoded.get(raw);
        return raw;
    }

    private void writeData(ByteBuffer data) throws IOException {
        if (data.hasArray()) {
            out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
            position += data.remaining();
            return;
        }
        if (copyBuffer == null) {
            copyBuffer = new byte[64 * 1024];
        }
        while (data.hasRemaining()) {
            int n = Math.min(copyBuffer.length, data.remaining());
            data.get(copyBuffer, 0, n);
            write(copyBuffer, n);
        }
    }

    private void write(byte[] bytes, int length) throws IOException {
        out.write(bytes, 0, length);
        position += length;
    }
}
