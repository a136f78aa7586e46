package dev.brine.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The tests' CPython (Debian's {@code /usr/bin/python3} with numpy) running {@code src/test/python/spark_fixtures.py},
 * the frame files it reads and writes, and one shared local[2] SparkSession.
 */
final class Fixtures {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path SCRIPT = Path.of("src/test/python/spark_fixtures.py").toAbsolutePath();

    private static SparkSession spark;

    private Fixtures() {
    }

    /** The shared session: local[2], no UI, 2 shuffle partitions, UTC session time zone. */
    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("brine-spark-test")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(spark::stop));
        }
        return spark;
    }

    static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(spark().sparkContext());
    }

    /** Skips the calling test, or fails it under {@code BRINE_REQUIRE_PYTHON=1}, unless CPython with numpy runs. */
    static void requirePython() {
        boolean ok;
        try {
            ok = Files.isExecutable(PYTHON) && run("-c", "import numpy").exit == 0;
        } catch (IOException e) {
            ok = false;
        }
        if (ok) {
            return;
        }
        String message = PYTHON + " with numpy is needed (apt-get install python3-numpy)";
        if ("1".equals(System.getenv("BRINE_REQUIRE_PYTHON"))) {
            throw new AssertionError(message + " and BRINE_REQUIRE_PYTHON=1 is set");
        }
        System.err.println("WARNING: SKIPPING a test that needs CPython: " + message);
        Assumptions.abort(message);
    }

    record Result(int exit, String out, String err) {
    }

    /** Runs the fixture script with {@code args}; its result (stdout, stderr, exit code). */
    static Result script(String... args) throws IOException {
        List<String> a = new ArrayList<>();
        a.add(SCRIPT.toString());
        a.addAll(List.of(args));
        return run(a.toArray(new String[0]));
    }

    private static Result run(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(PYTHON.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream errIn = p.getErrorStream();
        Thread drain = new Thread(() -> {
            try {
                errIn.transferTo(err);
            } catch (IOException ignored) {
                // the exit code tells
            }
        });
        drain.start();
        byte[] out;
        try (InputStream o = p.getInputStream()) {
            out = o.readAllBytes();
        }
        try {
            drain.join();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The fixture script's check: fails the test with its message unless it exits 0. */
    static String check(String... args) throws IOException {
        Result r = script(args);
        if (r.exit != 0) {
            throw new AssertionError("CPython check " + String.join(" ", args) + " failed:\n" + r.err + r.out);
        }
        return r.out.strip();
    }

    /** A frames file: partition index → the byte strings of that partition, in order. */
    static Map<Integer, List<byte[]>> readFrames(Path file) throws IOException {
        Map<Integer, List<byte[]>> out = new TreeMap<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            while (in.available() > 0) {
                int part = in.readInt();
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                out.computeIfAbsent(part, k -> new ArrayList<>()).add(b);
            }
        }
        return out;
    }

    static void writeFrames(Path file, List<byte[]> values) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            for (byte[] v : values) {
                out.writeInt(0);
                out.writeInt(v.length);
                out.write(v);
            }
        }
    }

    /**
     * PySpark's JVM half of {@code saveAsPickleFile}: the pickled batches of each partition, as the Python workers
     * hand them to the JVM, saved with Spark's own {@code saveAsObjectFile} (ten per Java-serialized byte[][], in
     * a SequenceFile of NullWritable/BytesWritable), one partition per frames partition.
     */
    static void saveAsObjectFile(Map<Integer, List<byte[]>> partitions, Path dir) {
        List<Integer> indexes = new ArrayList<>(partitions.keySet());
        Map<Integer, List<byte[]>> shipped = new TreeMap<>(partitions);
        JavaRDD<byte[]> batches = jsc().parallelize(indexes, indexes.size()).flatMap(i -> shipped.get(i).iterator());
        // PySpark's RDD is an RDD[Array[Byte]] made in Scala, whose class tag is byte[]: saveAsObjectFile then
        // serializes byte[][]. The Java API's class tags are Object (it would serialize Object[]), so give the
        // RDD the Scala class tag PythonRDD has.
        batches.rdd().map(new Identity(), ClassTag$.MODULE$.<byte[]>apply(byte[].class))
                .saveAsObjectFile(dir.toString());
    }

    /** x => x, serializable, for the Scala API. */
    private static final class Identity extends AbstractFunction1<byte[], byte[]> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] apply(byte[] v) {
            return v;
        }
    }

    /** What Spark's own {@code objectFile} reads from {@code dir}: the byte[] elements, in order. */
    static List<byte[]> objectFile(Path dir) {
        return jsc().<byte[]>objectFile(dir.toString()).collect();
    }
}
