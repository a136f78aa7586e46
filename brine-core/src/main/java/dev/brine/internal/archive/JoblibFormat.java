package dev.brine.internal.archive;

import dev.brine.PickleException;
import dev.brine.internal.format.Wire;
import dev.brine.internal.read.ReadExtension;
import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * What {@code dev.brine.joblib.JoblibFile} and the disassembler share about joblib's format: how a file's
 * compression is found and undone, and how the array that follows each {@code NumpyArrayWrapper}'s BUILD is read.
 */
public final class JoblibFormat {
    private static final Set<GlobalRef> WRAPPERS = Set.of(
            new GlobalRef("joblib.numpy_pickle", "NumpyArrayWrapper"),
            new GlobalRef("sklearn.externals.joblib.numpy_pickle", "NumpyArrayWrapper"));
    private static final Set<GlobalRef> SEPARATE_FILE_WRAPPERS = Set.of(
            new GlobalRef("joblib.numpy_pickle_compat", "NDArrayWrapper"),
            new GlobalRef("joblib.numpy_pickle_compat", "ZNDArrayWrapper"),
            new GlobalRef("joblib.numpy_pickle", "NDArrayWrapper"),
            new GlobalRef("joblib.numpy_pickle", "ZNDArrayWrapper"),
            new GlobalRef("sklearn.externals.joblib.numpy_pickle", "NDArrayWrapper"),
            new GlobalRef("sklearn.externals.joblib.numpy_pickle", "ZNDArrayWrapper"));
    private static final int CHUNK = 1 << 16;

    private JoblibFormat() {
    }

    /**
     * The stream of a joblib file with its compression undone.
     *
     * @param codec {@code "zlib"}, {@code "gzip"}, or null for an uncompressed file
     */
    public record Decompressed(InputStream stream, String codec, Compressed compressed) {
        /**
         * For a compressed file whose stream has been read to its end: how many bytes of the file follow the end of
         * the compressed stream (0 for an uncompressed file, whose stream is the file).
         */
        public long trailingBytes() throws IOException {
            return compressed == null ? 0 : compressed.trailingBytes();
        }

        /** The offset in the file just after the compressed stream, once it has ended; -1 when uncompressed. */
        public long compressedEnd() {
            return compressed == null ? -1 : compressed.consumed();
        }
    }

    /** Finds and undoes the compression of a joblib file from its first bytes, as joblib finds it. */
    public static Decompressed decompressed(BufferedInputStream in) throws IOException {
        in.mark(8);
        byte[] head = in.readNBytes(6);
        in.reset();
        if (head.length == 0) {
            throw new PickleException("empty input: there is no joblib file to read", 0, null);
        }
        int b0 = head[0] & 0xff;
        if (b0 == 0x80 || head.length < 2) {
            return new Decompressed(in, null, null);
        }
        int b1 = head[1] & 0xff;
        if (b0 == 0x78 || b0 == 0x1f && b1 == 0x8b) {
            Compressed c = new Compressed(in, b0 == 0x1f);
            return new Decompressed(new BufferedInputStream(c, CHUNK), c.codec, c);
        }
        String codec = b0 == 'B' && b1 == 'Z' ? "bz2"
                : b0 == 0xfd && b1 == '7' ? "xz"
                : b0 == 0x5d && b1 == 0 ? "lzma"
                : b0 == 0x04 && b1 == 0x22 ? "lz4"
                : b0 == 'Z' && b1 == 'F' ? "the zlib container of joblib before 0.10"
                : null;
        if (codec != null) {
            throw new PickleException("this joblib file is compressed with " + codec + ", which Brine does not "
                    + "read (it reads uncompressed, zlib and gzip files); joblib.load(f) then joblib.dump(v, f, "
                    + "compress=('zlib', 3)) converts it", 0, null);
        }
        // Any other start is read as an uncompressed pickle (protocols 0 and 1 have no PROTO opcode).
        return new Decompressed(in, null, null);
    }

    /** Reads to the end of {@code in}, counting the bytes without keeping them. */
    public static long drain(InputStream in) throws IOException {
        long n = 0;
        byte[] chunk = new byte[8192];
        int r;
        while ((r = in.read(chunk)) >= 0) {
            n += r;
        }
        return n;
    }

    /**
     * What follows one array wrapper's BUILD in the stream, as the reader found it: bytes {@code start} to
     * {@code end}, either a pickle of its own ({@code objects}) or a padding-length byte, {@code padding} bytes of
     * padding (-1 when the wrapper predates alignment and there is no padding byte) and {@code dataBytes} of raw
     * items; {@code dtype} is numpy's {@code dtype.str}.
     */
    public record ArrayBlock(long start, long end, boolean objects, int padding, long dataBytes, String dtype,
                             long[] shape, String order) {
    }

    /** Told of each array block as it is read. */
    public interface Listener {
        void block(ArrayBlock block);
    }

