package dev.brine.torch;

import java.util.HashMap;
import java.util.Map;

/**
 * The one table of torch dtypes: every reader of a torch dtype (the checkpoint reader, {@link Tensor}'s typed copies,
 * the safetensors writer) looks it up here, so supporting a dtype means adding one row.
 *
 * <p>Each row has torch's name without {@code torch.}, the size of one element in bytes, the legacy storage class
 * that torch pickles for it ({@code torch.FloatStorage}; a zip checkpoint names the class, not the dtype), the
 * safetensors code where safetensors has one, and numpy's {@code dtype.str} where numpy has the type. The
 * quantized types hold raw integers whose meaning needs a scale and zero point, so neither safetensors nor numpy
 * has a code for them; {@code quint4x2} and {@code quint2x4} pack two or four values in one byte.
 */
enum TorchDtype {
    FLOAT64("float64", 8, "DoubleStorage", "F64", "<f8", 'f'),
    FLOAT32("float32", 4, "FloatStorage", "F32", "<f4", 'f'),
    FLOAT16("float16", 2, "HalfStorage", "F16", "<f2", 'f'),
    BFLOAT16("bfloat16", 2, "BFloat16Storage", "BF16", null, 'f'),
    INT64("int64", 8, "LongStorage", "I64", "<i8", 'i'),
    INT32("int32", 4, "IntStorage", "I32", "<i4", 'i'),
    INT16("int16", 2, "ShortStorage", "I16", "<i2", 'i'),
    INT8("int8", 1, "CharStorage", "I8", "|i1", 'i'),
    UINT8("uint8", 1, "ByteStorage", "U8", "|u1", 'u'),
    BOOL("bool", 1, "BoolStorage", "BOOL", "|b1", 'b'),
    COMPLEX64("complex64", 8, "ComplexFloatStorage", null, "<c8", 'c'),
    COMPLEX128("complex128", 16, "ComplexDoubleStorage", null, "<c16", 'c'),
    QINT8("qint8", 1, "QInt8Storage", null, null, 'q'),
    QUINT8("quint8", 1, "QUInt8Storage", null, null, 'q'),
    QINT32("qint32", 4, "QInt32Storage", null, null, 'q'),
    QUINT4X2("quint4x2", 1, "QUInt4x2Storage", null, null, 'q'),
    QUINT2X4("quint2x4", 1, "QUInt2x4Storage", null, null, 'q');

    private static final Map<String, TorchDtype> BY_NAME = new HashMap<>();
    private static final Map<String, TorchDtype> BY_STORAGE_CLASS = new HashMap<>();

    static {
        for (TorchDtype t : values()) {
            BY_NAME.put(t.torchName, t);
            BY_STORAGE_CLASS.put(t.storageClass, t);
        }
    }

    /** Torch's name without {@code torch.}, such as {@code float32}. */
    final String torchName;
    /** Bytes per element; a complex element is its two parts. */
    final int itemSize;
    /** The legacy storage class in {@code torch}, such as {@code FloatStorage}. */
    final String storageClass;
    /** The safetensors dtype code, or null when safetensors cannot hold this dtype. */
    final String safetensors;
    /** numpy's {@code dtype.str} (little-endian), or null when numpy has no such type. */
    final String numpy;
    /** {@code 'f'} floating, {@code 'i'} signed, {@code 'u'} unsigned, {@code 'b'} bool, {@code 'c'} complex,
     *  {@code 'q'} quantized. */
    final char kind;

    TorchDtype(String torchName, int itemSize, String storageClass, String safetensors, String numpy, char kind) {
        this.torchName = torchName;
        this.itemSize = itemSize;
        this.storageClass = storageClass;
        this.safetensors = safetensors;
        this.numpy = numpy;
        this.kind = kind;
    }

    /** The dtype named {@code name} ({@code float32}, without {@code torch.}), or null. */
    static TorchDtype byName(String name) {
        return BY_NAME.get(name);
    }

    /** The dtype of the legacy storage class {@code className} ({@code FloatStorage}, without {@code torch.}),
     *  or null. */
    static TorchDtype byStorageClass(String className) {
        return BY_STORAGE_CLASS.get(className);
    }

    /** The dtype named {@code name}; throws {@link IllegalArgumentException} listing the known names if none. */
    static TorchDtype require(String name) {
        TorchDtype t = name == null ? null : BY_NAME.get(name);
        if (t == null) {
            StringBuilder known = new StringBuilder();
            for (TorchDtype d : values()) {
                known.append(known.length() == 0 ? "" : ", ").append(d.torchName);
            }
            throw new IllegalArgumentException("unknown torch dtype " + name + " (known: " + known + ")");
        }
        return t;
    }

    /** Whether elements are complex: two floats ({@code complex64}) or two doubles ({@code complex128}). */
    boolean isComplex() {
        return kind == 'c';
    }

    /** The size of the unit that byte order applies to: the item, or half of a complex item. */
    int unitSize() {
        return isComplex() ? itemSize / 2 : itemSize;
    }

    /**
     * The IEEE 754 binary16 value with bits {@code bits} as a float, exactly: every half is a float, subnormals
     * included, and a NaN keeps its payload (shifted into the float's fraction, as numpy's
     * {@code npy_halfbits_to_floatbits}).
     */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int fraction = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (fraction << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: fraction * 2^-24 is exact in a float.
            float magnitude = fraction * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        // Rebias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (fraction << 13));
    }

    /** The bfloat16 value with bits {@code bits} as a float: bfloat16 is the top half of a float, so this is exact. */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
