package dev.brine.spark;

import net.razorvine.pickle.Unpickler;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark of docs/BENCHMARKS.md (Spark section), not part of the normal build: reads one saveAsPickleFile
 * directory of {@code brine.bench.records} (default 1,000,000) records with the {@code pickle} data source, and with
 * {@code sc.objectFile} plus Pyrolite into Rows, in the same JVM, alternating, and prints the times. Both compute
 * the same {@code sum(hash(*))} over all columns, which is checked equal; nothing asserts on time.
 *
 * <pre>mvn -B -o -pl brine-spark -am test -Dtest=SparkReadBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbrine.bench=1</pre>
 */
@EnabledIfSystemProperty(named = "brine.bench", matches = "1")
class SparkReadBenchmark {
    static final String SCHEMA = "id bigint, name string, score double, ok boolean, tags array<string>, day date";

    @TempDir
    static Path dir;

    @Test
    void dataSourceAgainstObjectFileAndPyrolite() throws Exception {
        Fixtures.requirePython();
        int n = Integer.getInteger("brine.bench.records", 1_000_000);
        int rounds = Integer.getInteger("brine.bench.rounds", 5);
        Path frames = dir.resolve("bench.frames");
        Fixtures.check("bench", frames.toString(), String.valueOf(n), "4");
        Path data = dir.resolve("bench");
        Fixtures.saveAsObjectFile(Fixtures.readFrames(frames), data);
        StructType schema = StructType.fromDDL(SCHEMA);

        List<Long> brine = new ArrayList<>();
        List<Long> pyrolite = new ArrayList<>();
        List<Long> floor = new ArrayList<>();
        long expected = 0;
        for (int round = 0; round <= rounds; round++) {   // round 0 warms up
            long t0 = System.nanoTime();
            long a = hashSum(Fixtures.spark().read().format("pickle").schema(schema).load(data.toString()));
            long t1 = System.nanoTime();
            long b = hashSum(pyroliteRows(data.toString(), schema));
            long t2 = System.nanoTime();
            // What both share: reading the SequenceFiles and Java-deserializing the batches, nothing unpickled.
            long batches = Fixtures.jsc().objectFile(data.toString()).count();
            long t3 = System.nanoTime();
            assertThat(a).isEqualTo(b);
            assertThat(batches).isEqualTo((n + 9) / 10);
            expected = a;
            if (round > 0) {
                brine.add((t1 - t0) / 1_000_000);
                pyrolite.add((t2 - t1) / 1_000_000);
                floor.add((t3 - t2) / 1_000_000);
            }
        }
        // Brine's own part, without Spark: the same batches in memory, read and converted to rows on one thread,
        // best of five passes. The data source runs two such threads (local[2]); what its query takes beyond
        // half of this is Spark's (scan, projection, hash, aggregation, tasks), which the Pyrolite query pays too.
        List<byte[]> all = Fixtures.objectFile(data);
        CatalystValues values = new CatalystValues("UTC");
        dev.brine.Unpickler brineReader = dev.brine.Unpickler.builder().build();
        long loadsOnly = Long.MAX_VALUE;
        long loadsAndRows = Long.MAX_VALUE;
        long loadsRowsUnsafe = Long.MAX_VALUE;
        org.apache.spark.sql.catalyst.expressions.UnsafeProjection toUnsafe =
                org.apache.spark.sql.catalyst.expressions.UnsafeProjection.create(schema);
        long rowsSeen = 0;
        for (int pass = 0; pass < 5; pass++) {
            long s0 = System.nanoTime();
            long items = 0;
            for (byte[] b : all) {
                items += ((List<?>) brineReader.loads(b)).size();
            }
            long s1 = System.nanoTime();
            long cells = 0;
            for (byte[] b : all) {
                for (Object e : (List<?>) brineReader.loads(b)) {
                    cells += values.row(e, schema, false, "_corrupt_record").numFields();
                }
            }
            long s2 = System.nanoTime();
            // The scan's first step in Spark: each row projected to an UnsafeRow (part of Spark's share above,
            // and the part a decoder writing UnsafeRows itself would take over).
            long unsafeBytes = 0;
            for (byte[] b : all) {
                for (Object e : (List<?>) brineReader.loads(b)) {
                    unsafeBytes += toUnsafe.apply(values.row(e, schema, false, "_corrupt_record")).getSizeInBytes();
                }
            }
            long s3 = System.nanoTime();
            assertThat(items).isEqualTo(n);
            assertThat(cells).isEqualTo(6L * n);
            assertThat(unsafeBytes).isPositive();
            rowsSeen = items;
            loadsOnly = Math.min(loadsOnly, (s1 - s0) / 1_000_000);
            loadsAndRows = Math.min(loadsAndRows, (s2 - s1) / 1_000_000);
            loadsRowsUnsafe = Math.min(loadsRowsUnsafe, (s3 - s2) / 1_000_000);
        }
        long t4 = System.nanoTime();
        StructType inferred = Fixtures.spark().read().format("pickle").load(data.toString()).schema();
        long inferMs = (System.nanoTime() - t4) / 1_000_000;
        assertThat(inferred.catalogString()).isEqualTo(schema.catalogString());
        System.out.printf("SPARK BENCH %d records, %d rounds (sum(hash(*)) = %d)%n", n, rounds, expected);
        System.out.printf("SPARK BENCH pickle data source      ms: %s median %d%n", brine, median(brine));
        System.out.printf("SPARK BENCH objectFile + Pyrolite   ms: %s median %d%n", pyrolite, median(pyrolite));
        System.out.printf("SPARK BENCH objectFile count only    ms: %s median %d%n", floor, median(floor));
        System.out.printf("SPARK BENCH ratio (median) %.2f; schema inference over all records %d ms%n",
                (double) median(pyrolite) / median(brine), inferMs);
        System.out.printf("SPARK BENCH Brine alone, one thread, %d batches, %d rows: loads %d ms, loads and rows %d ms,"
                + " and projected to UnsafeRows %d ms; the data source's query beyond half of the second (Spark's"
                + " share): %d ms, beyond half of the third: %d ms%n", all.size(), rowsSeen, loadsOnly, loadsAndRows,
                loadsRowsUnsafe, median(brine) - loadsAndRows / 2, median(brine) - loadsRowsUnsafe / 2);
    }

