package dev.brine.internal.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The bytes a pickle is read from: a byte array (read in place), a {@link ByteBuffer}, or an {@link InputStream}
 * (buffered here, so the machine never asks the stream for one byte at a time when it can avoid it).
 *
 * <p>The machine reads {@link #buf} directly between {@link #pos} and {@link #limit} after one call to
 * {@link #require(int)} per argument, as Kryo's {@code Input} and jackson's parsers do. Offsets reported in errors
 * are absolute: {@link #base} plus the position in {@code buf}.
 *
 * <p>An input stream is consumed exactly up to the end of the pickle. A stream that supports mark/reset is read
 * ahead in chunks and given back what the pickle did not use (see {@link #finish()}); any other stream is read
 * exactly, as many bytes as the current argument needs, or a whole frame at once.
 */
public final class PickleInput {
    private static final int CHUNK = 64 * 1024;

    byte[] buf;
    int pos;
    int limit;
    /** The absolute offset of {@code buf[0]}. */
    long base;

    private final InputStream in;
    private final boolean markable;
    /** For a markable stream: where in {@code buf} the bytes of the last marked read begin, or -1. */
    private int markStart = -1;
    private final ByteBuffer byteBuffer;
    private final int bufferStart;
    private boolean eof;

    private PickleInput(byte[] buf, int pos, int limit, InputStream in, ByteBuffer byteBuffer) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
        this.base = -pos;
        this.in = in;
        this.markable = in != null && in.markSupported();
        this.byteBuffer = byteBuffer;
        this.bufferStart = pos;
        this.eof = in == null;
    }

    /** An input over {@code length} bytes of {@code data} from {@code offset}, read in place. */
    public static PickleInput of(byte[] data, int offset, int length) {
        return new PickleInput(data, offset, offset + length, null, null);
    }

    /** An input over a buffer's remaining bytes; {@link #finish()} advances its position past the pickle. */
    public static PickleInput of(ByteBuffer data) {
        if (data.hasArray()) {
            int start = data.arrayOffset() + data.position();
            return new PickleInput(data.array(), start, data.arrayOffset() + data.limit(), null, data);
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return new PickleInput(copy, 0, copy.length, null, data);
    }

    /** An input over a stream; {@link #finish()} gives back what was read past the pickle, where it can. */
    public static PickleInput of(InputStream in) {
        return new PickleInput(new byte[in.markSupported() ? CHUNK : 256], 0, 0, in, null);
    }

    /** The absolute offset of the next byte. */
    public long offset() {
        return base + pos;
    }

    /** Whether the input is a stream that may still deliver bytes past {@link #limit}. */
    boolean isStream() {
        return in != null;
    }

    /**
     * Makes at least {@code n} bytes available from {@link #pos}, reading from the stream if needed. Returns false
     * if the input ends first; then whatever bytes there are remain available.
     */
    boolean require(int n) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        return fill(n);
    }

    private boolean fill(int n) throws IOException {
        if (eof) {
            return false;
        }
        makeRoom(n);
        while (limit - pos < n) {
            int want;
            if (markable) {
                want = buf.length - limit;
                in.mark(want);
                markStart = limit;
            } else {
                want = n - (limit - pos);
            }
            int read = in.read(buf, limit, want);
            if (read < 0) {
                eof = true;
                return false;
            }
            limit += read;
        }
        return true;
    }

    /** Moves the unread bytes to the front and grows the buffer, so {@code n} bytes fit after {@link #pos}. */
    private void makeRoom(int n) {
        int unread = limit - pos;
        if (markable && markStart >= 0 && markStart < pos) {
            // Bytes before pos are consumed; only the unread tail of the last marked read matters.
            markStart = pos;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, unread);
            if (markStart >= 0) {
                markStart -= pos;
            }
            base += pos;
            limit = unread;
            pos = 0;
        }
        int needed = markable ? Math.max(n, CHUNK) : n;
        if (buf.length < needed) {
            buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
        }
    }

    /**
     * For a non-markable stream, reads up to {@code n} more bytes in one go so a whole frame is buffered. Returns
     * without error at end of input; the machine reports truncation when it actually needs the bytes.
     */
    void prefetch(int n) throws IOException {
        if (in != null && !markable && limit - pos < n) {
            fill(n);
        }
    }

    /**
     * Reads {@code length} bytes into a new array. The declared length is not trusted: bytes are read as they
     * arrive, so a length larger than the input fails at the end of the input without allocating it. Returns null
     * if the input ends first.
     */
    byte[] readBytes(long length) throws IOException {
        if (limit - pos >= length) {
            byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) length);
            pos += (int) length;
            return out;
        }
        if (in == null || length > Integer.MAX_VALUE - 8) {
            return null;
        }
        int total = (int) length;
        // Grow with the data actually read, never to the declared size up front.
        byte[] out = new byte[Math.min(total, Math.max(CHUNK, limit - pos))];
        int have = limit - pos;
        System.arraycopy(buf, pos, out, 0, have);
        pos = limit;
        markStart = -1;
        while (have < total) {
            if (have == out.length) {
                out = Arrays.copyOf(out, (int) Math.min(total, (long) out.length * 2));
            }
            int read = in.read(out, have, out.length - have);
            if (read < 0) {
                eof = true;
                return null;
            }
            have += read;
            base += read;
        }
        return out;
    }

    /** Skips up to {@code n} bytes, as far as the input goes. */
    void skip(long n) throws IOException {
        while (n > 0) {
            if (pos == limit && !fill(1)) {
                return;
            }
            int step = (int) Math.min(n, limit - pos);
            pos += step;
            n -= step;
        }
    }

    /**
     * Finds the next newline at or after {@link #pos}, reading more if needed. Returns its index in {@link #buf}, or
     * -1 if the input ends without one; {@code maxLength} bounds how far it looks.
     */
    int findNewline(long maxLength) throws IOException {
        int from = pos;
        while (true) {
            for (int i = from; i < limit; i++) {
                if (buf[i] == '\n') {
                    return i;
                }
            }
            if (limit - pos >= maxLength) {
                return -1;
            }
            int scanned = limit - pos;
            int want = markable ? scanned + 1 : scanned + 1;
            if (!fill(want)) {
                return -1;
            }
            from = pos + scanned;
        }
    }

    /** Gives back what was read past the pickle: resets a markable stream, or advances a ByteBuffer. */
    public void finish() throws IOException {
        if (byteBuffer != null) {
            byteBuffer.position(byteBuffer.position() + (pos - bufferStart));
            return;
        }
        if (in != null && markable && markStart >= 0 && pos < limit) {
            in.reset();
            long skip = pos - markStart;
            while (skip > 0) {
                long skipped = in.skip(skip);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        break;
                    }
                    skipped = 1;
                }
                skip -= skipped;
            }
        }
    }
}
