package dev.brine.scan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tar archive, read as Python's {@code tarfile} reads one, which is how two loaders open pickles: pandas'
 * {@code read_pickle} of a {@code .tar} (the only member, whatever it is called) and {@code torch.load}, which tries
 * tar before the legacy layout (members {@code sys_info}, {@code pickle}, {@code storages}, {@code tensors}).
 * {@link Scanner} checks for a tar header before reading a file as a pickle, as torch does, so that a tar whose
 * first member's name is a pickle (the legacy magic number, say) is not taken for one.
 */
final class TarArchive {
    private static final int BLOCK = 512;

    private final Scanner scanner;
    private final ScanSession session;
    private final byte[] data;
    private final String prefix;

    TarArchive(Scanner scanner, ScanSession session, byte[] data, String prefix) {
        this.scanner = scanner;
        this.session = session;
        this.data = data;
        this.prefix = prefix;
    }

    /**
     * Whether {@code data} starts with a tar header {@code tarfile} accepts: a header checksum that matches the
     * header's bytes, summed unsigned or signed, as tarfile checks it.
     */
    static boolean looksLikeTar(byte[] data) {
        if (data.length < BLOCK) {
            return false;
        }
        long stored = octal(data, 148, 8);
        if (stored < 0) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : data[i];
            unsigned += b & 0xff;
            signed += b;
        }
        return stored == unsigned || stored == signed;
    }

    /** One member: its name and where its data lies. */
    private record Member(String name, char type, int start, int size, int header) {
    }

    String scan() {
        List<Member> members = new ArrayList<>();
        int pos = 0;
        String longName = null;
        while (pos + BLOCK <= data.length) {
            if (isZeroBlock(pos)) {
                break;
            }
            long size = octal(data, pos + 124, 12);
            long stored = octal(data, pos + 148, 8);
            if (size < 0 || stored < 0) {
                session.add(new Finding(Verdict.SUSPICIOUS, "layout", prefix, pos, "",
                        "a tar header with a size or checksum tarfile cannot read; the archive is read no further"));
                break;
            }
            char type = (char) data[pos + 156];
            int start = pos + BLOCK;
            if (size > data.length - start) {
                session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, pos, "",
                        "tar member of " + size + " bytes runs past the end of the file"));
                break;
            }
            String name = longName != null ? longName : name(pos);
            longName = null;
            if (type == 'L') {
                longName = cString(start, (int) size);       // GNU: the next member's long name
            } else if (type == 'x') {
                longName = paxPath(start, (int) size);       // pax: a path= record names the next member
            } else if (type == '0' || type == '\0' || type == '7') {
                members.add(new Member(name, type, start, (int) size, pos));
            }
            pos = start + (int) ((size + BLOCK - 1) / BLOCK * BLOCK);
            if (pos < 0) {
                break;
            }
        }
        boolean torch = members.stream().anyMatch(m -> m.name().equals("pickle"))
                && members.stream().anyMatch(m -> m.name().equals("storages"));
        boolean only = members.size() == 1;
        for (Member m : members) {
            byte[] content = java.util.Arrays.copyOfRange(data, m.start(), m.start() + m.size());
            String where = prefix + m.name();
            if (torch && (m.name().equals("storages") || m.name().equals("tensors"))) {
                // Pickles interleaved with raw storage bytes: the first pickle is emulated, and what follows is
                // reported if it does not read as one (fail closed).
                scanner.scanEntry(session, m.name() + ".pkl", content, where, false);
            } else {
                scanner.scanEntry(session, torch ? m.name() + ".pkl" : m.name(), content, where, only);
            }
        }
        return torch ? "torch-tar" : "tar";
    }

    private boolean isZeroBlock(int pos) {
        for (int i = pos; i < pos + BLOCK; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The member name: ustar's prefix field, a slash, then the name field. */
    private String name(int pos) {
        String name = cString(pos, 100);
        if (data[pos + 257] == 'u' && data[pos + 258] == 's' && data[pos + 259] == 't' && data[pos + 260] == 'a'
                && data[pos + 261] == 'r') {
            String pre = cString(pos + 345, 155);
            if (!pre.isEmpty()) {
                name = pre + "/" + name;
            }
        }
        return name;
    }

    private String cString(int start, int max) {
        int end = start;
        while (end < start + max && end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, start, end - start, StandardCharsets.UTF_8);
    }

    /** The {@code path} of a pax extended header ({@code "LEN path=VALUE\n"} records), or null. */
    private String paxPath(int start, int size) {
        String text = new String(data, start, size, StandardCharsets.UTF_8);
        for (String record : text.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 6);
            }
        }
        return null;
    }

    /**
     * A tar number: octal digits between optional spaces and NULs, or GNU's base-256 form (high bit set); -1 if it
     * is neither.
     */
    static long octal(byte[] d, int at, int length) {
        if ((d[at] & 0x80) != 0) {
            long v = d[at] & 0x3f;
            for (int i = 1; i < length; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    return -1;
                }
                v = v << 8 | (d[at + i] & 0xff);
            }
            return (d[at] & 0x40) != 0 ? -1 : v;
        }
        int i = at;
        int end = at + length;
        while (i < end && (d[i] == ' ' || d[i] == 0)) {
            i++;
        }
        if (i == end) {
            return 0;
        }
        long v = 0;
        int digits = 0;
        while (i < end && d[i] >= '0' && d[i] <= '7') {
            v = v * 8 + (d[i] - '0');
            i++;
            digits++;
        }
        while (i < end && (d[i] == ' ' || d[i] == 0)) {
            i++;
        }
        return i == end && digits > 0 ? v : -1;
    }
}
