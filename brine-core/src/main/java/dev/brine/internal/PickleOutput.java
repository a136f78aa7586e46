package dev.brine.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

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
 * When writing to a stream, whatever lies before the open frame is flushed once the buffer is large, and large
 * payloads go straight to the stream, so memory stays bounded by about one frame.
 */
final class PickleOutput {
    static final int FRAME_SIZE_TARGET = 64 * 1024;
    private static final int FRAME_SIZE_MIN = 4;
    private static final int FRAME_HEADER_SIZE = 9;
    /** Flush to the stream once this much is buffered outside an open frame. */
    private static final int FLUSH_THRESHOLD = 1 << 17;

    private final OutputStream sink;
    private byte[] buf = new byte[256];
    private int len;
    private boolean framing;
    private int frameStart = -1;
    /** Bytes already handed to the sink, so {@link #position()} stays absolute. */
    private long flushed;

    /** Output into memory ({@code sink == null}) or to a stream. */
    PickleOutput(OutputStream sink) {
        this.sink = sink;
    }

    /** Turns framing on, as {@code dump()} does after writing PROTO at protocol 4 and up. */
    void startFraming() {
        framing = true;
    }

    long position() {
        return flushed + len;
    }

    private void reserve(int n) {
        boolean newFrame = framing && frameStart < 0;
        int need = len + n + (newFrame ? FRAME_HEADER_SIZE : 0);
        if (need < 0) {
            throw new OutOfMemoryError("pickle larger than 2 GiB in memory");
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, buf.length + (buf.length >> 1)));
        }
        if (newFrame) {
            frameStart = len;
            len += FRAME_HEADER_SIZE;
        }
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
        buf[len++] = (byte) op;
        putLE(v, 4);
    }

    /** An opcode followed by a little-endian 64-bit argument. */
    void writeOpU64(int op, long v) {
        reserve(9);
        buf[len++] = (byte) op;
        putLE(v, 8);
    }

    private void putLE(long v, int n) {
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) (v >>> (8 * i));
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
     * any frame. {@code payload} is {@code len} bytes from {@code off}.
     */
    void writeHeaderAndPayload(byte[] header, int headerLen, byte[] payload, int off, int n) {
        boolean bypass = n >= FRAME_SIZE_TARGET;
        boolean wasFraming = framing;
        if (bypass) {
            commitFrame();
            framing = false;
        }
        write(header, 0, headerLen);
        if (bypass && sink != null) {
            flushBuffer();
            try {
                sink.write(payload, off, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            flushed += n;
        } else {
            write(payload, off, n);
        }
        framing = wasFraming;
    }

    /** {@code _Pickler_OpcodeBoundary}: commit the open frame once it has reached the target size. */
    void opcodeBoundary() {
        if (!framing || frameStart < 0) {
            if (frameStart < 0 && len >= FLUSH_THRESHOLD && sink != null) {
                flushBuffer();
            }
            return;
        }
        if (len - frameStart - FRAME_HEADER_SIZE >= FRAME_SIZE_TARGET) {
            commitFrame();
            if (sink != null) {
                flushBuffer();
            }
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

    private void flushBuffer() {
        if (len == 0) {
            return;
        }
        try {
            sink.write(buf, 0, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        flushed += len;
        len = 0;
        if (buf.length > 4 * FLUSH_THRESHOLD) {
            buf = new byte[FLUSH_THRESHOLD];
        }
    }

    /** Ends the pickle: commits the open frame and hands everything to the sink, if any. */
    void finish() {
        commitFrame();
        framing = false;
        if (sink != null) {
            flushBuffer();
        }
    }

    /** The whole pickle, for an in-memory output after {@link #finish()}. */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }
}
