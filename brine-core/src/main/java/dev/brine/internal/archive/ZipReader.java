package dev.brine.internal.archive;

import dev.brine.PickleException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a ZIP archive such as a PyTorch checkpoint, from a file or from memory.
 *
 * <pre>{@code
 * try (ZipReader zip = ZipReader.open(Path.of("model.pt"))) {
 *     ByteBuffer pickle = zip.read("model/data.pkl");
 * }
 * }</pre>
 *
 * <p>The central directory is read once, when the archive is opened; it is the truth about every entry, as in
 * Python's {@code zipfile} and in miniz, which {@code torch.load} uses. An entry's local header is read only when
 * the entry is, to find where its data begins. A stored entry of a file is returned as a read-only memory map of
 * just its bytes, never copied; a deflated entry is inflated onto the heap, up to {@code maxInflatedBytes}.
 *
 * <p>Every malformed archive (truncated, with a corrupt header, a size past the end of the file, a duplicate name,
 * a wrong CRC-32) ends in a {@link PickleException} whose {@link PickleException#entry() entry} is the entry's
 * name, or {@code "zip"} / {@code "zip central directory"} for the archive as a whole. Multi-disk archives,
 * encrypted entries and compression methods other than stored (0) and deflated (8) are refused.
 *
 * <p>After opening, a reader is safe to use from several threads at once.
 */
public final class ZipReader implements Closeable {
    /** The largest Java array most VMs allocate. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** The default limit on the declared size of one deflated entry. */
    public static final long DEFAULT_MAX_INFLATED_BYTES = MAX_ARRAY;

    static final int LOCAL_SIG = 0x04034b50;
    static final int CENTRAL_SIG = 0x02014b50;
    static final int END_SIG = 0x06054b50;
    static final int ZIP64_END_SIG = 0x06064b50;
    static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    static final int LOCAL_HEADER_SIZE = 30;
    static final int CENTRAL_HEADER_SIZE = 46;
    static final int END_SIZE = 22;
    static final int ZIP64_END_SIZE = 56;
    static final int ZIP64_LOCATOR_SIZE = 20;
    static final int ZIP64_EXTRA_ID = 0x0001;
    static final long U32_MAX = 0xFFFFFFFFL;
    static final int U16_MAX = 0xFFFF;
    private static final int MAX_COMMENT = 0xFFFF;
    /** Regions up to this size are read onto the heap; larger ones are mapped. */
    private static final int READ_THRESHOLD = 64 * 1024;

    private static final String ARCHIVE = "zip";
    private static final String DIRECTORY = "zip central directory";

    /** One central directory record: every value the reader trusts. */
    private record Entry(String name, byte[] rawName, int flags, int method, long crc, long compressedSize,
                         long size, long localHeaderOffset) {
    }

    private final FileChannel channel;
    /** The archive in memory (little-endian, read-only, position 0), or null when reading {@link #channel}. */
    private final ByteBuffer memory;
    private final long archiveSize;
    private final long maxInflatedBytes;
    private final Map<String, Entry> entries;
    private final List<String> names;

    private ZipReader(FileChannel channel, ByteBuffer memory, long archiveSize, long maxInflatedBytes) {
        this.channel = channel;
        this.memory = memory;
        this.archiveSize = archiveSize;
        this.maxInflatedBytes = maxInflatedBytes;
        this.entries = new HashMap<>();
        this.names = new ArrayList<>();
    }

    /**
     * Opens the archive in {@code file} and reads its central directory, with the default limit on inflated
     * entries ({@link #DEFAULT_MAX_INFLATED_BYTES}).
     *
     * @throws PickleException if the file is not a readable ZIP archive
     * @throws IOException if the file cannot be read
     */
    public static ZipReader open(Path file) throws IOException {
        return open(file, DEFAULT_MAX_INFLATED_BYTES);
    }

    /**
     * Opens the archive in {@code file} and reads its central directory; a deflated entry that declares more than
     * {@code maxInflatedBytes} bytes is refused when read.
     *
     * @throws PickleException if the file is not a readable ZIP archive
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if {@code maxInflatedBytes} is negative
     */
    public static ZipReader open(Path file, long maxInflatedBytes) throws IOException {
        checkLimit(maxInflatedBytes);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            ZipReader reader = new ZipReader(channel, null, channel.size(), maxInflatedBytes);
            reader.readCentralDirectory();
            return reader;
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Reads the archive held in {@code data}'s remaining bytes (offsets count from its position), with the default
     * limit on inflated entries. The buffer's position and limit are not changed; its contents must not change
     * while the reader and the buffers it returned are in use.
     *
     * @throws PickleException if the bytes are not a readable ZIP archive
     */
    public static ZipReader of(ByteBuffer data) {
        return of(data, DEFAULT_MAX_INFLATED_BYTES);
    }

    /**
     * As {@link #of(ByteBuffer)}, refusing to inflate an entry that declares more than {@code maxInflatedBytes}.
     *
     * @throws PickleException if the bytes are not a readable ZIP archive
     * @throws IllegalArgumentException if {@code maxInflatedBytes} is negative
     */
    public static ZipReader of(ByteBuffer data, long maxInflatedBytes) {
        checkLimit(maxInflatedBytes);
        ByteBuffer memory = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ZipReader reader = new ZipReader(null, memory, memory.capacity(), maxInflatedBytes);
        try {
            reader.readCentralDirectory();
        } catch (IOException e) {
            // Only a channel throws IOException; a buffer never does.
            throw new IllegalStateException(e);
        }
        return reader;
    }

    private static void checkLimit(long maxInflatedBytes) {
        if (maxInflatedBytes < 0) {
            throw new IllegalArgumentException("maxInflatedBytes must not be negative: " + maxInflatedBytes);
        }
    }

    /** The names of the entries, in the order of the central directory; the list cannot be modified. */
    public List<String> names() {
        return Collections.unmodifiableList(names);
    }

    /** Whether the archive has an entry named {@code name}. */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * The uncompressed size in bytes of the entry {@code name}, as the central directory declares it.
     *
     * @throws PickleException if there is no such entry
     */
    public long size(String name) {
        return entry(name).size;
    }

    /**
     * The bytes of the entry {@code name}, after checking their CRC-32: a read-only buffer at position 0 whose
     * limit is the entry's size, in the default (big-endian) byte order. A stored entry of a file is a memory map
     * of its bytes, one of an in-memory archive a slice; a deflated entry is inflated onto the heap.
     *
     * @throws PickleException if there is no such entry, the entry is malformed, too large for one buffer, uses an
     *                         unsupported method, or its CRC-32 does not match
     * @throws IOException if the file cannot be read
     */
    public ByteBuffer read(String name) throws IOException {
        return read(name, true);
    }

    /**
     * As {@link #read(String)}, checking the CRC-32 of the bytes only when {@code verifyCrc} is true (checking
     * costs one pass over the bytes, which for a mapped entry also pages it in).
     *
     * @throws PickleException if there is no such entry, the entry is malformed, too large for one buffer, uses an
     *                         unsupported method, or (when checked) its CRC-32 does not match
     * @throws IOException if the file cannot be read
     */
    public ByteBuffer read(String name, boolean verifyCrc) throws IOException {
        Entry e = entry(name);
        if ((e.flags & 1) != 0) {
            throw PickleException.inEntry(name, "the entry is encrypted, which is not supported");
        }
        long dataOffset = dataOffset(e);
        if (e.compressedSize > archiveSize - dataOffset) {
            throw PickleException.inEntry(name, "the entry's " + e.compressedSize + " bytes of data at offset "
                    + dataOffset + " run past the end of the archive (" + archiveSize + " bytes)");
        }
        ByteBuffer bytes;
        if (e.method == 0) {
            if (e.compressedSize != e.size) {
                throw PickleException.inEntry(name, "the stored entry's compressed size " + e.compressedSize
                        + " differs from its size " + e.size);
            }
            if (e.size > Integer.MAX_VALUE) {
                throw PickleException.inEntry(name, "the entry has " + e.size + " bytes, more than one ByteBuffer"
                        + " can hold (" + Integer.MAX_VALUE + "); read it with readChunks");
            }
            bytes = region(dataOffset, e.size, true).order(ByteOrder.BIG_ENDIAN);
        } else if (e.method == 8) {
            bytes = inflate(e, dataOffset);
        } else {
            throw PickleException.inEntry(name, "compression method " + e.method
                    + " is not supported (only 0, stored, and 8, deflated)");
        }
        if (verifyCrc) {
            checkCrc(name, bytes, e.crc);
        }
        return bytes;
    }

    /**
     * The bytes of the entry {@code name} as consecutive read-only buffers (position 0, default big-endian
     * order), each exactly {@code chunkBytes} long but the last, which holds the rest (an empty entry gives one
     * empty buffer): the way to read a stored entry larger than one ByteBuffer (over 2 GiB, in a zip64 archive).
     * A stored entry of a file is mapped chunk by chunk, never copied; a deflated entry is inflated as by
     * {@link #read(String)} (so it must fit one buffer) and then sliced. The CRC-32 is checked over all chunks
     * when {@code verifyCrc} is true.
     *
     * @throws PickleException if there is no such entry, the entry is malformed, a deflated entry is too large for
     *                         one buffer, the method is unsupported, or (when checked) its CRC-32 does not match
     * @throws IllegalArgumentException if {@code chunkBytes} is not positive
     * @throws IOException if the file cannot be read
     */
    public List<ByteBuffer> readChunks(String name, int chunkBytes, boolean verifyCrc) throws IOException {
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException("chunkBytes must be positive: " + chunkBytes);
        }
        Entry e = entry(name);
        List<ByteBuffer> out = new ArrayList<>();
        if (e.method != 0 || e.size <= chunkBytes) {
            ByteBuffer whole = read(name, verifyCrc);
            int from = 0;
            do {
                int n = Math.min(chunkBytes, whole.limit() - from);
                out.add(whole.slice(from, n));
                from += n;
            } while (from < whole.limit());
            return out;
        }
        if ((e.flags & 1) != 0) {
            throw PickleException.inEntry(name, "the entry is encrypted, which is not supported");
        }
        long dataOffset = dataOffset(e);
        if (e.compressedSize != e.size) {
            throw PickleException.inEntry(name, "the stored entry's compressed size " + e.compressedSize
                    + " differs from its size " + e.size);
        }
        if (e.size > archiveSize - dataOffset) {
            throw PickleException.inEntry(name, "the entry's " + e.size + " bytes of data at offset "
                    + dataOffset + " run past the end of the archive (" + archiveSize + " bytes)");
        }
        for (long from = 0; from < e.size; from += chunkBytes) {
            long n = Math.min(chunkBytes, e.size - from);
            out.add(region(dataOffset + from, n, true).order(ByteOrder.BIG_ENDIAN).asReadOnlyBuffer());
        }
        if (verifyCrc) {
            checkCrc(name, out, e.crc);
        }
        return out;
    }

    /**
     * Checks that the concatenation of {@code chunks} (each position to limit) has the CRC-32 {@code crc}.
     *
     * @throws PickleException naming {@code name} if it does not
     */
    public static void checkCrc(String name, List<ByteBuffer> chunks, long crc) {
        CRC32 actual = new CRC32();
        long total = 0;
        for (ByteBuffer b : chunks) {
            total += b.remaining();
            actual.update(b.duplicate());
        }
        if (actual.getValue() != crc) {
            throw PickleException.inEntry(name, String.format(
                    "CRC-32 mismatch: the central directory says 0x%08x, the %d bytes give 0x%08x",
                    crc, total, actual.getValue()));
        }
    }

    /** The CRC-32 the central directory gives for entry {@code name}. */
    public long crc(String name) {
        return entry(name).crc;
    }

    /**
     * Checks that {@code bytes} (position to limit) have the CRC-32 {@code crc}, for a caller that read an entry
     * without checking it and checks on first use, as a lazily read torch storage does.
     *
     * @throws PickleException naming {@code name} if they do not
     */
    public static void checkCrc(String name, ByteBuffer bytes, long crc) {
        CRC32 actual = new CRC32();
        actual.update(bytes.duplicate());
        if (actual.getValue() != crc) {
            throw PickleException.inEntry(name, String.format(
                    "CRC-32 mismatch: the central directory says 0x%08x, the %d bytes give 0x%08x",
                    crc, bytes.remaining(), actual.getValue()));
        }
    }

    /** The absolute offset of the first byte of the data of entry {@code name}, from its local header. */
    long dataOffset(String name) throws IOException {
        return dataOffset(entry(name));
    }

    /** Closes the file, if any. Buffers already returned by {@link #read} stay valid. */
    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw PickleException.inEntry(name, "the archive has no entry of this name");
        }
        return e;
    }

    // ---- the end records and the central directory ----

    private void readCentralDirectory() throws IOException {
        if (archiveSize < END_SIZE) {
            throw PickleException.inEntry(ARCHIVE, "not a zip archive: " + archiveSize
                    + " bytes are too few for an end-of-central-directory record (" + END_SIZE + ")");
        }
        // The end record is the last 22 bytes unless a comment of up to 65,535 bytes follows it.
        int tailLength = (int) Math.min(archiveSize, END_SIZE + MAX_COMMENT);
        long tailStart = archiveSize - tailLength;
        ByteBuffer tail = region(tailStart, tailLength, false);
        int at = -1;
        for (int p = tailLength - END_SIZE; p >= 0; p--) {
            if (tail.getInt(p) == END_SIG && p + END_SIZE + u16(tail, p + 20) <= tailLength) {
                at = p;
                break;
            }
        }
        if (at < 0) {
            throw PickleException.inEntry(ARCHIVE, "not a zip archive: no end-of-central-directory record in the"
                    + " last " + tailLength + " bytes");
        }
        long endOffset = tailStart + at;
        int disk = u16(tail, at + 4);
        int cdDisk = u16(tail, at + 6);
        long diskEntries = u16(tail, at + 8);
        long count = u16(tail, at + 10);
        long cdSize = u32(tail, at + 12);
        long cdOffset = u32(tail, at + 16);
        long cdLimit = endOffset;

        // As Python's zipfile and miniz: a zip64 locator just before the end record means the zip64 end record
        // holds the real values. Without one, saturated 16- and 32-bit fields are taken at face value.
        if (endOffset >= ZIP64_LOCATOR_SIZE) {
            long locatorOffset = endOffset - ZIP64_LOCATOR_SIZE;
            ByteBuffer locator = region(locatorOffset, ZIP64_LOCATOR_SIZE, false);
            if (locator.getInt(0) == ZIP64_LOCATOR_SIG) {
                long zip64Disk = u32(locator, 4);
                long zip64EndOffset = u64(locator, 8, ARCHIVE, "zip64 end record offset", locatorOffset + 8);
                long disks = u32(locator, 16);
                if (zip64Disk != 0 || disks > 1) {
                    throw PickleException.inEntry(ARCHIVE, "multi-disk archives are not supported (zip64 locator"
                            + " at offset " + locatorOffset + " names " + disks + " disks)");
                }
                if (zip64EndOffset > locatorOffset - ZIP64_END_SIZE) {
                    throw PickleException.inEntry(ARCHIVE, "the zip64 end record offset " + zip64EndOffset
                            + " (from the locator at offset " + locatorOffset + ") leaves no room for the record");
                }
                ByteBuffer z = region(zip64EndOffset, ZIP64_END_SIZE, false);
                if (z.getInt(0) != ZIP64_END_SIG) {
                    throw PickleException.inEntry(ARCHIVE, String.format("bad zip64 end record signature 0x%08x"
                            + " at offset %d", z.getInt(0), zip64EndOffset));
                }
                long zDisk = u32(z, 16);
                long zCdDisk = u32(z, 20);
                if (zDisk != 0 || zCdDisk != 0) {
                    throw PickleException.inEntry(ARCHIVE, "multi-disk archives are not supported (zip64 end record"
                            + " at offset " + zip64EndOffset + " is on disk " + zDisk + ")");
                }
                disk = 0;
                cdDisk = 0;
                diskEntries = u64(z, 24, ARCHIVE, "zip64 entries on this disk", zip64EndOffset + 24);
                count = u64(z, 32, ARCHIVE, "zip64 entry count", zip64EndOffset + 32);
                cdSize = u64(z, 40, ARCHIVE, "zip64 central directory size", zip64EndOffset + 40);
                cdOffset = u64(z, 48, ARCHIVE, "zip64 central directory offset", zip64EndOffset + 48);
                cdLimit = zip64EndOffset;
            }
        }
        if (disk != 0 || cdDisk != 0 || diskEntries != count) {
            throw PickleException.inEntry(ARCHIVE, "multi-disk archives are not supported (end record at offset "
                    + endOffset + ": disk " + disk + ", central directory on disk " + cdDisk + ", "
                    + diskEntries + " of " + count + " entries on this disk)");
        }
        if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
            throw PickleException.inEntry(DIRECTORY, "the central directory of " + cdSize + " bytes at offset "
                    + cdOffset + " runs past the end records at offset " + cdLimit);
        }
        if (cdSize > Integer.MAX_VALUE) {
            throw PickleException.inEntry(DIRECTORY, "the central directory of " + cdSize
                    + " bytes is larger than this reader supports (" + Integer.MAX_VALUE + ")");
        }
        if (count > cdSize / CENTRAL_HEADER_SIZE) {
            throw PickleException.inEntry(DIRECTORY, "the end record declares " + count + " entries, more than "
                    + cdSize + " bytes of central directory can hold");
        }
        ByteBuffer cd = region(cdOffset, cdSize, false);
        int p = 0;
        for (long i = 0; i < count; i++) {
            p = readCentralRecord(cd, p, cdOffset, i);
        }
    }

    /** Reads central record {@code index} at {@code p} in {@code cd}; returns the position after it. */
    private int readCentralRecord(ByteBuffer cd, int p, long cdOffset, long index) {
        long at = cdOffset + p;
        int limit = cd.limit();
        if (limit - p < CENTRAL_HEADER_SIZE) {
            throw PickleException.inEntry(DIRECTORY, "central directory record " + index + " at offset " + at
                    + " is truncated: " + (limit - p) + " bytes left of the directory");
        }
        if (cd.getInt(p) != CENTRAL_SIG) {
            throw PickleException.inEntry(DIRECTORY, String.format("bad signature 0x%08x of central directory"
                    + " record %d at offset %d", cd.getInt(p), index, at));
        }
        int flags = u16(cd, p + 8);
        int method = u16(cd, p + 10);
        long crc = u32(cd, p + 16);
        long compressedSize = u32(cd, p + 20);
        long size = u32(cd, p + 24);
        int nameLength = u16(cd, p + 28);
        int extraLength = u16(cd, p + 30);
        int commentLength = u16(cd, p + 32);
        int diskStart = u16(cd, p + 34);
        long localOffset = u32(cd, p + 42);
        int nameStart = p + CENTRAL_HEADER_SIZE;
        if ((long) nameLength + extraLength + commentLength > limit - nameStart) {
            throw PickleException.inEntry(DIRECTORY, "central directory record " + index + " at offset " + at
                    + " declares a name of " + nameLength + ", an extra field of " + extraLength
                    + " and a comment of " + commentLength + " bytes, past the directory's end");
        }
        byte[] rawName = new byte[nameLength];
        cd.get(nameStart, rawName);
        String name = decodeName(rawName, (flags & 0x800) != 0, index, at);

        // The zip64 extra field holds, in this order, only the values saturated in the record.
        int extra = nameStart + nameLength;
        int extraEnd = extra + extraLength;
        while (extraEnd - extra >= 4) {
            int id = u16(cd, extra);
            int length = u16(cd, extra + 2);
            int body = extra + 4;
            if (length > extraEnd - body) {
                throw PickleException.inEntry(name, "extra field 0x" + Integer.toHexString(id) + " of "
                        + length + " bytes at offset " + (cdOffset + extra) + " runs past the record's extra data");
            }
            if (id == ZIP64_EXTRA_ID) {
                int q = body;
                int end = body + length;
                if (size == U32_MAX) {
                    size = zip64Value(cd, q, end, name, "size", cdOffset);
                    q += 8;
                }
                if (compressedSize == U32_MAX) {
                    compressedSize = zip64Value(cd, q, end, name, "compressed size", cdOffset);
                    q += 8;
                }
                if (localOffset == U32_MAX) {
                    localOffset = zip64Value(cd, q, end, name, "local header offset", cdOffset);
                    q += 8;
                }
                if (diskStart == U16_MAX) {
                    if (end - q < 4) {
                        throw PickleException.inEntry(name, "the zip64 extra field at offset "
                                + (cdOffset + extra) + " lacks the disk number");
                    }
                    diskStart = (int) Math.min(u32(cd, q), Integer.MAX_VALUE);
                }
            }
            extra = body + length;
        }
        if (diskStart != 0) {
            throw PickleException.inEntry(name, "multi-disk archives are not supported (the entry starts on disk "
                    + diskStart + ")");
        }
        if (localOffset > archiveSize - LOCAL_HEADER_SIZE) {
            throw PickleException.inEntry(name, "the local header offset " + localOffset
                    + " is past the end of the archive (" + archiveSize + " bytes)");
        }
        Entry entry = new Entry(name, rawName, flags, method, crc, compressedSize, size, localOffset);
        if (entries.putIfAbsent(name, entry) != null) {
            throw PickleException.inEntry(name, "the central directory names this entry twice (record " + index
                    + " at offset " + at + "), which makes the archive ambiguous");
        }
        names.add(name);
        return extraEnd + commentLength;
    }

    private static long zip64Value(ByteBuffer cd, int q, int end, String name, String what, long cdOffset) {
        if (end - q < 8) {
            throw PickleException.inEntry(name, "the zip64 extra field at offset " + (cdOffset + q)
                    + " lacks the " + what);
        }
        return u64(cd, q, name, "zip64 " + what, cdOffset + q);
    }

    private static String decodeName(byte[] raw, boolean utf8, long index, long at) {
        if (utf8) {
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                throw PickleException.inEntry(DIRECTORY, "the name of central directory record " + index
                        + " at offset " + at + " is flagged UTF-8 but is not valid UTF-8");
            }
        }
        return cp437(raw, 0, raw.length);
    }

    /**
     * {@code length} bytes from {@code at} as code page 437: how a ZIP name without the UTF-8 flag reads, as the
     * spec and Python's zipfile say (below 0x80 it is ASCII). The scanner reads names with it too.
     */
    public static String cp437(byte[] bytes, int at, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            int b = bytes[at + i] & 0xFF;
            chars[i] = b < 0x80 ? (char) b : CP437_HIGH.charAt(b - 0x80);
        }
        return new String(chars);
    }

    /** Code page 437, bytes 0x80 to 0xFF. */
    static final String CP437_HIGH =
            "\u00c7\u00fc\u00e9\u00e2\u00e4\u00e0\u00e5\u00e7\u00ea\u00eb\u00e8\u00ef\u00ee\u00ec\u00c4\u00c5"
            + "\u00c9\u00e6\u00c6\u00f4\u00f6\u00f2\u00fb\u00f9\u00ff\u00d6\u00dc\u00a2\u00a3\u00a5\u20a7\u0192"
            + "\u00e1\u00ed\u00f3\u00fa\u00f1\u00d1\u00aa\u00ba\u00bf\u2310\u00ac\u00bd\u00bc\u00a1\u00ab\u00bb"
            + "\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556\u2555\u2563\u2551\u2557\u255d\u255c\u255b\u2510"
            + "\u2514\u2534\u252c\u251c\u2500\u253c\u255e\u255f\u255a\u2554\u2569\u2566\u2560\u2550\u256c\u2567"
            + "\u2568\u2564\u2565\u2559\u2558\u2552\u2553\u256b\u256a\u2518\u250c\u2588\u2584\u258c\u2590\u2580"
            + "\u03b1\u00df\u0393\u03c0\u03a3\u03c3\u00b5\u03c4\u03a6\u0398\u03a9\u03b4\u221e\u03c6\u03b5\u2229"
            + "\u2261\u00b1\u2265\u2264\u2320\u2321\u00f7\u2248\u00b0\u2219\u00b7\u221a\u207f\u00b2\u25a0\u00a0";

    // ---- entries ----

    /** Where the entry's data begins, from its local header, whose signature and name are checked. */
    private long dataOffset(Entry e) throws IOException {
        ByteBuffer local = region(e.localHeaderOffset, LOCAL_HEADER_SIZE, false);
        if (local.getInt(0) != LOCAL_SIG) {
            throw PickleException.inEntry(e.name, String.format("bad local header signature 0x%08x at offset %d",
                    local.getInt(0), e.localHeaderOffset));
        }
        int nameLength = u16(local, 26);
        int extraLength = u16(local, 28);
        long nameOffset = e.localHeaderOffset + LOCAL_HEADER_SIZE;
        if ((long) nameLength + extraLength > archiveSize - nameOffset) {
            throw PickleException.inEntry(e.name, "the local header at offset " + e.localHeaderOffset
                    + " declares a name of " + nameLength + " and an extra field of " + extraLength
                    + " bytes, past the end of the archive");
        }
        ByteBuffer localName = region(nameOffset, nameLength, false);
        if (!localName.equals(ByteBuffer.wrap(e.rawName))) {
            byte[] raw = new byte[nameLength];
            localName.get(0, raw);
            throw PickleException.inEntry(e.name, "the local header at offset " + e.localHeaderOffset
                    + " names a different entry: " + new String(raw, StandardCharsets.UTF_8));
        }
        return nameOffset + nameLength + extraLength;
    }

    private ByteBuffer inflate(Entry e, long dataOffset) throws IOException {
        if (e.size > maxInflatedBytes) {
            throw PickleException.inEntry(e.name, "the deflated entry declares " + e.size + " bytes, more than"
                    + " the limit of " + maxInflatedBytes + " (the archive may be malicious; raise the limit with"
                    + " ZipReader.open(file, maxInflatedBytes) or ZipReader.of(buffer, maxInflatedBytes))");
        }
        if (e.size > MAX_ARRAY) {
            throw PickleException.inEntry(e.name, "the deflated entry declares " + e.size + " bytes, more than"
                    + " one Java array can hold (" + MAX_ARRAY + ")");
        }
        if (e.compressedSize > Integer.MAX_VALUE) {
            throw PickleException.inEntry(e.name, "the deflated entry's " + e.compressedSize
                    + " compressed bytes are more than this reader supports (" + Integer.MAX_VALUE + ")");
        }
        int declared = (int) e.size;
        ByteBuffer input = region(dataOffset, e.compressedSize, true);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(input);
            // Grow as bytes arrive rather than trusting the declared size: a few bytes may claim gigabytes.
            byte[] out = new byte[(int) Math.min(declared, Math.max(8192, Math.min(MAX_ARRAY / 4,
                    e.compressedSize * 4)))];
            int n = 0;
            while (!inflater.finished()) {
                long consumed = inflater.getBytesRead();
                int got;
                if (n == out.length) {
                    if (n < declared) {
                        out = Arrays.copyOf(out, (int) Math.min(declared, 2L * out.length));
                        continue;
                    }
                    got = inflater.inflate(new byte[1]);
                    if (got > 0) {
                        throw PickleException.inEntry(e.name, "the deflated data at offset " + dataOffset
                                + " inflates to more than the declared " + declared + " bytes");
                    }
                } else {
                    got = inflater.inflate(out, n, out.length - n);
                    n += got;
                }
                if (got == 0 && !inflater.finished()) {
                    if (inflater.needsDictionary()) {
                        throw PickleException.inEntry(e.name, "the deflated data at offset " + dataOffset
                                + " asks for a preset dictionary");
                    }
                    if (inflater.needsInput()) {
                        throw PickleException.inEntry(e.name, "the deflated data at offset " + dataOffset
                                + " ends early: " + e.compressedSize + " compressed bytes inflate to " + n
                                + " bytes, without the end of the stream");
                    }
                    if (inflater.getBytesRead() == consumed) {
                        // zlib always progresses while it has input and room; this guards against a hang if not.
                        throw PickleException.inEntry(e.name, "the deflated data at offset " + dataOffset
                                + " stops making progress after " + consumed + " compressed bytes");
                    }
                }
            }
            if (n != declared) {
                throw PickleException.inEntry(e.name, "the deflated data at offset " + dataOffset + " inflates to "
                        + n + " bytes, not the declared " + declared);
            }
            return ByteBuffer.wrap(out, 0, n).slice().asReadOnlyBuffer();
        } catch (DataFormatException ex) {
            throw PickleException.inEntry(e.name, "the deflated data at offset " + dataOffset + " is corrupt: "
                    + ex.getMessage());
        } finally {
            inflater.end();
        }
    }

    // ---- bytes of the archive ----

    /**
     * {@code length} bytes from {@code offset}, little-endian at position 0: a slice of the in-memory archive, or
     * from a file a heap copy of a small region or a read-only map ({@code map} forces a map, as for entry data).
     */
    private ByteBuffer region(long offset, long length, boolean map) throws IOException {
        if (offset < 0 || length < 0 || offset > archiveSize || length > archiveSize - offset
                || length > Integer.MAX_VALUE) {
            throw PickleException.inEntry(ARCHIVE, length + " bytes at offset " + offset
                    + " are outside the archive of " + archiveSize + " bytes");
        }
        if (memory != null) {
            return memory.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (map || length > READ_THRESHOLD) {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (channel.read(buf, offset + buf.position()) < 0) {
                throw PickleException.inEntry(ARCHIVE, "the file ended at offset " + (offset + buf.position())
                        + ", before the " + archiveSize + " bytes it had when opened");
            }
        }
        return buf.flip();
    }

    private static int u16(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at));
    }

    private static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    private static long u64(ByteBuffer b, int at, String entry, String what, long offset) {
        long v = b.getLong(at);
        if (v < 0) {
            throw PickleException.inEntry(entry, "the " + what + " at offset " + offset + " is "
                    + Long.toUnsignedString(v) + ", too large to be real");
        }
        return v;
    }

    @Override
    public String toString() {
        return "ZipReader[" + names.size() + " entries, " + archiveSize + " bytes]";
    }
}
