package dev.brine.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** from_pickle, to_pickle and pickle_json against CPython's pickles of the same records the data source reads. */
class BrineFunctionsTest {
    @TempDir
    static Path dir;
    static Path fixtures;
    static Dataset<Row> pickles;   // one column b: each record pickled alone by CPython

    @BeforeAll
    static void setUp() throws IOException {
        Fixtures.requirePython();
        fixtures = Files.createDirectories(dir.resolve("fixtures"));
        Fixtures.check("make", fixtures.toString());
        SparkSession spark = Fixtures.spark();
        BrineFunctions.register(spark);
        List<Row> rows = new ArrayList<>();
        long i = 0;
        for (byte[] b : Fixtures.readFrames(fixtures.resolve("one.frames")).get(0)) {
            rows.add(RowFactory.create(i++, b));
        }
        StructType schema = new StructType().add("n", DataTypes.LongType).add("b", DataTypes.BinaryType);
        pickles = spark.createDataFrame(rows, schema);
        pickles.createOrReplaceTempView("pickles");
    }

    @Test
    void fromPickleReadsWhatTheDataSourceReads() {
        Dataset<Row> source = Fixtures.spark().read().format("pickle").load(fixtures.resolve("records.pkl").toString());
        String ddl = source.schema().toDDL();
        Dataset<Row> parsed = Fixtures.spark().sql("SELECT from_pickle(b, '" + ddl.replace("'", "\\'")
                + "') AS r FROM pickles").select("r.*");
        assertThat(parsed.schema().catalogString()).isEqualTo(PickleDataSourceTest.EXPECTED_SCHEMA);
        assertThat(PickleDataSourceTest.canonical(parsed)).isEqualTo(PickleDataSourceTest.canonical(source));
    }

    @Test
    void fromPickleTakesAnyType() {
        List<Row> rows = Fixtures.spark().sql("SELECT from_pickle(b, 'struct<vec: array<double>>').vec AS v, "
                + "from_pickle(b, 'id bigint').id AS id FROM pickles ORDER BY n").collectAsList();
        assertThat(rows).hasSize(95);
        assertThat(rows.get(3).getList(0)).containsExactly(0.0, 3.0, 6.0);
        assertThat(rows.get(3).getLong(1)).isEqualTo(3L);
        // to_pickle of an array, read back as that array.
        List<Row> back = Fixtures.spark().sql("SELECT from_pickle(to_pickle(array(1.5D, 2.5D)), 'array<double>')")
                .collectAsList();
        assertThat(back.get(0).getList(0)).containsExactly(1.5, 2.5);
    }

    @Test
    void toPickleWritesWhatCPythonLoads() throws IOException {
        Dataset<Row> source = Fixtures.spark().read().format("pickle").load(fixtures.resolve("records.pkl").toString());
        source.createOrReplaceTempView("records");
        List<byte[]> out = Fixtures.spark().sql("SELECT to_pickle(struct(*)) FROM records ORDER BY id")
                .as(Encoders.BINARY()).collectAsList();
        Path frames = dir.resolve("to_pickle.frames");
        Fixtures.writeFrames(frames, out);
        assertThat(Fixtures.check("check-one", frames.toString())).isEqualTo("OK 95");
    }

    @Test
    void pickleJsonShowsTheValue() {
        List<String> json = Fixtures.spark().sql("SELECT pickle_json(b) FROM pickles ORDER BY n")
                .as(Encoders.STRING()).collectAsList();
        assertThat(json).hasSize(95);
        assertThat(json.get(0)).contains("\"name\"").contains("row 0 zoë").contains("\"attrs\"");
    }

    @Test
    void aBadPickleFailsWithOffsetAndOpcodeOrIsNullWhenPermissive() {
        assertThatThrownBy(() -> Fixtures.spark().sql("SELECT from_pickle(substring(b, 1, 40), 'id bigint') "
                + "FROM pickles").collectAsList()).hasStackTraceContaining("from_pickle cannot read")
                .hasStackTraceContaining("opcode").hasStackTraceContaining("offset");
        List<Row> rows = Fixtures.spark().sql("SELECT from_pickle(substring(b, 1, 40), 'id bigint', 'PERMISSIVE') "
                + "FROM pickles").collectAsList();
        assertThat(rows).hasSize(95).allMatch(r -> r.isNullAt(0));
        assertThatThrownBy(() -> Fixtures.spark().sql("SELECT pickle_json(X'80050a') FROM pickles").collectAsList())
                .hasStackTraceContaining("pickle_json cannot read");
        assertThatThrownBy(() -> Fixtures.spark().sql("SELECT from_pickle(b, CAST(n AS STRING)) FROM pickles").collectAsList())
                .hasStackTraceContaining("constant string");
    }
}
