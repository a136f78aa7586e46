package dev.brine.torch;

import dev.brine.PickleException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One torch storage: a flat run of elements of one dtype, shared by every tensor that views it.
 *
 * <p>As in torch, a storage knows nothing of shape: a {@link Tensor} is an offset, a shape and strides over it, and
 * two tensors that view one storage (a weight and its transpose, or tied embeddings) share this object, so a
 * checkpoint writer can write the storage once. The bytes are loaded lazily, at most once, on the first call to
 * {@link #bytes()}: reading a checkpoint's pickle then costs nothing for the tensors nobody looks at.
 */
final class Storage {
    /** The key of storages made in memory by {@link #of}; a checkpoint writer gives them keys of its own. */
    static final String MEMORY_KEY = "in-memory storage";
    /** {@link ByteBuffer}s are indexed by int; JVMs refuse arrays a few elements short of Integer.MAX_VALUE. */
    static final int MAX_BYTES = Integer.MAX_VALUE - 8;

    private final String key;
    private final TorchDtype type;
    private final long numel;
    private final long byteSize;
    private final String device;
    private final ByteOrder order;
    private final Object lock = new Object();
    private Supplier<ByteBuffer> loader;
    private volatile ByteBuffer loaded;
    private RuntimeException failure;

    /**
     * A storage whose bytes {@code loader} gives on first use. {@code key} names the storage in errors (the zip
     * entry or the legacy file's storage key). {@code loader} is called at most once, lazily; the slice
     * {@code position..limit} of the buffer it returns is the data, in {@code order}.
     */
    Storage(String key, String dtype, long numel, String device, ByteOrder order, Supplier<ByteBuffer> loader) {
        this.key = Objects.requireNonNull(key, "key");
        this.type = TorchDtype.require(dtype);
        if (numel < 0) {
            throw new IllegalArgumentException("storage " + key + " has a negative numel " + numel);
        }
        this.numel = numel;
        try {
            this.byteSize = Math.multiplyExact(numel, type.itemSize);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("storage " + key + " of " + numel + " " + dtype
                    + " elements has more bytes than a long can count");
        }
        this.device = Objects.requireNonNull(device, "device");
        this.order = Objects.requireNonNull(order, "order");
        this.loader = Objects.requireNonNull(loader, "loader");
    }

    /**
     * An in-memory cpu storage over {@code littleEndianBytes} (its {@code position..limit}, not copied), for
     * {@link Tensor#of}. Its numel is the byte count over the item size, which must divide it.
     */
    static Storage of(String dtype, ByteBuffer littleEndianBytes) {
        TorchDtype t = TorchDtype.require(dtype);
        ByteBuffer data = littleEndianBytes.slice();
        if (data.remaining() % t.itemSize != 0) {
            throw new IllegalArgumentException(data.remaining() + " bytes are not a whole number of " + dtype
                    + " elements of " + t.itemSize + " bytes");
        }
        return new Storage(MEMORY_KEY, dtype, data.remaining() / t.itemSize, "cpu", ByteOrder.LITTLE_ENDIAN,
                () -> data);
    }

    /** The name of this storage in errors: a zip entry, a legacy storage key, or {@link #MEMORY_KEY}. */
    String key() {
        return key;
    }

    /** Torch's dtype name without {@code torch.}. */
    String dtype() {
        return type.torchName;
    }

    /** The dtype's row in the table. */
    TorchDtype type() {
        return type;
    }

    /** The number of elements. */
    long numel() {
        return numel;
    }

    /** The device the storage was saved from, such as {@code cpu} or {@code cuda:0}. */
    String device() {
        return device;
    }

    /** The byte order of the bytes. */
    ByteOrder order() {
        return order;
    }

    /** {@code numel * itemSize}. */
    long byteSize() {
        return byteSize;
    }

    /**
     * The bytes: a new read-only buffer in {@link #order()}, at position 0, of exactly {@code numel * itemSize}
     * bytes. The first call loads them (thread-safe; a failed load fails every later call the same way).
     *
     * @throws PickleException naming {@link #key()} if the loader gives more or fewer bytes than numel needs
     */
    ByteBuffer bytes() {
        ByteBuffer b = loaded;
        if (b == null) {
            b = load();
        }
        return b.duplicate().order(order);
    }

    private ByteBuffer load() {
        synchronized (lock) {
            if (loaded != null) {
                return loaded;
            }
            if (failure != null) {
                throw failure;
            }
            Supplier<ByteBuffer> l = loader;
            loader = null;
            try {
                if (byteSize > MAX_BYTES) {
                    throw PickleException.inEntry(key, "storage of " + byteSize
                            + " bytes is larger than the 2 GiB a Java ByteBuffer can hold");
                }
                ByteBuffer raw = l.get();
                if (raw == null) {
                    throw PickleException.inEntry(key, "storage has no bytes");
                }
                // Strict, as torch's own loader: a zip entry of another size means the archive is damaged.
                if (raw.remaining() != byteSize) {
                    throw PickleException.inEntry(key, "storage has " + raw.remaining() + " bytes, its numel "
                            + numel + " of dtype " + type.torchName + " needs " + byteSize);
                }
                loaded = raw.slice().asReadOnlyBuffer();
                return loaded;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return "Storage(" + key + ", " + type.torchName + ", numel=" + numel + ", " + device + ")";
    }
}
