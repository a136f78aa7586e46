package dev.brine.security;

import dev.brine.PickleException;
import dev.brine.joblib.JoblibFile;
import dev.brine.testing.MlPython;
import dev.brine.torch.Tensor;
import dev.brine.torch.TorchFile;
import dev.brine.value.NDArray;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad torch and joblib files, one problem each, from issue #18's list: bytes after what was read, a storage shorter
 * than its tensor, a negative stride, an offset past the end, a key with no record, huge declared sizes, corrupt and
 * truncated archives and compressed streams. Each must end in a {@link PickleException} that names the part of the
 * file (entry or offset) and the problem, without allocating what a declared size asks for.
 */
class ContainerInputTest {
    // ---- torch zip archives crafted record by record ------------------------------------------------------------

    /**
     * The pickle {@code torch.save} writes for one float tensor, with every number chosen by the test: written with
     * text INT opcodes so that negative and huge values need no special encoding.
     */
    private static byte[] tensorPickle(String key, long numel, long offset, long[] shape, long[] stride) {
        StringBuilder p = new StringBuilder();
        p.append("\u0080\u0002ctorch._utils\n_rebuild_tensor_v2\n(");
        p.append("(X").append(len("storage")).append("storagectorch\nFloatStorage\nX").append(len(key)).append(key)
                .append("X").append(len("cpu")).append("cpu").append(intOp(numel)).append("tQ");
        p.append(intOp(offset)).append('(');
        for (long s : shape) {
            p.append(intOp(s));
        }
        p.append("t(");
        for (long s : stride) {
            p.append(intOp(s));
        }
        p.append("t\u0089ccollections\nOrderedDict\n)RtR.");
        return p.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String intOp(long v) {
        return "I" + v + "\n";
    }

    /** BINUNICODE's four-byte little-endian length, as characters. */
    private static String len(String s) {
        int n = s.length();
        return new String(new char[] {(char) (n & 0xff), (char) (n >> 8 & 0xff), 0, 0});
    }

    private static byte[] zip(Map<String, byte[]> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : records.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] checkpoint(byte[] pickle, byte[] storage) throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("archive/data.pkl", pickle);
        if (storage != null) {
            records.put("archive/data/0", storage);
        }
        records.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return zip(records);
    }

    private static Object readTorch(byte[] file) throws IOException {
        Object value = TorchFile.read(new ByteArrayInputStream(file));
        // Storages are read lazily: reading the values is part of reading the file.
        TorchFile.tensors(value).values().forEach(Tensor::toDoubleArray);
        return value;
    }

    private static void assertTorchFails(byte[] file, String entry, String... problem) {
        assertThatThrownBy(() -> readTorch(file)).isInstanceOf(PickleException.class)
                .satisfies(e -> assertThat(((PickleException) e).entry()).as(e.getMessage()).isEqualTo(entry))
                .satisfies(e -> assertThat(e.getMessage()).contains(problem));
    }

    private static final byte[] FOUR_FLOATS = new byte[16];

    @Test
    void aCraftedCheckpointReadsWhenNothingIsWrong() throws IOException {
        Object v = readTorch(checkpoint(tensorPickle("0", 4, 0, new long[] {2, 2}, new long[] {2, 1}), FOUR_FLOATS));
        assertThat(v).isInstanceOf(Tensor.class);
        assertThat(((Tensor) v).shape()).containsExactly(2, 2);
    }

    // A bad view names the storage record it is a view of.

    @Test
    void aNegativeStrideFailsNamingTheRecord() throws IOException {
        assertTorchFails(checkpoint(tensorPickle("0", 4, 0, new long[] {4}, new long[] {-1}), FOUR_FLOATS),
                "archive/data/0", "negative stride -1");
    }

    @Test
    void anOffsetPastTheEndOfTheStorageFails() throws IOException {
        assertTorchFails(checkpoint(tensorPickle("0", 4, 9, new long[] {2}, new long[] {1}), FOUR_FLOATS),
                "archive/data/0", "reaches element 10");
        assertTorchFails(checkpoint(tensorPickle("0", 4, -2, new long[] {2}, new long[] {1}), FOUR_FLOATS),
                "archive/data/0", "negative storage offset");
    }

    @Test
    void aStorageShorterThanItsTensorFailsNamingTheRecord() throws IOException {
        assertTorchFails(checkpoint(tensorPickle("0", 4, 0, new long[] {4}, new long[] {1}), new byte[12]),
                "archive/data/0", "the record has 12 bytes", "16 bytes");
        // A storage of the right size that the view overruns.
        assertTorchFails(checkpoint(tensorPickle("0", 4, 0, new long[] {5}, new long[] {1}), FOUR_FLOATS),
                "archive/data/0", "reaches element 4", "which has 4");
    }

