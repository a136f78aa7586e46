package dev.brine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * An input stream that hands out at most {@code chunk} bytes per read, as a slow socket or pipe does, so a reader's
 * every buffer boundary is exercised (the habit jackson and protobuf follow for their parsers).
 *
 * <p>Mark support is a choice: with it, the stream behaves like a {@link java.io.BufferedInputStream} (any read
 * limit is honoured); without it, {@link #markSupported()} is false and {@link #reset()} fails, so a reader must
 * read exactly what it needs. {@link #reads()} counts the calls that returned data, and {@link #position()} tells
 * how far the reader consumed.
 */
public final class ThrottledInputStream extends InputStream {
    private final byte[] data;
    private final int chunk;
    private final boolean markable;
    private int pos;
    private int mark = -1;
    private long reads;

    /** Serves {@code data}, at most {@code chunk} bytes per read, supporting mark/reset if {@code markable}. */
    public ThrottledInputStream(byte[] data, int chunk, boolean markable) {
        this.data = Objects.requireNonNull(data, "data");
        if (chunk <= 0) {
            throw new IllegalArgumentException("chunk must be positive: " + chunk);
        }
        this.chunk = chunk;
        this.markable = markable;
    }

    @Override
    public int read() {
        if (pos >= data.length) {
            return -1;
        }
        reads++;
        return data[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (pos >= data.length) {
            return -1;
        }
        int n = Math.min(Math.min(len, chunk), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        reads++;
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(Math.min(n, chunk), data.length - pos));
        pos += (int) k;
        return k;
    }

    /** Like a socket: only what one read would return is known to be available. */
    @Override
    public int available() {
        return Math.min(chunk, data.length - pos);
    }

    @Override
    public boolean markSupported() {
        return markable;
    }

    @Override
    public synchronized void mark(int readLimit) {
        if (markable) {
            mark = pos;
        }
    }

    @Override
    public synchronized void reset() throws IOException {
        if (!markable) {
            throw new IOException("mark/reset not supported");
        }
        if (mark < 0) {
            throw new IOException("reset without mark");
        }
        pos = mark;
    }

    /** How many bytes the reader has consumed (net of resets). */
    public int position() {
        return pos;
    }

    /** What is left unread. */
    public byte[] remaining() {
        return Arrays.copyOfRange(data, pos, data.length);
    }

    /** How many read calls returned data. */
    public long reads() {
        return reads;
    }

    @Override
    public String toString() {
        return "ThrottledInputStream[" + chunk + " bytes per read, " + (markable ? "" : "no ") + "mark]";
    }
}
