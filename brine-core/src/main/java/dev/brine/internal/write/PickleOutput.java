package dev.brine.internal.write;

import dev.brine.internal.format.Opcode;
import dev.brine.internal.types.NotPicklable;
import dev.brine.value.PyBytes;
import dev.brine.value.PyList;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The pickler's output buffer, with CPython's framing rules for protocol 4 and up.
 *
 * <p>This mirrors {@code _pickle.c}'s output handling so the bytes match the C pickler exactly:
 * <ul>
 *   <li>a frame is opened lazily by the first write after the previous one was committed, by reserving a
 *       nine-byte header ({@code _Pickler_Write});</li>
 *   <li>at the start of every {@code save()} the frame is committed once its payload reaches 64 KiB
 *       ({@code _Pickler_OpcodeBoundary}, {@code FRAME_SIZE_TARGET});</li>
 *   <li>a committed frame shorter than four bytes loses its header ({@code _Pickler_CommitFrame},
 *       {@code FRAME_SIZE_MIN});</li>
 *   <li>a bytes, bytearray or str payload of 64 KiB or more is written outside any frame: the open frame is
 *       committed and the header and payload are written with framing off ({@code _Pickler_write_bytes}).</li>
 * </ul>
 * Whatever lies before the open frame is flushed once the buffer is large, and large payloads bypass the buffer,
 * so the buffer stays about one frame long. A stream output flushes to the stream. An in-memory output flushes
 * to a list of parts that {@link #toByteArray} joins once: the opcodes are written into a buffer that stays in
 * cache, and each byte is copied twice in bulk, where a buffer grown to the whole pickle took every store into
 * cold memory and copied the bytes at each doubling. A part is a copy, even of a large payload, since code the
 * dump calls back (a persistent id, an adapter, a getter) may change a payload already written; but a
 * {@code PyBytes}, which never changes, is kept as it is, and so is a large array until code of the caller's may
 * run ({@link #borrowPayloads}).
 */
final class PickleOutput {
    static final int FRAME_SIZE_TARGET = 64 * 1024;
    private static final int FRAME_SIZE_MIN = 4;
    private static final int FRAME_HEADER_SIZE = 9;
    /** Flush to the stream once this much is buffered outside an open frame. */
    private static final int FLUSH_THRESHOLD = 1 << 17;
    /** A string this short has under 64 KiB of UTF-8 (three bytes a char at most), so it stays in its frame. */
    static final int MAX_INLINE_UTF8_CHARS = (FRAME_SIZE_TARGET - 1) / 3;

    /**
     * Multi-byte arguments in one store each: the JIT of Java 17 does not merge a loop of byte stores, and BININT
     * and BINFLOAT are most of what a list of numbers writes.
     */
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** The opcodes of binary numbers, as constants the JIT folds. */
    private static final byte BININT = (byte) Opcode.BININT.code();
    private static final byte BININT1 = (byte) Opcode.BININT1.code();
    private static final byte BININT2 = (byte) Opcode.BININT2.code();
    private static final byte BINFLOAT = (byte) Opcode.BINFLOAT.code();
    /** The longest of them: BINFLOAT and its eight bytes. */
    private static final int MAX_BIN_NUMBER = 9;

    /** The largest array the JVM allocates reliably. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final byte[] EMPTY = {};

    /** The stream, or null for an in-memory output, which flushes to {@link #parts}. */
    private final OutputStream sink;
    private final Parts parts;
    private byte[] buf = new byte[256];
    private int len;
    private boolean framing;
    private int frameStart = -1;
    /** Bytes already handed to the sink, so {@link #position()} stays absolute. */
    private long flushed;
    /** Whether a large payload's array is kept as a part, not copied (see {@link #borrowPayloads}). */
    private boolean borrowing;

    /** Output into memory ({@code sink == null}) or to a stream. */
    PickleOutput(OutputStream sink) {
        this.sink = sink;
        this.parts = sink == null ? new Parts() : null;
    }

    /**
     * Lets an in-memory output keep the array of a large payload as a part, copied once, into the result, instead
     * of copying it into a part when it is written: for a dump that runs no code of the caller's until
     * {@link #stopBorrowing()}, which copies what was kept. The pickle still holds what the array held when the
     * writer met it (nothing that could change it runs in between), and a large array (an ndarray's buffer at
     * protocol 5, a bytearray, a byte[]) is copied once instead of twice.
     */
    void borrowPayloads() {
        borrowing = sink == null;
    }

    /**
     * Code of the caller's may run from here and change an array already written: copies the arrays kept so far
     * into parts of the output's own, and copies every later one when it is written.
     */
    void stopBorrowing() {
        if (borrowing) {
            borrowing = false;
            parts.copyBorrowed();
        }
    }

    /** Turns framing on, as {@code dump()} does after writing PROTO at protocol 4 and up. */
    void startFraming() {
        framing = true;
    }

    long position() {
        return flushed + len;
    }

    /** Makes room for {@code n} more bytes, opening a frame first if one is due. */
    private void reserve(int n) {
        if ((frameStart >= 0 || !framing) && n <= buf.length - len) {
            return;
        }
        reserveSlow(n);
    }

    private void reserveSlow(int n) {
        boolean newFrame = framing && frameStart < 0;
        int need = len + n + (newFrame ? FRAME_HEADER_SIZE : 0);
        if (need < 0) {
            throw new OutOfMemoryError("pickle larger than 2 GiB in memory");
        }
        if (need > buf.length) {
            grow(need);
        }
        if (newFrame) {
            frameStart = len;
            len += FRAME_HEADER_SIZE;
        }
    }

    /**
     * Doubles the buffer until {@code need} bytes fit, so the bytes copied by growing stay below the final size
     * (growth by half again copied about three times the output of a large dump).
     */
    private void grow(int need) {
        if (need > MAX_ARRAY) {
            throw new OutOfMemoryError("pickle larger than 2 GiB in memory");
        }
        long capacity = buf.length;
        while (capacity < need) {
            capacity *= 2;
        }
        buf = Arrays.copyOf(buf, (int) Math.min(capacity, MAX_ARRAY));
    }

    void write(int b) {
        reserve(1);
        buf[len++] = (byte) b;
    }

    void write(int op, int arg) {
        reserve(2);
        buf[len++] = (byte) op;
        buf[len++] = (byte) arg;
    }

    void write(int op, int arg1, int arg2) {
        reserve(3);
        buf[len++] = (byte) op;
        buf[len++] = (byte) arg1;
        buf[len++] = (byte) arg2;
    }

    void write(byte[] b, int off, int n) {
        reserve(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    void write(byte[] b) {
        write(b, 0, b.length);
    }

    /** An opcode followed by a little-endian unsigned 32-bit argument. */
    void writeOpU32(int op, long v) {
        reserve(5);
        byte[] b = buf;
        int p = len;
        b[p] = (byte) op;
        INT_LE.set(b, p + 1, (int) v);
        len = p + 5;
    }

    /** save_long's shortest binary form of a 32-bit int: BININT1, BININT2 or BININT. */
    void writeBinInt(int v) {
        reserve(5);
        len = putBinInt(buf, len, v);
    }

    /** save_float's binary form: BINFLOAT and the big-endian IEEE 754 double. */
    void writeBinFloat(double d) {
        reserve(9);
        len = putBinFloat(buf, len, d);
    }

    private static int putBinInt(byte[] b, int p, int v) {
        if ((v & 0xffff0000) != 0) {
            b[p] = BININT;
            INT_LE.set(b, p + 1, v);
            return p + 5;
        }
        if ((v & 0xff00) != 0) {
            b[p] = BININT2;
            b[p + 1] = (byte) v;
            b[p + 2] = (byte) (v >> 8);
            return p + 3;
        }
        b[p] = BININT1;
        b[p + 1] = (byte) v;
        return p + 2;
    }

    private static int putBinFloat(byte[] b, int p, double d) {
        b[p] = BINFLOAT;
        LONG_BE.set(b, p + 1, Double.doubleToRawLongBits(d));
        return p + 9;
    }

    /**
     * Writes the items of {@code items} from {@code from} as binary numbers, {@code save()}'s bytes for them
     * (BININT1, BININT2 or BININT for an int in 32-bit range, BINFLOAT for a float), for as long as the items are
     * such numbers and their opcodes fit in the open frame and the buffer, and returns the index of the first
     * item not written: one that is not such a number, {@code end}, or one at which a frame boundary, a flush or
     * a larger buffer may be due. The caller writes that item by the general path, which does those checks.
     *
     * <p>Every opcode this writes ends by the frame's target size, so {@link #opcodeBoundary()} would not have
     * committed the frame before it: the bytes are those of one {@code save()} an item. What this saves is the
     * check before each opcode and the store of {@link #len} after it: a fifth to a quarter of the time of
     * dumping a list of floats.
     */
    int writeBinNumbers(List<?> items, int from, int end) {
        int limit;
        if (framing) {
            if (frameStart < 0) {
                return from;
            }
            limit = Math.min(buf.length, frameStart + FRAME_HEADER_SIZE + FRAME_SIZE_TARGET);
        } else {
            limit = Math.min(buf.length, FLUSH_THRESHOLD);
        }
        limit -= MAX_BIN_NUMBER;
        byte[] b = buf;
        int p = len;
        int i = from;
        if (items instanceof PyList) {
            // An unboxed list (see PyList) is read without a box an item.
            PyList list = (PyList) items;
            if (list.isUnboxedLongs()) {
                for (; i < end && p <= limit; i++) {
                    long v = list.getLong(i);
                    if (v != (int) v) {
                        break;
                    }
                    p = putBinInt(b, p, (int) v);
                }
                len = p;
                return i;
            }
            if (list.isUnboxedDoubles()) {
                for (; i < end && p <= limit; i++) {
                    p = putBinFloat(b, p, list.getDouble(i));
                }
                len = p;
                return i;
            }
        }
        for (; i < end && p <= limit; i++) {
            Object o = items.get(i);
            Class<?> c = o == null ? null : o.getClass();
            if (c == Double.class) {
                p = putBinFloat(b, p, (Double) o);
            } else if (c == Long.class) {
                long v = (Long) o;
                if (v != (int) v) {
                    break;
                }
                p = putBinInt(b, p, (int) v);
            } else {
                break;
            }
        }
        len = p;
        return i;
    }

    /**
     * The UTF-8 length of {@code s} with surrogate pairs as one 4-byte character, or -1 if it holds a lone
     * surrogate (which needs the surrogatepass path).
     */
    static int utf8Length(String s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (!Character.isSurrogate(c)) {
                    bytes += 2;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    // Two chars, four bytes.
                    bytes += 2;
                    i++;
                } else {
                    return -1;
                }
            }
        }
        return bytes;
    }

    /** {@code s} as UTF-8, which is {@code utf8Length} bytes long (from {@link #utf8Length}). */
    @SuppressWarnings("deprecation")
    void writeUtf8(String s, int utf8Length) {
        reserve(utf8Length);
        byte[] b = buf;
        int p = len;
        int n = s.length();
        if (utf8Length == n) {
            // All ASCII, so each char is its own byte: String.getBytes(int, int, byte[], int) copies the low bytes
            // in one intrinsic copy, where the loop below takes a char at a time.
            s.getBytes(0, n, b, p);
            len = p + n;
            return;
        }
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                break;
            }
            b[p++] = (byte) c;
            i++;
        }
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xc0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xf0 | (cp >> 18));
                b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (cp & 0x3f));
            } else {
                b[p++] = (byte) (0xe0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        len = p;
    }

    /**
     * {@code op} (BINUNICODE), its 4-byte length and the UTF-8 of the text whose characters are the bytes of
     * {@code latin1}: a byte below 0x80 is itself, any other two bytes. Only below protocol 4, so never framed.
     * Read through a small scratch array, since the buffer may be read-only and so lend no array.
     */
    void writeLatin1AsUtf8(int op, ByteBuffer latin1) {
        if (framing) {
            throw new IllegalStateException("BINUNICODE of Latin-1 bytes is written below protocol 4 only");
        }
        ByteBuffer src = latin1.duplicate();
        int n = src.remaining();
        byte[] scratch = new byte[Math.min(n, FRAME_SIZE_TARGET)];
        long high = 0;
        for (int at = 0; at < n; at += scratch.length) {
            int step = Math.min(scratch.length, n - at);
            src.get(src.position() + at, scratch, 0, step);
            for (int i = 0; i < step; i++) {
                high += (scratch[i] >>> 7) & 1;
            }
        }
        long total = n + high;
        if (total > 0xffffffffL) {
            throw new NotPicklable("a str of " + total + " UTF-8 bytes needs protocol 4 or higher");
        }
        writeOpU32(op, total);
        boolean direct = total >= FRAME_SIZE_TARGET;
        if (direct) {
            flushBuffer();
        }
        byte[] utf8 = direct ? new byte[2 * scratch.length] : null;
        for (int at = 0; at < n; at += scratch.length) {
            int step = Math.min(scratch.length, n - at);
            src.get(src.position() + at, scratch, 0, step);
            byte[] b = utf8;
            int p = 0;
            if (!direct) {
                reserve(2 * step);
                b = buf;
                p = len;
            }
            for (int i = 0; i < step; i++) {
                // Without a branch: binary data has high and low bytes at random, and a mispredicted branch
                // per byte made this loop five times slower. Two bytes are stored every time, and the second
                // is kept only for a high byte.
                int c = scratch[i] & 0xff;
                int isHigh = c >>> 7;
                b[p] = (byte) (c + isHigh * ((0xc0 | (c >> 6)) - c));
                b[p + 1] = (byte) (0x80 | (c & 0x3f));
                p += 1 + isHigh;
            }
            if (direct) {
                toSink(b, 0, p);
            } else {
                len = p;
            }
        }
    }

    /** ASCII text, such as a decimal argument; the caller guarantees every char is below 0x80. */
    void writeAscii(String s) {
        int n = s.length();
        reserve(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    /**
     * A header and a payload, as {@code _Pickler_write_bytes}: a payload of 64 KiB or more is written outside
     * any frame. {@code payload} is {@code n} bytes from {@code off}.
     */
    void writeHeaderAndPayload(byte[] header, int headerLen, byte[] payload, int off, int n) {
        writeHeaderAndPayload(header, headerLen, ByteBuffer.wrap(payload, off, n));
    }

    /** As {@link #writeHeaderAndPayload(byte[], int, byte[], int, int)}, reading the payload from a buffer. */
    void writeHeaderAndPayload(byte[] header, int headerLen, ByteBuffer payload) {
        int n = payload.remaining();
        if (n < FRAME_SIZE_TARGET) {
            write(header, 0, headerLen);
            reserve(n);
            payload.get(buf, len, n);
            len += n;
            return;
        }
        boolean wasFraming = headerOutsideFrame(header, headerLen);
        if (payload.hasArray() && borrowing) {
            parts.borrow(payload.array(), payload.arrayOffset() + payload.position(), n);
            flushed += n;
        } else if (payload.hasArray()) {
            toSink(payload.array(), payload.arrayOffset() + payload.position(), n);
        } else {
            // Through a bounded scratch array: a read-only buffer does not lend its array.
            byte[] chunk = new byte[Math.min(n, FRAME_SIZE_TARGET)];
            while (payload.hasRemaining()) {
                int step = Math.min(chunk.length, payload.remaining());
                payload.get(chunk, 0, step);
                toSink(chunk, 0, step);
            }
        }
        framing = wasFraming;
    }

    /**
     * As {@link #writeHeaderAndPayload(byte[], int, byte[], int, int)} for a {@code bytes}. A {@code PyBytes} never
     * changes, so a large one is not copied: a stream gets it straight from its array, and an in-memory output keeps
     * it as a part and copies it once, into the result (any other payload is copied into a part when written,
     * since code the dump runs later may change its array, unless the output borrows it: {@link #borrowPayloads}).
     */
    void writeHeaderAndPayload(byte[] header, int headerLen, PyBytes payload) {
        int n = payload.length();
        if (n < FRAME_SIZE_TARGET) {
            write(header, 0, headerLen);
            reserve(n);
            payload.copyTo(buf, len);
            len += n;
            return;
        }
        boolean wasFraming = headerOutsideFrame(header, headerLen);
        if (sink == null) {
            parts.add(payload);
        } else {
            try {
                payload.writeTo(sink);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        flushed += n;
        framing = wasFraming;
    }

    /**
     * Commits the open frame and writes {@code header} outside any frame, flushed, for a payload of 64 KiB or more
     * to follow it unframed; returns whether framing was on, which the caller restores after the payload.
     */
    private boolean headerOutsideFrame(byte[] header, int headerLen) {
        boolean wasFraming = framing;
        commitFrame();
        framing = false;
        write(header, 0, headerLen);
        flushBuffer();
        return wasFraming;
    }

    /**
     * Raw bytes between opcodes, outside any frame (joblib's array data): the open frame is committed first, as
     * joblib's {@code framer.commit_frame(force=True)}, so a reader's frame ends where the bytes begin.
     * {@code data} gets the absolute position the bytes start at.
     */
    void writeRaw(java.util.function.LongFunction<ByteBuffer> data) {
        commitFrame();
        flushBuffer();
        ByteBuffer payload = data.apply(position()).duplicate();
        if (payload.hasArray()) {
            toSink(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
            return;
        }
        byte[] chunk = new byte[Math.min(payload.remaining(), FRAME_SIZE_TARGET)];
        while (payload.hasRemaining()) {
            int step = Math.min(chunk.length, payload.remaining());
            payload.get(chunk, 0, step);
            toSink(chunk, 0, step);
        }
    }

    /** {@code _Pickler_OpcodeBoundary}: commit the open frame once it has reached the target size. */
    void opcodeBoundary() {
        if (!framing || frameStart < 0) {
            if (frameStart < 0 && len >= FLUSH_THRESHOLD) {
                flushBuffer();
            }
            return;
        }
        if (len - frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET) {
            commitFrame();
            flushBuffer();
        }
    }

    /** {@code _Pickler_CommitFrame}: write the open frame's header, or drop it if the frame is tiny. */
    void commitFrame() {
        if (!framing || frameStart < 0) {
            return;
        }
        int frameLen = len - frameStart - FRAME_HEADER_SIZE;
        if (frameLen >= FRAME_SIZE_MIN) {
            buf[frameStart] = (byte) Opcode.FRAME.code();
            long v = frameLen;
            for (int i = 0; i < 8; i++) {
                buf[frameStart + 1 + i] = (byte) (v >>> (8 * i));
            }
        } else {
            System.arraycopy(buf, frameStart + FRAME_HEADER_SIZE, buf, frameStart, frameLen);
            len -= FRAME_HEADER_SIZE;
        }
        frameStart = -1;
    }

    /** Hands bytes to the stream or to the in-memory parts, keeping {@link #position()} absolute. */
    private void toSink(byte[] b, int off, int n) {
        if (sink == null) {
            parts.add(b, off, n);
        } else {
            try {
                sink.write(b, off, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        flushed += n;
    }

    private void flushBuffer() {
        if (len == 0) {
            return;
        }
        toSink(buf, 0, len);
        len = 0;
        if (buf.length > 4 * FLUSH_THRESHOLD) {
            buf = new byte[FLUSH_THRESHOLD];
        }
    }

    /** Ends the pickle: commits the open frame and, for a stream, hands it everything. */
    void finish() {
        commitFrame();
        framing = false;
        if (sink != null) {
            flushBuffer();
        }
    }

    /** The whole pickle, for an in-memory output after {@link #finish()}. */
    byte[] toByteArray() {
        return toByteArray(EMPTY);
    }

    /** {@code prefix} followed by the whole pickle, in one array: an in-memory output after {@link #finish()}. */
    byte[] toByteArray(byte[] prefix) {
        long total = prefix.length + flushed + len;
        if (total > MAX_ARRAY) {
            throw new OutOfMemoryError("pickle larger than 2 GiB in memory");
        }
        return parts.join(prefix, buf, len, (int) total);
    }

    /**
     * The flushed bytes of an in-memory output, in order: each a copy ({@code byte[]}) or a {@link Range} of an
     * array the output does not own: a {@code PyBytes}' (which never changes) or one it borrows from the caller.
     */
    private static final class Parts {
        private Object[] parts = new Object[16];
        int count;
        private long size;

        void add(byte[] b, int off, int n) {
            makeRoom(n);
            parts[count++] = Arrays.copyOfRange(b, off, off + n);
            size += n;
        }

        /** Keeps the array {@code b} holds its bytes in, without a copy: it never changes. */
        void add(PyBytes b) {
            int n = b.length();
            makeRoom(n);
            Range range = Range.of(b);
            parts[count++] = range != null ? range : b.toByteArray();
            size += n;
        }

        /** Keeps {@code b[off..off+n)} itself, to be copied into the result (or by {@link #copyBorrowed}). */
        void borrow(byte[] b, int off, int n) {
            makeRoom(n);
            parts[count++] = new Range(b, off, n, true);
            size += n;
        }

        /** Replaces every borrowed range by a copy of its bytes. */
        void copyBorrowed() {
            for (int i = 0; i < count; i++) {
                if (parts[i] instanceof Range && ((Range) parts[i]).borrowed) {
                    Range r = (Range) parts[i];
                    parts[i] = Arrays.copyOfRange(r.array, r.off, r.off + r.len);
                }
            }
        }

        /** Checks that {@code n} more bytes keep the pickle under 2 GiB, before any copy, and makes a slot. */
        private void makeRoom(int n) {
            if (size + n > MAX_ARRAY) {
                throw new OutOfMemoryError("pickle larger than 2 GiB in memory");
            }
            if (count == parts.length) {
                parts = Arrays.copyOf(parts, 2 * count);
            }
        }

        /**
         * {@code prefix}, the parts and {@code tail[0..tailLen)}, in one new array of {@code total} bytes.
         *
         * <p>The largest part is copied first, straight after the allocation, with its array and offsets read
         * before it: C2 then leaves the range that copy fills unzeroed (an allocation "tightly coupled" to an
         * arraycopy; the JVM zeroes a new array otherwise, and a field read or a store in between is enough to
         * lose it). For a pickle of one large payload that range is nearly the whole array, and zeroing it took as
         * long as the copy: in a side loop of 8 MiB, once C2 had compiled it, a new array with the payload copied
         * in first took 0.34 ms, against 0.60 ms with one byte stored first and 0.65 ms with the payload's array
         * read from an object's field after the allocation.
         *
         * <p>The tail counts as a part: a small pickle is all tail, and this is then {@code Arrays.copyOf}. Every
         * in-memory dump comes here, so that C2 compiles it early where small values are dumped too; the
         * interpreter and C1 zero the whole array. A process that dumps only large payloads calls it once a dump:
         * in a side loop of the 128 MiB ndarray, C2 compiled it after about 4,400 dumps (62 s), and a dump then
         * took 8 ms instead of 13.
         */
        byte[] join(byte[] prefix, byte[] tail, int tailLen, int total) {
            // The tail, or a larger part. Index count stands for the tail.
            int largest = count;
            int largestAt = total - tailLen;
            int largestLen = tailLen;
            for (int i = 0, at = prefix.length; i < count; i++) {
                int n = length(parts[i]);
                if (n > largestLen) {
                    largest = i;
                    largestAt = at;
                    largestLen = n;
                }
                at += n;
            }
            byte[] all;
            if (largest == count) {
                all = newArrayWith(total, tail, 0, largestAt, tailLen);
            } else if (parts[largest] instanceof byte[]) {
                all = newArrayWith(total, (byte[]) parts[largest], 0, largestAt, largestLen);
            } else {
                Range r = (Range) parts[largest];
                all = newArrayWith(total, r.array, r.off, largestAt, r.len);
            }
            System.arraycopy(prefix, 0, all, 0, prefix.length);
            int at = prefix.length;
            for (int i = 0; i < count; i++) {
                Object p = parts[i];
                if (i != largest) {
                    if (p instanceof byte[]) {
                        byte[] part = (byte[]) p;
                        System.arraycopy(part, 0, all, at, part.length);
                    } else {
                        Range r = (Range) p;
                        System.arraycopy(r.array, r.off, all, at, r.len);
                    }
                }
                at += length(p);
            }
            if (largest != count) {
                System.arraycopy(tail, 0, all, at, tailLen);
            }
            return all;
        }

        private static int length(Object part) {
            return part instanceof byte[] ? ((byte[]) part).length : ((Range) part).len;
        }

        /**
         * A new array of {@code length} bytes holding {@code src[srcPos..srcPos+n)} at {@code destPos}, the rest
         * zero. Nothing may come between the allocation and the copy, or C2 zeroes the whole array (see
         * {@link #join}).
         */
        private static byte[] newArrayWith(int length, byte[] src, int srcPos, int destPos, int n) {
            byte[] a = new byte[length];
            System.arraycopy(src, srcPos, a, destPos, n);
            return a;
        }
    }

    /**
     * {@code len} bytes of {@code array} from {@code off}, an array the output does not own: a {@code PyBytes}', or,
     * if {@code borrowed}, one of the caller's that no code can change yet (see {@link #borrowPayloads}).
     */
    private static final class Range {
        final byte[] array;
        final int off;
        final int len;
        final boolean borrowed;

        Range(byte[] array, int off, int len, boolean borrowed) {
            this.array = array;
            this.off = off;
            this.len = len;
            this.borrowed = borrowed;
        }

        /**
         * The range of the array {@code b} keeps its bytes in, which {@link PyBytes#writeTo} hands to the stream
         * it writes to, without a copy; null if it is not handed over as one range.
         */
        static Range of(PyBytes b) {
            Capture capture = new Capture();
            try {
                b.writeTo(capture);
            } catch (IOException e) {
                throw new AssertionError(e); // Capture throws none
            }
            return capture.writes == 1 && capture.len == b.length()
                    ? new Range(capture.array, capture.off, capture.len, false) : null;
        }
    }

    /** Records the array range a {@code PyBytes} writes itself from, without copying or changing it. */
    private static final class Capture extends OutputStream {
        byte[] array;
        int off;
        int len;
        int writes;

        @Override
        public void write(byte[] b, int off, int len) {
            this.array = b;
            this.off = off;
            this.len = len;
            writes++;
        }

        @Override
        public void write(int b) {
            writes = 2; // not one range
        }
    }
}
