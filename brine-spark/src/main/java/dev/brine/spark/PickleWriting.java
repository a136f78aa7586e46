package dev.brine.spark;

import dev.brine.Pickler;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapred.SequenceFileOutputFormat;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

/**
 * Writes a DataFrame as pickles, rows as dicts. Layout {@code pyspark} writes what {@code saveAsPickleFile} does:
 * rows pickled in lists of {@code batchSize} (protocol {@code protocol}, 5 as PySpark on Python 3.8+), ten
 * pickles Java-serialized per {@code byte[][]}, in a SequenceFile of NullWritable/BytesWritable written by Hadoop's
 * SequenceFileOutputFormat, as {@code saveAsObjectFile} does. Layout {@code plain} writes one file per non-empty
 * partition, {@code part-NNNNN.pickle}, holding one pickle of the list of its rows (so the partition's rows are
 * held in memory while it is written).
 */
final class PickleWriting {
    /** saveAsObjectFile groups this many elements (here: pickled batches) per serialized array. */
    static final int BATCHES_PER_VALUE = 10;

    private PickleWriting() {
    }

    static void write(PickleOptions o, Configuration conf, SaveMode mode, Dataset<Row> data) {
        if (o.paths.size() != 1) {
            throw new IllegalArgumentException("the pickle data source writes to one path: save(path), not "
                    + o.paths);
        }
        if (o.layout == PickleOptions.Layout.AUTO && o.all.containsKey("layout")) {
            throw new IllegalArgumentException("option layout must be pyspark or plain when writing");
        }
        PickleOptions.Layout layout = o.layout == PickleOptions.Layout.PLAIN
                ? PickleOptions.Layout.PLAIN : PickleOptions.Layout.PYSPARK;
        Path out = new Path(o.paths.get(0));
        try {
            FileSystem fs = out.getFileSystem(conf);
            boolean exists = fs.exists(out);
            Path target = out;
            switch (mode) {
                case ErrorIfExists:
                    if (exists) {
                        throw new IllegalStateException("path " + fs.makeQualified(out) + " already exists (save "
                                + "mode ErrorIfExists, the default); use mode(\"overwrite\") or mode(\"append\")");
                    }
                    break;
                case Ignore:
                    if (exists) {
                        return;
                    }
                    break;
                case Overwrite:
                    if (exists && !fs.delete(out, true)) {
                        throw new IOException("cannot delete " + out + " to overwrite it");
                    }
                    break;
                case Append:
                    if (exists) {
                        target = new Path(out, ".brine-append-" + UUID.randomUUID());
                    }
                    break;
                default:
                    throw new IllegalArgumentException("save mode " + mode + " is not supported");
            }
            if (layout == PickleOptions.Layout.PYSPARK) {
                writePySpark(o, data, target);
            } else {
                writePlain(o, conf, data, target);
            }
            if (!target.equals(out)) {
                moveParts(fs, target, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private static void writePySpark(PickleOptions o, Dataset<Row> data, Path target) {
        StructType schema = data.schema();
        int protocol = o.protocol;
        int batchSize = o.batchSize;
        JavaRDD<Row> rows = data.javaRDD();
        rows.mapPartitions(it -> (Iterator<byte[]>) new Values(it, schema, protocol, batchSize))
                .mapToPair(v -> new Tuple2<>(NullWritable.get(), new BytesWritable(v)))
                .saveAsHadoopFile(target.toString(), NullWritable.class, BytesWritable.class,
                        SequenceFileOutputFormat.class);
    }

    private static void writePlain(PickleOptions o, Configuration conf, Dataset<Row> data, Path target)
            throws IOException {
        StructType schema = data.schema();
        int protocol = o.protocol;
        FileSystem fs = target.getFileSystem(conf);
        Path temp = new Path(target, "_temporary-" + UUID.randomUUID());
        fs.mkdirs(temp);
        byte[] confBytes = PickleFiles.toBytes(conf);
        String tempText = temp.toString();
        data.javaRDD().foreachPartition(it -> {
            if (!it.hasNext()) {
                return;
            }
            List<Object> rows = new ArrayList<>();
            while (it.hasNext()) {
                rows.add(PythonValues.dict(it.next(), schema));
            }
            Path file = new Path(tempText, String.format("part-%05d.pickle", TaskContext.getPartitionId()));
            Configuration c = PickleFiles.fromBytes(confBytes);
            try (FSDataOutputStream raw = file.getFileSystem(c).create(file, true);
                 OutputStream os = new BufferedOutputStream(raw, 1 << 16)) {
                Pickler.builder().protocol(protocol).build().dump(rows, os);
            }
        });
        for (FileStatus f : fs.listStatus(temp)) {
            if (!fs.rename(f.getPath(), new Path(target, f.getPath().getName()))) {
                throw new IOException("cannot move " + f.getPath() + " into " + target);
            }
        }
        fs.delete(temp, true);
        fs.create(new Path(target, "_SUCCESS"), true).close();
    }

    /** Moves the data files written into {@code from} (a fresh directory inside {@code to}) into {@code to}. */
    private static void moveParts(FileSystem fs, Path from, Path to) throws IOException {
        String tag = from.getName().substring(from.getName().lastIndexOf('-') + 1);
        for (FileStatus f : fs.listStatus(from)) {
            String name = f.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            Path dest = new Path(to, name + "-" + tag);
            if (!fs.rename(f.getPath(), dest)) {
                throw new IOException("cannot move " + f.getPath() + " to " + dest);
            }
        }
        fs.delete(from, true);
    }

    /** A partition's rows as SequenceFile values: pickled batches, ten per serialized byte[][]. */
    static final class Values implements Iterator<byte[]> {
        private final Iterator<Row> rows;
        private final StructType schema;
        private final Pickler pickler;
        private final int batchSize;

        Values(Iterator<Row> rows, StructType schema, int protocol, int batchSize) {
            this.rows = rows;
            this.schema = schema;
            this.pickler = Pickler.builder().protocol(protocol).build();
            this.batchSize = batchSize;
        }

        @Override
        public boolean hasNext() {
            return rows.hasNext();
        }

        @Override
        public byte[] next() {
            if (!rows.hasNext()) {
                throw new NoSuchElementException();
            }
            List<byte[]> batches = new ArrayList<>(BATCHES_PER_VALUE);
            while (batches.size() < BATCHES_PER_VALUE && rows.hasNext()) {
                List<Map<String, Object>> batch = new ArrayList<>(batchSize);
                while (batch.size() < batchSize && rows.hasNext()) {
                    batch.add(PythonValues.dict(rows.next(), schema));
                }
                batches.add(pickler.dumps(batch));
            }
            return ObjectFileValues.encode(batches.toArray(new byte[0][]));
        }
    }
}
