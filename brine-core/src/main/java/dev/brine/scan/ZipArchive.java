package dev.brine.scan;

import dev.brine.internal.archive.ZipReader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A ZIP archive read both ways readers read one: through the central directory (Python's {@code zipfile}, torch's
 * reader) and through the local headers (streaming readers, some scanners). Every entry's local header is compared
 * with its central directory record, since a name or size that differs between the two lets one reader see a
 * pickle the other does not; local entries the directory does not list are reported and scanned too.
 */
final class ZipArchive {
    private static final int LOCAL = 0x04034b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int END = 0x06054b50;
    private static final int END64 = 0x06064b50;
    private static final int END64_LOCATOR = 0x07064b50;

    private final Scanner scanner;
    private final ScanSession session;
    private final byte[] data;
    private final String prefix;
    private boolean torch;
    /** How many bytes precede the archive (zipfile's "concat"): 0 for a file that starts with it. */
    private long base;
    /** pandas' read_pickle opens the only member of a zip whatever it is called. */
    private boolean onlyMember;

    ZipArchive(Scanner scanner, ScanSession session, byte[] data, String prefix) {
        this.scanner = scanner;
        this.session = session;
        this.data = data;
        this.prefix = prefix;
    }

    /**
     * One entry as the central directory describes it; its name's bytes are {@code data[nameAt..nameAt+nameLength)}.
     */
    private record Entry(String name, int nameAt, int nameLength, int method, long compressedSize, long size,
            long localOffset, int flags) {
    }

    /** The general purpose flag that says a name is UTF-8 (APPNOTE 4.4.4, bit 11). */
    private static final int UTF8_NAME = 0x800;

    /**
     * A name as Python's {@code zipfile} reads it: UTF-8 if the entry's flags say so, code page 437 otherwise. (An
     * invalid UTF-8 name makes zipfile fail; here it reads with replacement characters, and the local and central
     * names are compared by their bytes too.)
     */
    static String decodeName(byte[] data, int at, int length, int flags) {
        if ((flags & UTF8_NAME) != 0) {
            return new String(data, at, length, StandardCharsets.UTF_8);
        }
        return ZipReader.cp437(data, at, length);
    }

