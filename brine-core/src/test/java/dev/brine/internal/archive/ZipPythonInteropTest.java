package dev.brine.internal.archive;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brine's archives against Python's {@code zipfile} and PyTorch: Python reads what ZipWriter writes, and ZipReader
 * reads what Python and {@code torch.save} write, entry for entry.
 */
class ZipPythonInteropTest {
    /** Debian's Python, which has torch installed; {@code python3} on the PATH is pyenv's, without it. */
    private static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

    /** Prints {@code name<TAB>size<TAB>sha256<TAB>crc} per entry of the zip named by argv[1], in directory order. */
    private static final String LIST_SCRIPT = String.join("\n",
            "import hashlib, sys, zipfile",
            "with zipfile.ZipFile(sys.argv[1]) as z:",
            "    assert z.testzip() is None",
            "    for i in z.infolist():",
            "        d = z.read(i)",
            "        print('%s\\t%d\\t%s\\t%08x' % (i.filename, i.file_size, hashlib.sha256(d).hexdigest(), i.CRC))");

    @TempDir
    Path dir;

    @Test
    void pythonReadsWhatZipWriterWrites() throws IOException {
        Map<String, byte[]> entries = ZipRoundTripTest.sampleEntries();
        Path file = dir.resolve("brine.zip");
        Files.write(file, ZipRoundTripTest.write(entries, 64));
        assertThat(pythonListing(CPython.python3().executable(), file)).isEqualTo(expectedListing(entries));
        String extras = CPython.python3().run(new byte[0], "-c", String.join("\n",
                "import sys, zipfile",
                "with zipfile.ZipFile(sys.argv[1]) as z:",
                "    for i in z.infolist():",
                "        z.fp.seek(i.header_offset + 28)",
                "        n = int.from_bytes(z.fp.read(2), 'little')",
                "        z.fp.seek(i.header_offset + 30 + len(i.filename.encode()))",
                "        extra = z.fp.read(n)",
                "        data = i.header_offset + 30 + len(i.filename.encode()) + n",
                "        print(extra[:2].decode(), data % 64, i.flag_bits, i.compress_type, i.date_time)"),
                file.toString()).stdoutText();
        assertThat(extras.lines()).hasSize(entries.size())
                .allSatisfy(line -> assertThat(line).isEqualTo("FB 0 2048 0 (1980, 1, 1, 0, 0, 0)"));
    }

    @Test
    void pythonReadsZip64OffsetsPastFourGiB() throws IOException {
        Path file = dir.resolve("sparse.zip");
        ZipRoundTripTest.writeSparseZip64(file);
        Map<String, byte[]> expected = new LinkedHashMap<>();
        expected.put("first", "first entry".getBytes(StandardCharsets.US_ASCII));
        expected.put("second", new byte[100]);
        expected.put("empty", new byte[0]);
        assertThat(pythonListing(CPython.python3().executable(), file)).isEqualTo(expectedListing(expected));
    }

    @Test
    void readsPythonZip64LocalRecordsDeflatedEntriesAndComments() throws IOException {
        Path file = dir.resolve("python.zip");
        python(CPython.python3().executable(), String.join("\n",
                "import sys, zipfile",
                "with zipfile.ZipFile(sys.argv[1], 'w', allowZip64=True) as z:",
                "    with z.open('forced64', 'w', force_zip64=True) as f:",
                "        f.write(b'zip64 local header' * 100)",
                "    z.writestr('deflated', b'squeeze me ' * 5000, compress_type=zipfile.ZIP_DEFLATED)",
                "    z.writestr('deflated/empty', b'', compress_type=zipfile.ZIP_DEFLATED)",
                "    z.writestr('stored', bytes(range(256)))",
                "    z.writestr('caf\\u00e9/\\u6587', b'utf-8 name')",
                "    z.comment = b'a comment of some length ' * 100"),
                file.toString());
        assertReadsLikePython(CPython.python3().executable(), file);
    }

    @Test
    void readsPythonZip64EndRecords() throws IOException {
        // More than 65,535 entries: Python writes a zip64 end record and locator.
        Path file = dir.resolve("many.zip");
        python(CPython.python3().executable(), String.join("\n",
                "import sys, zipfile",
                "with zipfile.ZipFile(sys.argv[1], 'w') as z:",
                "    for i in range(65540):",
                "        z.writestr('e%d' % i, b'%d' % i if i % 1000 == 0 else b'')"),
                file.toString());
        try (ZipReader reader = ZipReader.open(file)) {
            assertThat(reader.names()).hasSize(65540);
            assertThat(reader.names().get(65539)).isEqualTo("e65539");
            assertThat(ZipRoundTripTest.bytes(reader.read("e65000")))
                    .isEqualTo("65000".getBytes(StandardCharsets.US_ASCII));
            assertThat(reader.size("e65001")).isZero();
        }
    }