    @Test
    void aKeyWithNoRecordFailsNamingTheMissingRecord() throws IOException {
        assertTorchFails(checkpoint(tensorPickle("7", 4, 0, new long[] {4}, new long[] {1}), FOUR_FLOATS),
                "archive/data/7", "no such record");
    }

    @Test
    void hugeDeclaredSizesFailBeforeAnythingIsAllocated() throws IOException {
        // numel * 4 bytes overflows a long.
        assertTorchFails(checkpoint(tensorPickle("0", Long.MAX_VALUE / 2, 0, new long[] {1}, new long[] {1}),
                FOUR_FLOATS), "archive/data.pkl", "declares " + Long.MAX_VALUE / 2 + " elements");
        // A large storage whose record is small.
        assertTorchFails(checkpoint(tensorPickle("0", 1L << 40, 0, new long[] {1}, new long[] {1}),
                FOUR_FLOATS), "archive/data/0", "the record has 16 bytes");
        // A shape whose element count overflows.
        assertTorchFails(checkpoint(tensorPickle("0", 4, 0, new long[] {1L << 40, 1L << 40}, new long[] {1, 1}),
                FOUR_FLOATS), "archive/data/0", "overflows");
    }

    @Test
    void aCorruptOrTruncatedArchiveFailsNamingTheRecordOrTheDirectory() throws IOException {
        byte[] good = checkpoint(tensorPickle("0", 4, 0, new long[] {4}, new long[] {1}), new byte[] {
            0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, (byte) 0x80, 0x40});
        // The storage record's bytes are deflated: corrupt them in the middle of the archive.
        String text = new String(good, StandardCharsets.ISO_8859_1);
        int record = text.indexOf("archive/data/0");
        byte[] corrupt = good.clone();
        corrupt[record + "archive/data/0".length() + 3] ^= 0x55;
        assertThatThrownBy(() -> readTorch(corrupt)).isInstanceOf(PickleException.class)
                .satisfies(e -> assertThat(((PickleException) e).entry()).as(e.getMessage()).isNotNull());
        // Cut short, at every length: the central directory is at the end, so nearly all cuts lose it.
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThatThrownBy(() -> readTorch(cut)).as("cut to %d bytes", n).isInstanceOf(PickleException.class);
        }
    }

    // ---- bytes after what was read --------------------------------------------------------------------------------

    private static byte[] append(byte[] a, byte... b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void bytesAfterALegacyTorchFileOrAPickledTensorFailUnlessAllowed() throws IOException {
        Path fixtures = MlPython.require("torch", "joblib", "sklearn", "numpy").fixtures("dis_artifacts.py");
        for (String name : new String[] {"views.legacy.pt", "state_dict.legacy.pt", "tensor.p2.pkl"}) {
            byte[] good = Files.readAllBytes(fixtures.resolve(name));
            byte[] longer = append(good, (byte) 1, (byte) 2, (byte) 3);
            assertThatThrownBy(() -> TorchFile.read(new ByteArrayInputStream(longer))).as(name)
                    .isInstanceOf(PickleException.class)
                    .hasMessageContaining("3 bytes follow").hasMessageContaining("from offset " + good.length)
                    .satisfies(e -> assertThat(((PickleException) e).offset()).isEqualTo(good.length));
            Path file = Files.createTempFile("brine-trailing", ".pt");
            try {
                Files.write(file, longer);
                assertThatThrownBy(() -> TorchFile.read(file)).isInstanceOf(PickleException.class)
                        .hasMessageContaining("3 bytes follow");
                Object allowed = TorchFile.reader().allowTrailingData(true).read(file);
                Object expected = TorchFile.read(new ByteArrayInputStream(good));
                assertThat(TorchFile.tensors(allowed).keySet()).isEqualTo(TorchFile.tensors(expected).keySet());
            } finally {
                Files.delete(file);
            }
        }
        // A legacy file cut inside its storage data names the storage.
        byte[] legacy = Files.readAllBytes(fixtures.resolve("views.legacy.pt"));
        assertThatThrownBy(() -> TorchFile.read(new ByteArrayInputStream(Arrays.copyOf(legacy, legacy.length - 3))))
                .isInstanceOf(PickleException.class).hasMessageContaining("storage")
                .hasMessageContaining("the file ends before");
    }

    private static byte[] joblib(JoblibFile.Compression c) throws IOException {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("a", NDArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JoblibFile.write(out, v, c);
        return out.toByteArray();
    }

    @Test
    void bytesAfterAJoblibPickleOrItsCompressedStreamFailUnlessAllowed() throws IOException {
        for (JoblibFile.Compression c : JoblibFile.Compression.values()) {
            byte[] good = joblib(c);
            byte[] longer = append(good, (byte) 'N', (byte) '.');
            String what = c == JoblibFile.Compression.NONE ? "2 bytes follow the joblib pickle's STOP opcode, from "
                    + "offset " + good.length : "2 bytes follow the " + c.name().toLowerCase(java.util.Locale.ROOT)
                    + " stream, from offset " + good.length + " of the file";
            assertThatThrownBy(() -> JoblibFile.read(new ByteArrayInputStream(longer))).as(c.name())
                    .isInstanceOf(PickleException.class).hasMessageContaining(what)
                    .satisfies(e -> assertThat(((PickleException) e).offset()).isEqualTo(good.length));
            Object allowed = JoblibFile.reader().allowTrailingData(true).read(new ByteArrayInputStream(longer));
            assertThat(allowed).isEqualTo(JoblibFile.read(new ByteArrayInputStream(good)));
        }
    }

    @Test
    void aCorruptOrTruncatedCompressedJoblibFileFailsNamingTheCodecAndOffset() throws IOException {
        for (JoblibFile.Compression c : new JoblibFile.Compression[] {JoblibFile.Compression.ZLIB,
            JoblibFile.Compression.GZIP}) {
            String codec = c.name().toLowerCase(java.util.Locale.ROOT);
            byte[] good = joblib(c);
            for (int n = 0; n < good.length; n++) {
                byte[] cut = Arrays.copyOf(good, n);
                assertThatThrownBy(() -> JoblibFile.read(new ByteArrayInputStream(cut))).as("%s cut to %d", codec, n)
                        .isInstanceOf(PickleException.class);
            }
            assertThatThrownBy(() -> JoblibFile.read(new ByteArrayInputStream(Arrays.copyOf(good, good.length - 2))))
                    .isInstanceOf(PickleException.class).hasMessageContaining(codec);
            // Every single-byte corruption past the header fails cleanly or (in a gzip header's mtime, say) reads.
            for (int i = 2; i < good.length; i++) {
                byte[] bad = good.clone();
                bad[i] ^= 0x40;
                try {
                    JoblibFile.read(new ByteArrayInputStream(bad));
                } catch (PickleException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
        }
        byte[] gzip = joblib(JoblibFile.Compression.GZIP);
        byte[] badCrc = gzip.clone();
        badCrc[badCrc.length - 6] ^= 1;
        assertThatThrownBy(() -> JoblibFile.read(new ByteArrayInputStream(badCrc))).isInstanceOf(PickleException.class)
                .hasMessageContaining("gzip trailer at compressed offset " + (gzip.length - 8))
                .hasMessageContaining("CRC-32");
    }

    @Test
    void aJoblibArrayWithANegativeOrHugeShapeFailsNamingTheWrapperBeforeAllocating() throws IOException {
        // An empty array of shape (70000, 70000, 0): its dims are written as BININT J 70000 J 70000 K 0, which the
        // test then rewrites in place.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JoblibFile.write(out, NDArray.wrap(dev.brine.value.DType.of("<f8"), java.nio.ByteBuffer.allocate(0),
                NDArray.Order.C, 70000, 70000, 0), JoblibFile.Compression.NONE);
        byte[] good = out.toByteArray();
        String text = new String(good, StandardCharsets.ISO_8859_1);
        String dims = "J\u0070\u0011\u0001\u0000J\u0070\u0011\u0001\u0000K\u0000";
        int at = text.indexOf(dims);
        assertThat(at).isPositive();
        assertThat(JoblibFile.read(new ByteArrayInputStream(good))).isInstanceOf(NDArray.class);

        byte[] negative = good.clone();
        Arrays.fill(negative, at + 1, at + 5, (byte) 0xff);                       // -1
        assertThatThrownBy(() -> JoblibFile.read(new ByteArrayInputStream(negative)))
                .isInstanceOf(PickleException.class).hasMessageContaining("malformed joblib array wrapper")
                .hasMessageContaining("not a size");

        byte[] overflow = good.clone();
        for (int d : new int[] {at + 1, at + 6}) {
            overflow[d] = (byte) 0xff;
            overflow[d + 1] = (byte) 0xff;
            overflow[d + 2] = (byte) 0xff;
            overflow[d + 3] = 0x7f;                                               // 2^31 - 1
        }
        overflow[at + 11] = (byte) 0xff;                                          // K 255
        assertThatThrownBy(() -> JoblibFile.read(new ByteArrayInputStream(overflow)))
                .isInstanceOf(PickleException.class).hasMessageContaining("malformed joblib array wrapper")
                .hasMessageContaining("overflows");

        byte[] huge = good.clone();
        huge[at + 11] = (byte) 0xff;                                              // 70000 * 70000 * 255 * 8 bytes
        assertThatThrownBy(() -> JoblibFile.read(new ByteArrayInputStream(huge)))
                .isInstanceOf(PickleException.class).hasMessageContaining(Long.toString(70000L * 70000 * 255 * 8));
    }
}
