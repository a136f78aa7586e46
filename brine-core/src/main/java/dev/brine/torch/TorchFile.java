package dev.brine.torch;

import dev.brine.PickleException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * PyTorch checkpoints, read and written without torch and without running anything.
 *
 * <pre>{@code
 * Map<?, ?> stateDict = (Map<?, ?>) TorchFile.read(Path.of("model.pt"));
 * stateDict.forEach((name, t) -> System.out.println(name + " " + ((Tensor) t).dtype()
 *         + " " + Arrays.toString(((Tensor) t).shape())));
 * }</pre>
 *
 * <p>{@link #read(Path)} reads what {@code torch.save} writes: the zip archive of torch 1.6 and later (whatever
 * its folder is called, with its {@code byteorder} record, zip64 included), the legacy format
 * ({@code _use_new_zipfile_serialization=False}), and a tensor pickled with plain {@code pickle}. Tensors and
 * parameters become {@link Tensor}s over shared, lazily read storages: stored records of a file are memory-mapped,
 * not copied. A state dict is a {@link dev.brine.value.PyOrderedDict} whose {@code state()} keeps torch's
 * {@code _metadata}; optimizer states and whole pickled modules read as Brine's usual inert nodes with their tensors
 * as {@code Tensor}s. Only the rebuild functions {@code torch.load(weights_only=True)} allows are interpreted;
 * anything else stays an inert node, and {@link Reader#strict(boolean) strict} reading refuses it as
 * {@code weights_only=True} would, naming the global.
 *
 * <p>{@link #write(Path, Object)} writes maps, lists, tuples, Python scalars and {@link Tensor}s as a zip
 * checkpoint that {@code torch.load(path, weights_only=True)} reads, storage sharing kept.
 *
 * <p>Errors: a malformed or truncated archive, a storage shorter than its tensors need, a bad stride or offset,
 * or a storage with no record fail with a {@link PickleException} whose {@link PickleException#entry() entry}
 * names the part of the file.
 */
public final class TorchFile {
    private static final Reader DEFAULT = new Reader(false, false);

    private TorchFile() {
    }

    /** Reads a torch file with the default (non-strict) reader. */
    public static Object read(Path file) throws IOException {
        return DEFAULT.read(file);
    }

    /**
     * Reads a torch file from a stream, which is read to its end and held in memory (at most 2 GiB: read a larger
     * file from its path).
     */
    public static Object read(InputStream in) throws IOException {
        return DEFAULT.read(in);
    }

    /** A reader with the default options; {@link Reader#strict(boolean)} gives a strict one. */
    public static Reader reader() {
        return DEFAULT;
    }

    /** Reads torch files; immutable and thread-safe. */
    public static final class Reader {
        private final boolean strict;
        private final boolean allowTrailingData;

        private Reader(boolean strict, boolean allowTrailingData) {
            this.strict = strict;
            this.allowTrailingData = allowTrailingData;
        }

        /**
         * A reader that refuses, with a {@link PickleException} naming it, every global that
         * {@code torch.load(weights_only=True)} of torch 1.13 refuses: anything but the tensor and storage types,
         * dtypes, {@code OrderedDict}, {@code torch.Size} and the rebuild functions.
         */
        public Reader strict(boolean strict) {
            return strict == this.strict ? this : new Reader(strict, allowTrailingData);
        }

        /**
         * Whether bytes after what a legacy file or a plain pickle holds (after the last storage, or after the
         * pickle's STOP opcode) are ignored, as {@code torch.load} ignores them. By default they fail with a
         * {@link PickleException} naming their offset and count: a reader that returned less than the file holds
         * would be silently wrong.
         */
        public Reader allowTrailingData(boolean allow) {
            return allow == allowTrailingData ? this : new Reader(strict, allow);
        }

        /** Reads a torch file: zip, legacy, or a pickled tensor, told apart by their first bytes. */
        public Object read(Path file) throws IOException {
            Objects.requireNonNull(file, "file");
            return unchecked(() -> new TorchReader(strict, allowTrailingData).read(file));
        }

        /**
     * Reads a torch file from a stream, which is read to its end and held in memory (at most 2 GiB: read a larger
     * file from its path).
     */
        public Object read(InputStream in) throws IOException {
            Objects.requireNonNull(in, "in");
            return unchecked(() -> new TorchReader(strict, allowTrailingData).read(in));
        }
    }

    private interface IoCall {
        Object call() throws IOException;
    }

    /** The nested legacy files of pickled tensors are read inside the pickle machine, which cannot throw IOException. */
    private static Object unchecked(IoCall call) throws IOException {
        try {
            return call.call();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Writes {@code value} as a zip checkpoint whose records sit in a folder named after the file, as
     * {@code torch.save} names it.
     *
     * @throws PickleException if a value has no Python equivalent (the message gives its path)
     */
    public static void write(Path file, Object value) throws IOException {
        Objects.requireNonNull(file, "file");
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String archive = (dot > 0 ? name.substring(0, dot) : name).replaceAll("[^A-Za-z0-9_.-]", "_");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            TorchWriter.write(out, archive.isEmpty() ? "archive" : archive, value);
        }
    }

    /** Writes {@code value} as a zip checkpoint onto {@code out}, with its records in folder {@code archive}. */
    public static void write(OutputStream out, Object value) throws IOException {
        Objects.requireNonNull(out, "out");
        TorchWriter.write(out, "archive", value);
    }

    /**
     * Every tensor in {@code value} by its path: the keys of maps and the indices of lists and tuples joined with
     * dots, as a state dict names its tensors ({@code "layer1.0.weight"}) and as nested checkpoints are commonly
     * flattened ({@code "model.fc.bias"}). Map items and list items are walked, each container once; inert objects
     * are not entered.
     */
    public static Map<String, Tensor> tensors(Object value) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        walk(value, "", out, new ArrayList<>(), Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    /**
     * The paths of the values in {@code value} that are neither tensors nor containers walked by
     * {@link #tensors}: what a conversion to a tensor-only format would leave out.
     */
    public static List<String> nonTensors(Object value) {
        List<String> out = new ArrayList<>();
        walk(value, "", new LinkedHashMap<>(), out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void walk(Object v, String path, Map<String, Tensor> tensors, List<String> others,
                             Set<Object> seen) {
        if (v instanceof Tensor) {
            tensors.put(path, (Tensor) v);
            return;
        }
        if (v instanceof Map || v instanceof List) {
            if (!seen.add(v)) {
                return;
            }
            if (v instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    walk(e.getValue(), join(path, String.valueOf(e.getKey())), tensors, others, seen);
                }
            } else {
                List<?> list = (List<?>) v;
                for (int i = 0; i < list.size(); i++) {
                    walk(list.get(i), join(path, Integer.toString(i)), tensors, others, seen);
                }
            }
            return;
        }
        others.add(path.isEmpty() ? "(the value itself)" : path);
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * Converts a checkpoint to the safetensors format without running it: {@link #tensors} of the checkpoint,
     * each written as its own contiguous little-endian copy (the format allows no shared or overlapping data),
     * with {@code metadata} as the header's {@code __metadata__}.
     *
     * @throws IllegalArgumentException if the checkpoint holds values other than tensors (see {@link #nonTensors})
     *                                  and {@code dropNonTensors} is false, or a tensor's dtype has no safetensors
     *                                  code (complex and quantized dtypes)
     */
    public static void toSafetensors(Object checkpoint, Map<String, String> metadata, boolean dropNonTensors,
                                     OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        List<String> others = nonTensors(checkpoint);
        if (!dropNonTensors && !others.isEmpty()) {
            throw new IllegalArgumentException(others.size() + " value(s) of the checkpoint are not tensors and "
                    + "safetensors cannot hold them: " + (others.size() > 10 ? others.subList(0, 10) + " ..." : others)
                    + "; drop them explicitly to convert the tensors alone");
        }
        Safetensors.write(tensors(checkpoint), metadata == null ? Map.of() : metadata, out);
    }

    /** Converts the torch file {@code in} to the safetensors file {@code out}; see {@link #toSafetensors}. */
    public static void toSafetensors(Path in, Path out, boolean dropNonTensors) throws IOException {
        Object checkpoint = read(in);
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
            toSafetensors(checkpoint, Map.of("format", "pt"), dropNonTensors, o);
        }
    }
}
