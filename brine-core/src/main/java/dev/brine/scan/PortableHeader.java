package dev.brine.scan;

import dev.brine.internal.Opcode;
import dev.brine.internal.PortableRuntime;
import dev.brine.internal.PortableRuntime.Section;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * Recognises the header Brine's portable mode puts before a pickle body. The header runs code by design (it
 * {@code exec}s Brine's Python runtime through a nested {@code _pickle.loads}), so it is trusted only when it is
 * byte for byte what {@link PortableRuntime#header(Set, int)} produces for the sections it names: the scanner reads
 * the section list, regenerates the expected bytes and compares. Any other byte, and the header is emulated like
 * any pickle, where its {@code _pickle.loads} and {@code builtins.exec} are DANGEROUS.
 */
final class PortableHeader {
    private static final byte[] INSTALL = ("c" + PortableRuntime.MODULE + "\n_install\n(")
            .getBytes(StandardCharsets.US_ASCII);

    private PortableHeader() {
    }

    /** Computed on first use, so scans that never meet a header never build one. */
    private static final class Prefix {
        static final int LENGTH = indexOf(PortableRuntime.header(EnumSet.of(Section.BASE), 2), INSTALL, 0,
                PortableRuntime.header(EnumSet.of(Section.BASE), 2).length);
    }

    /** A verified header: its length, the protocol its PROTO declares, and the runtime sections it installs. */
    record Match(int length, int protocol, Set<Section> sections) {
        String describe() {
            StringBuilder sb = new StringBuilder("portable header, protocol ").append(protocol).append(", sections");
            for (Section s : sections) {
                sb.append(' ').append(s.pythonName());
            }
            return sb.toString();
        }
    }

    /** The verified header starting at {@code start}, or null if there is none or it differs in any byte. */
    static Match match(byte[] data, int start, int limit) {
        if (limit - start < 3 || (data[start] & 0xff) != Opcode.PROTO.code()
                || !PickleEmulator.startsWithPickleLoads(data, start + 2, limit)) {
            return null;
        }
        int protocol = data[start + 1] & 0xff;
        if (protocol > 5) {
            return null;
        }
        // Everything before the section list is the same for every section set: the install call sits at a fixed
        // distance from the start, so no search (which a file of many tiny pickles could make quadratic).
        int at = start + Prefix.LENGTH;
        if (at + INSTALL.length > limit || indexOf(data, INSTALL, at, at + INSTALL.length) != at) {
            return null;
        }
        // The section list: (name, version) pairs as BINUNICODE name, BININT1 version, TUPLE2, up to TUPLE.
        Set<Section> sections = EnumSet.noneOf(Section.class);
        int p = at + INSTALL.length;
        while (p + 5 <= limit && (data[p] & 0xff) == Opcode.BINUNICODE.code()) {
            int len = (data[p + 1] & 0xff) | (data[p + 2] & 0xff) << 8 | (data[p + 3] & 0xff) << 16
                    | (data[p + 4] & 0xff) << 24;
            if (len < 0 || len > 64 || p + 5 + len > limit) {
                return null;
            }
            String name = new String(data, p + 5, len, StandardCharsets.UTF_8);
            Section section = null;
            for (Section s : Section.values()) {
                if (s.pythonName().equals(name)) {
                    section = s;
                }
            }
            if (section == null) {
                return null;
            }
            sections.add(section);
            p += 5 + len + 3;
        }
        if (sections.isEmpty()) {
            return null;
        }
        byte[] expected = PortableRuntime.header(sections, protocol);
        if (limit - start < expected.length) {
            return null;
        }
        for (int i = 0; i < expected.length; i++) {
            if (data[start + i] != expected[i]) {
                return null;
            }
        }
        return new Match(expected.length, protocol, sections);
    }

    /**
     * The verdict for a name in Brine's runtime module, after a verified header: the class registry and rebuilders
     * are data; {@code function} compiles Python source the stream carries, and {@code importable} imports by name.
     */
    static Verdict judgeRuntimeName(String name) {
        switch (name) {
            case "cls": case "boot": case "zone": case "as_array": case "as_ndarray": case "importable":
                return Verdict.SAFE;
            default:
                return name.startsWith("_make_") ? Verdict.SAFE : Verdict.SUSPICIOUS;
        }
    }

    private static int indexOf(byte[] data, byte[] needle, int from, int limit) {
        outer:
        for (int i = from; i <= limit - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
