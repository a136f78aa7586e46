package dev.brine.torch;

import dev.brine.PickleException;
import dev.brine.internal.archive.ZipReader;
import dev.brine.internal.read.PickleInput;
import dev.brine.internal.read.PickleMachine;
import dev.brine.internal.read.ReadConfig;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyBytes;
import dev.brine.value.PyTuple;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the three forms {@code torch.load} reads: the zip archive of torch 1.6 and later, the legacy stream of
 * pickles followed by raw storages ({@code _use_new_zipfile_serialization=False}), and a plain pickle of a tensor,
 * whose storages travel as legacy files inside {@code torch.storage._load_from_bytes} calls.
 */
final class TorchReader {
    /** {@code torch.serialization.MAGIC_NUMBER}, the first pickle of a legacy file. */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** {@code torch.serialization.PROTOCOL_VERSION}, the second. */
    static final long LEGACY_PROTOCOL_VERSION = 1001;
    private static final byte[] LEGACY_START = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc,
        (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    private final boolean weightsOnly;
    private final boolean allowTrailingData;

    TorchReader(boolean weightsOnly, boolean allowTrailingData) {
        this.weightsOnly = weightsOnly;
        this.allowTrailingData = allowTrailingData;
    }

    Object read(Path file) throws IOException {
        byte[] head = new byte[LEGACY_START.length];
        int n;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            n = ch.read(ByteBuffer.wrap(head), 0);
            if (n >= 4 && isZip(head)) {
                // Mapped entries stay valid once the channel is closed.
                try (ZipReader zip = ZipReader.open(file)) {
                    return readZip(zip);
                }
            }
            return readStream(new Source(ch, ch.size()), head, Math.max(n, 0));
        }
    }

    Object read(InputStream in) throws IOException {
        // A stream is read into one array; a file over 2 GiB (a storage that large) must be read from its path.
        byte[] bytes = in.readNBytes(Storage.MAX_BYTES);
        if (bytes.length == Storage.MAX_BYTES && in.read() >= 0) {
            throw PickleException.inEntry("stream", "the stream holds more than " + Storage.MAX_BYTES
                    + " bytes, more than one Java array; save it to a file and read it with TorchFile.read(Path)");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes);
        byte[] head = new byte[Math.min(LEGACY_START.length, all.remaining())];
        all.duplicate().get(head);
        if (head.length >= 4 && isZip(head)) {
            return readZip(ZipReader.of(all));
        }
        return readStream(new Source(all), head, head.length);
    }

