package dev.brine.torch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A PyTorch tensor: a view, by offset, shape and strides, of a flat storage of elements of one dtype.
 *
 * <p>This is torch's own model. Tensors read from one checkpoint that viewed one storage in Python (a weight and
 * its transpose, tied embeddings) share it here too ({@link #sharesStorageWith}), and a storage is read from the
 * file only when its bytes are first needed. The typed copies ({@link #toFloatArray()} and its siblings) and
 * {@link #contiguousBytes()} walk the elements in logical row-major order, as {@code t.flatten().tolist()} does,
 * so transposed, sliced and expanded views come out as Python shows them:
 *
 * <pre>{@code
 * Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
 * Tensor t = w.view(0, new long[] {3, 2}, new long[] {1, 3});   // w.t()
 * t.toFloatArray();                                             // [1, 4, 2, 5, 3, 6]
 * }</pre>
 *
 * <p>Tensors are immutable. {@code equals} is identity, as for {@code torch.Tensor}, whose {@code ==} is
 * elementwise: two tensors with equal values may differ in dtype, device, strides or storage sharing, and which of
 * those count is the caller's choice.
 */
public final class Tensor {
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** Bytes gathered per write when streaming a view's elements. */
    private static final int CHUNK = 1 << 16;

    private final Storage storage;
    private final TorchDtype type;
    private final long storageOffset;
    private final long[] shape;
    private final long[] stride;
    private final long numel;
    private final boolean requiresGrad;
    private final boolean parameter;
    private final Object backwardHooks;
    /** A quantized tensor's {@code quantizer_params}, as pickled; null for any other tensor. */
    private Object quantizer;

    private Tensor(Storage storage, long storageOffset, long[] shape, long[] stride, long numel, boolean requiresGrad,
                   boolean parameter, Object backwardHooks) {
        this.storage = storage;
        this.type = storage.type();
        this.storageOffset = storageOffset;
        this.shape = shape;
        this.stride = stride;
        this.numel = numel;
        this.requiresGrad = requiresGrad;
        this.parameter = parameter;
        this.backwardHooks = backwardHooks;
    }

    /**
     * A tensor over {@code storage}, as torch's {@code _rebuild_tensor_v2} builds it. Validates, without loading
     * the storage and without overflow: shape and stride have one length, no size or stride is negative,
     * {@code storageOffset >= 0}, and for a non-empty tensor the last element,
     * {@code storageOffset + sum((shape[i] - 1) * stride[i])}, lies in the storage. As torch's
     * {@code checkInBoundsForStorage}, an empty tensor may have any offset. The arrays are copied.
     *
     * @throws IllegalArgumentException if the view does not fit the storage
     */
    static Tensor view(Storage storage, long storageOffset, long[] shape, long[] stride, boolean requiresGrad,
                       boolean parameter, Object backwardHooks) {
        Objects.requireNonNull(storage, "storage");
        long[] sh = shape.clone();
        long[] st = stride.clone();
        long numel = checkView(storage, storageOffset, sh, st);
        return new Tensor(storage, storageOffset, sh, st, numel, requiresGrad, parameter, backwardHooks);
    }

    /** Checks a view of {@code storage} and returns its numel. */
    private static long checkView(Storage storage, long offset, long[] shape, long[] stride) {
        if (shape.length != stride.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " have different lengths");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("negative storage offset " + offset);
        }
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("negative size " + shape[i] + " in shape " + Arrays.toString(shape));
            }
            if (stride[i] < 0) {
                throw new IllegalArgumentException("negative stride " + stride[i] + " in stride "
                        + Arrays.toString(stride) + " (torch's as_strided refuses them)");
            }
            empty |= shape[i] == 0;
        }
        if (empty) {
            return 0;
        }
        try {
            long numel = 1;
            long last = offset;
            for (int i = 0; i < shape.length; i++) {
                numel = Math.multiplyExact(numel, shape[i]);
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            }
            if (last / elementsPerByte(storage.type()) >= storage.numel()) {
                throw new IllegalArgumentException("a view with offset " + offset + ", shape " + Arrays.toString(shape)
                        + " and stride " + Arrays.toString(stride) + " reaches element " + last + " of " + storage
                        + ", which has " + storage.numel());
            }
            return numel;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a view with offset " + offset + ", shape " + Arrays.toString(shape)
                    + " and stride " + Arrays.toString(stride) + " overflows a long index");
        }
    }

    /**
     * The elements a storage byte packs: 2 for {@code quint4x2}, 4 for {@code quint2x4} (their storages count
     * bytes), 1 for every other dtype.
     */
    static int elementsPerByte(TorchDtype type) {
        return type == TorchDtype.QUINT4X2 ? 2 : type == TorchDtype.QUINT2X4 ? 4 : 1;
    }

    // ---- factories ----

    /** A contiguous float32 tensor of {@code data} (copied) with {@code shape}; no shape makes a scalar. */
    public static Tensor of(float[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 4);
        b.asFloatBuffer().put(data);
        return contiguous(TorchDtype.FLOAT32, b, data.length, shape);
    }

    /** A contiguous float64 tensor of {@code data} (copied) with {@code shape}; no shape makes a scalar. */
    public static Tensor of(double[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 8);
        b.asDoubleBuffer().put(data);
        return contiguous(TorchDtype.FLOAT64, b, data.length, shape);
    }

    /** A contiguous int64 tensor of {@code data} (copied) with {@code shape}; no shape makes a scalar. */
    public static Tensor of(long[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 8);
        b.asLongBuffer().put(data);
        return contiguous(TorchDtype.INT64, b, data.length, shape);
    }

    /** A contiguous int32 tensor of {@code data} (copied) with {@code shape}; no shape makes a scalar. */
    public static Tensor of(int[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 4);
        b.asIntBuffer().put(data);
        return contiguous(TorchDtype.INT32, b, data.length, shape);
    }

    /** A contiguous int16 tensor of {@code data} (copied) with {@code shape}; no shape makes a scalar. */
    public static Tensor of(short[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 2);
        b.asShortBuffer().put(data);
        return contiguous(TorchDtype.INT16, b, data.length, shape);
    }

    /** A contiguous int8 tensor of {@code data} (copied) with {@code shape}; no shape makes a scalar. */
    public static Tensor of(byte[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 1);
        b.put(data);
        return contiguous(TorchDtype.INT8, b, data.length, shape);
    }

    /** A contiguous bool tensor of {@code data} (copied) with {@code shape}; no shape makes a scalar. */
    public static Tensor of(boolean[] data, long... shape) {
        ByteBuffer b = allocate(data.length, 1);
        for (boolean v : data) {
            b.put((byte) (v ? 1 : 0));
        }
        return contiguous(TorchDtype.BOOL, b, data.length, shape);
    }

    /**
     * A contiguous tensor of any dtype ({@code float16}, {@code bfloat16}, {@code uint8}, {@code complex64}, ...)
     * from the little-endian bytes {@code position..limit} of {@code rawLittleEndian} (copied), with
     * {@code shape}; no shape makes a scalar. A complex element is its real part, then its imaginary part.
     *
     * @throws IllegalArgumentException if the dtype is unknown or the bytes are not the shape's elements
     */
    public static Tensor of(String dtype, ByteBuffer rawLittleEndian, long... shape) {
        TorchDtype t = TorchDtype.require(dtype);
        int n = rawLittleEndian.remaining();
        if (n % t.itemSize != 0) {
            throw new IllegalArgumentException(n + " bytes are not a whole number of " + dtype + " elements of "
                    + t.itemSize + " bytes");
        }
        ByteBuffer copy = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(rawLittleEndian.duplicate()).flip();
        return contiguous(t, copy, n / t.itemSize, shape);
    }

    private static ByteBuffer allocate(int count, int itemSize) {
        if ((long) count * itemSize > MAX_ARRAY) {
            throw new IllegalArgumentException(count + " elements of " + itemSize
                    + " bytes are more than a ByteBuffer holds");
        }
        return ByteBuffer.allocate(count * itemSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Tensor contiguous(TorchDtype type, ByteBuffer littleEndian, long count, long[] shape) {
        long[] sh = shape.clone();
        long product = 1;
        long[] strides;
        try {
            for (long s : sh) {
                if (s < 0) {
                    throw new IllegalArgumentException("negative size " + s + " in shape " + Arrays.toString(sh));
                }
                product = s == 0 || product == 0 ? 0 : Math.multiplyExact(product, s);
            }
            strides = contiguousStrides(sh);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(sh) + " overflows a long index");
        }
        if (product != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(sh) + " has " + product + " elements, the "
                    + type.torchName + " data " + count);
        }
        littleEndian.position(0);
        Storage storage = Storage.of(type.torchName, littleEndian);
        return new Tensor(storage, 0, sh, strides, product, false, false, null);
    }

    /** Row-major strides as torch computes them: a size-0 dimension counts as 1, so strides stay positive. */
    private static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long step = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = step;
            step = Math.multiplyExact(step, Math.max(shape[i], 1));
        }
        return st;
    }

    // ---- views of the same storage ----

    /**
     * Another tensor over this tensor's storage, as {@code torch.as_strided(self, shape, stride, storageOffset)}:
     * offset and strides count storage elements, not elements of this view. It keeps requires_grad, the parameter
     * flag and the hooks.
     *
     * @throws IllegalArgumentException if shape and stride differ in length, a size, stride or the offset is
     *                                  negative, or a non-empty view's last element is past the storage's end
     */
    public Tensor view(long storageOffset, long[] shape, long[] stride) {
        return view(storage, storageOffset, shape, stride, requiresGrad, parameter, backwardHooks)
                .withQuantizer(quantizer);
    }

    /** This tensor with {@code requires_grad} set to {@code requiresGrad}, over the same storage. */
    public Tensor withRequiresGrad(boolean requiresGrad) {
        return new Tensor(storage, storageOffset, shape, stride, numel, requiresGrad, parameter, backwardHooks)
                .withQuantizer(quantizer);
    }

    /**
     * This tensor as a {@code torch.nn.Parameter} ({@code true}) or a plain tensor ({@code false}), over the same
     * storage. A checkpoint writer pickles a parameter through {@code torch._utils._rebuild_parameter}.
     */
    public Tensor asParameter(boolean parameter) {
        return new Tensor(storage, storageOffset, shape, stride, numel, requiresGrad, parameter, backwardHooks)
                .withQuantizer(quantizer);
    }

    /**
     * For a quantized tensor (dtype {@code qint8}, {@code quint8}, {@code qint32}, {@code quint4x2},
     * {@code quint2x4}), its {@code quantizer_params} as the checkpoint pickled them: {@code (qscheme, scale,
     * zero_point)} per tensor, or {@code (qscheme, scales, zero_points, axis)} per channel, the qscheme an inert
     * node; null for any other tensor. The real value of an element is {@code (raw - zero_point) * scale}.
     */
    public Object quantizer() {
        return quantizer;
    }

    /** This tensor (a new one read from a checkpoint, not yet shared) with its quantizer parameters set. */
    Tensor withQuantizer(Object params) {
        this.quantizer = params;
        return this;
    }

    /** Whether this tensor and {@code other} view the same storage (so writing one checkpoint keeps them tied). */
    public boolean sharesStorageWith(Tensor other) {
        return storage == other.storage;
    }

    /** The storage this tensor views. */
    Storage storageObject() {
        return storage;
    }

    /** The backward hooks as read (usually an empty {@code OrderedDict}), kept so the tensor writes back as read. */
    Object backwardHooks() {
        return backwardHooks;
    }

    // ---- metadata ----

    /**
     * Torch's dtype name without {@code torch.}: {@code float64}, {@code float32}, {@code float16},
     * {@code bfloat16}, {@code int64}, {@code int32}, {@code int16}, {@code int8}, {@code uint8}, {@code bool},
     * {@code complex64}, {@code complex128}, or a quantized {@code qint8}, {@code quint8}, {@code qint32},
     * {@code quint4x2}, {@code quint2x4}.
     */
    public String dtype() {
        return type.torchName;
    }

    /** The sizes of the dimensions (a copy); empty for a scalar. */
    public long[] shape() {
        return shape.clone();
    }

    /** The strides, in storage elements, of the dimensions (a copy). */
    public long[] stride() {
        return stride.clone();
    }

    /** The index in the storage, in elements, of this tensor's first element. */
    public long storageOffset() {
        return storageOffset;
    }

    /** Whether the tensor was saved with {@code requires_grad=True}. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Whether the tensor was saved as a {@code torch.nn.Parameter}. */
    public boolean isParameter() {
        return parameter;
    }

    /** The device the storage was saved from, such as {@code cpu} or {@code cuda:0}; its bytes are here anyway. */
    public String device() {
        return storage.device();
    }

    /** The number of elements: the product of the shape, 1 for a scalar. */
    public long numel() {
        return numel;
    }

    /** Bytes per element (a complex element counts both parts). */
    public int itemSize() {
        return type.itemSize;
    }

    /**
     * Whether the elements lie in row-major order without gaps, by torch's rule: dimensions of size 1 are
     * ignored, and an empty tensor is contiguous.
     */
    public boolean isContiguous() {
        if (numel == 0) {
            return true;
        }
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1) {
                if (stride[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
        }
        return true;
    }

    /**
     * The whole storage, not just this view: a read-only buffer in the storage's byte order (little-endian
     * unless the file says otherwise), position 0. Loads the storage on first use.
     *
     * @throws IllegalStateException if the storage is larger than one ByteBuffer holds (2 GiB); read it with
     *                               {@link #storageChunks()}, or this view with {@link #writeContiguousTo}
     */
    public ByteBuffer storage() {
        return storage.bytes();
    }

    /**
     * The whole storage, not just this view, as read-only buffers in the storage's byte order, each at position
     * 0, whose concatenation is the storage: one buffer (the same bytes as {@link #storage()}) for a storage that
     * fits a ByteBuffer, and for a larger one (over 2 GiB) chunks of 1 GiB, the last one shorter. Every chunk but
     * the last is a multiple of 16 bytes, so no element straddles two chunks: element {@code i} of the storage is
     * in chunk {@code i * itemSize() / chunks.get(0).capacity()}. Mapped bytes of a file are not copied. Loads the
     * storage on first use.
     */
    public java.util.List<ByteBuffer> storageChunks() {
        return storage.chunks();
    }

    // ---- typed copies, in logical row-major order ----

    /**
     * The element at row-major index {@code index} (0 to {@code numel() - 1}) as a Java value: a {@code Double} for
     * the float dtypes, a {@code Long} for the integer dtypes (uint8 unsigned) and for a quantized tensor's raw
     * integer, a {@code Boolean} for bool, a {@link dev.brine.value.PyComplex} for the complex dtypes. Reads one
     * element, without copying the tensor.
     *
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    public Object get(long index) {
        if (index < 0 || index >= numel) {
            throw new IndexOutOfBoundsException("index " + index + " out of range for " + numel + " elements");
        }
        long rem = index;
        long element = storageOffset;
        for (int d = shape.length - 1; d >= 0; d--) {
            element += rem % shape[d] * stride[d];
            rem /= shape[d];
        }
        Storage.Chunks b = elementData();
        int perByte = elementsPerByte(type);
        if (perByte > 1) {
            // Packed sub-byte integers, lowest bits first, as torch packs quint4x2 and quint2x4.
            int bits = 8 / perByte;
            int packed = b.get(element / perByte) & 0xFF;
            return (long) ((packed >>> (bits * (int) (element % perByte))) & ((1 << bits) - 1));
        }
        long at = element * type.itemSize;
        return switch (type) {
            case FLOAT64 -> b.getDouble(at);
            case FLOAT32 -> (double) b.getFloat(at);
            case FLOAT16 -> (double) TorchDtype.halfToFloat(b.getShort(at));
            case BFLOAT16 -> (double) TorchDtype.bfloat16ToFloat(b.getShort(at));
            case INT64 -> b.getLong(at);
            case INT32, QINT32 -> (long) b.getInt(at);
            case INT16 -> (long) b.getShort(at);
            case INT8, QINT8 -> (long) b.get(at);
            case UINT8, QUINT8, QUINT4X2, QUINT2X4 -> (long) (b.get(at) & 0xFF);
            case BOOL -> b.get(at) != 0;
            case COMPLEX64 -> new dev.brine.value.PyComplex(b.getFloat(at), b.getFloat(at + 4));
            case COMPLEX128 -> new dev.brine.value.PyComplex(b.getDouble(at), b.getDouble(at + 8));
        };
    }

    /**
     * The elements as doubles, in row-major order: every float type exactly (float16 and bfloat16 included), the
     * integers (an int64 beyond 2^53 rounds), uint8 unsigned, bool as 0 or 1. A complex tensor gives interleaved
     * real and imaginary parts, {@code 2 * numel} values.
     *
     * @throws IllegalStateException for a quantized tensor (its raw integers are in {@link #toByteArray()} or
     *                               {@link #contiguousBytes()}), or if the array would be too large
     */
    public double[] toDoubleArray() {
        if (type.kind == 'q') {
            throw wrongDtype("toDoubleArray()", "a real or complex dtype (a quantized tensor's values need its scale"
                    + " and zero point)");
        }
        double[] out = new double[arrayLength("double", type.isComplex() ? 2 : 1)];
        ByteBuffer run = contiguousRun();
        if (run != null && !type.isComplex()) {
            copyRun(run, out);
            return out;
        }
        Storage.Chunks b = elementData();
        Elements it = elements();
        int n = (int) numel;
        switch (type) {
            case FLOAT64 -> { for (int i = 0; i < n; i++) out[i] = b.getDouble(it.next()); }
            case FLOAT32 -> { for (int i = 0; i < n; i++) out[i] = b.getFloat(it.next()); }
            case FLOAT16 -> { for (int i = 0; i < n; i++) out[i] = TorchDtype.halfToFloat(b.getShort(it.next())); }
            case BFLOAT16 -> { for (int i = 0; i < n; i++) out[i] = TorchDtype.bfloat16ToFloat(b.getShort(it.next())); }
            case INT64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(it.next()); }
            case INT32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(it.next()); }
            case INT16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(it.next()); }
            case INT8 -> { for (int i = 0; i < n; i++) out[i] = b.get(it.next()); }
            case UINT8 -> { for (int i = 0; i < n; i++) out[i] = b.get(it.next()) & 0xFF; }
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(it.next()) != 0 ? 1 : 0; }
            case COMPLEX64 -> {
                for (int i = 0; i < n; i++) {
                    long at = it.next();
                    out[2 * i] = b.getFloat(at);
                    out[2 * i + 1] = b.getFloat(at + 4);
                }
            }
            case COMPLEX128 -> {
                for (int i = 0; i < n; i++) {
                    long at = it.next();
                    out[2 * i] = b.getDouble(at);
                    out[2 * i + 1] = b.getDouble(at + 8);
                }
            }
            default -> throw new AssertionError(type);
        }
        return out;
    }

    /**
     * The elements as floats, in row-major order, of a float32, float16 or bfloat16 tensor (all exact).
     *
     * @throws IllegalStateException for any other dtype, or if the array would be too large
     */
    public float[] toFloatArray() {
        if (type != TorchDtype.FLOAT32 && type != TorchDtype.FLOAT16 && type != TorchDtype.BFLOAT16) {
            throw wrongDtype("toFloatArray()", "float32, float16 or bfloat16");
        }
        float[] out = new float[arrayLength("float", 1)];
        ByteBuffer run = contiguousRun();
        if (run != null) {
            switch (type) {
                case FLOAT32 -> run.asFloatBuffer().get(out);
                case FLOAT16 -> {
                    ShortBuffer h = run.asShortBuffer();
                    for (int i = 0; i < out.length; i++) out[i] = TorchDtype.halfToFloat(h.get(i));
                }
                default -> {
                    ShortBuffer h = run.asShortBuffer();
                    for (int i = 0; i < out.length; i++) out[i] = TorchDtype.bfloat16ToFloat(h.get(i));
                }
            }
            return out;
        }
        Storage.Chunks b = elementData();
        Elements it = elements();
        switch (type) {
            case FLOAT32 -> { for (int i = 0; i < out.length; i++) out[i] = b.getFloat(it.next()); }
            case FLOAT16 -> { for (int i = 0; i < out.length; i++) out[i] = TorchDtype.halfToFloat(b.getShort(it.next())); }
            default -> { for (int i = 0; i < out.length; i++) out[i] = TorchDtype.bfloat16ToFloat(b.getShort(it.next())); }
        }
        return out;
    }

    /**
     * The elements as longs, in row-major order, of an integer or bool tensor: int64, int32, int16, int8, uint8
     * (unsigned, 0 to 255), bool (0 or 1).
     *
     * @throws IllegalStateException for any other dtype, or if the array would be too large
     */
    public long[] toLongArray() {
        if (type.kind != 'i' && type.kind != 'u' && type.kind != 'b') {
            throw wrongDtype("toLongArray()", "int64, int32, int16, int8, uint8 or bool");
        }
        long[] out = new long[arrayLength("long", 1)];
        ByteBuffer run = contiguousRun();
        if (run != null && type == TorchDtype.INT64) {
            run.asLongBuffer().get(out);
            return out;
        }
        Storage.Chunks b = elementData();
        Elements it = elements();
        switch (type) {
            case INT64 -> { for (int i = 0; i < out.length; i++) out[i] = b.getLong(it.next()); }
            case INT32 -> { for (int i = 0; i < out.length; i++) out[i] = b.getInt(it.next()); }
            case INT16 -> { for (int i = 0; i < out.length; i++) out[i] = b.getShort(it.next()); }
            case INT8 -> { for (int i = 0; i < out.length; i++) out[i] = b.get(it.next()); }
            case UINT8 -> { for (int i = 0; i < out.length; i++) out[i] = b.get(it.next()) & 0xFF; }
            default -> { for (int i = 0; i < out.length; i++) out[i] = b.get(it.next()) != 0 ? 1 : 0; }
        }
        return out;
    }

    /**
     * The elements as ints, in row-major order, of an int32, int16, int8 or uint8 (unsigned) tensor.
     *
     * @throws IllegalStateException for any other dtype, or if the array would be too large
     */
    public int[] toIntArray() {
        if (type != TorchDtype.INT32 && type != TorchDtype.INT16 && type != TorchDtype.INT8
                && type != TorchDtype.UINT8) {
            throw wrongDtype("toIntArray()", "int32, int16, int8 or uint8");
        }
        int[] out = new int[arrayLength("int", 1)];
        ByteBuffer run = contiguousRun();
        if (run != null && type == TorchDtype.INT32) {
            run.asIntBuffer().get(out);
            return out;
        }
        Storage.Chunks b = elementData();
        Elements it = elements();
        switch (type) {
            case INT32 -> { for (int i = 0; i < out.length; i++) out[i] = b.getInt(it.next()); }
            case INT16 -> { for (int i = 0; i < out.length; i++) out[i] = b.getShort(it.next()); }
            case INT8 -> { for (int i = 0; i < out.length; i++) out[i] = b.get(it.next()); }
            default -> { for (int i = 0; i < out.length; i++) out[i] = b.get(it.next()) & 0xFF; }
        }
        return out;
    }

    /**
     * The elements as shorts, in row-major order: an int16 tensor's values, or a float16 or bfloat16 tensor's
     * raw bits.
     *
     * @throws IllegalStateException for any other dtype, or if the array would be too large
     */
    public short[] toShortArray() {
        if (type != TorchDtype.INT16 && type != TorchDtype.FLOAT16 && type != TorchDtype.BFLOAT16) {
            throw wrongDtype("toShortArray()", "int16, float16 or bfloat16");
        }
        short[] out = new short[arrayLength("short", 1)];
        ByteBuffer run = contiguousRun();
        if (run != null) {
            run.asShortBuffer().get(out);
            return out;
        }
        Storage.Chunks b = elementData();
        Elements it = elements();
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getShort(it.next());
        }
        return out;
    }

    /**
     * The elements as bytes, in row-major order, of a one-byte tensor: int8, uint8 (as Java's signed bytes; mask
     * with {@code 0xFF}), bool (0 or 1 as stored), or the raw bytes of qint8, quint8, quint4x2 and quint2x4.
     *
     * @throws IllegalStateException for any other dtype, or if the array would be too large
     */
    public byte[] toByteArray() {
        if (type.itemSize != 1) {
            throw wrongDtype("toByteArray()", "int8, uint8, bool, qint8, quint8, quint4x2 or quint2x4");
        }
        byte[] out = new byte[arrayLength("byte", 1)];
        ByteBuffer run = contiguousRun();
        if (run != null) {
            run.get(out);
            return out;
        }
        Storage.Chunks b = elementData();
        Elements it = elements();
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(it.next());
        }
        return out;
    }

    /**
     * The elements, in row-major order, of a bool tensor; any nonzero byte is true, as in torch.
     *
     * @throws IllegalStateException for any other dtype, or if the array would be too large
     */
    public boolean[] toBooleanArray() {
        if (type != TorchDtype.BOOL) {
            throw wrongDtype("toBooleanArray()", "bool");
        }
        boolean[] out = new boolean[arrayLength("boolean", 1)];
        Storage.Chunks b = elementData();
        Elements it = elements();
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(it.next()) != 0;
        }
        return out;
    }

    /**
     * A new little-endian buffer of the elements in logical row-major order, {@code itemSize * numel} bytes, as
     * {@code t.contiguous()}'s storage on a little-endian machine: what a checkpoint or safetensors file holds.
     *
     * @throws IllegalStateException if the bytes are more than a ByteBuffer holds
     */
    public ByteBuffer contiguousBytes() {
        long size = byteLength();
        if (size > MAX_ARRAY) {
            throw new IllegalStateException(this + " has " + size + " bytes, more than a ByteBuffer holds; stream"
                    + " them with writeContiguousTo(OutputStream)");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        if (numel > 0) {
            Storage.Chunks src = storage.data();
            if (isContiguous() && storage.order() == ByteOrder.LITTLE_ENDIAN) {
                try {
                    src.forEachPiece(storageOffset * type.itemSize, size, out::put);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            } else {
                gather(src, elements(), out, numel);
            }
        }
        return out.flip();
    }

    /** {@code itemSize * numel}: the bytes of {@link #contiguousBytes()} (may exceed an int for a huge expand). */
    long byteLength() {
        try {
            return Math.multiplyExact(numel, type.itemSize);
        } catch (ArithmeticException e) {
            throw new IllegalStateException(this + " has more bytes than a long can count");
        }
    }

    /**
     * Writes the bytes of {@link #contiguousBytes()} (the elements in logical row-major order, little-endian) to
     * {@code out} without holding them all, for any size: a contiguous little-endian tensor is written straight
     * from its storage (over 2 GiB, chunk by chunk), a view is gathered {@value #CHUNK} bytes at a time. This is
     * how to copy out a tensor too large for {@link #contiguousBytes()}. {@code out} is neither flushed nor
     * closed.
     *
     * @throws IOException if {@code out} fails
     */
    public void writeContiguousTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        long remaining = numel;
        if (remaining == 0) {
            return;
        }
        Storage.Chunks src = storage.data();
        if (isContiguous() && storage.order() == ByteOrder.LITTLE_ENDIAN) {
            byte[] buffer = new byte[CHUNK];
            src.forEachPiece(storageOffset * type.itemSize, byteLength(), piece -> writeBuffer(piece, out, buffer));
            return;
        }
        Elements it = elements();
        int perChunk = Math.max(1, CHUNK / type.itemSize);
        ByteBuffer chunk = ByteBuffer.allocate(perChunk * type.itemSize).order(ByteOrder.LITTLE_ENDIAN);
        while (remaining > 0) {
            int count = (int) Math.min(remaining, perChunk);
            chunk.clear();
            gather(src, it, chunk, count);
            out.write(chunk.array(), 0, chunk.position());
            remaining -= count;
        }
    }

    private static void writeBuffer(ByteBuffer b, OutputStream out, byte[] chunk) throws IOException {
        if (b.hasArray()) {
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            return;
        }
        while (b.hasRemaining()) {
            int n = Math.min(chunk.length, b.remaining());
            b.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** Copies {@code count} elements from {@code it}'s positions in {@code src} to {@code dst}, in dst's order. */
    private void gather(Storage.Chunks src, Elements it, ByteBuffer dst, long count) {
        // Reading in the storage's order and writing in dst's swaps bytes when they differ; a complex element
        // is two units, each swapped on its own.
        int unit = type.unitSize();
        int units = type.itemSize / unit;
        for (long i = 0; i < count; i++) {
            long at = it.next();
            for (int u = 0; u < units; u++, at += unit) {
                switch (unit) {
                    case 1 -> dst.put(src.get(at));
                    case 2 -> dst.putShort(src.getShort(at));
                    case 4 -> dst.putInt(src.getInt(at));
                    default -> dst.putLong(src.getLong(at));
                }
            }
        }
    }

    /**
     * The elements of a non-empty contiguous tensor as one run of the storage: a buffer at position 0 in the
     * storage's byte order, {@code numel * itemSize} bytes, for the typed copies' bulk reads (typed views, which
     * the JIT turns into block copies and tight loops, instead of one odometer step and one bounds check an
     * element). Null for a view that is not contiguous, an empty tensor, or the packed sub-byte dtypes, whose
     * elements are not whole bytes: those take the element-by-element path.
     */
    private ByteBuffer contiguousRun() {
        if (numel == 0 || elementsPerByte(type) != 1 || !isContiguous()) {
            return null;
        }
        // Validated with the view: the run lies inside the storage. The caller's array holds numel elements, so
        // the run is under 2^31 elements; it is null when it crosses a chunk boundary of a storage over 2 GiB.
        return storage.data().run(storageOffset * type.itemSize, numel * type.itemSize);
    }

    /** {@code run}'s elements as doubles into {@code out}, as {@link #toDoubleArray()} converts them. */
    private void copyRun(ByteBuffer run, double[] out) {
        int n = out.length;
        switch (type) {
            case FLOAT64 -> run.asDoubleBuffer().get(out);
            case FLOAT32 -> {
                FloatBuffer f = run.asFloatBuffer();
                for (int i = 0; i < n; i++) out[i] = f.get(i);
            }
            case FLOAT16 -> {
                ShortBuffer h = run.asShortBuffer();
                for (int i = 0; i < n; i++) out[i] = TorchDtype.halfToFloat(h.get(i));
            }
            case BFLOAT16 -> {
                ShortBuffer h = run.asShortBuffer();
                for (int i = 0; i < n; i++) out[i] = TorchDtype.bfloat16ToFloat(h.get(i));
            }
            case INT64 -> {
                LongBuffer l = run.asLongBuffer();
                for (int i = 0; i < n; i++) out[i] = l.get(i);
            }
            case INT32 -> {
                IntBuffer v = run.asIntBuffer();
                for (int i = 0; i < n; i++) out[i] = v.get(i);
            }
            case INT16 -> {
                ShortBuffer v = run.asShortBuffer();
                for (int i = 0; i < n; i++) out[i] = v.get(i);
            }
            case INT8 -> { for (int i = 0; i < n; i++) out[i] = run.get(i); }
            case UINT8 -> { for (int i = 0; i < n; i++) out[i] = run.get(i) & 0xFF; }
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = run.get(i) != 0 ? 1 : 0; }
            default -> throw new AssertionError(type);
        }
    }

    /** The storage's bytes, or null for an empty tensor, whose storage need not be loaded (and is not read). */
    private Storage.Chunks elementData() {
        return numel == 0 ? null : storage.data();
    }

    private Elements elements() {
        return new Elements(storageOffset, shape, stride, type.itemSize);
    }

    private int arrayLength(String javaType, int perElement) {
        if (numel > MAX_ARRAY / perElement) {
            throw new IllegalStateException(this + " has " + numel + " elements, more than a Java " + javaType
                    + " array holds");
        }
        return (int) numel * perElement;
    }

    private IllegalStateException wrongDtype(String method, String accepted) {
        return new IllegalStateException(method + " needs " + accepted + ", and this tensor is " + type.torchName);
    }

    /**
     * The byte positions in the storage of a view's elements, in row-major order: an odometer over the shape. The
     * view was validated, so every position is inside the storage.
     */
    private static final class Elements {
        private final long[] shape;
        private final long[] stride;
        private final long[] counter;
        private final int itemSize;
        private long index;

        Elements(long offset, long[] shape, long[] stride, int itemSize) {
            this.shape = shape;
            this.stride = stride;
            this.counter = new long[shape.length];
            this.itemSize = itemSize;
            this.index = offset;
        }

        /** The byte position of the next element. */
        long next() {
            long at = index * itemSize;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (counter[d] + 1 < shape[d]) {
                    counter[d]++;
                    index += stride[d];
                    break;
                }
                // Validated: (shape - 1) * stride does not overflow.
                index -= (shape[d] - 1) * stride[d];
                counter[d] = 0;
            }
            return at;
        }
    }

    /**
     * A summary such as {@code Tensor(float32, shape=[2, 3], stride=[3, 1], offset=0)}, with the device,
     * requires_grad and parameter flag added when they are not the defaults. It does not load the storage.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(type.torchName)
                .append(", shape=").append(Arrays.toString(shape))
                .append(", stride=").append(Arrays.toString(stride))
                .append(", offset=").append(storageOffset);
        if (!"cpu".equals(storage.device())) {
            sb.append(", device=").append(storage.device());
        }
        if (requiresGrad) {
            sb.append(", requires_grad=True");
        }
        if (parameter) {
            sb.append(", parameter");
        }
        return sb.append(')').toString();
    }
}
