package dev.brine.spark;

import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapred.SequenceFileOutputFormat;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code pickle} data source against CPython's pickles and Spark's own SequenceFile code: a saveAsPickleFile
 * directory made as PySpark makes it, plain files, inferred and given schemas, both modes, corrupt inputs, and
 * writes read back by CPython.
 */
class PickleDataSourceTest {
    /** The types the table gives each column of spark_fixtures.py's records. */
    static final String EXPECTED_SCHEMA = "struct<id:bigint,name:string,score:double,ok:boolean,note:string,"
            + "raw:binary,day:date,at:timestamp_ntz,at_tz:timestamp,big:decimal(38,0),tags:array<string>,"
            + "point:array<double>,vec:array<double>,ivec:array<int>,attrs:struct<k:bigint,s:string>,"
            + "counts:map<bigint,string>>";

    @TempDir
    static Path dir;
    static Path fixtures;
    static Path pysparkDir;
    static int records;

    @BeforeAll
    static void makeFixtures() throws IOException {
        Fixtures.requirePython();
        fixtures = Files.createDirectories(dir.resolve("fixtures"));
        Fixtures.check("make", fixtures.toString());
        pysparkDir = dir.resolve("pickled");
        Fixtures.saveAsObjectFile(Fixtures.readFrames(fixtures.resolve("records.frames")), pysparkDir);
        records = 95;
    }

    static SparkSession spark() {
        return Fixtures.spark();
    }

    /** Every row as JSON (binary as hex), ordered by id: to compare two reads. */
    static List<String> canonical(Dataset<Row> df) {
        List<Column> cols = new ArrayList<>();
        for (StructField f : df.schema().fields()) {
            Column c = functions.col(f.name());
            cols.add(f.dataType() instanceof BinaryType ? functions.hex(c).as(f.name()) : c);
        }
        Dataset<Row> d = df.select(cols.toArray(new Column[0]));
        if (List.of(df.columns()).contains("id")) {
            d = d.orderBy("id");
        }
        return d.select(functions.to_json(functions.struct(functions.col("*")))).as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList();
    }

    @Test
    void readsASaveAsPickleFileDirectoryWithTheInferredTypes() throws IOException {
        Dataset<Row> df = spark().read().format("pickle").load(pysparkDir.toString());
        assertThat(df.schema().catalogString()).isEqualTo(EXPECTED_SCHEMA);
        assertThat(df.count()).isEqualTo(records);
        // saveAsObjectFile wrote 3 part files (one per partition); each is one split.
        assertThat(df.rdd().getNumPartitions()).isEqualTo(3);
        assertThat(canonical(spark().read().format("pickle").option("layout", "pyspark").load(pysparkDir.toString())))
                .isEqualTo(canonical(df));

        // Back through CPython: written as PySpark's layout, then loaded by pickle as sc.pickleFile does.
        Path out = dir.resolve("roundtrip-pyspark");
        df.write().format("pickle").save(out.toString());
        Path frames = dir.resolve("roundtrip-pyspark.frames");
        Fixtures.writeFrames(frames, Fixtures.objectFile(out));
        assertThat(Fixtures.check("check-batches", frames.toString())).isEqualTo("OK " + records);
    }

    @Test
    void readsAPlainPickleOfAListAsTheSameRows() {
        Dataset<Row> plain = spark().read().format("pickle").load(fixtures.resolve("records.pkl").toString());
        Dataset<Row> pyspark = spark().read().format("pickle").load(pysparkDir.toString());
        assertThat(plain.schema().catalogString()).isEqualTo(EXPECTED_SCHEMA);
        assertThat(canonical(plain)).isEqualTo(canonical(pyspark)).hasSize(records);
    }

    @Test
    void readsSeveralPathsGivenToOneLoad() {
        // load(a, b) reaches the source as the option "paths", a JSON array of strings.
        String plainFile = fixtures.resolve("records.pkl").toString();
        Dataset<Row> one = spark().read().format("pickle").load(plainFile);
        Dataset<Row> twice = spark().read().format("pickle").load(plainFile, pysparkDir.toString());
        assertThat(twice.schema().catalogString()).isEqualTo(EXPECTED_SCHEMA);
        assertThat(twice.count()).isEqualTo(2 * one.count());
    }

