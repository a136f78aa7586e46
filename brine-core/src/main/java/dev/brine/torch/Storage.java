package dev.brine.torch;

import dev.brine.PickleException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One torch storage: a flat run of elements of one dtype, shared by every tensor that views it.
 *
 * <p>As in torch, a storage knows nothing of shape: a {@link Tensor} is an offset, a shape and strides over it, and
 * two tensors that view one storage (a weight and its transpose, or tied embeddings) share this object, so a
 * checkpoint writer can write the storage once. The bytes are loaded lazily, at most once, on the first call to
 * {@link #bytes()}: reading a checkpoint's pickle then costs nothing for the tensors nobody looks at.
 *
 * <p>A storage larger than one {@link ByteBuffer} ({@link #MAX_BYTES}) is held in chunks of
 * {@link #DEFAULT_CHUNK_BYTES} and read by long byte position through {@link #data()}.
 */
final class Storage {
    /** The key of storages made in memory by {@link #of}; a checkpoint writer gives them keys of its own. */
    static final String MEMORY_KEY = "in-memory storage";
    /** {@link ByteBuffer}s are indexed by int; JVMs refuse arrays a few elements short of Integer.MAX_VALUE. */
    static final int MAX_BYTES = Integer.MAX_VALUE - 8;
    /**
     * The chunk size of a storage over {@link #MAX_BYTES}: 1 GiB, a multiple of every item size (16 at most), so
     * no element straddles two chunks.
     */
    static final int DEFAULT_CHUNK_BYTES = 1 << 30;

    private final String key;
    private final TorchDtype type;
    private final long numel;
    private final long byteSize;
    private final String device;
    private final ByteOrder order;
    private final int chunkBytes;
    /** Whether the loader gives one buffer, so a storage over {@link #MAX_BYTES} cannot be loaded at all. */
    private boolean oneBuffer;
    private final Object lock = new Object();
    private Supplier<List<ByteBuffer>> loader;
    private volatile Chunks loaded;
    private RuntimeException failure;

    /**
     * A storage whose bytes {@code loader} gives on first use, as one buffer. {@code key} names the storage in
     * errors (the zip entry or the legacy file's storage key). {@code loader} is called at most once, lazily; the
     * slice {@code position..limit} of the buffer it returns is the data, in {@code order}.
     */
    Storage(String key, String dtype, long numel, String device, ByteOrder order, Supplier<ByteBuffer> loader) {
        this(key, dtype, numel, device, order, 0, single(Objects.requireNonNull(loader, "loader")));
        oneBuffer = true;
    }

    private static Supplier<List<ByteBuffer>> single(Supplier<ByteBuffer> loader) {
        return () -> {
            ByteBuffer b = loader.get();
            return b == null ? null : List.of(b);
        };
    }

    /**
     * A storage whose bytes {@code loader} gives on first use as a list of buffers ({@code position..limit} of
     * each) whose concatenation is the data: each but the last exactly {@link #chunkBytes()} long. With
     * {@code chunkBytes} 0 the storage is one buffer when it fits one ({@link #MAX_BYTES}) and chunks of
     * {@link #DEFAULT_CHUNK_BYTES} otherwise (see {@link #chunkBytesFor}); tests pass a small multiple of 16 to
     * exercise the chunk boundaries cheaply.
     */
    Storage(String key, String dtype, long numel, String device, ByteOrder order, int chunkBytes,
            Supplier<List<ByteBuffer>> loader) {
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
        if (chunkBytes < 0 || chunkBytes % 16 != 0) {
            throw new IllegalArgumentException("chunk size " + chunkBytes + " is not a positive multiple of 16");
        }
        this.chunkBytes = chunkBytes == 0 ? chunkBytesFor(byteSize) : chunkBytes;
        this.device = Objects.requireNonNull(device, "device");
        this.order = Objects.requireNonNull(order, "order");
        this.loader = Objects.requireNonNull(loader, "loader");
    }

    /**
     * The chunk size of a storage of {@code byteSize} bytes: the whole storage (at least 16) when it fits one
     * ByteBuffer, {@link #DEFAULT_CHUNK_BYTES} otherwise. Readers map entries in chunks of this size.
     */
    static int chunkBytesFor(long byteSize) {
        return byteSize <= MAX_BYTES ? (int) Math.max(16, (byteSize + 15) & ~15L) : DEFAULT_CHUNK_BYTES;
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

    /** The size of every chunk but the last (a multiple of 16, so of every item size). */
    int chunkBytes() {
        return chunkBytes;
    }

    /** The number of chunks the bytes are held in: 1 for a storage that fits one buffer (or is empty). */
    int chunkCount() {
        return byteSize == 0 ? 1 : (int) ((byteSize - 1) / chunkBytes + 1);
    }

    /**
     * The bytes: a new read-only buffer in {@link #order()}, at position 0, of exactly {@code numel * itemSize}
     * bytes. The first call loads them (thread-safe; a failed load fails every later call the same way).
     *
     * @throws PickleException naming {@link #key()} if the loader gives more or fewer bytes than numel needs
     * @throws IllegalStateException if the storage is held in several chunks (see {@link #chunks()})
     */
    ByteBuffer bytes() {
        Chunks c = data();
        if (c.buffers.length != 1) {
            throw new IllegalStateException("storage " + key + " has " + byteSize + " bytes in "
                    + c.buffers.length + " chunks, more than one ByteBuffer holds; read it with"
                    + " Tensor.storageChunks() or Tensor.writeContiguousTo(OutputStream)");
        }
        return c.buffers[0].duplicate().order(order);
    }

    /** The bytes as new read-only buffers in {@link #order()}, at position 0, whose concatenation is the storage. */
    List<ByteBuffer> chunks() {
        Chunks c = data();
        List<ByteBuffer> out = new ArrayList<>(c.buffers.length);
        for (ByteBuffer b : c.buffers) {
            out.add(b.duplicate().order(order));
        }
        return Collections.unmodifiableList(out);
    }

    /** The loaded bytes, for element access by long byte position. */
    Chunks data() {
        Chunks c = loaded;
        if (c == null) {
            c = load();
        }
        return c;
    }

    private Chunks load() {
        synchronized (lock) {
            if (loaded != null) {
                return loaded;
            }
            if (failure != null) {
                throw failure;
            }
            Supplier<List<ByteBuffer>> l = loader;
            try {
                if (oneBuffer && byteSize > MAX_BYTES) {
                    throw PickleException.inEntry(key, "storage of " + byteSize
                            + " bytes is larger than the 2 GiB a Java ByteBuffer can hold, and its source gives one");
                }
                List<ByteBuffer> raw = l.get();
                if (raw == null || raw.isEmpty()) {
                    throw PickleException.inEntry(key, "storage has no bytes");
                }
                long total = 0;
                for (ByteBuffer b : raw) {
                    total += b.remaining();
                }
                // Strict, as torch's own loader: a zip entry of another size means the archive is damaged.
                if (total != byteSize) {
                    throw PickleException.inEntry(key, "storage has " + total + " bytes, its numel "
                            + numel + " of dtype " + type.torchName + " needs " + byteSize);
                }
                ByteBuffer[] buffers = rechunk(raw);
                loaded = new Chunks(buffers, chunkBytes);
                // Dropped only once loaded: an Error from the loader (out of memory) leaves it to be tried again,
                // rather than a later call finding neither bytes nor a failure.
                loader = null;
                return loaded;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }

    /**
     * {@code raw} as read-only slices of exactly {@link #chunkBytes} (the last: the rest), in {@link #order}. A
     * loader that already gives such chunks is taken as is; a single buffer is sliced. Other layouts (which no
     * reader produces) are refused rather than copied.
     */
    private ByteBuffer[] rechunk(List<ByteBuffer> raw) {
        int count = chunkCount();
        ByteBuffer[] out = new ByteBuffer[count];
        if (raw.size() == 1) {
            ByteBuffer whole = raw.get(0).slice();
            for (int i = 0; i < count; i++) {
                int from = (int) ((long) i * chunkBytes);
                int len = (int) Math.min(chunkBytes, byteSize - from);
                out[i] = whole.slice(from, len).asReadOnlyBuffer().order(order);
            }
            return out;
        }
        if (raw.size() != count) {
            throw new IllegalStateException("storage " + key + ": the loader gave " + raw.size()
                    + " chunks, " + count + " expected");
        }
        for (int i = 0; i < count; i++) {
            ByteBuffer b = raw.get(i).slice();
            long expect = Math.min(chunkBytes, byteSize - (long) i * chunkBytes);
            if (b.remaining() != expect) {
                throw new IllegalStateException("storage " + key + ": chunk " + i + " has " + b.remaining()
                        + " bytes, " + expect + " expected");
            }
            out[i] = b.asReadOnlyBuffer().order(order);
        }
        return out;
    }

    @Override
    public String toString() {
        return "Storage(" + key + ", " + type.torchName + ", numel=" + numel + ", " + device + ")";
    }

    /**
     * A loaded storage's bytes by long byte position. Every chunk but the last holds {@code chunkBytes} bytes, a
     * multiple of the item size, so an element (and each part of a complex one) lies in one chunk.
     */
    static final class Chunks {
        final ByteBuffer[] buffers;
        private final int chunkBytes;
        private final ByteBuffer only;

        Chunks(ByteBuffer[] buffers, int chunkBytes) {
            this.buffers = buffers;
            this.chunkBytes = chunkBytes;
            this.only = buffers.length == 1 ? buffers[0] : null;
        }

        private ByteBuffer at(long pos) {
            return only != null ? only : buffers[(int) (pos / chunkBytes)];
        }

        private int in(long pos) {
            return only != null ? (int) pos : (int) (pos % chunkBytes);
        }

        byte get(long pos) {
            return at(pos).get(in(pos));
        }

        short getShort(long pos) {
            return at(pos).getShort(in(pos));
        }

        int getInt(long pos) {
            return at(pos).getInt(in(pos));
        }

        long getLong(long pos) {
            return at(pos).getLong(in(pos));
        }

        float getFloat(long pos) {
            return at(pos).getFloat(in(pos));
        }

        double getDouble(long pos) {
            return at(pos).getDouble(in(pos));
        }

        /**
         * The bytes {@code from..from+length} as one buffer in the storage's order, at position 0, when they lie in
         * one chunk; null otherwise.
         */
        ByteBuffer run(long from, long length) {
            if (only != null) {
                return only.slice((int) from, (int) length).order(only.order());
            }
            int c = (int) (from / chunkBytes);
            if ((from + length - 1) / chunkBytes != c && length > 0) {
                return null;
            }
            ByteBuffer b = buffers[c];
            return b.slice((int) (from % chunkBytes), (int) length).order(b.order());
        }

        /** Calls {@code sink} with each piece, within one chunk, of the bytes {@code from..from+length}. */
        void forEachPiece(long from, long length, PieceSink sink) throws java.io.IOException {
            long pos = from;
            long end = from + length;
            while (pos < end) {
                ByteBuffer b = at(pos);
                int in = in(pos);
                int n = (int) Math.min(end - pos, b.limit() - in);
                sink.accept(b.slice(in, n).order(b.order()));
                pos += n;
            }
        }
    }

    /** Receives the pieces of {@link Chunks#forEachPiece}. */
    interface PieceSink {
        void accept(ByteBuffer piece) throws java.io.IOException;
    }
}
