package dev.brine.scan;

import dev.brine.internal.portable.PortableRuntime;
import dev.brine.internal.portable.PortableRuntime.Section;
import dev.brine.portable.AlteredHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scanner's rules one at a time, on pickles written opcode by opcode (the corpus test covers what CPython and
 * numpy write).
 */
class ScannerTest {
    private static final Scanner SCANNER = Scanner.create();

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String) {
                out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
            } else if (p instanceof byte[]) {
                out.writeBytes((byte[]) p);
            } else if (p instanceof Character) {
                out.write((Character) p);
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }

    private static byte[] binunicode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return bytes('X', b.length, 0, 0, 0, b);
    }

    /** {@code module.name(arg)} at protocol 2. */
    private static byte[] call(String module, String name, String arg) {
        return bytes("c" + module + "\n" + name + "\n", binunicode(arg), 0x85, 'R');
    }

    private static FileReport scan(byte[] data) {
        return SCANNER.scan("test.pkl", data);
    }

    @Test
    void plainDataIsSafeWithNoFindings() {
        FileReport r = scan(bytes(0x80, 2, '}', binunicode("a"), 'K', 1, 's', '.'));
        assertThat(r.verdict()).isEqualTo(Verdict.SAFE);
        assertThat(r.findings()).isEmpty();
        assertThat(r.pickles()).isEqualTo(1);
    }

    @Test
    void aDangerousCallNamesTheCallAndItsOffset() {
        FileReport r = scan(bytes(0x80, 2, call("os", "system", "id"), '.'));
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo("call");
            assertThat(f.call()).isEqualTo("os.system('id')");
            assertThat(f.offset()).isEqualTo(2 + "cos\nsystem\n".length() + 7 + 1);
        });
    }

    @Test
    void anUnknownCallIsSuspiciousAndAnUnknownImportToo() {
        assertThat(scan(bytes(0x80, 2, call("mylib", "Thing", "x"), '.')).verdict()).isEqualTo(Verdict.SUSPICIOUS);
        FileReport imported = scan(bytes(0x80, 2, "cmylib\nThing\n", '.'));
        assertThat(imported.verdict()).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(imported.findings()).singleElement().satisfies(f -> assertThat(f.kind()).isEqualTo("import"));
    }

    @Test
    void aDangerousNameMerelyImportedIsDangerous() {
        assertThat(scan(bytes(0x80, 2, ']', "cos\nsystem\n", 'a', '.')).verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void compatRenamesApplyOnlyBelowProtocol3AndBothSpellingsAreJudged() {
        FileReport p2 = scan(bytes(0x80, 2, call("__builtin__", "set", "ab"), '.'));
        assertThat(p2.verdict()).isEqualTo(Verdict.SAFE);
        FileReport p2eval = scan(bytes(0x80, 2, call("__builtin__", "eval", "1"), '.'));
        assertThat(p2eval.findings()).anySatisfy(f -> assertThat(f.call()).isEqualTo("builtins.eval('1')"));
        // At protocol 3 no rename: Python 3 imports __builtin__ and fails, Python 2 runs eval. Still dangerous.
        assertThat(scan(bytes(0x80, 3, call("__builtin__", "eval", "1"), '.')).verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void findingsBeforeAParseErrorAreKeptAndTheErrorIsAFinding() {
        FileReport r = scan(bytes(0x80, 2, call("os", "system", "id"), 0xff));
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(r.findings()).extracting(Finding::kind).containsExactly("call", "parse-error");
        assertThat(r.findings().get(1).offset()).isEqualTo(r.findings().get(0).offset() + 1);
        assertThat(scan(bytes(0x80, 2, 'K')).findings()).extracting(Finding::kind).containsExactly("parse-error");
    }

    @Test
    void aStackMisuseIsReportedButTheScanGoesOn() {
        // APPEND with nothing below: CPython stops, a more lenient reader might not; the payload after still counts.
        FileReport r = scan(bytes(0x80, 2, 'a', call("os", "system", "id"), '.'));
        assertThat(r.findings()).extracting(Finding::kind).containsExactly("parse-error", "call");
    }

    @Test
    void buildOrSetitemOnAGlobalIsAMutation() {
        FileReport r = scan(bytes(0x80, 2, "cmylib\nCONFIG\n", '}', 'b', '.'));
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(r.findings()).singleElement().satisfies(f -> assertThat(f.kind()).isEqualTo("mutation"));
        FileReport s = scan(bytes(0x80, 2, "cmylib\nCONFIG\n", binunicode("k"), binunicode("v"), 's', '.'));
        assertThat(s.findings()).singleElement().satisfies(f -> assertThat(f.call()).isEqualTo("mylib.CONFIG.__setitem__('k', 'v')"));
    }

    @Test
    void aStackGlobalWithComputedNamesIsDangerous() {
        FileReport r = scan(bytes(0x80, 4, call("mylib", "f", "x"), binunicode("system"), 0x93, '.'));
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void trailingBytesThatAreNoPickleAreReported() {
        FileReport r = scan(bytes(0x80, 2, 'N', '.', 0x00, 0x01));
        assertThat(r.verdict()).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo("trailing-data");
            assertThat(f.offset()).isEqualTo(4);
        });
    }

    @Test
    void unreadableInputs() {
        assertThat(scan(new byte[0]).verdict()).isEqualTo(Verdict.UNREADABLE);
        assertThat(scan(bytes("{\"json\": 1}")).verdict()).isNotEqualTo(Verdict.SAFE);
        assertThat(scan(bytes(0x00, 0x01, 0x02)).verdict()).isEqualTo(Verdict.UNREADABLE);
        assertThat(scan(bytes("BZh91AY&SY")).verdict()).isEqualTo(Verdict.UNREADABLE);
        assertThat(SCANNER.scan(List.of(Path.of("/nonexistent/brine/file.pkl"))).exitCode()).isEqualTo(3);
    }

    @Test
    void aFloodOfFindingsIsCountedNotListed() {
        // 50,000 imports of an unknown name, then one of os.system: the list is capped, the verdict is not.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(0x80, 2, '('));
        for (int i = 0; i < 50_000; i++) {
            out.writeBytes(bytes("cmylib\nThing\n"));
        }
        out.writeBytes(bytes("cos\nsystem\n", '1', 'N', '.'));
        FileReport r = scan(out.toByteArray());
        assertThat(r.findings()).hasSizeLessThanOrEqualTo(ScanSession.MAX_FINDINGS + 1);
        assertThat(r.findings().get(r.findings().size() - 1).kind()).isEqualTo("omitted");
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void verdictsRankDangerousThenUnreadableThenSuspicious() {
        assertThat(Verdict.SUSPICIOUS.worst(Verdict.UNREADABLE)).isEqualTo(Verdict.UNREADABLE);
        assertThat(Verdict.UNREADABLE.worst(Verdict.DANGEROUS)).isEqualTo(Verdict.DANGEROUS);
        assertThat(Verdict.SAFE.worst(Verdict.SUSPICIOUS)).isEqualTo(Verdict.SUSPICIOUS);
        assertThat(List.of(Verdict.values())).extracting(Verdict::exitCode).containsExactly(0, 1, 2, 3);
    }

    // ---- Brine's portable header ----

    /** A body after the header: {@code _brine1.cls(('record', 'x.Point', 'Point', ('x',)))}. */
    private static byte[] portableBody() {
        return bytes("c_brine1\ncls\n", '(', binunicode("record"), binunicode("x.Point"), binunicode("Point"), '(',
                binunicode("x"), 't', 't', 0x85, 'R', '.');
    }

    @Test
    void brinesOwnPortableHeaderIsRecognisedByItsExactBytes() {
        for (EnumSet<Section> sections : List.of(EnumSet.of(Section.BASE), EnumSet.of(Section.RECORD, Section.ARRAY))) {
            for (int protocol = 2; protocol <= 5; protocol++) {
                FileReport r = scan(bytes(PortableRuntime.header(sections, protocol), portableBody()));
                assertThat(r.verdict()).as(sections + " at protocol " + protocol + ": " + r.findings())
                        .isEqualTo(Verdict.SAFE);
                assertThat(r.findings()).singleElement().satisfies(f -> assertThat(f.kind()).isEqualTo("portable-header"));
            }
        }
    }

    /** A Java record, for the Pickler's portable mode. */
    record Point(int x, String label) {
    }

    @Test
    void thePicklersPortableOutputIsSafeAndAFunctionInItIsNamed() {
        byte[] records = dev.brine.Pickler.builder().portable(true).build()
                .dumps(java.util.List.of(new Point(1, "a"), new int[] {1, 2, 3}, java.time.ZoneId.of("Europe/Paris")));
        FileReport r = scan(records);
        assertThat(r.verdict()).as(r.findings().toString()).isEqualTo(Verdict.SAFE);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.kind()).isEqualTo("portable-header"));
        // Flip one byte anywhere in the header and it is no longer Brine's.
        byte[] altered = records.clone();
        altered[40] ^= 1;
        assertThat(scan(altered).verdict()).isNotEqualTo(Verdict.SAFE);
    }

    @Test
    void anAlteredPortableHeaderIsNotTrusted() {
        byte[] header = PortableRuntime.header(EnumSet.of(Section.RECORD), 4);
        // Change one byte of the boot source the header execs: the header is now someone else's code.
        String text = new String(header, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("core_v = 1");
        assertThat(at).isPositive();
        header[at + "core_v = ".length()] = '2';
        FileReport r = scan(bytes(header, portableBody()));
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(r.findings()).noneMatch(f -> f.kind().equals("portable-header"));
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.call()).startsWith("_pickle.loads("));
        // And a verified header does not vouch for a runtime name it does not define.
        FileReport odd = scan(bytes(PortableRuntime.header(EnumSet.of(Section.BASE), 4), "c_brine1\n_install\n", '.'));
        assertThat(odd.verdict()).isEqualTo(Verdict.SUSPICIOUS);
    }

    /**
     * The scanner trusts a header by {@link PortableRuntime#recognize}, the one recogniser: a header whose section
     * list is reordered (boot.py would install one section's source under another's name) is not trusted, though
     * it names the same sections and carries the same bundle.
     */
    @Test
    void aPortableHeaderWithItsSectionsReorderedIsNotTrusted() {
        Set<Section> sections = EnumSet.of(Section.BASE, Section.RECORD);
        byte[] header = AlteredHeaders.assemble(4, List.of(Section.RECORD, Section.BASE),
                PortableRuntime.bundle(sections));
        FileReport r = scan(bytes(header, portableBody()));
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(r.findings()).noneMatch(f -> f.kind().equals("portable-header"));
    }

    /**
     * The same sources compressed at another zlib level run the same code in Python, so the header is still
     * Brine's: the scanner compares what the bundle decompresses to, not the compressed bytes (which another
     * JDK's zlib may write differently).
     */
    @Test
    void aPortableHeaderWithItsBundleRecompressedIsTrusted() {
        Set<Section> sections = EnumSet.of(Section.BASE, Section.RECORD);
        byte[] header = AlteredHeaders.assemble(4, List.copyOf(sections), AlteredHeaders.recompressed(sections, 1));
        assertThat(header).isNotEqualTo(PortableRuntime.header(sections, 4));
        FileReport r = scan(bytes(header, portableBody()));
        assertThat(r.verdict()).as(r.findings().toString()).isEqualTo(Verdict.SAFE);
        assertThat(r.findings()).singleElement().satisfies(f -> assertThat(f.kind()).isEqualTo("portable-header"));
    }

    // ---- Containers ----

    private static byte[] zip(String... namesAndContents) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(buf)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                z.putNextEntry(new ZipEntry(namesAndContents[i]));
                z.write(namesAndContents[i + 1].getBytes(StandardCharsets.ISO_8859_1));
                z.closeEntry();
            }
        }
        return buf.toByteArray();
    }

    @Test
    void zipEntriesArePickledScannedAndTheirHeadersCompared() throws IOException {
        String evil = new String(bytes(0x80, 2, call("os", "system", "id"), '.'), StandardCharsets.ISO_8859_1);
        FileReport r = SCANNER.scan("model.pt", zip("archive/data.pkl", evil, "archive/data/0", "\0\0\0\0"));
        assertThat(r.format()).isEqualTo("torch-zip");
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.location()).isEqualTo("archive/data.pkl#1"));

        // A pickle stored under an innocent name is still found by its first bytes.
        FileReport hidden = SCANNER.scan("x.zip", zip("readme.txt", evil));
        assertThat(hidden.verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void aLocalEntryTheCentralDirectoryDoesNotListIsFound() throws IOException {
        String evil = new String(bytes(0x80, 2, call("os", "system", "id"), '.'), StandardCharsets.ISO_8859_1);
        byte[] extra = zip("evil.pkl", evil);
        byte[] benign = zip("archive/data.pkl", new String(bytes(0x80, 2, 'N', '.'), StandardCharsets.ISO_8859_1));
        // Prepend the evil archive's local entry (everything before its central directory) to the benign archive;
        // the benign archive's offsets are then wrong, so shift nothing and expect both kinds of finding.
        int cd = new String(extra, StandardCharsets.ISO_8859_1).indexOf("PK\1\2");
        byte[] combined = bytes(java.util.Arrays.copyOf(extra, cd), benign);
        FileReport r = SCANNER.scan("x.pt", combined);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.message()).contains("does not list"));
        assertThat(r.verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void foldersAreWalkedAndJsonIsMachineReadable(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("a.pkl"), bytes(0x80, 2, 'N', '.'));
        Files.write(dir.resolve("b.pt"), bytes(0x80, 2, call("os", "system", "i\"d"), '.'));
        Files.writeString(dir.resolve("notes.txt"), "{not a pickle}");
        ScanReport report = SCANNER.scan(List.of(dir));
        assertThat(report.files()).extracting(f -> Path.of(f.path()).getFileName().toString()).containsExactly("a.pkl", "b.pt");
        assertThat(report.exitCode()).isEqualTo(2);
        String json = report.toJson();
        assertThat(json).startsWith("{\"verdict\":\"DANGEROUS\",\"exitCode\":2,\"files\":[");
        assertThat(json).contains("\"call\":\"os.system('i\\\"d')\"");
    }
}
