package dev.brine.joblib;

import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.internal.archive.JoblibFormat;
import dev.brine.internal.read.PickleInput;
import dev.brine.internal.read.PickleMachine;
import dev.brine.internal.read.ReadConfig;
import dev.brine.internal.write.PickleWriter;
import dev.brine.internal.write.TrailingData;
import dev.brine.internal.write.WriteConfig;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes the files {@code joblib.dump} writes, which is how scikit-learn models are usually saved.
 *
 * <p>A joblib file is a pickle in which each numpy array is replaced by a {@code NumpyArrayWrapper} object, and the
 * array's raw bytes follow the wrapper's BUILD opcode in the stream (after one byte giving the length of a padding
 * to a 16-byte boundary, then the padding, from joblib 1.2); an array of Python objects follows as a pickle of its
 * own. The whole stream may be compressed. So {@code pickle.load} cannot read it, and neither can
 * {@link dev.brine.Pickle#loads}.
 *
 * <pre>{@code
 * Object model = JoblibFile.read(Path.of("model.joblib"));      // inert nodes, arrays as NDArray
 * PyObject lr = (PyObject) model;
 * NDArray coef = (NDArray) ((Map<?, ?>) lr.state()).get("coef_");
 * JoblibFile.write(Path.of("copy.joblib"), model);             // joblib.load reads it back
 * }</pre>
 *
 * <p>Reading never runs code: objects are the inert nodes {@link dev.brine.Unpickler} makes, arrays are
 * {@link NDArray}s (in C or Fortran order, as stored; a {@code numpy.matrix} or {@code memmap} reads as a plain
 * array, as {@code np.asarray} gives it). Uncompressed, zlib and gzip files are read; lzma, xz, bz2 and lz4 files, and
 * the files of joblib before 0.10 (arrays in separate {@code .npy} files), fail with a {@link PickleException} that
 * names the format.
 */
public final class JoblibFile {
    private static final GlobalRef WRAPPER = new GlobalRef("joblib.numpy_pickle", "NumpyArrayWrapper");
    private static final GlobalRef NDARRAY = new GlobalRef("numpy", "ndarray");
    /** {@code joblib.numpy_pickle.NUMPY_ARRAY_ALIGNMENT_BYTES}. */
    private static final int ALIGNMENT = 16;
    /** The pickle protocol {@code joblib.dump} uses: {@code pickle.DEFAULT_PROTOCOL} of Python 3.8 and later. */
    private static final int PROTOCOL = 4;

    private JoblibFile() {
    }

    /** How a written file is compressed, as {@code joblib.dump(..., compress=...)}. */
    public enum Compression {
        /** No compression ({@code compress=0}). */
        NONE,
        /** A zlib stream ({@code compress=('zlib', 3)}, or {@code compress=3}). */
        ZLIB,
        /** A gzip stream ({@code compress=('gzip', 3)}). */
        GZIP
    }

    /**
     * Reads a joblib file with the default reader, which refuses bytes after the file's pickle.
     *
     * @throws PickleException if the file is not a joblib file Brine reads (naming the compression or the format),
     *                         or is malformed or truncated, or has bytes after its pickle
     * @throws IOException     if reading the file fails
     */
    public static Object read(Path file) throws IOException {
        return DEFAULT.read(file);
    }

    /** Reads a joblib file from {@code in}, which is read to its end; see {@link #read(Path)}. */
    public static Object read(InputStream in) throws IOException {
        return DEFAULT.read(in);
    }

    /** The default reader; {@link Reader#allowTrailingData(boolean)} gives one that ignores what follows. */
    public static Reader reader() {
        return DEFAULT;
    }

    private static final Reader DEFAULT = new Reader(false);

    /** Reads joblib files; immutable and thread-safe. */
    public static final class Reader {
        private final boolean allowTrailingData;

        private Reader(boolean allowTrailingData) {
            this.allowTrailingData = allowTrailingData;
        }

        /**
         * Whether bytes after the pickle (in the decompressed stream, or after the end of the compressed stream)
         * are ignored, as {@code joblib.load} ignores them. By default they fail with a {@link PickleException}
         * naming their offset and count, since a reader that returned less than the file holds would be silently
         * wrong.
         */
        public Reader allowTrailingData(boolean allow) {
            return allow == allowTrailingData ? this : new Reader(allow);
        }

        /** Reads a joblib file; see {@link JoblibFile#read(Path)}. */
        public Object read(Path file) throws IOException {
            Objects.requireNonNull(file, "file");
            try (InputStream in = Files.newInputStream(file)) {
                return read(in);
            }
        }

        /**
         * Reads a joblib file from {@code in}, which is read to its end (to the end of the pickle when trailing data
         * is allowed).
         */
        public Object read(InputStream in) throws IOException {
            Objects.requireNonNull(in, "in");
            BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
            JoblibFormat.Decompressed stream = JoblibFormat.decompressed(buffered);
            ReadConfig config = ReadConfig.defaults().withFormat(null, JoblibFormat.arrays(null));
            PickleInput input = PickleInput.of(stream.stream());
            Object value = new PickleMachine(config, input, null).load();
            input.finish();
            if (!allowTrailingData) {
                long end = input.offset();
                long after = JoblibFormat.drain(stream.stream());
                String where = stream.codec() == null ? "" : " of the " + stream.codec() + "-decompressed stream";
                if (after > 0) {
                    throw new PickleException(after + " bytes follow the joblib pickle's STOP opcode, from offset "
                            + end + where + "; joblib.load would ignore them (JoblibFile.reader()"
                            + ".allowTrailingData(true) does too)", end, "STOP");
                }
                long trailing = stream.trailingBytes();
                if (trailing > 0) {
                    long at = stream.compressedEnd();
                    throw new PickleException(trailing + " bytes follow the " + stream.codec() + " stream, from "
                            + "offset " + at + " of the file; joblib.load would ignore them (JoblibFile.reader()"
                            + ".allowTrailingData(true) does too)", at, null);
                }
            }
            return value;
        }
    }

    /**
     * Writes {@code value} as {@code joblib.dump} would, uncompressed: {@link NDArray}s become wrapped arrays
     * whose bytes follow their wrappers; everything else is written as {@link Pickler} writes it.
     */
    public static void write(Path file, Object value) throws IOException {
        write(file, value, Compression.NONE);
    }

    /** As {@link #write(Path, Object)}, compressed at joblib's default level 3. */
    public static void write(Path file, Object value, Compression compression) throws IOException {
        Objects.requireNonNull(file, "file");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            write(out, value, compression);
        }
    }

    /** As {@link #write(Path, Object, Compression)}, onto a stream, which is finished but not closed. */
    public static void write(OutputStream out, Object value, Compression compression) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(compression, "compression");
        WriteConfig config = new WriteConfig(PROTOCOL, true, null, null, Map.of(),
                List.of(new WriteConfig.Adapter(NDArray.class, a -> wrapped((NDArray) a))), false);
        switch (compression) {
            case NONE:
                PickleWriter.dump(config, value, out);
                break;
            case ZLIB: {
                DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(3), 1 << 16);
                PickleWriter.dump(config, value, z);
                z.finish();
                break;
            }
            case GZIP: {
                GZIPOutputStream z = new GZIPOutputStream(out, 1 << 16) {
                    {
                        def.setLevel(3);
                    }
                };
                PickleWriter.dump(config, value, z);
                z.finish();
                break;
            }
            default:
                throw new AssertionError(compression);
        }
        out.flush();
    }

    /** {@code NumpyPickler.save} of an array: the wrapper, then the padding and the bytes (or a pickle). */
    private static TrailingData wrapped(NDArray array) {
        PyObject wrapper = new PyObject(PyObject.Kind.NEWOBJ, WRAPPER, PyTuple.empty(), null);
        boolean objects = JoblibFormat.hasObject(array.dtype());
        Map<Object, Object> state = new LinkedHashMap<>();
        state.put("subclass", NDARRAY);
        long[] shape = array.shape();
        Object[] dims = new Object[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        state.put("shape", PyTuple.of(dims));
        state.put("order", array.order() == NDArray.Order.F ? "F" : "C");
        state.put("dtype", array.dtype());
        state.put("allow_mmap", !objects);
        state.put("numpy_array_alignment_bytes", ALIGNMENT);
        wrapper.addState(state);
        return new TrailingData(wrapper, position -> {
            if (objects) {
                // write_array: pickle.dump(array, file_handle, protocol=2).
                return ByteBuffer.wrap(Pickler.builder().protocol(2).build().dumps(array));
            }
            ByteBuffer items = array.buffer();
            int padding = ALIGNMENT - (int) ((position + 1) % ALIGNMENT);
            ByteBuffer all = ByteBuffer.allocate(1 + padding + items.remaining());
            all.put((byte) padding);
            for (int i = 0; i < padding; i++) {
                all.put((byte) 0xff);
            }
            all.put(items.duplicate());
            return all.flip();
        });
    }
}