    @Test
    void readsConcatenatedPicklesOneRowEach() throws IOException {
        Dataset<Row> df = spark().read().format("pickle").option("layout", "plain")
                .load(fixtures.resolve("stream.pkl").toString());
        assertThat(df.schema().catalogString()).isEqualTo("struct<value:decimal(38,0)>");
        List<String> got = new ArrayList<>();
        for (Row r : df.collectAsList()) {
            got.add(r.isNullAt(0) ? "None" : ((BigDecimal) r.get(0)).toPlainString());
        }
        assertThat(got).isEqualTo(Files.readAllLines(fixtures.resolve("stream.txt")));
    }

    @Test
    void aGivenSchemaPicksAndTypesColumns() {
        Dataset<Row> inferred = spark().read().format("pickle").load(pysparkDir.toString());
        Dataset<Row> given = spark().read().format("pickle")
                .schema("id bigint, big decimal(38,0), vec array<float>, attrs map<string,string>, absent string, "
                        + "at_tz timestamp, at timestamp")
                .load(pysparkDir.toString());
        List<Row> g = given.orderBy("id").collectAsList();
        List<Row> i = inferred.orderBy("id").collectAsList();
        assertThat(g).hasSize(records);
        for (int n = 0; n < records; n++) {
            Row a = g.get(n);
            Row b = i.get(n);
            assertThat(a.getLong(0)).isEqualTo(b.getLong(b.fieldIndex("id")));
            assertThat(a.getDecimal(1)).isEqualTo(b.getDecimal(b.fieldIndex("big")));
            List<Object> floats = a.getList(2);
            List<Object> doubles = b.getList(b.fieldIndex("vec"));
            assertThat(floats).hasSameSizeAs(doubles);
            for (int k = 0; k < floats.size(); k++) {
                assertThat((double) (Float) floats.get(k)).isEqualTo((double) (float) (double) (Double) doubles.get(k));
            }
            Map<Object, Object> attrs = a.getJavaMap(3);
            Row attrsStruct = b.getStruct(b.fieldIndex("attrs"));
            assertThat(attrs).containsEntry("k", String.valueOf(attrsStruct.getLong(0)))
                    .containsEntry("s", attrsStruct.getString(1));
            assertThat(a.isNullAt(4)).isTrue();
            assertThat(a.get(5)).isEqualTo(b.get(b.fieldIndex("at_tz")));
            // a naive datetime read as timestamp is in the session time zone (UTC here): same instant as ntz.
            assertThat(((java.sql.Timestamp) a.get(6)).toInstant())
                    .isEqualTo(((java.time.LocalDateTime) b.get(b.fieldIndex("at"))).toInstant(java.time.ZoneOffset.UTC));
        }
    }

    @Test
    void samplingStillFindsTheColumns() {
        Dataset<Row> df = spark().read().format("pickle").option("samplingRatio", "0.5").load(pysparkDir.toString());
        assertThat(df.schema().catalogString()).isEqualTo(EXPECTED_SCHEMA);
    }

