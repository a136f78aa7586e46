package dev.brine.spark;

import dev.brine.Unpickler;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The scan of a pickle table: its builder (with column pruning), its batch and the tasks' readers. */
final class PickleScan implements ScanBuilder, SupportsPushDownRequiredColumns, Scan, Batch {
    /** Field metadata key marking the column {@code value} as holding each whole element. */
    static final String WHOLE_ELEMENT = "brine.wholeElement";

    private final StructType fullSchema;
    private final PickleOptions options;
    private final Configuration conf;
    private StructType readSchema;

    PickleScan(StructType fullSchema, PickleOptions options, Configuration conf) {
        this.fullSchema = fullSchema;
        this.options = options;
        this.conf = conf;
        this.readSchema = fullSchema;
        for (StructField f : fullSchema.fields()) {
            if (f.name().equals(options.corruptColumn) && !(f.dataType() instanceof StringType)
                    && !(f.dataType() instanceof BinaryType)) {
                throw new IllegalArgumentException("the corrupt-record column " + f.name() + " must be string "
                        + "(the error) or binary (the bytes), not " + f.dataType().simpleString());
            }
        }
    }

    @Override
    public void pruneColumns(StructType requiredSchema) {
        this.readSchema = requiredSchema;
    }

    @Override
    public Scan build() {
        return this;
    }

    @Override
    public StructType readSchema() {
        return readSchema;
    }

    @Override
    public String description() {
        return "PickleScan " + options.paths + " layout=" + options.layout.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Batch toBatch() {
        return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
        List<PickleInputPartition> parts = PickleFiles.plan(options, conf);
        return parts.toArray(new InputPartition[0]);
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        return new Factory(readSchema, wholeElement(fullSchema, options.corruptColumn), options,
                PickleFiles.toBytes(conf));
    }

    /**
     * Whether each element goes whole into the column {@code value}: when the inferred schema says so (the
     * elements were not all dicts), or the schema's only data column is {@code value}.
     */
    static boolean wholeElement(StructType schema, String corruptColumn) {
        int data = 0;
        boolean value = false;
        for (StructField f : schema.fields()) {
            if (f.name().equals(corruptColumn)) {
                continue;
            }
            data++;
            if (f.name().equals("value")) {
                value = true;
                if (f.metadata().contains(WHOLE_ELEMENT)) {
                    return f.metadata().getBoolean(WHOLE_ELEMENT);
                }
            }
        }
        return value && data == 1;
    }

    static SparkSession session() {
        return SparkSession.active();
    }

    /** Makes each task's reader; shipped to the executors. */
    static final class Factory implements PartitionReaderFactory {
        private static final long serialVersionUID = 1L;

        private final StructType schema;
        private final boolean wholeElement;
        private final PickleOptions options;
        private final byte[] conf;

        Factory(StructType schema, boolean wholeElement, PickleOptions options, byte[] conf) {
            this.schema = schema;
            this.wholeElement = wholeElement;
            this.options = options;
            this.conf = conf;
        }

        @Override
        public PartitionReader<InternalRow> createReader(InputPartition partition) {
            PickleInputPartition part = (PickleInputPartition) partition;
            try {
                PickleRecords records = PickleRecords.open(part, PickleFiles.fromBytes(conf), unpickler(options));
                return new Reader(records, schema, wholeElement, options);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + part.path() + ": " + e.getMessage(), e);
            }
        }
    }

    static Unpickler unpickler(PickleOptions options) {
        return Unpickler.builder().encoding(options.encoding).build();
    }

    /** Reads one partition's rows. */
    static final class Reader implements PartitionReader<InternalRow> {
        private final PickleRecords records;
        private final StructType schema;
        private final boolean wholeElement;
        private final PickleOptions options;
        private final CatalystValues values;
        private final int corruptAt;
        private InternalRow row;

        Reader(PickleRecords records, StructType schema, boolean wholeElement, PickleOptions options) {
            this.records = records;
            this.schema = schema;
            this.wholeElement = wholeElement;
            this.options = options;
            this.values = new CatalystValues(options.sessionTimeZone);
            int at = -1;
            StructField[] fields = schema.fields();
            for (int i = 0; i < fields.length; i++) {
                if (fields[i].name().equals(options.corruptColumn)) {
                    at = i;
                }
            }
            this.corruptAt = at;
        }

        @Override
        public boolean next() throws IOException {
            while (records.next()) {
                RuntimeException failure = records.failure();
                if (failure == null) {
                    try {
                        row = values.row(records.element(), schema, wholeElement, options.corruptColumn);
                        return true;
                    } catch (CatalystValues.Mismatch m) {
                        failure = new CatalystValues.Mismatch("in " + records.place() + ": " + m.getMessage());
                    }
                }
                row = bad(failure, records.failedBytes());
                return true;
            }
            return false;
        }

        private InternalRow bad(RuntimeException failure, byte[] bytes) {
            if (options.mode == PickleOptions.Mode.FAILFAST) {
                throw new MalformedPickleException("Malformed pickle record in FAILFAST mode: "
                        + failure.getMessage(), failure);
            }
            GenericInternalRow r = new GenericInternalRow(schema.length());
            if (corruptAt >= 0) {
                if (schema.fields()[corruptAt].dataType() instanceof BinaryType) {
                    r.update(corruptAt, bytes);
                } else {
                    r.update(corruptAt, UTF8String.fromString(failure.getMessage()));
                }
            }
            return r;
        }

        @Override
        public InternalRow get() {
            return row;
        }

        @Override
        public void close() throws IOException {
            records.close();
        }
    }

    /** The corrupt-record column's field for an inferred schema. */
    static StructField corruptField(String name) {
        return DataTypes.createStructField(name, DataTypes.StringType, true);
    }
}
