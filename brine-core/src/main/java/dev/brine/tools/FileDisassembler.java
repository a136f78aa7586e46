package dev.brine.tools;

import dev.brine.PickleException;
import dev.brine.Unpickler;
import dev.brine.internal.archive.JoblibFormat;
import dev.brine.internal.archive.ZipReader;
import dev.brine.internal.read.PickleInput;
import dev.brine.internal.read.PickleMachine;
import dev.brine.internal.read.ReadConfig;
import dev.brine.torch.TorchFile;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Disassembles the pickles inside a file, whatever holds them: a plain pickle, a torch checkpoint (zip or legacy),
 * or a joblib file. Every opcode line is what {@code pickletools.dis} prints for the pickle as the library that
 * wrote the file reads it; lines that start with {@code #} are Brine's and say what the listing is of:
 *
 * <ul>
 *   <li>a <b>torch zip archive</b>: each {@code .pkl} record ({@code <folder>/data.pkl}) after a line naming it, with
 *       positions within the record, as {@code pickletools.dis(zipfile.ZipFile(f).read(name))} prints them; then a
 *       line counting the other records (storage data and metadata);</li>
 *   <li>a <b>legacy torch file</b>: its five pickles in order (magic number, protocol version, system info, the
 *       object, storage keys), each after a line naming it, with positions that are offsets in the file, as
 *       {@code pickletools.dis(f)} prints them when called five times on the open file; then a line giving the
 *       bytes of raw storage data that follow. The file is also read with {@link TorchFile}, so storages that do not
 *       fill the file exactly fail;</li>
 *   <li>a <b>joblib file</b> (uncompressed, zlib or gzip; compressed files are disassembled after decompression and
 *       the first line says so, with positions in the decompressed stream): the pickle, listed across the raw array
 *       data that follows each {@code NumpyArrayWrapper}, with one line for each array block (its offsets, padding,
 *       byte count, dtype, shape and order); an array of Python objects, which joblib writes as a pickle of its
 *       own, is listed where it stands;</li>
 *   <li>any other file: the pickle, exactly as {@code python -m pickletools} lists it, with no lines of Brine's.</li>
 * </ul>
 *
 * <p>A file with bytes after everything that was read fails with a {@link PickleException} naming their offset and
 * count (after the listing has been written), since a listing of less than the file would be silently incomplete.
 */
public final class FileDisassembler {
    private static final byte[] LEGACY_START = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc,
        (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    private static final String[] LEGACY_PARTS = {"magic number", "protocol version", "system info", "the object",
        "storage keys"};
    private static final long MAX_DECOMPRESSED = Integer.MAX_VALUE - 8;

    /** What a file is, as far as disassembly goes. */
    public enum Kind {
        /** A torch zip archive ({@code torch.save} of torch 1.6 and later). */
        TORCH_ZIP,
        /** A legacy torch file ({@code _use_new_zipfile_serialization=False}). */
        TORCH_LEGACY,
        /** A joblib file, compressed or not. */
        JOBLIB,
        /** Anything else: one pickle. */
        PICKLE
    }

    private final Disassembler disassembler;

    /** A file disassembler that lists each pickle with {@code disassembler}'s options. */
    public FileDisassembler(Disassembler disassembler) {
        this.disassembler = Objects.requireNonNull(disassembler, "disassembler");
    }

    /** What {@code data} is, from its first bytes (and, for uncompressed joblib files, its array wrappers). */
    public static Kind kind(byte[] data) {
        if (data.length >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4) {
            return Kind.TORCH_ZIP;
        }
        if (data.length >= LEGACY_START.length
                && java.util.Arrays.equals(data, 0, LEGACY_START.length, LEGACY_START, 0, LEGACY_START.length)) {
            return Kind.TORCH_LEGACY;
        }
        if (data.length >= 2) {
            int b0 = data[0] & 0xff;
            int b1 = data[1] & 0xff;
            if (b0 == 0x78 || b0 == 0x1f && b1 == 0x8b || b0 == 'B' && b1 == 'Z' || b0 == 0xfd && b1 == '7'
                    || b0 == 0x5d && b1 == 0) {
                return Kind.JOBLIB;
            }
        }
        if (contains(data, "NumpyArrayWrapper")) {
            return Kind.JOBLIB;
        }
        return Kind.PICKLE;
    }

    /**
     * Writes the listing of {@code data} to {@code out}, as the class comment describes.
     *
     * @param memo for a plain pickle, the memo to share with other disassemblies ({@code -m}); null for a fresh one.
     *             The pickles of torch and joblib files are each read with a fresh memo, as the libraries read them.
     * @throws DisassemblyException where {@code pickletools} raises; {@code out} holds the listing up to there
     * @throws PickleException      if the file holds more than was listed, or its container is malformed
     * @throws IOException          if appending to {@code out} fails
     */
    public void disassemble(byte[] data, Appendable out, Disassembler.Memo memo) throws IOException {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(out, "out");
        switch (kind(data)) {
            case TORCH_ZIP -> torchZip(data, out);
            case TORCH_LEGACY -> torchLegacy(data, out);
            case JOBLIB -> joblib(data, out);
            default -> {
                ByteArrayInputStream in = new ByteArrayInputStream(data);
                disassembler.disassemble(in, out, memo);
                long end = data.length - in.available();
                if (end < data.length) {
                    throw new PickleException((data.length - end) + " bytes follow the pickle's STOP opcode, from "
                            + "offset " + end + "; only the first pickle was disassembled", end, "STOP");
                }
            }
        }
    }

    private void torchZip(byte[] data, Appendable out) throws IOException {
        ZipReader zip = ZipReader.of(ByteBuffer.wrap(data));
        List<String> names = zip.names();
        out.append("# torch zip archive, " + names.size() + " records; each pickle record as pickletools.dis lists "
                + "it, positions within the record\n");
        long others = 0;
        long otherBytes = 0;
        for (String name : names) {
            if (name.endsWith(".pkl")) {
                ByteBuffer record = zip.read(name);
                byte[] bytes = new byte[record.remaining()];
                record.get(bytes);
                out.append("# record " + name + ", " + bytes.length + " bytes\n");
                ByteArrayInputStream in = new ByteArrayInputStream(bytes);
                disassembler.disassemble(in, out, null);
                if (in.available() > 0) {
                    long end = bytes.length - in.available();
                    throw PickleException.inEntry(name, new PickleException(in.available() + " bytes follow the "
                            + "pickle's STOP opcode, from offset " + end, end, "STOP"));
                }
            } else {
                others++;
                otherBytes += zip.size(name);
            }
        }
        out.append("# " + others + " other records, " + otherBytes + " bytes: storage data and metadata, not "
                + "pickles\n");
    }

    private void torchLegacy(byte[] data, Appendable out) throws IOException {
        out.append("# legacy torch file, " + data.length + " bytes: five pickles, each as pickletools.dis(f) lists "
                + "it reading on from where the last stopped, positions in the file\n");
        ByteArrayInputStream in = new ByteArrayInputStream(data);
        long start = 0;
        for (int i = 0; i < LEGACY_PARTS.length; i++) {
            out.append("# pickle " + (i + 1) + " of 5: " + LEGACY_PARTS[i] + "\n");
            start = data.length - in.available();
            disassembler.disassemble(in, out, null, start, null);
        }
        long end = data.length - in.available();
        Object keys = Unpickler.builder().build().load(ByteBuffer.wrap(data, (int) start, (int) (end - start)));
        // The storages are checked by reading the file: each must have the size its tensors' storage declares,
        // and together they must end where the file ends.
        TorchFile.read(new ByteArrayInputStream(data));
        out.append("# raw storage data: " + (data.length - end) + " bytes from offset " + end + " to the end of the "
                + "file (" + (keys instanceof List<?> l ? l.size() : 0) + " storages)\n");
    }

    private void joblib(byte[] file, Appendable out) throws IOException {
        JoblibFormat.Decompressed stream = JoblibFormat.decompressed(
                new BufferedInputStream(new ByteArrayInputStream(file), 1 << 16));
        byte[] data = stream.codec() == null ? file : readAll(stream.stream(), stream.codec());
        if (stream.codec() == null) {
            out.append("# joblib file, uncompressed, " + data.length + " bytes; raw array data is stepped over\n");
        } else {
            out.append("# joblib file, " + stream.codec() + "-compressed (" + file.length + " bytes), disassembled "
                    + "after decompression: positions are in the decompressed stream of " + data.length
                    + " bytes; raw array data is stepped over\n");
        }
        // First where joblib.load would read raw data, by reading the file as JoblibFile does; then the listing,
        // stepping over those blocks.
        Map<Long, JoblibFormat.ArrayBlock> blocks = new HashMap<>();
        PickleException readError = null;
        long end = -1;
        try {
            ReadConfig config = ReadConfig.defaults().withFormat(null, JoblibFormat.arrays(b -> blocks.put(b.start(), b)));
            PickleInput input = PickleInput.of(ByteBuffer.wrap(data));
            new PickleMachine(config, input, null).load();
            end = input.offset();
        } catch (PickleException e) {
            readError = e;
        }
        ByteArrayInputStream in = new ByteArrayInputStream(data);
        try {
            disassembler.disassemble(in, out, null, 0, (position, s, o) -> {
                JoblibFormat.ArrayBlock b = blocks.remove(position);
                return b == null ? 0 : stepOver(b, s, o);
            });
        } catch (DisassemblyException e) {
            if (readError == null) {
                throw e;
            }
        }
        if (readError != null) {
            throw readError;
        }
        long listed = data.length - in.available();
        if (listed != end || !blocks.isEmpty()) {
            throw new PickleException("the listing ended at offset " + listed + " but the pickle at " + end
                    + (blocks.isEmpty() ? "" : " with array blocks at " + blocks.keySet() + " not reached"), listed,
                    null);
        }
        if (end < data.length) {
            String where = stream.codec() == null ? "" : " of the decompressed stream";
            throw new PickleException((data.length - end) + " bytes follow the joblib pickle's STOP opcode, from "
                    + "offset " + end + where + "; joblib.load would ignore them", end, "STOP");
        }
        if (stream.trailingBytes() > 0) {
            throw new PickleException(stream.trailingBytes() + " bytes follow the " + stream.codec() + " stream, "
                    + "from offset " + stream.compressedEnd() + " of the file; joblib.load would ignore them",
                    stream.compressedEnd(), null);
        }
    }

    /** Brine's line for an array block, and for an array of objects its pickle's listing; returns its length. */
    private long stepOver(JoblibFormat.ArrayBlock b, InputStream in, Appendable out) throws IOException {
        String described = "dtype " + b.dtype() + ", shape " + shapeRepr(b.shape()) + ", order " + b.order();
        long length = b.end() - b.start();
        if (b.objects()) {
            out.append("# object array at " + b.start() + "-" + b.end() + ": a pickle of its own (" + described
                    + ")\n");
            CountingInput counted = new CountingInput(in);
            disassembler.disassemble(counted, out, null, b.start(), null);
            if (counted.count != length) {
                throw new PickleException("the object array's pickle at " + b.start() + " ends at "
                        + (b.start() + counted.count) + ", not at " + b.end(), b.start(), null);
            }
            return length;
        }
        String padding = b.padding() < 0 ? "no padding"
                : "1 padding-length byte, " + b.padding() + " padding bytes";
        out.append("# array data at " + b.start() + "-" + b.end() + ": " + padding + ", " + b.dataBytes()
                + " bytes of items (" + described + ")\n");
        long skipped = in.skip(length);
        if (skipped != length) {
            throw new PickleException("the array block at " + b.start() + " is cut short", b.start(), null);
        }
        return length;
    }

    /** Python's {@code repr} of a shape tuple: {@code ()}, {@code (3,)}, {@code (3, 4)}. */
    private static String shapeRepr(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    private static byte[] readAll(InputStream in, String codec) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        int n;
        while ((n = in.read(chunk)) >= 0) {
            if (all.size() + (long) n > MAX_DECOMPRESSED) {
                throw new PickleException("the " + codec + " stream decompresses to more than " + MAX_DECOMPRESSED
                        + " bytes, more than the disassembler holds", -1, null);
            }
            all.write(chunk, 0, n);
        }
        return all.toByteArray();
    }

    private static boolean contains(byte[] data, String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Counts what is read through it. */
    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