    @Test
    void intsBeyond64BitsFailInFailFastInferenceAndBeyond38DigitsAreCorrupt() throws IOException {
        Path big = dir.resolve("big");
        Fixtures.saveAsObjectFile(Fixtures.readFrames(fixtures.resolve("big.frames")), big);
        assertThatThrownBy(() -> spark().read().format("pickle").option("mode", "FAILFAST").load(big.toString()))
                .hasStackTraceContaining("more than 64 bits");
        Dataset<Row> df = spark().read().format("pickle").load(big.toString());
        assertThat(df.schema().fieldNames()).contains("big", "_corrupt_record");
        List<Row> rows = df.select("id", "big", "_corrupt_record").collectAsList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1).isNullAt(0)).isTrue();
        assertThat(rows.get(1).getString(2)).contains("big").contains("does not fit decimal(38,0)")
                .contains("batch 0, element 1");
        assertThat(rows.get(0).isNullAt(2)).isTrue();
        assertThat(rows.get(2).isNullAt(2)).isTrue();
        assertThatThrownBy(() -> spark().read().format("pickle").option("mode", "FAILFAST")
                .schema("id bigint, big decimal(38,0)").load(big.toString()).collectAsList())
                .hasStackTraceContaining("does not fit decimal(38,0)");
        assertThatThrownBy(() -> spark().read().format("pickle").option("mode", "FAILFAST")
                .schema("id bigint, big bigint").load(big.toString()).collectAsList())
                .hasStackTraceContaining("needs more than 64 bits");
    }

    @Test
    void aCutShortBatchIsOneCorruptRecordWithOffsetAndOpcode() throws IOException {
        Path bad = dir.resolve("bad");
        Fixtures.saveAsObjectFile(Fixtures.readFrames(fixtures.resolve("bad.frames")), bad);
        Dataset<Row> df = spark().read().format("pickle").load(bad.toString());
        assertThat(df.schema().fieldNames()).contains("id", "_corrupt_record");
        List<Row> rows = df.collectAsList();
        assertThat(rows).hasSize(21);   // batches 0 and 2 (10 records each) and the bad one
        List<Row> corrupt = rows.stream().filter(r -> !r.isNullAt(r.fieldIndex("_corrupt_record"))).toList();
        assertThat(corrupt).hasSize(1);
        String message = corrupt.get(0).getString(corrupt.get(0).fieldIndex("_corrupt_record"));
        assertThat(message).contains("batch 1").contains("opcode").contains("offset").contains("part-00000");
        assertThat(corrupt.get(0).isNullAt(corrupt.get(0).fieldIndex("id"))).isTrue();

        assertThatThrownBy(() -> spark().read().format("pickle").option("mode", "FAILFAST")
                .schema("id bigint").load(bad.toString()).collectAsList())
                .hasStackTraceContaining("FAILFAST").hasStackTraceContaining("opcode")
                .hasStackTraceContaining("offset");

        // A binary corrupt-record column gets the bytes that could not be read.
        List<Row> raw = spark().read().format("pickle").schema("id bigint, _corrupt_record binary")
                .load(bad.toString()).where("_corrupt_record is not null").collectAsList();
        assertThat(raw).hasSize(1);
        byte[] cut = Fixtures.readFrames(fixtures.resolve("bad.frames")).get(0).get(1);
        assertThat((byte[]) raw.get(0).get(1)).isEqualTo(cut);
    }

    @Test
    void aTruncatedPlainFileIsCorruptNotShort() {
        String path = fixtures.resolve("truncated.pkl").toString();
        List<Row> rows = spark().read().format("pickle").load(path).collectAsList();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getString(rows.get(0).fieldIndex("_corrupt_record")))
                .contains("pickle at byte 0").contains("offset").contains("not read");
        assertThatThrownBy(() -> spark().read().format("pickle").option("mode", "FAILFAST")
                .schema("id bigint").load(path).collectAsList())
                .hasStackTraceContaining("offset");
    }

    /** Sets {@link #TRIPPED} if Java deserialization ever runs its readObject. */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean TRIPPED = new AtomicBoolean();
        final byte[][] looksLikeBatches = {{1, 2, 3}};

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            TRIPPED.set(true);
            in.defaultReadObject();
        }
    }

    @Test
    void aValueOfAnotherSerializedClassIsRefusedNotDeserialized() throws IOException {
        List<byte[]> values = new ArrayList<>();
        for (Object o : new Object[] {new Tripwire(), new java.util.HashMap<>(Map.of("k", new byte[] {1})),
                new byte[] {1, 2}}) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(b)) {
                out.writeObject(o);
            }
            values.add(b.toByteArray());
        }
        Path seq = dir.resolve("not-batches");
        Fixtures.jsc().parallelize(values, 1)
                .mapToPair(v -> new Tuple2<>(NullWritable.get(), new BytesWritable(v)))
                .saveAsHadoopFile(seq.toString(), NullWritable.class, BytesWritable.class,
                        SequenceFileOutputFormat.class);
        List<Row> rows = spark().read().format("pickle").schema("value string, _corrupt_record string")
                .load(seq.toString()).collectAsList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).getString(1)).contains(Tripwire.class.getName()).contains("not allowed")
                .contains("refused");
        assertThat(rows.get(1).getString(1)).contains("java.util.HashMap").contains("not allowed");
        assertThat(rows.get(2).getString(1)).contains("a serialized [B, not a byte[][]");
        assertThat(Tripwire.TRIPPED).isFalse();
        assertThatThrownBy(() -> spark().read().format("pickle").option("mode", "FAILFAST").schema("value string")
                .load(seq.toString()).collectAsList()).hasStackTraceContaining("not allowed");
        assertThat(Tripwire.TRIPPED).isFalse();
    }

    @Test
    void saveWithTheDefaultModeThenEveryOtherMode() throws IOException {
        Dataset<Row> df = spark().read().format("pickle").load(fixtures.resolve("records.pkl").toString());
        Path out = dir.resolve("modes");
        df.write().format("pickle").save(out.toString());   // ErrorIfExists, the default
        assertThat(spark().read().format("pickle").load(out.toString()).count()).isEqualTo(records);
        assertThatThrownBy(() -> df.write().format("pickle").save(out.toString()))
                .hasMessageContaining("already exists");
        df.limit(5).write().format("pickle").mode(SaveMode.Ignore).save(out.toString());
        assertThat(spark().read().format("pickle").load(out.toString()).count()).isEqualTo(records);
        df.write().format("pickle").mode(SaveMode.Append).save(out.toString());
        assertThat(spark().read().format("pickle").load(out.toString()).count()).isEqualTo(2L * records);
        df.write().format("pickle").mode("overwrite").option("layout", "pyspark").save(out.toString());
        Dataset<Row> back = spark().read().format("pickle").load(out.toString());
        assertThat(canonical(back)).isEqualTo(canonical(df));
        Path frames = dir.resolve("modes.frames");
        Fixtures.writeFrames(frames, Fixtures.objectFile(out));
        assertThat(Fixtures.check("check-batches", frames.toString())).isEqualTo("OK " + records);
    }

    @Test
    void writesThePlainLayoutForPickleLoad() throws IOException {
        Dataset<Row> df = spark().read().format("pickle").load(pysparkDir.toString());
        Path out = dir.resolve("plain-out");
        df.orderBy("id").write().format("pickle").option("layout", "plain").save(out.toString());
        List<String> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".pickle")).map(Path::toString).sorted()
                    .toList();
        }
        assertThat(files).isNotEmpty();
        List<String> args = new ArrayList<>(List.of("check-plain"));
        args.addAll(files);
        assertThat(Fixtures.check(args.toArray(new String[0]))).isEqualTo("OK " + records);
        assertThat(canonical(spark().read().format("pickle").load(out.toString()))).isEqualTo(canonical(df));
    }

    @Test
    void columnPruningReadsOnlyWhatIsAsked() {
        Dataset<Row> df = spark().read().format("pickle").load(pysparkDir.toString());
        assertThat(df.select("name").where("name like 'row 7 %'").collectAsList()).hasSize(1);
        assertThat(df.agg(functions.sum("id")).first().getLong(0)).isEqualTo((long) records * (records - 1) / 2);
    }

    @Test
    void sequenceFileSplitsReadEveryRecordOnce() throws IOException {
        int n = 20_000;
        Path frames = dir.resolve("split.frames");
        Fixtures.check("bench", frames.toString(), String.valueOf(n), "1");
        Path data = dir.resolve("split");
        Fixtures.saveAsObjectFile(Fixtures.readFrames(frames), data);
        long size;
        try (Stream<Path> s = Files.list(data)) {
            size = s.filter(p -> p.getFileName().toString().startsWith("part-")).mapToLong(p -> p.toFile().length())
                    .sum();
        }
        long split = 256 * 1024;
        Dataset<Row> df = spark().read().format("pickle").option("maxPartitionBytes", split).load(data.toString());
        assertThat(df.rdd().getNumPartitions()).isEqualTo((int) ((size + split - 1) / split)).isGreaterThan(3);
        Row r = df.agg(functions.count("id"), functions.countDistinct("id"), functions.sum("id")).first();
        assertThat(r.getLong(0)).isEqualTo(n);
        assertThat(r.getLong(1)).isEqualTo(n);
        assertThat(r.getLong(2)).isEqualTo((long) n * (n - 1) / 2);
    }

    @Test
    void badOptionsAreClearErrors() {
        assertThatThrownBy(() -> spark().read().format("pickle").option("layout", "zip")
                .load(pysparkDir.toString())).hasMessageContaining("layout").hasMessageContaining("zip");
        assertThatThrownBy(() -> spark().read().format("pickle").load(dir.resolve("nowhere").toString()))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> spark().read().format("pickle").option("layout", "pyspark").schema("value string")
                .load(fixtures.resolve("records.pkl").toString()).collectAsList())
                .hasStackTraceContaining("not a SequenceFile");
        assertThatThrownBy(() -> spark().read().format("pickle").schema("id bigint, _corrupt_record int")
                .load(pysparkDir.toString()).collectAsList()).hasStackTraceContaining("must be string");
    }

}
