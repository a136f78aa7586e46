package dev.brine.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Lists the input files on the driver and cuts them into partitions; carries the Hadoop configuration. */
final class PickleFiles {
    /** The first three bytes of every SequenceFile. */
    private static final byte[] SEQ = {'S', 'E', 'Q'};

    private PickleFiles() {
    }

    /** The partitions of every file under {@code options.paths}, in path order. */
    static List<PickleInputPartition> plan(PickleOptions options, Configuration conf) {
        if (options.paths.isEmpty()) {
            throw new IllegalArgumentException("the pickle data source needs a path: load(path) or option(\"path\", ...)");
        }
        List<PickleInputPartition> out = new ArrayList<>();
        try {
            for (String p : options.paths) {
                Path root = new Path(p);
                FileSystem fs = root.getFileSystem(conf);
                FileStatus[] matched = fs.globStatus(root);
                if (matched == null || matched.length == 0) {
                    throw new IllegalArgumentException("path does not exist: " + root);
                }
                for (FileStatus s : matched) {
                    if (s.isDirectory()) {
                        List<FileStatus> files = new ArrayList<>();
                        RemoteIterator<LocatedFileStatus> it = fs.listFiles(s.getPath(), true);
                        while (it.hasNext()) {
                            LocatedFileStatus f = it.next();
                            if (!hidden(s.getPath(), f.getPath())) {
                                files.add(f);
                            }
                        }
                        files.sort((a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
                        for (FileStatus f : files) {
                            add(fs, f, options, out);
                        }
                    } else {
                        add(fs, s, options, out);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + options.paths + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Names starting with '_' or '.' below the root ({@code _SUCCESS}, {@code .crc} files) are not data. */
    private static boolean hidden(Path root, Path file) {
        String rootText = root.toUri().getPath();
        for (Path p = file; p != null && !p.toUri().getPath().equals(rootText); p = p.getParent()) {
            String name = p.getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static void add(FileSystem fs, FileStatus f, PickleOptions options, List<PickleInputPartition> out)
            throws IOException {
        long size = f.getLen();
        if (size == 0) {
            return;   // no pickle and no SequenceFile header: no rows
        }
        String path = f.getPath().toString();
        PickleOptions.Layout layout = options.layout;
        if (layout == PickleOptions.Layout.AUTO) {
            layout = isSequenceFile(fs, f.getPath()) ? PickleOptions.Layout.PYSPARK : PickleOptions.Layout.PLAIN;
        }
        if (layout == PickleOptions.Layout.PLAIN) {
            out.add(new PickleInputPartition(path, 0, size, layout));
            return;
        }
        for (long start = 0; start < size; start += options.maxPartitionBytes) {
            out.add(new PickleInputPartition(path, start, Math.min(options.maxPartitionBytes, size - start), layout));
        }
    }

    static boolean isSequenceFile(FileSystem fs, Path path) throws IOException {
        byte[] head = new byte[SEQ.length];
        try (FSDataInputStream in = fs.open(path)) {
            int n = 0;
            while (n < head.length) {
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    return false;
                }
                n += r;
            }
        }
        return head[0] == SEQ[0] && head[1] == SEQ[1] && head[2] == SEQ[2];
    }

    /** A Hadoop configuration with the data source's options set in it, as Spark's file sources make it. */
    static Configuration configuration(Configuration base, Map<String, String> options) {
        Configuration conf = new Configuration(base);
        options.forEach((k, v) -> {
            if (!k.equals("path") && !k.equals("paths")) {
                conf.set(k, v);
            }
        });
        return conf;
    }

    /** The configuration as bytes, to ship to tasks (Configuration is Writable, not Serializable). */
    static byte[] toBytes(Configuration conf) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(out)) {
            conf.write(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Configuration fromBytes(byte[] bytes) {
        Configuration conf = new Configuration(false);
        try (DataInputStream d = new DataInputStream(new ByteArrayInputStream(bytes))) {
            conf.readFields(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return conf;
    }
}