    @Test
    void codePage437MatchesPython() {
        String python = CPython.python3().run(new byte[0], "-c",
                "import sys; sys.stdout.write(bytes(range(128, 256)).decode('cp437')"
                        + ".encode('unicode_escape').decode())")
                .stdoutText();
        StringBuilder escaped = new StringBuilder();
        for (char c : ZipReader.CP437_HIGH.toCharArray()) {
            escaped.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
        }
        assertThat(escaped.toString()).isEqualTo(python);
    }

    @Test
    void readsTorchCheckpointsLikePythonZipfile() throws IOException {
        requireTorch();
        Path file = dir.resolve("model.pt");
        python(SYSTEM_PYTHON, String.join("\n",
                "import sys, torch",
                "torch.manual_seed(0)",
                "torch.save({'weight': torch.randn(300, 300), 'bias': torch.zeros(0), 'ids': torch.arange(7),",
                "            'half': torch.ones(3, dtype=torch.float16), 'name': 'model'}, sys.argv[1])"),
                file.toString());
        assertReadsLikePython(SYSTEM_PYTHON, file);
        try (ZipReader reader = ZipReader.open(file)) {
            assertThat(reader.names()).contains("model/data.pkl", "model/version");
            for (String name : reader.names()) {
                assertThat(reader.dataOffset(name) % 64).as(name).isZero();
            }
        }
    }

    @Test
    void torchLoadsACheckpointRewrittenByZipWriter() throws IOException {
        requireTorch();
        Path original = dir.resolve("original.pt");
        Path rewritten = dir.resolve("rewritten.pt");
        python(SYSTEM_PYTHON, String.join("\n",
                "import sys, torch",
                "torch.manual_seed(1)",
                "torch.save({'w': torch.randn(64, 33), 'b': torch.randn(5).double(), 'e': torch.zeros(0)},",
                "           sys.argv[1])"),
                original.toString());
        try (ZipReader reader = ZipReader.open(original);
             ZipWriter writer = new ZipWriter(Files.newOutputStream(rewritten))) {
            for (String name : reader.names()) {
                writer.putStored(name, reader.read(name), 64);
            }
        }
        String out = python(SYSTEM_PYTHON, String.join("\n",
                "import sys, torch",
                "a = torch.load(sys.argv[1])",
                "b = torch.load(sys.argv[2])",
                "assert a.keys() == b.keys()",
                "assert all(torch.equal(a[k], b[k]) for k in a)",
                "print('same')"),
                original.toString(), rewritten.toString());
        assertThat(out.strip()).isEqualTo("same");
    }

    private void assertReadsLikePython(Path python, Path file) throws IOException {
        List<String> expected = pythonListing(python, file);
        try (ZipReader reader = ZipReader.open(file)) {
            assertThat(javaListing(reader)).isEqualTo(expected);
        }
        assertThat(javaListing(ZipReader.of(ByteBuffer.wrap(Files.readAllBytes(file))))).isEqualTo(expected);
    }

    private static List<String> javaListing(ZipReader reader) throws IOException {
        return reader.names().stream().map(name -> {
            try {
                ByteBuffer data = reader.read(name);
                return name + "\t" + reader.size(name) + "\t" + sha256(data) + "\t" + crc(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    private static List<String> expectedListing(Map<String, byte[]> entries) {
        return entries.entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue().length + "\t"
                + sha256(ByteBuffer.wrap(e.getValue())) + "\t" + crc(ByteBuffer.wrap(e.getValue()))).toList();
    }

    private static List<String> pythonListing(Path python, Path file) {
        return python(python, LIST_SCRIPT, file.toString()).lines().toList();
    }

    private static String sha256(ByteBuffer data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data.duplicate());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String crc(ByteBuffer data) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data.duplicate());
        return String.format("%08x", crc.getValue());
    }

    private static void requireTorch() {
        boolean ok = Files.isExecutable(SYSTEM_PYTHON) && run(SYSTEM_PYTHON, "import torch").exitCode() == 0;
        CPython.require(ok, SYSTEM_PYTHON + " cannot import torch");
    }

    /** Runs {@code script} with {@code python}, failing the test if it fails; returns its standard output. */
    private static String python(Path python, String script, String... args) {
        CPython.Result r = run(python, script, args);
        if (r.exitCode() != 0) {
            throw new AssertionError(python + " failed (" + r.exitCode() + "):\n" + r.stderrText());
        }
        return r.stdoutText();
    }

    private static CPython.Result run(Path python, String script, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(python.toString(), "-c", script));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        pb.environment().remove("PYTHONPATH");
        try {
            Process process = pb.start();
            // Nothing to feed: close stdin so a script that reads it sees the end.
            process.getOutputStream().close();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(python + " timed out");
            }
            return new CPython.Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
