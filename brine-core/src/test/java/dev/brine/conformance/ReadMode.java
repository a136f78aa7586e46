package dev.brine.conformance;

import dev.brine.Pickle;
import dev.brine.Unpickler;
import dev.brine.testing.ThrottledInputStream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every way a conformance case is read: from an array, through streams that deliver one or a few bytes per read
 * (with and without mark support), from heap and direct buffers, and as two pickles concatenated in one stream
 * or buffer followed by a tail that must be left unread, as {@code pickle.load} leaves a file.
 */
enum ReadMode {
    LOADS_BYTES("loads(byte[])", false),
    PICKLE_LOADS("Pickle.loads", false),
    STREAM_1_BYTE("stream, 1 byte per read", false),
    STREAM_1_BYTE_MARK("stream, 1 byte per read, mark", false),
    STREAM_3_BYTES("stream, 3 bytes per read", false),
    STREAM_3_BYTES_MARK("stream, 3 bytes per read, mark", false),
    STREAM_4K_MARK("stream, 4096 bytes per read, mark", false),
    BUFFER_HEAP("load(ByteBuffer heap)", false),
    BUFFER_DIRECT("load(ByteBuffer direct)", false),
    CONCAT_STREAM_1_BYTE("two pickles in one stream, 1 byte per read", true),
    CONCAT_STREAM_5_BYTES_MARK("two pickles in one stream, 5 bytes per read, mark", true),
    CONCAT_BUFFER("two pickles in one ByteBuffer", true);

    /** Left after two concatenated pickles; a reader must not consume it. */
    private static final byte[] TAIL = "TAIL".getBytes(StandardCharsets.US_ASCII);

    private final String label;
    private final boolean concatenated;

    ReadMode(String label, boolean concatenated) {
        this.label = label;
        this.concatenated = concatenated;
    }

    boolean concatenated() {
        return concatenated;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * What one read produced: the values (two for concatenated modes), the buffers supplied for each, and a
     * problem with how far the input was consumed, if any.
     */
    record Read(List<Object> values, List<List<Object>> buffers, String positionProblem) {
    }

    /**
     * Reads {@code data} this way. Out-of-band buffers are supplied fresh for every load, as writable heap
     * ByteBuffers holding {@code rawBuffers}. With {@code checkPosition}, single reads must also consume
     * exactly the whole input (CPython's pickles end at their STOP).
     */
    Read read(Unpickler unpickler, byte[] data, List<byte[]> rawBuffers, boolean checkPosition) {
        List<List<Object>> supplied = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        int loads = concatenated ? 2 : 1;
        for (int i = 0; i < loads; i++) {
            supplied.add(rawBuffers.isEmpty() ? null : fresh(rawBuffers));
        }
        byte[] input = concatenated ? concat(data, data, TAIL) : data;
        String problem = null;
        try {
            switch (this) {
                case LOADS_BYTES:
                    values.add(unpickler.loads(input, supplied.get(0)));
                    break;
                case PICKLE_LOADS:
                    values.add(Pickle.loads(input));
                    break;
                case BUFFER_HEAP:
                case BUFFER_DIRECT:
                case CONCAT_BUFFER: {
                    ByteBuffer bb = this == BUFFER_DIRECT ? ByteBuffer.allocateDirect(input.length)
                            : ByteBuffer.allocate(input.length + 7).position(7).slice();
                    bb.put(input).flip();
                    for (int i = 0; i < loads; i++) {
                        values.add(unpickler.load(bb, supplied.get(i)));
                    }
                    problem = positionProblem(bb.position(), input.length, checkPosition);
                    break;
                }
                default: {
                    ThrottledInputStream in = stream(input);
                    for (int i = 0; i < loads; i++) {
                        values.add(unpickler.load(in, supplied.get(i)));
                    }
                    problem = positionProblem(in.position(), input.length, checkPosition);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<List<Object>> buffers = new ArrayList<>();
        for (List<Object> s : supplied) {
            buffers.add(s == null ? List.of() : s);
        }
        return new Read(values, buffers, problem);
    }

    private String positionProblem(int position, int length, boolean checkPosition) {
        if (concatenated) {
            int want = length - TAIL.length;
            return position == want ? null
                    : "after two pickles the input is at byte " + position + ", not " + want
                            + " (just before the tail)";
        }
        if (checkPosition && position != length) {
            return "the input is at byte " + position + " after the pickle, not at its end " + length;
        }
        return null;
    }

    private ThrottledInputStream stream(byte[] input) {
        switch (this) {
            case STREAM_1_BYTE:
            case CONCAT_STREAM_1_BYTE:
                return new ThrottledInputStream(input, 1, false);
            case STREAM_1_BYTE_MARK:
                return new ThrottledInputStream(input, 1, true);
            case STREAM_3_BYTES:
                return new ThrottledInputStream(input, 3, false);
            case STREAM_3_BYTES_MARK:
                return new ThrottledInputStream(input, 3, true);
            case STREAM_4K_MARK:
                return new ThrottledInputStream(input, 4096, true);
            case CONCAT_STREAM_5_BYTES_MARK:
                return new ThrottledInputStream(input, 5, true);
            default:
                throw new IllegalStateException(name());
        }
    }

    private static List<Object> fresh(List<byte[]> raw) {
        List<Object> list = new ArrayList<>();
        for (byte[] b : raw) {
            list.add(ByteBuffer.wrap(b.clone()));
        }
        return list;
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] out = Arrays.copyOf(a, a.length + b.length + c.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }
}