    String scan() {
        int end = findEnd();
        if (end < 0) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, 0, "",
                    "starts like a ZIP archive but has no end of central directory record"));
            return "zip";
        }
        long count = u16(end + 10);
        long cdSize = u32(end + 12);
        long cdOffset = u32(end + 16);
        // Python's zipfile takes bytes before the archive (a stub, another file) into account: the directory ends
        // where the end record starts, and every offset it records is shifted by the difference.
        long base = 0;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            // ZIP64: the real values are in the ZIP64 end record the locator points to (torch writes these).
            int locator = end - 20;
            if (locator >= 0 && u32(locator) == END64_LOCATOR) {
                long end64 = u64(locator + 8);
                if (end64 >= 0 && end64 + 56 <= data.length && u32((int) end64) == END64) {
                    count = u64((int) end64 + 32);
                    cdSize = u64((int) end64 + 40);
                    cdOffset = u64((int) end64 + 48);
                }
            }
        }
        // A ZIP64 end record and its locator (56 and 20 bytes) sit between the directory and the end record.
        long trailer = end >= 20 && u32(end - 20) == END64_LOCATOR ? 76 : 0;
        if (cdSize >= 0 && cdOffset >= 0 && end - trailer - cdSize - cdOffset > 0) {
            base = end - trailer - cdSize - cdOffset;
        }
        this.base = base;
        List<Entry> entries = new ArrayList<>();
        long p = cdOffset + base;
        for (long i = 0; i < count; i++) {
            if (p < 0 || p + 46 > data.length || u32((int) p) != CENTRAL) {
                session.add(new Finding(Verdict.SUSPICIOUS, "zip-mismatch", prefix, p, "",
                        "the central directory is broken at entry " + i + " of " + count));
                break;
            }
            int at = (int) p;
            int nameLength = u16(at + 28);
            int extraLength = u16(at + 30);
            int commentLength = u16(at + 32);
            if (at + 46L + nameLength + extraLength > data.length) {
                break;
            }
            String name = decodeName(data, at + 46, nameLength, u16(at + 8));
            long compressed = u32(at + 20);
            long size = u32(at + 24);
            long local = u32(at + 42);
            // ZIP64 extra field: the 0xffffffff values follow in order, size, compressed size, local offset.
            int e = at + 46 + nameLength;
            int extraEnd = e + extraLength;
            while (e + 4 <= extraEnd) {
                int id = u16(e);
                int len = u16(e + 2);
                if (id == 1) {
                    int q = e + 4;
                    if (size == 0xffffffffL && q + 8 <= e + 4 + len) {
                        size = u64(q);
                        q += 8;
                    }
                    if (compressed == 0xffffffffL && q + 8 <= e + 4 + len) {
                        compressed = u64(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL && q + 8 <= e + 4 + len) {
                        local = u64(q);
                    }
                }
                e += 4 + len;
            }
            entries.add(new Entry(name, at + 46, nameLength, u16(at + 10), compressed, size, local + base,
                    u16(at + 8)));
            if (name.endsWith("data.pkl")) {
                torch = true;
            }
            p = at + 46L + nameLength + extraLength + commentLength;
        }
        BitSet covered = new BitSet(data.length);
        onlyMember = entries.size() == 1 && !torch;
        for (Entry entry : entries) {
            scanEntry(entry, covered);
        }
        hiddenLocals(covered, entries);
        return torch ? "torch-zip" : "zip";
    }

    private void scanEntry(Entry entry, BitSet covered) {
        String where = prefix + entry.name();
        long at = entry.localOffset();
        if (at < 0 || at + 30 > data.length || u32((int) at) != LOCAL) {
            session.add(new Finding(Verdict.SUSPICIOUS, "zip-mismatch", where, at, "",
                    "the central directory points to no local header for this entry"));
            return;
        }
        int h = (int) at;
        int method = u16(h + 8);
        int nameLength = u16(h + 26);
        int extraLength = u16(h + 28);
        if (h + 30L + nameLength + extraLength > data.length) {
            session.add(new Finding(Verdict.SUSPICIOUS, "zip-mismatch", where, at, "", "truncated local header"));
            return;
        }
        String localName = decodeName(data, h + 30, nameLength, u16(h + 6));
        long dataStart = h + 30L + nameLength + extraLength;
        // By their bytes as well: two names that are not valid UTF-8 may read alike and still differ for a reader
        // that compares bytes, and by their text, since zipfile compares the names as it decodes them.
        if (!localName.equals(entry.name()) || !java.util.Arrays.equals(data, h + 30, h + 30 + nameLength, data,
                entry.nameAt(), entry.nameAt() + entry.nameLength())) {
            boolean sameText = localName.equals(entry.name());
            session.add(new Finding(Verdict.DANGEROUS, "zip-mismatch", where, at, "",
                    "the local header names this entry " + (sameText ? "with the bytes " + hex(h + 30, nameLength)
                            : ScanReport.quote(localName)) + " but the central directory "
                            + (sameText ? "with " + hex(entry.nameAt(), entry.nameLength())
                                    : ScanReport.quote(entry.name()))
                            + ": readers that trust one or the other see different "
                            + "files, which only an archive built to evade a scanner does"));
        }
        if (method != entry.method()) {
            session.add(new Finding(Verdict.SUSPICIOUS, "zip-mismatch", where, at, "",
                    "the local header says compression method " + method + ", the central directory " + entry.method()));
        }
        long localCompressed = u32(h + 18);
        if ((entry.flags() & 8) == 0 && localCompressed != 0xffffffffL && localCompressed != entry.compressedSize()) {
            session.add(new Finding(Verdict.SUSPICIOUS, "zip-mismatch", where, at, "",
                    "the local header says " + localCompressed + " compressed bytes, the central directory "
                            + entry.compressedSize()));
        }
        long dataEnd = dataStart + entry.compressedSize();
        if (entry.compressedSize() < 0 || dataEnd > data.length) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", where, at, "", "entry data runs past the end"));
            return;
        }
        covered.set(h, (int) dataEnd);
        // A pickle under either name is scanned: each reader finds it by the name it trusts.
        String name = pickleName(entry.name()) ? entry.name() : localName;
        byte[] head = head(entry.method(), dataStart, entry.compressedSize());
        boolean pickleHead = head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5;
        // numpy opens an npz member by its content (the npy magic), whatever its name.
        boolean npyHead = head.length >= 6 && head[0] == (byte) 0x93 && head[1] == 'N' && head[2] == 'U'
                && head[3] == 'M' && head[4] == 'P' && head[5] == 'Y';
        boolean only = onlyMember && head.length > 0 && Scanner.isOpcode(head[0]);
        if (head.length == 0 && entry.compressedSize() > 0 && entry.method() != 0 && entry.method() != 8) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", where, at, "",
                    "compression method " + entry.method() + (entry.method() == 14 ? " (lzma)" : entry.method() == 12
                            ? " (bzip2)" : "") + ", which the scanner does not decompress; Python's zipfile does"));
            return;
        }
        if (!pickleName(name) && !name.toLowerCase(Locale.ROOT).endsWith(".npy") && !pickleHead && !npyHead
                && !only) {
            // Tensor storage and other data: not decompressed, since only a pickle can run anything.
            return;
        }
        byte[] content = content(entry.method(), dataStart, entry.compressedSize(), where);
        if (content != null) {
            scanner.scanEntry(session, name, content, where, only);
        }
    }

    /**
     * The first bytes (up to six) of an entry's data, inflating no more than those for a DEFLATE entry; empty for a
     * compression method the scanner does not read, or a broken stream.
     */
    private byte[] head(int method, long start, long length) {
        byte[] head = new byte[6];
        int n;
        if (method == 0) {
            n = (int) Math.min(6, Math.max(0, length));
            System.arraycopy(data, (int) start, head, 0, n);
        } else if (method == 8) {
            java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
            try {
                inflater.setInput(data, (int) start, (int) Math.min(length, 1 << 16));
                n = inflater.inflate(head);
            } catch (java.util.zip.DataFormatException e) {
                return new byte[0];
            } finally {
                inflater.end();
            }
        } else {
            return new byte[0];
        }
        return java.util.Arrays.copyOf(head, n);
    }

    private static boolean pickleName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".pkl") || lower.endsWith(".pickle");
    }

    private byte[] content(int method, long start, long length, String where) {
        if (length > scanner.maxFileBytes()) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", where, start, "", "entry too large to scan"));
            return null;
        }
        if (method == 0) {
            return java.util.Arrays.copyOfRange(data, (int) start, (int) (start + length));
        }
        if (method == 8) {
            return scanner.inflateRaw(session, where, data, (int) start, (int) length);
        }
        session.add(new Finding(Verdict.UNREADABLE, "unreadable", where, start, "",
                "compression method " + method + " is not supported by the scanner"));
        return null;
    }

    /** Local headers outside every listed entry: files a streaming reader sees and a directory reader does not. */
    private void hiddenLocals(BitSet covered, List<Entry> entries) {
        for (int i = 0; i + 30 <= data.length; i++) {
            if (data[i] != 'P' || covered.get(i) || u32(i) != LOCAL) {
                continue;
            }
            int nameLength = u16(i + 26);
            int extraLength = u16(i + 28);
            if (i + 30L + nameLength + extraLength > data.length) {
                continue;
            }
            String name = decodeName(data, i + 30, nameLength, u16(i + 6));
            long compressed = u32(i + 18);
            int method = u16(i + 8);
            long start = i + 30L + nameLength + extraLength;
            if ((u16(i + 6) & 8) != 0 && compressed == 0 && method == 8) {
                // Sizes in a data descriptor after the data: a DEFLATE stream ends by itself, so inflate to its end.
                compressed = data.length - start;
            }
            session.add(new Finding(Verdict.SUSPICIOUS, "zip-mismatch", prefix + name, i, "",
                    "a local file entry the central directory does not list (" + entries.size() + " listed): "
                            + "streaming readers see it, directory readers do not"));
            if (start + compressed <= data.length) {
                covered.set(i, (int) (start + compressed));
                byte[] content = content(method, start, compressed, prefix + name);
                if (content != null) {
                    scanner.scanEntry(session, name, content, prefix + name, false);
                }
            }
        }
    }

    /** {@code data[at..at+length)} in hex, two digits a byte. */
    private String hex(int at, int length) {
        StringBuilder b = new StringBuilder(2 * length);
        for (int i = at; i < at + length; i++) {
            b.append(Character.forDigit((data[i] >> 4) & 0xf, 16)).append(Character.forDigit(data[i] & 0xf, 16));
        }
        return b.toString();
    }

    private int findEnd() {
        return findEnd(data);
    }

    /** The last end of central directory record, searched where zipfile searches (a comment is at most 64 KiB). */
    private static int findEnd(byte[] data) {
        for (int i = data.length - 22; i >= Math.max(0, data.length - 22 - 65535); i--) {
            if (data[i] == 'P' && data[i + 1] == 'K' && data[i + 2] == 5 && data[i + 3] == 6) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether data that does not start with a ZIP signature ends with a ZIP archive Python's {@code zipfile} would
     * open: an end record whose central directory, shifted by the bytes before the archive, starts with a central
     * directory signature. pandas opens such a file with {@code zipfile} when its name ends {@code .zip}.
     */
    static boolean endsWithArchive(byte[] data) {
        int end = findEnd(data);
        if (end < 0) {
            return false;
        }
        ZipArchive probe = new ZipArchive(null, null, data, "");
        long count = probe.u16(end + 10);
        long cdSize = probe.u32(end + 12);
        long cdOffset = probe.u32(end + 16);
        long cd = end - cdSize - (end >= 20 && probe.u32(end - 20) == END64_LOCATOR ? 76 : 0);
        if (count == 0 || cdSize < 46 || cdOffset < 0 || cd < 0 || cd > end) {
            return false;
        }
        return probe.u32((int) cd) == CENTRAL;
    }

    private int u16(int at) {
        return (data[at] & 0xff) | (data[at + 1] & 0xff) << 8;
    }

    private long u32(int at) {
        if (at < 0 || at + 4 > data.length) {
            return -1;
        }
        return (data[at] & 0xffL) | (data[at + 1] & 0xffL) << 8 | (data[at + 2] & 0xffL) << 16
                | (data[at + 3] & 0xffL) << 24;
    }

    private long u64(int at) {
        if (at < 0 || at + 8 > data.length) {
            return -1;
        }
        return u32(at) | u32(at + 4) << 32;
    }
}
