package dev.brine.tools;

import dev.brine.PickleException;
import dev.brine.testing.MlPython;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link FileDisassembler} against the real pickletools: {@code dis_artifacts.py} writes torch files (zip and
 * legacy) with torch 1.13 and joblib files (plain, zlib, gzip) with joblib 1.2, and beside each the listing
 * pickletools prints for it when the file is walked as torch or joblib reads it (see the script). The listings must
 * be equal line for line; and a file with bytes after what was read must fail after its listing.
 */
class FileDisassemblerTest {
    static Path fixtures;
    static List<Path> files;
    private static final FileDisassembler DIS = new FileDisassembler(Disassembler.create());

    @BeforeAll
    static void generate() throws IOException {
        MlPython python = MlPython.require("torch", "joblib", "sklearn", "numpy");
        fixtures = python.fixtures("dis_artifacts.py");
        try (Stream<Path> s = Files.list(fixtures)) {
            files = s.filter(p -> !p.getFileName().toString().endsWith(".dis")
                    && !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(15);
    }

    private static String listing(byte[] data) throws IOException {
        StringBuilder out = new StringBuilder();
        DIS.disassemble(data, out, null);
        return out.toString();
    }

    @Test
    void listsEveryTorchAndJoblibFileAsPickletoolsDoes() throws IOException {
        Map<FileDisassembler.Kind, Integer> perKind = new TreeMap<>();
        int blocks = 0;
        for (Path file : files) {
            byte[] data = Files.readAllBytes(file);
            String expected = Files.readString(file.resolveSibling(file.getFileName() + ".dis"),
                    StandardCharsets.UTF_8);
            assertThat(listing(data)).as(file.getFileName().toString()).isEqualTo(expected);
            perKind.merge(FileDisassembler.kind(data), 1, Integer::sum);
            blocks += (int) expected.lines().filter(l -> l.startsWith("# array data") || l.startsWith("# object"))
                    .count();
        }
        assertThat(perKind).containsKeys(FileDisassembler.Kind.TORCH_ZIP, FileDisassembler.Kind.TORCH_LEGACY,
                FileDisassembler.Kind.JOBLIB);
        assertThat(blocks).isGreaterThan(20);
        System.out.println("dis of torch/joblib files equal to pickletools: " + perKind + ", " + blocks
                + " array blocks");
    }

    private static Path fixture(String name) {
        return fixtures.resolve(name);
    }

    @Test
    void bytesAfterALegacyTorchFilesStoragesFailAfterTheListing() throws IOException {
        byte[] data = Files.readAllBytes(fixture("views.legacy.pt"));
        byte[] longer = Arrays.copyOf(data, data.length + 7);
        StringBuilder out = new StringBuilder();
        assertThatThrownBy(() -> DIS.disassemble(longer, out, null)).isInstanceOf(PickleException.class)
                .hasMessageContaining("7 bytes follow").hasMessageContaining("offset " + data.length);
        assertThat(out.toString()).contains("# pickle 5 of 5: storage keys");
    }

    @Test
    void bytesAfterAJoblibPickleFailInTheDecompressedStreamAndAfterTheCompressedOne() throws IOException {
        byte[] plain = Files.readAllBytes(fixture("arrays.none.joblib"));
        assertThatThrownBy(() -> listing(concat(plain, new byte[] {'.', '.'})))
                .isInstanceOf(PickleException.class).hasMessageContaining("2 bytes follow the joblib pickle's STOP")
                .hasMessageContaining("offset " + plain.length);

        byte[] zlib = Files.readAllBytes(fixture("arrays.zlib.joblib"));
        assertThatThrownBy(() -> listing(concat(zlib, new byte[] {1, 2, 3})))
                .isInstanceOf(PickleException.class).hasMessageContaining("3 bytes follow the zlib stream")
                .hasMessageContaining("offset " + zlib.length);
        byte[] gzip = Files.readAllBytes(fixture("arrays.gzip.joblib"));
        assertThatThrownBy(() -> listing(concat(gzip, new byte[] {9})))
                .isInstanceOf(PickleException.class).hasMessageContaining("1 bytes follow the gzip stream")
                .hasMessageContaining("offset " + gzip.length);

        // Inside the compressed stream: decompress, add bytes after STOP, compress again.
        byte[] inner;
        try (InflaterInputStream in = new InflaterInputStream(new java.io.ByteArrayInputStream(zlib))) {
            inner = in.readAllBytes();
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(again)) {
            z.write(concat(inner, new byte[] {'N', '.'}));
        }
        assertThatThrownBy(() -> listing(again.toByteArray())).isInstanceOf(PickleException.class)
                .hasMessageContaining("2 bytes follow the joblib pickle's STOP opcode, from offset " + inner.length
                        + " of the decompressed stream");
    }

    @Test
    void aTruncatedArrayBlockFailsNamingIt() throws IOException {
        byte[] plain = Files.readAllBytes(fixture("arrays.none.joblib"));
        String expected = Files.readString(fixture("arrays.none.joblib.dis"));
        String firstBlock = expected.lines().filter(l -> l.startsWith("# array data at ")).findFirst().orElseThrow();
        int start = Integer.parseInt(firstBlock.substring("# array data at ".length(), firstBlock.indexOf('-')));
        byte[] cut = Arrays.copyOf(plain, start + 5);
        assertThatThrownBy(() -> listing(cut)).isInstanceOf(PickleException.class)
                .hasMessageContaining("offset");
    }

    @Test
    void aTorchZipListsEachPickleRecordAndCountsTheOthers() throws IOException {
        String out = listing(Files.readAllBytes(fixture("state_dict.zip.pt")));
        assertThat(out.lines().filter(l -> l.startsWith("# record ")).toList())
                .containsExactly("# record state_dict.zip/data.pkl, "
                        + out.lines().filter(l -> l.startsWith("# record ")).findFirst().orElseThrow()
                        .replaceAll(".*, ", ""));
        assertThat(out).doesNotContain("$java");
    }

    @Test
    void aPlainPickleWithBytesAfterItsStopFails() {
        byte[] data = {(byte) 0x80, 4, 'K', 1, '.', 'x', 'y'};
        StringBuilder out = new StringBuilder();
        assertThatThrownBy(() -> DIS.disassemble(data, out, null)).isInstanceOf(PickleException.class)
                .hasMessageContaining("2 bytes follow the pickle's STOP opcode, from offset 5");
        assertThat(out.toString()).isEqualTo(Disassembler.create().disassemble(Arrays.copyOf(data, 5)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
