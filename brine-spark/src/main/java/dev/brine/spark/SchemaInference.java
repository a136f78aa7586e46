package dev.brine.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Infers a schema from a sample of the elements, as a Spark job over the input's partitions: str-keyed dict
 * elements give one column per key (in the order first seen); otherwise one column {@code value}. A corrupt
 * record seen in PERMISSIVE mode adds the corrupt-record column; in FAILFAST it fails the inference.
 */
final class SchemaInference {
    private SchemaInference() {
    }

    /** What one partition's sample says. */
    record Seen(StructType dicts, DataType all, long dictCount, long otherCount, boolean corrupt)
            implements Serializable {
        static final Seen NONE = new Seen(null, DataTypes.NullType, 0, 0, false);

        Seen merge(Seen o) {
            StructType d = dicts == null ? o.dicts : o.dicts == null ? dicts : PythonTypes.mergeStructs(dicts, o.dicts);
            return new Seen(d, PythonTypes.merge(all, o.all), dictCount + o.dictCount, otherCount + o.otherCount,
                    corrupt || o.corrupt);
        }
    }

    static StructType infer(SparkSession spark, PickleOptions options, Configuration conf) {
        List<PickleInputPartition> parts = PickleFiles.plan(options, conf);
        if (parts.isEmpty()) {
            return new StructType();
        }
        byte[] confBytes = PickleFiles.toBytes(conf);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            indexes.add(i);
        }
        List<PickleInputPartition> shipped = List.copyOf(parts);
        Seen seen = jsc.parallelize(indexes, Math.min(parts.size(), Math.max(1, jsc.defaultParallelism() * 4)))
                .map(i -> sample(shipped.get(i), i, options, confBytes))
                .fold(Seen.NONE, Seen::merge);
        List<StructField> fields = new ArrayList<>();
        if (seen.dictCount > 0 && seen.otherCount == 0) {
            for (StructField f : ((StructType) PythonTypes.finish(seen.dicts)).fields()) {
                fields.add(f);
            }
        } else if (seen.dictCount + seen.otherCount > 0) {
            Metadata whole = new MetadataBuilder().putBoolean(PickleScan.WHOLE_ELEMENT, true).build();
            fields.add(DataTypes.createStructField("value", PythonTypes.finish(seen.all), true, whole));
        }
        if (seen.corrupt) {
            fields.add(PickleScan.corruptField(options.corruptColumn));
        }
        return DataTypes.createStructType(fields);
    }

    private static Seen sample(PickleInputPartition part, int index, PickleOptions options, byte[] confBytes) {
        StructType dicts = null;
        DataType all = DataTypes.NullType;
        long dictCount = 0;
        long otherCount = 0;
        boolean corrupt = false;
        SplittableRandom random = new SplittableRandom(0x5eed + index);
        try (PickleRecords records = PickleRecords.open(part, PickleFiles.fromBytes(confBytes),
                PickleScan.unpickler(options))) {
            while (records.next()) {
                if (records.failure() != null) {
                    if (options.mode == PickleOptions.Mode.FAILFAST) {
                        throw new MalformedPickleException("Malformed pickle record in FAILFAST mode (while "
                                + "inferring the schema): " + records.failure().getMessage(), records.failure());
                    }
                    corrupt = true;
                    continue;
                }
                if (options.samplingRatio < 1 && random.nextDouble() >= options.samplingRatio) {
                    continue;
                }
                Object e = records.element();
                if (e == null) {
                    continue;
                }
                if (PythonTypes.hasBigInt(e)) {
                    if (options.mode == PickleOptions.Mode.FAILFAST) {
                        throw new MalformedPickleException("Malformed pickle record in FAILFAST mode (while "
                                + "inferring the schema): in " + records.place() + ": an int needs more than 64 "
                                + "bits, so it is no bigint; give a schema with decimal(38,0) for it, or read in "
                                + "PERMISSIVE mode, which infers decimal(38,0)", null);
                    }
                    if (PythonTypes.hasHugeInt(e)) {
                        corrupt = true;   // more than 38 digits: the row will be a corrupt record
                    }
                }
                all = PythonTypes.merge(all, PythonTypes.of(e, options.dictsAsMaps));
                if (e instanceof Map<?, ?> m && PythonTypes.stringKeys(m)) {
                    StructType t = PythonTypes.columns(m, options.dictsAsMaps);
                    dicts = dicts == null ? t : PythonTypes.mergeStructs(dicts, t);
                    dictCount++;
                } else {
                    otherCount++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + part.path() + ": " + e.getMessage(), e);
        }
        return new Seen(dicts, all, dictCount, otherCount, corrupt);
    }
}