    private static long hashSum(Dataset<Row> df) {
        return df.selectExpr("sum(cast(hash(*) as bigint))").first().getLong(0);
    }

    /** What a Java job does today: Spark's objectFile (Java deserialization) and Pyrolite into Rows. */
    static Dataset<Row> pyroliteRows(String path, StructType schema) {
        JavaRDD<byte[]> batches = Fixtures.jsc().objectFile(path);
        JavaRDD<Row> rows = batches.mapPartitions(it -> new Iterator<Row>() {
            private final Unpickler unpickler = new Unpickler();
            private Iterator<?> batch = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!batch.hasNext() && it.hasNext()) {
                    try {
                        batch = ((List<?>) unpickler.loads(it.next())).iterator();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return batch.hasNext();
            }

            @Override
            public Row next() {
                hasNext();
                Map<?, ?> m = (Map<?, ?>) batch.next();
                Calendar c = (Calendar) m.get("day");
                // Row's encoder wants a Scala Seq for an array and a java.sql.Date for a date.
                return RowFactory.create(((Number) m.get("id")).longValue(), m.get("name"), m.get("score"),
                        m.get("ok"), scala.jdk.javaapi.CollectionConverters.asScala((List<?>) m.get("tags")).toSeq(),
                        java.sql.Date.valueOf(LocalDate.of(c.get(Calendar.YEAR), c.get(Calendar.MONTH) + 1,
                                c.get(Calendar.DAY_OF_MONTH))));
            }
        });
        return Fixtures.spark().createDataFrame(rows, schema);
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}
