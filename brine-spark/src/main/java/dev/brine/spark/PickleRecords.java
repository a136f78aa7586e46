package dev.brine.spark;

import dev.brine.PickleException;
import dev.brine.Unpickler;
import dev.brine.value.PyTuple;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.io.SequenceFile;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The Python values of one partition, one at a time: the elements of each PySpark batch, the elements of a plain
 * file's list, or a plain file's pickles. A part that cannot be read becomes a {@link #failure()} naming the file,
 * the place in it, and Brine's offset and opcode; what follows it is still read where the layout allows.
 */
final class PickleRecords implements Closeable {
    private static final String NULL_WRITABLE = NullWritable.class.getName();
    private static final String BYTES_WRITABLE = BytesWritable.class.getName();

    private final PickleInputPartition part;
    private final Unpickler unpickler;

    // pyspark layout
    private SequenceFile.Reader seq;
    private long end;
    private boolean more = true;
    private final NullWritable key = NullWritable.get();
    private final BytesWritable value = new BytesWritable();
    private long recordPosition;
    private byte[][] batches;
    private int batchIndex;

    // plain layout
    private Counting plain;
    private boolean plainStarted;
    private boolean plainDone;

    // both
    private List<?> elements;
    private int elementIndex;
    private String elementsPlace;
    private String placeBase;
    private int placeIndex;

    private Object element;
    private RuntimeException failure;
    private byte[] failedBytes;

    private PickleRecords(PickleInputPartition part, Unpickler unpickler) {
        this.part = part;
        this.unpickler = unpickler;
    }

    static PickleRecords open(PickleInputPartition part, Configuration conf, Unpickler unpickler) throws IOException {
        PickleRecords r = new PickleRecords(part, unpickler);
        Path path = new Path(part.path());
        if (part.layout() == PickleOptions.Layout.PYSPARK) {
            FileSystem fs = path.getFileSystem(conf);
            if (!PickleFiles.isSequenceFile(fs, path)) {
                throw new IOException(part.path() + " is not a SequenceFile (layout pyspark): it does not start "
                        + "with SEQ; use layout plain for a pickle file");
            }
            r.seq = new SequenceFile.Reader(conf, SequenceFile.Reader.file(path));
            if (!NULL_WRITABLE.equals(r.seq.getKeyClassName()) || !BYTES_WRITABLE.equals(r.seq.getValueClassName())) {
                String found = r.seq.getKeyClassName() + "/" + r.seq.getValueClassName();
                r.seq.close();
                throw new IOException(part.path() + " is a SequenceFile of " + found + ", not of NullWritable/"
                        + "BytesWritable as saveAsPickleFile writes");
            }
            r.end = part.start() + part.length();
            if (part.start() > r.seq.getPosition()) {
                r.seq.sync(part.start());
            }
            r.more = r.seq.getPosition() < r.end;
        } else {
            FileSystem fs = path.getFileSystem(conf);
            r.plain = new Counting(new BufferedInputStream(fs.open(path), 1 << 20));
        }
        return r;
    }

    /** Moves to the next value or failure; false at the end of the partition. */
    boolean next() throws IOException {
        element = null;
        failure = null;
        failedBytes = null;
        while (true) {
            if (elements != null) {
                if (elementIndex < elements.size()) {
                    placeBase = elementsPlace;
                    placeIndex = elementIndex;
                    element = elements.get(elementIndex++);
                    return true;
                }
                elements = null;
            }
            if (part.layout() == PickleOptions.Layout.PLAIN) {
                return nextPlain();
            }
            if (batches != null) {
                if (batchIndex < batches.length) {
                    int b = batchIndex++;
                    String place = part.path() + ", SequenceFile record at byte " + recordPosition + ", batch " + b;
                    placeBase = place;
                    placeIndex = -1;
                    try {
                        Object batch = unpickler.loads(batches[b]);
                        if (batch instanceof List<?> list) {
                            elements = list;
                            elementIndex = 0;
                            elementsPlace = place;
                            continue;
                        }
                        failure = new IllegalArgumentException("in " + place + ": a PySpark batch is a pickled list, "
                                + "this one is a " + typeName(batch));
                    } catch (PickleException e) {
                        failure = PickleException.inEntry(place, e);
                    }
                    failedBytes = batches[b];
                    return true;
                }
                batches = null;
            }
            if (!nextSequenceRecord()) {
                return false;
            }
            try {
                batches = ObjectFileValues.decode(value.getBytes(), value.getLength());
                batchIndex = 0;
            } catch (ObjectFileValues.Refused e) {
                failure = new IllegalArgumentException("in " + part.path() + ", SequenceFile record at byte "
                        + recordPosition + ": " + e.getMessage(), e);
                failedBytes = value.copyBytes();
                placeBase = part.path() + ", SequenceFile record at byte " + recordPosition;
                placeIndex = -1;
                return true;
            }
        }
    }

    private boolean nextSequenceRecord() throws IOException {
        if (!more) {
            return false;
        }
        long pos = seq.getPosition();
        boolean remaining = seq.next(key, value);
        if (pos >= end && seq.syncSeen()) {
            more = false;
        } else {
            more = remaining;
        }
        recordPosition = pos;
        return more;
    }

    private boolean nextPlain() throws IOException {
        if (plainDone) {
            return false;
        }
        if (plain.atEnd()) {
            plainDone = true;
            return false;
        }
        long start = plain.position();
        String place = part.path() + ", pickle at byte " + start;
        placeBase = place;
        placeIndex = -1;
        Object v;
        try {
            v = unpickler.load(plain);
        } catch (PickleException e) {
            plainDone = true;
            long rest = part.length() - start;
            failure = PickleException.inEntry(place + " (the " + rest + " bytes from there to the end of the file are "
                    + "not read: the next pickle's start cannot be found)", e);
            return true;
        }
        boolean first = !plainStarted;
        plainStarted = true;
        if (first && plain.atEnd() && (v instanceof List<?> || v instanceof PyTuple)) {
            elements = (List<?>) v;
            elementIndex = 0;
            elementsPlace = place;
            return next();
        }
        element = v;
        return true;
    }

    /** The current value, when {@link #failure()} is null. */
    Object element() {
        return element;
    }

    /** Why the current part could not be read, or null. */
    RuntimeException failure() {
        return failure;
    }

    /** The bytes that could not be read (a pickle or a SequenceFile value), when known. */
    byte[] failedBytes() {
        return failedBytes;
    }

    /** Where the current value is: file, place in it, and its index in its list. */
    String place() {
        return placeIndex < 0 ? placeBase : placeBase + ", element " + placeIndex;
    }

    @Override
    public void close() throws IOException {
        if (seq != null) {
            seq.close();
        }
        if (plain != null) {
            plain.close();
        }
    }

    static String typeName(Object v) {
        return v == null ? "None" : v.getClass().getSimpleName();
    }

    /** Counts the bytes read, through mark and reset, so each pickle's start is known. */
    private static final class Counting extends FilterInputStream {
        private long pos;
        private long mark;

        Counting(InputStream in) {
            super(in);
        }

        long position() {
            return pos;
        }

        boolean atEnd() throws IOException {
            in.mark(1);
            int b = in.read();
            in.reset();
            return b < 0;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                pos++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                pos += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(n);
            pos += s;
            return s;
        }

        @Override
        public synchronized void mark(int readlimit) {
            in.mark(readlimit);
            mark = pos;
        }

        @Override
        public synchronized void reset() throws IOException {
            in.reset();
            pos = mark;
        }
    }
}