    private static boolean isZip(byte[] head) {
        return head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    private Object readStream(Source source, byte[] head, int n) throws IOException {
        if (n == LEGACY_START.length && java.util.Arrays.equals(head, LEGACY_START)) {
            return readLegacy(source, "");
        }
        // Anything else is read as one pickle, as pickle.load would: a tensor pickled on its own.
        CountingStream in = source.stream(0);
        Object value = load(in, "pickle", pid -> {
            throw new PickleException("a plain pickle of torch values has no persistent ids, found " + pid, -1,
                    null);
        });
        checkEnd(source, in.position(), "pickle", "the pickle's STOP opcode");
        return value;
    }

    /** Bytes after what was read fail, unless the reader allows them, as {@code torch.load} ignores them. */
    private void checkEnd(Source source, long end, String entry, String what) {
        if (!allowTrailingData && end < source.size) {
            throw PickleException.inEntry(entry, new PickleException((source.size - end) + " bytes follow "
                    + what + ", from offset " + end + "; torch.load would ignore them (TorchFile.reader()"
                    + ".allowTrailingData(true) does too)", end, null));
        }
    }

    // ---- the zip format ------------------------------------------------------------------------------------------

    private Object readZip(ZipReader zip) throws IOException {
        List<String> names = zip.names();
        if (names.isEmpty()) {
            throw PickleException.inEntry("zip", "the archive is empty; a torch checkpoint has a data.pkl");
        }
        String first = names.get(0);
        int slash = first.indexOf('/');
        if (slash <= 0) {
            throw PickleException.inEntry(first, "a torch archive keeps its records in one folder, found "
                    + first);
        }
        String prefix = first.substring(0, slash + 1);
        String pickle = prefix + "data.pkl";
        if (!zip.contains(pickle)) {
            throw PickleException.inEntry(pickle, "the archive has no " + pickle + " (records: " + names + ")");
        }
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (zip.contains(prefix + "byteorder")) {
            String o = StandardCharsets.US_ASCII.decode(zip.read(prefix + "byteorder")).toString().trim();
            if (o.equals("big")) {
                order = ByteOrder.BIG_ENDIAN;
            } else if (!o.equals("little")) {
                throw PickleException.inEntry(prefix + "byteorder", "unknown byte order '" + o + "'");
            }
        }
        ByteOrder byteOrder = order;
        Map<String, Storage> storages = new HashMap<>();
        ByteBuffer data = zip.read(pickle);
        return load(new PickleSource(data), pickle, pid -> {
            // ('storage', storage_type, key, location, numel)
            StorageId id = StorageId.of(pid, 5);
            Storage known = storages.get(id.key);
            if (known != null) {
                return id.same(known);
            }
            String entry = prefix + "data/" + id.key;
            if (!zip.contains(entry)) {
                throw PickleException.inEntry(entry, "the pickle names storage '" + id.key
                        + "' but the archive has no such record");
            }
            long need = id.bytes();
            if (zip.size(entry) != need) {
                throw PickleException.inEntry(entry, "the record has " + zip.size(entry) + " bytes, but storage '"
                        + id.key + "' holds " + id.numel + " " + id.dtype.torchName + " elements, " + need
                        + " bytes");
            }
            // Mapped now (the archive is closed after reading), in chunks when over 2 GiB; checked on first use.
            List<ByteBuffer> chunks;
            try {
                chunks = zip.readChunks(entry, Storage.chunkBytesFor(need), false);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            long crc = zip.crc(entry);
            Storage s = new Storage(entry, id.dtype.torchName, id.numel, id.location, byteOrder, 0, () -> {
                ZipReader.checkCrc(entry, chunks, crc);
                return chunks;
            });
            storages.put(id.key, s);
            return s;
        });
    }

    // ---- the legacy format ---------------------------------------------------------------------------------------

    /**
     * magic number, protocol version, system info, the object (storages as persistent ids), the list of storage
     * keys, then each storage as an eight-byte element count and its raw bytes, in the order of that list.
     */
    private Object readLegacy(Source source, String where) throws IOException {
        CountingStream in = source.stream(0);
        Object magic = plain(in, where + "magic number");
        if (!LEGACY_MAGIC.equals(magic)) {
            throw PickleException.inEntry(where + "magic number", "not a torch file: the magic number is " + magic);
        }
        Object version = plain(in, where + "protocol version");
        if (!Long.valueOf(LEGACY_PROTOCOL_VERSION).equals(version)) {
            throw PickleException.inEntry(where + "protocol version", "unsupported torch legacy protocol version "
                    + version + " (torch writes " + LEGACY_PROTOCOL_VERSION + ")");
        }
        Object sysInfo = plain(in, where + "system info");
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (sysInfo instanceof Map && Boolean.FALSE.equals(((Map<?, ?>) sysInfo).get("little_endian"))) {
            order = ByteOrder.BIG_ENDIAN;
        }
        ByteOrder byteOrder = order;
        Map<String, Storage> storages = new HashMap<>();
        Map<String, List<ByteBuffer>> loaded = new HashMap<>();
        Object value = load(in, where + "pickle", pid -> {
            if (pid instanceof PyTuple && ((PyTuple) pid).size() == 4 && "module".equals(((PyTuple) pid).get(0))) {
                // ('module', class, source file, source): a pickled module's class, kept with its source so
                // torch can warn when it changed; the class is what the pickle uses.
                return ((PyTuple) pid).get(1);
            }
            // ('storage', storage_type, root_key, location, numel, view_metadata)
            StorageId id = StorageId.of(pid, 6);
            if (((PyTuple) pid).get(5) != null) {
                throw new PickleException("storage views (view_metadata, written by torch before 0.4) are not "
                        + "supported: " + pid, -1, null);
            }
            Storage known = storages.get(id.key);
            if (known != null) {
                return id.same(known);
            }
            String entry = where + "storage " + id.key;
            Storage s = new Storage(entry, id.dtype.torchName, id.numel, id.location, byteOrder, 0, () -> {
                List<ByteBuffer> b = loaded.get(id.key);
                if (b == null) {
                    throw PickleException.inEntry(entry, "the storage key list does not list this storage");
                }
                return b;
            });
            storages.put(id.key, s);
            return s;
        });
        Object keys = plain(in, where + "storage keys");
        if (!(keys instanceof List)) {
            throw PickleException.inEntry(where + "storage keys", "expected a list of storage keys, found " + keys);
        }
        long at = in.position();
        for (Object k : (List<?>) keys) {
            String entry = where + "storage " + k;
            Storage s = k instanceof String ? storages.get(k) : null;
            if (s == null) {
                throw PickleException.inEntry(entry, "the key list names a storage the pickle does not use");
            }
            if (loaded.containsKey(k)) {
                throw PickleException.inEntry(entry, "the key list names this storage twice");
            }
            ByteBuffer count = source.slice(at, 8, entry, "its element count");
            long numel = count.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (numel != s.numel()) {
                throw PickleException.inEntry(entry, "the file says " + Long.toUnsignedString(numel)
                        + " elements, the pickle " + s.numel());
            }
            long bytes = (long) TorchDtype.require(s.dtype()).itemSize * numel;
            loaded.put((String) k, source.slices(at + 8, bytes, Storage.chunkBytesFor(bytes), entry,
                    numel + " " + s.dtype() + " elements"));
            at += 8 + bytes;
        }
        List<?> keyList = (List<?>) keys;
        checkEnd(source, at, where + "storages", keyList.isEmpty() ? "the storage keys" : "the last storage ("
                + keyList.get(keyList.size() - 1) + ")");
        return value;
    }

    // ---- loading one pickle ----------------------------------------------------------------------------------------

    private Object load(Object input, String entry, java.util.function.Function<Object, Object> persistentLoad)
            throws IOException {
        TorchGlobals globals = new TorchGlobals(weightsOnly, this::nestedLegacy);
        ReadConfig config = config().withFormat(persistentLoad, globals);
        PickleInput pickleInput = input instanceof PickleSource ? ((PickleSource) input).input()
                : PickleInput.of((InputStream) input);
        try {
            Object value = new PickleMachine(config, pickleInput, null).load();
            pickleInput.finish();
            return value;
        } catch (PickleException e) {
            throw e.entry() != null ? e : PickleException.inEntry(entry, e);
        }
    }

    private ReadConfig config() {
        ReadConfig base = ReadConfig.defaults();
        return weightsOnly ? base.withStrict(true, java.util.Set.of()) : base;
    }

    /** One of the plain pickles around a legacy file's object: its magic number, version, system info, keys. */
    private Object plain(CountingStream in, String entry) throws IOException {
        try {
            PickleInput input = PickleInput.of(in);
            Object value = new PickleMachine(config(), input, null).load();
            input.finish();
            return value;
        } catch (PickleException e) {
            throw PickleException.inEntry(entry, e);
        }
    }

    /** The legacy file {@code torch.storage._load_from_bytes(b)} reads: a pickled tensor's storage. */
    private Object nestedLegacy(PyBytes bytes) {
        ByteBuffer data = bytes.asByteBuffer();
        try {
            return readLegacy(new Source(data), "_load_from_bytes ");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A pickle in memory. */
    private record PickleSource(ByteBuffer data) {
        PickleInput input() {
            return PickleInput.of(data.duplicate());
        }
    }

    /** A storage's persistent id: {@code ('storage', storage_type, key, location, numel, ...)}. */
    private record StorageId(TorchDtype dtype, String key, String location, long numel) {
        static StorageId of(Object pid, int size) {
            if (!(pid instanceof PyTuple) || ((PyTuple) pid).size() != size
                    || !"storage".equals(((PyTuple) pid).get(0))) {
                throw new PickleException("a torch persistent id is ('storage', storage_type, key, location, "
                        + "numel" + (size == 6 ? ", view_metadata" : "") + "), found " + pid, -1, null);
            }
            PyTuple t = (PyTuple) pid;
            if (!(t.get(1) instanceof GlobalRef) || !(t.get(2) instanceof String) || !(t.get(3) instanceof String)
                    || !(t.get(4) instanceof Long) || (Long) t.get(4) < 0) {
                throw new PickleException("malformed torch persistent id " + pid, -1, null);
            }
            GlobalRef type = (GlobalRef) t.get(1);
            TorchDtype dtype = TorchDtype.byStorageClass(type.name().equals("UntypedStorage") ? "ByteStorage" : type.name());
            if (dtype == null || !type.module().startsWith("torch")) {
                throw new PickleException("unknown torch storage type " + type, -1, null);
            }
            long numel = (Long) t.get(4);
            if (numel > Long.MAX_VALUE / dtype.itemSize) {
                throw new PickleException("storage '" + t.get(2) + "' declares " + numel + " elements", -1, null);
            }
            return new StorageId(dtype, (String) t.get(2), (String) t.get(3), numel);
        }

        long bytes() {
            return numel * dtype.itemSize;
        }

        /** The storage this id names again, which must agree with the first mention. */
        Storage same(Storage known) {
            if (!known.dtype().equals(dtype.torchName) || known.numel() != numel) {
                throw new PickleException("storage '" + key + "' is named as " + known.numel() + " "
                        + known.dtype() + " elements and as " + numel + " " + dtype.torchName, -1, null);
            }
            return known;
        }
    }

    /** The bytes of a legacy file: a file read through its channel, or a buffer. */
    private static final class Source {
        private final FileChannel channel;
        private final ByteBuffer buffer;
        private final long size;

        Source(FileChannel channel, long size) {
            this.channel = channel;
            this.buffer = null;
            this.size = size;
        }

        Source(ByteBuffer buffer) {
            this.channel = null;
            this.buffer = buffer.slice();
            this.size = this.buffer.remaining();
        }

        CountingStream stream(long from) {
            return new CountingStream(this, from);
        }

        int read(long at, byte[] b, int off, int len) throws IOException {
            if (at >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - at);
            if (channel != null) {
                return channel.read(ByteBuffer.wrap(b, off, n), at);
            }
            buffer.get((int) at, b, off, n);
            return n;
        }

        /**
         * {@code length} bytes at {@code at} as consecutive buffers of {@code chunkBytes} (the last: the rest):
         * mappings of the file, or slices of the buffer, so a storage over 2 GiB can be read.
         */
        List<ByteBuffer> slices(long at, long length, int chunkBytes, String entry, String what) throws IOException {
            if (length < 0 || at > size || length > size - at) {
                throw PickleException.inEntry(entry, "the file ends before " + what + ": " + length
                        + " bytes needed at offset " + at + ", " + Math.max(0, size - at) + " left");
            }
            List<ByteBuffer> out = new java.util.ArrayList<>();
            long from = 0;
            do {
                long n = Math.min(chunkBytes, length - from);
                out.add(slice(at + from, n, entry, what));
                from += n;
            } while (from < length);
            return out;
        }

        /** {@code length} bytes at {@code at}: a mapping of the file, or a slice of the buffer. */
        ByteBuffer slice(long at, long length, String entry, String what) throws IOException {
            if (length > size - at) {
                throw PickleException.inEntry(entry, "the file ends before " + what + ": " + length
                        + " bytes needed at offset " + at + ", " + Math.max(0, size - at) + " left");
            }
            if (length > Integer.MAX_VALUE - 8) {
                throw PickleException.inEntry(entry, what + " is " + length + " bytes, more than one Java buffer "
                        + "holds");
            }
            if (channel != null) {
                return channel.map(FileChannel.MapMode.READ_ONLY, at, length);
            }
            return buffer.slice((int) at, (int) length).asReadOnlyBuffer();
        }
    }

    /** A markable stream over a {@link Source} that knows its position, so storages can follow the pickles. */
    static final class CountingStream extends InputStream {
        private final Source source;
        private long position;
        private long mark;

        private CountingStream(Source source, long position) {
            this.source = source;
            this.position = position;
        }

        long position() {
            return position;
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
            int n = source.read(position, b, off, len);
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) {
            long step = Math.max(0, Math.min(n, source.size - position));
            position += step;
            return step;
        }

        @Override
        public boolean markSupported() {
            return true;
        }

        @Override
        public synchronized void mark(int limit) {
            mark = position;
        }

        @Override
        public synchronized void reset() {
            position = mark;
        }
    }
}
