package dev.brine.joblib;

import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.internal.PickleInput;
import dev.brine.internal.PickleMachine;
import dev.brine.internal.PickleWriter;
import dev.brine.internal.ReadConfig;
import dev.brine.internal.ReadExtension;
import dev.brine.internal.TrailingData;
import dev.brine.internal.WriteConfig;
import dev.brine.value.DType;
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
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;

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
     * Reads a joblib file.
     *
     * @throws PickleException if the file is not a joblib file Brine reads (naming the compression or the format),
     *                         or is malformed or truncated
     * @throws IOException     if reading the file fails
     */
    public static Object read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /** Reads a joblib file from {@code in}, which is read to the end of the pickle. */
    public static Object read(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        InputStream pickle = decompressed(buffered);
        ReadConfig config = ReadConfig.defaults().withFormat(null, new Arrays());
        PickleInput input = PickleInput.of(pickle);
        Object value = new PickleMachine(config, input, null).load();
        input.finish();
        return value;
    }

    /** The stream with joblib's compression undone, found from its first bytes as joblib finds it. */
    private static InputStream decompressed(BufferedInputStream in) throws IOException {
        in.mark(8);
        byte[] head = in.readNBytes(6);
        in.reset();
        if (head.length == 0) {
            throw new PickleException("empty input: there is no joblib file to read", 0, null);
        }
        int b0 = head[0] & 0xff;
        if (b0 == 0x80 || head.length < 2) {
            return in;
        }
        int b1 = head[1] & 0xff;
        if (b0 == 0x78) {
            return new BufferedInputStream(new InflaterInputStream(in), 1 << 16);
        }
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
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
        return in;
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
        boolean objects = hasObject(array.dtype());
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

    /** numpy's {@code dtype.hasobject}: the dtype or one of its fields or subarray bases holds Python objects. */
    private static boolean hasObject(DType dtype) {
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

    /** Reads the array that follows each wrapper's BUILD, as {@code NumpyUnpickler.load_build} does. */
    private static final class Arrays implements ReadExtension {
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
            if (isObjectDtype(dtypeValue) || dtypeValue instanceof DType && hasObject((DType) dtypeValue)) {
                // write_array: an array of objects follows as a pickle of its own. Brine reads it as it reads
                // any pickled object array, and writes it back inline, which joblib.load reads the same.
                return raw.loadPickle();
            }
            if (!(dtypeValue instanceof DType) || !(shapeValue instanceof PyTuple)
                    || !("C".equals(order) || "F".equals(order))) {
                throw bad("its state needs a numpy dtype, a shape tuple and an order 'C' or 'F', found " + state);
            }
            DType dtype = (DType) dtypeValue;
            long[] shape = new long[((PyTuple) shapeValue).size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                Object d = ((PyTuple) shapeValue).get(i);
                if (!(d instanceof Long) || (Long) d < 0) {
                    throw bad("shape " + shapeValue + " has an entry that is not a size");
                }
                shape[i] = (Long) d;
                count = multiply(count, shape[i], shapeValue);
            }
            long bytes = multiply(count, dtype.itemSize(), shapeValue);
            Object alignment = state.get("numpy_array_alignment_bytes");
            if (alignment != null) {
                int padding = raw.read(1)[0] & 0xff;
                raw.read(padding);
            }
            byte[] data = raw.read(bytes);
            return NDArray.wrap(dtype, ByteBuffer.wrap(data), "F".equals(order) ? NDArray.Order.F : NDArray.Order.C,
                    shape);
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
}