    /**
     * The extension that reads the array following each wrapper's BUILD, as {@code NumpyUnpickler.load_build}
     * does, telling {@code listener} (if not null) where each was.
     */
    public static ReadExtension arrays(Listener listener) {
        return new Arrays(listener);
    }

    /** numpy's {@code dtype.hasobject}: the dtype or one of its fields or subarray bases holds Python objects. */
    public static boolean hasObject(DType dtype) {
        if (dtype.kind() == 'O') {
            return true;
        }
        if (dtype.subarrayBase() != null && hasObject(dtype.subarrayBase())) {
            return true;
        }
        if (dtype.isStructured()) {
            for (DType.Field f : dtype.fields().values()) {
                if (hasObject(f.dtype())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final class Arrays implements ReadExtension {
        private final Listener listener;

        Arrays(Listener listener) {
            this.listener = listener;
        }

        @Override
        public Object afterBuild(PyObject node, RawInput raw) throws IOException {
            if (!(node.callable() instanceof GlobalRef)) {
                return NOT_HANDLED;
            }
            GlobalRef cls = (GlobalRef) node.callable();
            if (SEPARATE_FILE_WRAPPERS.contains(cls)) {
                throw new PickleException("this file was written by joblib before 0.10, which keeps arrays in "
                        + "separate files (" + cls + "); Brine reads joblib 0.10 and later", -1, null);
            }
            if (!WRAPPERS.contains(cls)) {
                return NOT_HANDLED;
            }
            List<Object> states = node.states();
            if (states.size() != 1 || !(states.get(0) instanceof Map)) {
                throw bad("its state is not one dict: " + states);
            }
            Map<?, ?> state = (Map<?, ?>) states.get(0);
            Object dtypeValue = state.get("dtype");
            Object shapeValue = state.get("shape");
            Object order = state.get("order");
            long start = raw.offset();
            if (isObjectDtype(dtypeValue) || dtypeValue instanceof DType && hasObject((DType) dtypeValue)) {
                // write_array: an array of objects follows as a pickle of its own. Brine reads it as it reads
                // any pickled object array, and writes it back inline, which joblib.load reads the same.
                Object value = raw.loadPickle();
                if (listener != null) {
                    listener.block(new ArrayBlock(start, raw.offset(), true, -1, 0,
                            dtypeValue instanceof DType ? ((DType) dtypeValue).str() : "|O",
                            shapeValue instanceof PyTuple ? sizes((PyTuple) shapeValue) : new long[0],
                            String.valueOf(order)));
                }
                return value;
            }
            if (!(dtypeValue instanceof DType) || !(shapeValue instanceof PyTuple)
                    || !("C".equals(order) || "F".equals(order))) {
                throw bad("its state needs a numpy dtype, a shape tuple and an order 'C' or 'F', found " + state);
            }
            DType dtype = (DType) dtypeValue;
            long[] shape = sizes((PyTuple) shapeValue);
            long count = 1;
            for (long d : shape) {
                count = multiply(count, d, shapeValue);
            }
            long bytes = multiply(count, dtype.itemSize(), shapeValue);
            Object alignment = state.get("numpy_array_alignment_bytes");
            int padding = -1;
            if (alignment != null) {
                padding = raw.read(1)[0] & 0xff;
                raw.read(padding);
            }
            byte[] data = raw.read(bytes);
            if (listener != null) {
                listener.block(new ArrayBlock(start, raw.offset(), false, padding, bytes, dtype.str(), shape,
                        (String) order));
            }
            return NDArray.wrap(dtype, ByteBuffer.wrap(data), "F".equals(order) ? NDArray.Order.F : NDArray.Order.C,
                    shape);
        }

        private static long[] sizes(PyTuple shapeValue) {
            long[] shape = new long[shapeValue.size()];
            for (int i = 0; i < shape.length; i++) {
                Object d = shapeValue.get(i);
                if (!(d instanceof Long) || (Long) d < 0) {
                    throw bad("shape " + shapeValue + " has an entry that is not a size");
                }
                shape[i] = (Long) d;
            }
            return shape;
        }

        /** {@code numpy.dtype('O8', False, True)}: the object dtype, which Brine keeps as an inert node. */
        private static boolean isObjectDtype(Object dtype) {
            if (!(dtype instanceof PyObject) || !(((PyObject) dtype).callable() instanceof GlobalRef)) {
                return false;
            }
            GlobalRef cls = (GlobalRef) ((PyObject) dtype).callable();
            PyTuple args = ((PyObject) dtype).args();
            return cls.module().equals("numpy") && cls.name().equals("dtype") && !args.isEmpty()
                    && args.get(0) instanceof String && ((String) args.get(0)).startsWith("O");
        }

        private static long multiply(long a, long b, Object shape) {
            try {
                return Math.multiplyExact(a, b);
            } catch (ArithmeticException e) {
                throw bad("shape " + shape + " overflows");
            }
        }

        private static PickleException bad(String problem) {
            return new PickleException("malformed joblib array wrapper: " + problem, -1, null);
        }
    }

    /**
     * A zlib or gzip stream (one member, as joblib writes), inflated. It knows how many compressed bytes it used, so
     * what follows the stream in the file can be reported, and it fails with a {@link PickleException} naming the
     * codec and the compressed offset where the data is corrupt or ends early.
     */
    public static final class Compressed extends InputStream {
        private final InputStream in;
        private final boolean gzip;
        private final String codec;
        private final Inflater inflater;
        private final byte[] input = new byte[CHUNK];
        private final CRC32 crc = new CRC32();
        /** Compressed bytes read from {@code in}. */
        private long fed;
        private boolean done;
        private long trailing = -1;
        /** The length of the last chunk given to the inflater. */
        private int lastChunk;
        /** After the end: bytes of the last chunk that neither the inflater nor the trailer used. */
        private int unused;

        Compressed(InputStream in, boolean gzip) throws IOException {
            this.in = in;
            this.gzip = gzip;
            this.codec = gzip ? "gzip" : "zlib";
            this.inflater = new Inflater(gzip);
            if (gzip) {
                readGzipHeader();
            }
        }

        /** The compressed offset just after the stream (and its gzip trailer), once it has ended. */
        long consumed() {
            return done ? fed - unused : fed - inflater.getRemaining();
        }

        long trailingBytes() throws IOException {
            if (!done) {
                throw new IllegalStateException("the stream has not been read to its end");
            }
            if (trailing < 0) {
                trailing = unused + drain(in);
            }
            return trailing;
        }

        private int rawByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new PickleException("the gzip header ends early at offset " + fed, fed, null);
            }
            fed++;
            return b;
        }

        private void readGzipHeader() throws IOException {
            if (rawByte() != 0x1f || rawByte() != 0x8b || rawByte() != 8) {
                throw new PickleException("not a gzip stream of deflate data at offset 0", 0, null);
            }
            int flags = rawByte();
            for (int i = 0; i < 6; i++) {
                rawByte();                                         // mtime, extra flags, OS
            }
            if ((flags & 4) != 0) {                               // FEXTRA
                int n = rawByte() | rawByte() << 8;
                for (int i = 0; i < n; i++) {
                    rawByte();
                }
            }
            for (int flag : new int[] {8, 16}) {                   // FNAME, FCOMMENT: zero-terminated
                if ((flags & flag) != 0) {
                    int c;
                    do {
                        c = rawByte();
                    } while (c != 0);
                }
            }
            if ((flags & 2) != 0) {                               // FHCRC
                rawByte();
                rawByte();
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (!done) {
                int n;
                try {
                    n = inflater.inflate(b, off, len);
                } catch (DataFormatException e) {
                    long at = consumed();
                    throw new PickleException("corrupt " + codec + " data near compressed offset " + at + ": "
                            + e.getMessage(), at, null);
                }
                if (n > 0) {
                    crc.update(b, off, n);
                    return n;
                }
                if (inflater.finished()) {
                    finish();
                    break;
                }
                if (inflater.needsDictionary()) {
                    throw new PickleException("the " + codec + " stream needs a preset dictionary", consumed(), null);
                }
                if (inflater.needsInput()) {
                    int r = in.read(input, 0, input.length);
                    if (r < 0) {
                        throw new PickleException("the " + codec + " stream ends early: the file stops at "
                                + "compressed offset " + fed + " before the end of the compressed data", fed, null);
                    }
                    fed += r;
                    lastChunk = r;
                    inflater.setInput(input, 0, r);
                }
            }
            return -1;
        }

        private void finish() throws IOException {
            unused = inflater.getRemaining();
            if (gzip) {
                // The trailer: CRC-32 and the length modulo 2^32, both little-endian. Its first bytes may be the
                // inflater's unused input, the tail of the last chunk read.
                long at = fed - unused;
                byte[] trailer = new byte[8];
                int have = Math.min(unused, 8);
                System.arraycopy(input, lastChunk - unused, trailer, 0, have);
                unused -= have;
                int got = in.readNBytes(trailer, have, 8 - have);
                fed += got;
                if (have + got < 8) {
                    throw new PickleException("the gzip stream ends early: its 8-byte trailer at compressed offset "
                            + at + " is cut short", at, null);
                }
                long expectCrc = Wire.u32(trailer, 0);
                long expectSize = Wire.u32(trailer, 4);
                if (expectCrc != crc.getValue()) {
                    throw new PickleException("the gzip trailer at compressed offset " + at + " has CRC-32 "
                            + Long.toHexString(expectCrc) + ", the data " + Long.toHexString(crc.getValue())
                            + ": the data is corrupt", at, null);
                }
                if (expectSize != (inflater.getBytesWritten() & 0xffffffffL)) {
                    throw new PickleException("the gzip trailer at compressed offset " + at + " gives a length of "
                            + expectSize + " bytes, the data has " + inflater.getBytesWritten(), at, null);
                }
            }
            done = true;
            inflater.end();
        }
    }
}
