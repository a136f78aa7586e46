package dev.brine.scan;

import dev.brine.internal.format.Opcode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Scans pickle files for what loading them in Python would import and call, without running anything.
 *
 * <p>Every pickle in a file is emulated opcode by opcode on a stack of symbolic values, the way CPython's
 * unpickler would run it: concatenated pickles one after another, PyTorch ZIP checkpoints ({@code data.pkl} in a
 * {@code .pt}, {@code .pth} or {@code .bin}, with every ZIP local header checked against the central directory),
 * the legacy five-pickle torch layout, {@code .npy} files of object dtype, joblib files (their arrays skipped as
 * joblib's unpickler skips them, object arrays emulated), and pickles nested in bytes. Names are resolved as
 * {@code find_class} would import them and judged allow-list first (see {@link Verdict}).
 *
 * <pre>{@code
 * ScanReport report = Scanner.create().scan(List.of(Path.of("model.pt")));
 * if (report.verdict() != Verdict.SAFE) {
 *     report.files().forEach(f -> f.findings().forEach(System.out::println));
 * }
 * }</pre>
 *
 * <p>What it cannot tell: whether a SUSPICIOUS name is harmful (it only knows it is not a known data type), what
 * an application's {@code persistent_load} or {@code find_class} override does, or what a file in a format it
 * does not recognise holds. Instances are immutable and thread-safe.
 */
public final class Scanner {
    /** Extensions scanned when walking a folder; other files are scanned only if they start like a pickle. */
    private static final Set<String> EXTENSIONS = Set.of("pkl", "pickle", "pk", "p", "pt", "pth", "bin", "ckpt",
            "npy", "npz", "joblib", "jbl", "dat", "data", "sav", "model", "mar", "pkl.gz", "gz");

    /** The magic number the legacy torch layout's first pickle holds ({@code torch.serialization.MAGIC_NUMBER}). */
    private static final BigInteger TORCH_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    /** gzip in zlib in gzip...: deeper than this is no real file, only a way to make the scanner work. */
    private static final int MAX_COMPRESSION_LAYERS = 3;


    private final long maxFileBytes;
    private final long maxSteps;
    private final Policy policy;

    private Scanner(Builder b) {
        this.maxFileBytes = b.maxFileBytes;
        this.maxSteps = b.maxSteps;
        this.policy = b.policy;
    }

    /** The policy this scanner judges names by. */
    public Policy policy() {
        return policy;
    }

    /** A scanner with default limits. */
    public static Scanner create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The policy names are judged by, and limits on what one file may cost to scan. */
    public static final class Builder {
        private long maxFileBytes = Integer.MAX_VALUE - 8;
        private long maxSteps = 200_000_000L;
        private Policy policy = Policy.defaults();

        private Builder() {
        }

        /** Files (and decompressed ZIP entries) larger than this are UNREADABLE; default and maximum 2 GiB. */
        public Builder maxFileBytes(long maxFileBytes) {
            if (maxFileBytes <= 0 || maxFileBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxFileBytes must be in 1.." + (Integer.MAX_VALUE - 8));
            }
            this.maxFileBytes = maxFileBytes;
            return this;
        }

        /** Opcodes emulated per file, nested pickles included, before the scan gives up; default 200 million. */
        public Builder maxSteps(long maxSteps) {
            if (maxSteps <= 0) {
                throw new IllegalArgumentException("maxSteps must be positive");
            }
            this.maxSteps = maxSteps;
            return this;
        }

        /** The policy names are judged by; default {@link Policy#defaults()}. */
        public Builder policy(Policy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The scanner. */
        public Scanner build() {
            return new Scanner(this);
        }
    }

    /**
     * Hears how a scan of many files goes, file by file, for a progress display. Called on the scanning thread;
     * both methods do nothing by default.
     */
    public interface Listener {
        /**
         * A file is about to be scanned.
         *
         * @param index the file's place in the scan, from 1
         * @param total how many files the scan has, folders walked
         * @param file  the file
         * @param bytes its size, or -1 if unknown
         */
        default void starting(int index, int total, Path file, long bytes) {
        }

        /**
         * Part of a file has been read into memory, before it is scanned: called every few MiB of a large file.
         *
         * @param file  the file
         * @param done  bytes read so far
         * @param bytes the file's size
         */
        default void reading(Path file, long done, long bytes) {
        }

        /** A file has been scanned (or found unreadable). */
        default void finished(int index, int total, FileReport report) {
        }
    }

    /**
     * Scans files and folders: a folder is walked in name order, and its files are scanned when their extension is
     * a pickle or model one ({@code .pkl}, {@code .pt}, {@code .bin}, {@code .npy}, {@code .joblib}...) or they start
     * like a pickle. A path that cannot be read gives an UNREADABLE report, never an exception.
     */
    public ScanReport scan(List<Path> paths) {
        return scan(paths, new Listener() {
        });
    }

    /** Scans as {@link #scan(List)} does, telling {@code listener} of each file before and after it is scanned. */
    public ScanReport scan(List<Path> paths, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        List<Object> work = new ArrayList<>();   // a Path to scan, or the FileReport of a folder that cannot be listed
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                List<Path> files = new ArrayList<>();
                try (Stream<Path> walk = Files.walk(path)) {
                    walk.filter(Files::isRegularFile).sorted().forEach(files::add);
                } catch (IOException | RuntimeException e) {
                    work.add(unreadable(path.toString(), "cannot list the folder: " + e.getMessage()));
                    continue;
                }
                for (Path f : files) {
                    if (wanted(f)) {
                        work.add(f);
                    }
                }
            } else {
                work.add(path);
            }
        }
        List<FileReport> reports = new ArrayList<>();
        int total = work.size();
        for (int i = 0; i < total; i++) {
            Object item = work.get(i);
            FileReport report;
            if (item instanceof Path) {
                Path f = (Path) item;
                long bytes;
                try {
                    bytes = Files.size(f);
                } catch (IOException | RuntimeException e) {
                    bytes = -1;
                }
                listener.starting(i + 1, total, f, bytes);
                report = scanFile(f, listener);
            } else {
                report = (FileReport) item;
            }
            listener.finished(i + 1, total, report);
            reports.add(report);
        }
        return ScanReport.of(reports);
    }

    /** Scans one file; UNREADABLE if it cannot be read. */
    public FileReport scanFile(Path path) {
        return scanFile(path, null);
    }

    /** Bytes read between two {@link Listener#reading} calls. */
    private static final int READ_CHUNK = 8 << 20;

    private FileReport scanFile(Path path, Listener listener) {
        byte[] data;
        try {
            long size = Files.size(path);
            if (size > maxFileBytes) {
                return unreadable(path.toString(), "the file has " + size + " bytes, more than the scanner's limit of "
                        + maxFileBytes + " (Scanner.builder().maxFileBytes)");
            }
            if (listener == null || size <= READ_CHUNK) {
                data = Files.readAllBytes(path);
            } else {
                data = readWithProgress(path, size, listener);
            }
        } catch (IOException | RuntimeException e) {
            return unreadable(path.toString(), "cannot read the file: " + e);
        }
        return scan(path.toString(), data);
    }

    /** Reads a file of {@code size} bytes (checked against the limit) in chunks, telling the listener. */
    private byte[] readWithProgress(Path path, long size, Listener listener) throws IOException {
        byte[] data = new byte[(int) size];
        int done = 0;
        try (InputStream in = Files.newInputStream(path)) {
            while (done < data.length) {
                int n = in.readNBytes(data, done, Math.min(READ_CHUNK, data.length - done));
                if (n == 0) {
                    break;   // the file shrank while being read: scan what is there
                }
                done += n;
                listener.reading(path, done, size);
            }
            if (done == data.length && in.read() >= 0) {
                throw new IOException("the file grew while being read");
            }
        }
        return done == data.length ? data : java.util.Arrays.copyOf(data, done);
    }

    /** Scans the bytes of one file; {@code name} is used for reporting and to recognise the format. */
    public FileReport scan(String name, byte[] data) {
        Objects.requireNonNull(data, "data");
        ScanSession session = new ScanSession(maxSteps, policy);
        session.decompressionBudget(decompressionBudget(data.length));
        String format;
        try {
            format = scanBytes(session, name, data, "");
        } catch (RuntimeException | StackOverflowError e) {
            // Nothing here should throw; if something does, the file is reported rather than the scan aborted, and
            // it is UNREADABLE, never SAFE: what was not read was not judged.
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", "", -1, "", "the scanner failed: " + e));
            format = "unknown";
        }
        Verdict v = Verdict.SAFE;
        for (Finding f : session.findings()) {
            v = v.worst(f.verdict());
        }
        return new FileReport(name, format, session.pickles(), session.findings(), v);
    }

    private static FileReport unreadable(String path, String why) {
        return new FileReport(path, "unknown", 0, List.of(new Finding(Verdict.UNREADABLE, "unreadable", "", -1, "", why)),
                Verdict.UNREADABLE);
    }

    private static boolean wanted(Path f) {
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.indexOf('.');
        if (dot >= 0 && (EXTENSIONS.contains(name.substring(name.lastIndexOf('.') + 1))
                || EXTENSIONS.contains(name.substring(dot + 1)))) {
            return true;
        }
        try (InputStream in = Files.newInputStream(f)) {
            // Loaders read by content, not by name (torch.load a ZIP or tar, np.load an npy, joblib a compressed
            // stream): whatever starts like a container or stream the scanner reads is scanned, or reported.
            byte[] head = in.readNBytes(512);
            return (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5)
                    || (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5))
                    || startsWith(head, NPY_MAGIC) || TarArchive.looksLikeTar(head)
                    || (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b)
                    || otherCompression(head) != null;
        } catch (IOException | RuntimeException e) {
            return true;   // reported UNREADABLE when scanned, never skipped in silence
        }
    }

    // ---- Formats ----------------------------------------------------------------------------------------------

    /** Recognises the format by content and scans it; returns the format's name. */
    private String scanBytes(ScanSession session, String name, byte[] data, String prefix) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (data.length >= 4 && data[0] == 'P' && data[1] == 'K' && (data[2] == 3 || data[2] == 5)) {
            return new ZipArchive(this, session, data, prefix).scan();
        }
        if (startsWith(data, NPY_MAGIC)) {
            scanNpy(session, data, prefix);
            return "npy";
        }
        if (TarArchive.looksLikeTar(data)) {
            // torch.load tries tar before the legacy layout, and pandas reads a .tar's only member.
            return new TarArchive(this, session, data, prefix).scan();
        }
        boolean compressed = (data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b)
                || (data.length >= 2 && (data[0] & 0xff) == 0x78 && ((data[0] & 0xff) * 256 + (data[1] & 0xff)) % 31 == 0);
        if (compressed && prefix.split(":", -1).length > MAX_COMPRESSION_LAYERS) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, 0, "",
                    "compressed more than " + MAX_COMPRESSION_LAYERS + " times over: not followed"));
            return "compressed";
        }
        if (data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b) {
            byte[] plain = inflate(session, prefix, () -> new GZIPInputStream(new ByteArrayInputStream(data)));
            return plain == null ? "gzip" : "gzip+" + scanBytes(session, stripCompression(name), plain, prefix + "gunzip:");
        }
        if (data.length >= 2 && (data[0] & 0xff) == 0x78 && ((data[0] & 0xff) * 256 + (data[1] & 0xff)) % 31 == 0) {
            // joblib's zlib compression: a bare zlib stream ('x' is no pickle opcode, so this cannot be a pickle).
            byte[] plain = inflate(session, prefix, () -> new InflaterInputStream(new ByteArrayInputStream(data)));
            return plain == null ? "zlib" : "zlib+" + scanBytes(session, name, plain, prefix + "zlib:");
        }
        String compression = otherCompression(data);
        if (compression != null) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, 0, "",
                    "compressed with " + compression + ", which the scanner does not decompress: decompress it and "
                            + "scan the result"));
            return compression;
        }
        if (ZipArchive.endsWithArchive(data)) {
            // Python's zipfile finds an archive by its end record, whatever precedes it (pandas reads a .zip so):
            // the archive is scanned, and the bytes before it as what they are, since a pickle loader reads those.
            String zip = new ZipArchive(this, session, data, prefix).scan();
            if (data.length == 0 || Opcode.of(data[0]) == null) {
                return zip + "-after-data";
            }
            boolean joblib = lower.endsWith(".joblib") || lower.endsWith(".jbl") || lower.contains(".joblib.");
            return scanStream(session, data, 0, data.length, prefix, joblib, true) + "+" + zip;
        }
        if (data.length == 0 || Opcode.of(data[0]) == null) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, 0, "",
                    data.length == 0 ? "the file is empty" : String.format("not a pickle, ZIP, npy or joblib file "
                            + "(first byte 0x%02x is no pickle opcode)", data[0] & 0xff)));
            return "unknown";
        }
        boolean joblib = lower.endsWith(".joblib") || lower.endsWith(".jbl") || lower.contains(".joblib.");
        return scanStream(session, data, 0, data.length, prefix, joblib, true);
    }

    /**
     * Emulates every pickle in {@code data[start, limit)}, one after another as repeated {@code pickle.load} calls
     * would read them. The legacy torch layout is five pickles and then raw tensor bytes; in any other stream,
     * bytes after the last STOP that are not a pickle are reported.
     */
    String scanStream(ScanSession session, byte[] data, int start, int limit, String prefix, boolean joblib,
                      boolean topLevel) {
        int pos = start;
        int index = 0;
        boolean legacyTorch = false;
        while (pos < limit) {
            index++;
            if (index > 1 && Opcode.of(data[pos]) == null) {
                if (legacyTorch) {
                    break;
                }
                session.add(new Finding(Verdict.SUSPICIOUS, "trailing-data", prefix + "#" + index, pos, "",
                        (limit - pos) + " bytes after the last STOP are not a pickle; a reader that loads past "
                                + "the first pickle sees them"));
                return legacyTorch ? "torch-legacy" : "pickle";
            }
            PickleEmulator.Result r = session.emulate(data, pos, limit, prefix + "#" + index, 0, joblib);
            if (r.error() != null) {
                break;
            }
            if (index == 1 && topLevel && TORCH_MAGIC.equals(asBig(r.value()))) {
                legacyTorch = true;
            }
            pos = r.end();
            if (legacyTorch && index == 5) {
                if (pos < limit) {
                    session.add(new Finding(Verdict.SAFE, "layout", prefix + "#5", pos, "",
                            "legacy torch layout: the " + (limit - pos) + " bytes after its five pickles are tensor "
                                    + "storage, which torch.load reads as raw data"));
                }
                break;
            }
        }
        return legacyTorch ? "torch-legacy" : joblib ? "joblib" : "pickle";
    }

    private static BigInteger asBig(Object v) {
        if (v instanceof BigInteger) {
            return (BigInteger) v;
        }
        return v instanceof Long ? BigInteger.valueOf((Long) v) : null;
    }

    // ---- npy ----------------------------------------------------------------------------------------------------

    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** An {@code .npy} file: a header, then raw data, or for a dtype holding objects, a pickle. */
    void scanNpy(ScanSession session, byte[] data, String prefix) {
        if (data.length < 10) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, 0, "", "truncated npy header"));
            return;
        }
        int major = data[6] & 0xff;
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = (data[8] & 0xff) | (data[9] & 0xff) << 8;
            headerStart = 10;
        } else {
            if (data.length < 12) {
                session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, 0, "", "truncated npy header"));
                return;
            }
            headerLength = (data[8] & 0xff) | (data[9] & 0xff) << 8 | (data[10] & 0xff) << 16 | (data[11] & 0xff) << 24;
            headerStart = 12;
        }
        if (headerLength < 0 || headerLength > data.length - headerStart) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, 0, "", "npy header runs past the end"));
            return;
        }
        String header = new String(data, headerStart, headerLength, major >= 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1);
        int body = headerStart + headerLength;
        // numpy.lib.format reads the header with ast.literal_eval and needs a dict of exactly descr, fortran_order
        // and shape; a dtype holding objects (plain or in a field) means the body is a pickle.
        String problem = null;
        Boolean objects = null;
        try {
            Object literal = PyLiteral.parse(header);
            if (!(literal instanceof Map<?, ?> d) || d.size() != 3 || !d.containsKey("descr")
                    || !d.containsKey("fortran_order") || !d.containsKey("shape")) {
                problem = "npy header is not the dict of descr, fortran_order and shape numpy reads";
            } else {
                objects = PyLiteral.holdsObjects(d.get("descr"), 0);
                if (objects == null) {
                    problem = "npy descr " + String.valueOf(d.get("descr")) + " is not one the scanner knows";
                }
            }
        } catch (PyLiteral.SyntaxError e) {
            problem = "npy header is no Python literal (" + e.getMessage() + ")";
        }
        if (problem != null) {
            session.add(new Finding(Verdict.SUSPICIOUS, "layout", prefix, headerStart, "",
                    problem + "; scanning its body as a pickle"));
        }
        if (!Boolean.FALSE.equals(objects) && body < data.length) {
            scanStream(session, data, body, data.length, prefix + "npy", false, false);
        }
    }

    // ---- Compression ---------------------------------------------------------------------------------------

    private interface StreamOpener {
        InputStream open() throws IOException;
    }

    /** Decompression may produce at least this much for any file, then {@link #BOMB_RATIO} times the file. */
    private static final long DECOMPRESSION_FLOOR = 256L << 20;
    /** More than this many bytes out per byte of the file is a compression bomb, not a model: gzip of zeros. */
    static final long BOMB_RATIO = 200;

    /**
     * What all the decompression of one file (every layer and archive member together) may produce: 256 MiB, or
     * 200 times the file's size if that is more, and never more than {@code maxFileBytes}. A compression bomb
     * (a small file that inflates to gigabytes) is so stopped before it takes the memory, and reported UNREADABLE.
     */
    long decompressionBudget(long fileBytes) {
        long ratio = fileBytes > Long.MAX_VALUE / BOMB_RATIO ? Long.MAX_VALUE : fileBytes * BOMB_RATIO;
        return Math.min(maxFileBytes, Math.max(DECOMPRESSION_FLOOR, ratio));
    }

    /**
     * Decompresses within the file's decompression budget ({@link #decompressionBudget}, at most
     * {@link #maxFileBytes}); null (with an UNREADABLE finding) if the data is broken or inflates to more.
     */
    byte[] inflate(ScanSession session, String prefix, StreamOpener opener) {
        try (InputStream in = opener.open()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[1 << 16];
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (out.size() + (long) n > maxFileBytes || !session.decompress(n)) {
                    session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, 0, "",
                            "decompresses to more than the scanner lets one file inflate to (256 MiB, or "
                                    + BOMB_RATIO + " times the file's size, at most " + maxFileBytes
                                    + " bytes): a compression bomb, or a file to decompress and scan on its own"));
                    return null;
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            session.add(new Finding(Verdict.UNREADABLE, "unreadable", prefix, 0, "", "cannot decompress: " + e));
            return null;
        }
    }

    /** Inflates a raw DEFLATE stream (a ZIP entry), bounded as {@link #inflate}. */
    byte[] inflateRaw(ScanSession session, String prefix, byte[] data, int offset, int length) {
        return inflate(session, prefix, () -> new InflaterInputStream(new ByteArrayInputStream(data, offset, length),
                new Inflater(true)) {
            @Override
            public void close() throws IOException {
                super.close();
                inf.end();
            }
        });
    }

    long maxFileBytes() {
        return maxFileBytes;
    }

    private static String otherCompression(byte[] d) {
        if (d.length >= 3 && d[0] == 'B' && d[1] == 'Z' && d[2] == 'h') {
            return "bzip2";
        }
        if (d.length >= 6 && (d[0] & 0xff) == 0xfd && d[1] == '7' && d[2] == 'z' && d[3] == 'X' && d[4] == 'Z') {
            return "xz";
        }
        if (d.length >= 13 && d[0] == 0x5d && d[1] == 0 && d[2] == 0) {
            // The .lzma ("alone") header joblib writes: properties 0x5d, then a little-endian dictionary size. As a
            // pickle it would be EMPTY_LIST then the invalid opcode 0x00, so no pickle starts this way.
            return "lzma";
        }
        if (d.length >= 4 && (d[0] & 0xff) == 0x04 && (d[1] & 0xff) == 0x22 && (d[2] & 0xff) == 0x4d
                && (d[3] & 0xff) == 0x18) {
            return "lz4";
        }
        if (d.length >= 3 && d[0] == 'Z' && d[1] == 'F') {
            return "joblib's legacy zlib container";
        }
        return null;
    }

    private static String stripCompression(String name) {
        return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * For {@link ZipArchive}: scans one member's bytes by its name and content, as the
     * loaders that open archives find them: numpy by the npy magic, torch by the name, pandas the only member
     * whatever it holds ({@code onlyMember}), and anything starting with PROTO 2 to 5 as the pickle it may be.
     */
    String scanEntry(ScanSession session, String name, byte[] data, String prefix, boolean onlyMember) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (startsWith(data, NPY_MAGIC)) {
            scanNpy(session, data, prefix);
            return "npy";
        }
        if (lower.endsWith(".pkl") || lower.endsWith(".pickle") || onlyMember) {
            // CPython runs a pickle up to the point where it fails, so a broken one is scanned as far as it goes.
            if (data.length == 0) {
                return "empty";
            }
            return scanStream(session, data, 0, data.length, prefix, false, false);
        }
        if (data.length >= 2 && (data[0] & 0xff) == 0x80 && data[1] >= 2 && data[1] <= 5) {
            // Starts like a pickle under another name (tensor storage can, by chance): scanned, but only a
            // complete pickle counts.
            ScanSession probe = new ScanSession(maxSteps, policy);
            PickleEmulator.Result r = probe.emulate(data, 0, data.length, prefix, 0, false);
            if (r.error() == null) {
                return scanStream(session, data, 0, data.length, prefix, false, false);
            }
        }
        return "data";
    }

    /** Whether a byte is a pickle opcode. */
    static boolean isOpcode(byte b) {
        return Opcode.of(b) != null;
    }
}
