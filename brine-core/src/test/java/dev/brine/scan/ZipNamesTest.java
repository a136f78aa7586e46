package dev.brine.scan;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Entry names as Python's {@code zipfile} reads them (UTF-8 when an entry's flags say so, code page 437 otherwise),
 * and local and central names that differ only in bytes that are not UTF-8.
 */
class ZipNamesTest {
    private static final Scanner SCANNER = Scanner.create();
    private static final int UTF8 = 0x800;
    /** {@code os.system('id')} at protocol 2. */
    private static final byte[] EVIL = latin1("\u0080\u0002cos\nsystem\nX\u0002\u0000\u0000\u0000id\u0085R.");
    /** {@code None} at protocol 2. */
    private static final byte[] BENIGN = latin1("\u0080\u0002N.");

    @Test
    void codePage437IsCPythons() {
        byte[] utf8 = CPython.python3().check(new byte[0], "-c",
                "import sys; sys.stdout.buffer.write(bytes(range(256)).decode('cp437').encode('utf-8'))");
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(ZipArchive.decodeName(all, 0, all.length, 0)).isEqualTo(new String(utf8, StandardCharsets.UTF_8));
    }

    @Test
    void namesReadAsZipfileReadsThem() {
        // 0x82 is 'é' in code page 437; the same letter in UTF-8 is 0xC3 0xA9, read as such only under the flag.
        byte[] zip = zip(List.of(
                new Member(bytes(0x82, 'a', '.', 'p', 'k', 'l'), 0, EVIL),
                new Member(bytes(0xc3, 0xa9, 'b', '.', 'p', 'k', 'l'), UTF8, EVIL),
                new Member(bytes(0xc3, 0xa9, 'c', '.', 'p', 'k', 'l'), 0, EVIL)));
        String listed = new String(CPython.python3().check(zip, "-c", """
                import io, sys, zipfile
                names = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).namelist()
                sys.stdout.buffer.write('\\n'.join(names).encode('utf-8'))
                """), StandardCharsets.UTF_8);
        assertThat(listed.split("\n")).containsExactly("\u00e9a.pkl", "\u00e9b.pkl", "\u251c\u2310c.pkl");

        FileReport report = SCANNER.scan("x.zip", zip);
        assertThat(report.verdict()).isEqualTo(Verdict.DANGEROUS);
        for (String name : listed.split("\n")) {
            assertThat(report.findings()).as(name).anySatisfy(f -> assertThat(f.location()).isEqualTo(name + "#1"));
        }
        assertThat(report.findings()).noneSatisfy(f -> assertThat(f.kind()).isEqualTo("zip-mismatch"));
    }

    @Test
    void localAndCentralNamesThatAreNotUtf8AreComparedByTheirBytes() {
        // Both invalid UTF-8 under the flag: decoded with replacement, the two read alike ("a\uFFFD.pkl"), but a
        // reader that compares bytes (or decodes them otherwise) sees two names.
        Member member = new Member(bytes('a', 0xfe, '.', 'p', 'k', 'l'), UTF8, BENIGN);
        member.localName = bytes('a', 0xff, '.', 'p', 'k', 'l');
        FileReport report = SCANNER.scan("x.zip", zip(List.of(member)));
        assertThat(report.findings()).anySatisfy(f -> {
            assertThat(f.kind()).isEqualTo("zip-mismatch");
            assertThat(f.message()).contains("the local header names this entry with the bytes 61ff2e706b6c but the "
                    + "central directory with 61fe2e706b6c");
        });
        assertThat(report.verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void theSameBytesUnderDifferentFlagsAreTwoNames() {
        // zipfile decodes each header's name by its own flags, and refuses the archive when the two differ.
        Member member = new Member(bytes(0xc3, 0xa9, '.', 'p', 'k', 'l'), UTF8, BENIGN);
        member.localFlags = 0;
        byte[] zip = zip(List.of(member));
        CPython.Result python = CPython.python3().run(zip, "-c", """
                import io, sys, zipfile
                z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
                z.read(z.namelist()[0])
                """);
        assertThat(python.stderrText()).contains("differ");
        FileReport report = SCANNER.scan("x.zip", zip);
        assertThat(report.findings()).anySatisfy(f -> assertThat(f.kind()).isEqualTo("zip-mismatch"));
        assertThat(report.verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    /** A stored entry: its name's bytes in the central directory and (unless changed) in its local header. */
    private static final class Member {
        final byte[] name;
        final int flags;
        final byte[] data;
        byte[] localName;
        int localFlags;

        Member(byte[] name, int flags, byte[] data) {
            this.name = name;
            this.flags = flags;
            this.data = data;
            this.localName = name;
            this.localFlags = flags;
        }
    }

    /** A ZIP archive of stored entries, written field by field (APPNOTE 4.3.7, 4.3.12, 4.3.16). */
    private static byte[] zip(List<Member> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Member m : members) {
            CRC32 crc = new CRC32();
            crc.update(m.data);
            int offset = out.size();
            write(out, le(4, 0x04034b50), le(2, 20), le(2, m.localFlags), le(2, 0), le(2, 0), le(2, 0x21),
                    le(4, crc.getValue()), le(4, m.data.length), le(4, m.data.length), le(2, m.localName.length),
                    le(2, 0), m.localName, m.data);
            write(central, le(4, 0x02014b50), le(2, 20), le(2, 20), le(2, m.flags), le(2, 0), le(2, 0), le(2, 0x21),
                    le(4, crc.getValue()), le(4, m.data.length), le(4, m.data.length), le(2, m.name.length),
                    le(2, 0), le(2, 0), le(2, 0), le(2, 0), le(4, 0), le(4, offset), m.name);
        }
        int centralAt = out.size();
        write(out, central.toByteArray(), le(4, 0x06054b50), le(2, 0), le(2, 0), le(2, members.size()),
                le(2, members.size()), le(4, central.size()), le(4, centralAt), le(2, 0));
        return out.toByteArray();
    }

    private static byte[] le(int width, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        return java.util.Arrays.copyOf(b.array(), width);
    }

    private static void write(ByteArrayOutputStream out, byte[]... pieces) {
        for (byte[] piece : pieces) {
            out.writeBytes(piece);
        }
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
