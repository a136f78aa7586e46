package dev.brine.scan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the scanner cannot fully read is never SAFE, and a folder scan skips no file a loader would read. */
class FailClosedTest {
    /** {@code os.system('id')} at protocol 2. */
    private static byte[] payload() {
        return ("\u0080\u0002cos\nsystem\nX\u0002\u0000\u0000\u0000id\u0085R.").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aScanThatRunsOutOfBudgetIsUnreadableNotSafe() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        out.write(']');
        for (int i = 0; i < 100; i++) {
            out.write('N');
            out.write('a');   // APPEND
        }
        out.write('.');
        byte[] data = out.toByteArray();
        assertThat(Scanner.create().scan("t.pkl", data).verdict()).isEqualTo(Verdict.SAFE);
        FileReport r = Scanner.builder().maxSteps(50).build().scan("t.pkl", data);
        assertThat(r.verdict()).isEqualTo(Verdict.UNREADABLE);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.message()).contains("scan budget"));
    }

    @Test
    void aFolderScanReadsContainersWhateverTheirName(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(payload());
            z.closeEntry();
        }
        Files.write(dir.resolve("model.weights"), zip.toByteArray());   // torch.load reads it by content
        Files.writeString(dir.resolve("README.md"), "# a model\n");
        List<Path> seen = new ArrayList<>();
        ScanReport report = Scanner.create().scan(List.of(dir), new Scanner.Listener() {
            @Override
            public void starting(int index, int total, Path file, long bytes) {
                assertThat(total).isEqualTo(1);
                seen.add(file);
            }
        });
        assertThat(seen).containsExactly(dir.resolve("model.weights"));
        assertThat(report.verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void anUnreadablePathIsReportedNeverSkipped(@TempDir Path dir) {
        ScanReport r = Scanner.create().scan(List.of(dir.resolve("missing.pt")));
        assertThat(r.verdict()).isEqualTo(Verdict.UNREADABLE);
        assertThat(r.exitCode()).isEqualTo(3);
    }

    @Test
    void aLargeFileReportsItsReadingAndIsScannedWhole(@TempDir Path dir) throws IOException {
        int n = 17 << 20;
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 16);
        out.write(0x80);
        out.write(3);
        out.write('B');   // BINBYTES, a little-endian length, then the bytes
        out.write(n & 0xff);
        out.write((n >>> 8) & 0xff);
        out.write((n >>> 16) & 0xff);
        out.write(n >>> 24);
        out.write(new byte[n], 0, n);
        out.writeBytes(payload());   // after the first pickle, a second one that runs code
        Path big = Files.write(dir.resolve("big.pkl"), out.toByteArray());
        long size = Files.size(big);
        List<Long> done = new ArrayList<>();
        ScanReport r = Scanner.create().scan(List.of(big), new Scanner.Listener() {
            @Override
            public void reading(Path file, long read, long bytes) {
                assertThat(bytes).isEqualTo(size);
                done.add(read);
            }
        });
        assertThat(done).hasSizeGreaterThanOrEqualTo(3).isSorted().endsWith(size);
        assertThat(r.verdict()).as("the part read last is scanned too").isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void aCompressionBombIsStoppedAndUnreadable() throws IOException {
        // 64 MiB of zeros gzip to about 64 KiB; with the file limit at 16 MiB, inflating stops there.
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(packed)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                gz.write(zeros);
            }
        }
        Scanner scanner = Scanner.builder().maxFileBytes(16 << 20).build();
        FileReport r = scanner.scan("bomb.pkl.gz", packed.toByteArray());
        assertThat(r.verdict()).isEqualTo(Verdict.UNREADABLE);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f.message()).contains("compression bomb"));
        // Every layer and member of one file draws on one budget: 256 MiB, or 200 times the file if more, at most
        // the file limit.
        Scanner defaults = Scanner.create();
        assertThat(defaults.decompressionBudget(1 << 20)).isEqualTo(256L << 20);
        assertThat(defaults.decompressionBudget(4L << 20)).isEqualTo(800L << 20);
        assertThat(defaults.decompressionBudget(1L << 30)).isEqualTo(Integer.MAX_VALUE - 8);
        assertThat(scanner.decompressionBudget(1 << 20)).isEqualTo(16 << 20);
    }
}
