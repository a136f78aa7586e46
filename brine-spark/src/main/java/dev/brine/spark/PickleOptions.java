package dev.brine.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The options of the {@code pickle} data source, read once on the driver and shipped to the tasks.
 *
 * <p>Reading: {@code path}/{@code paths}, {@code layout} ({@code auto}, {@code pyspark}, {@code plain}),
 * {@code mode} ({@code PERMISSIVE}, {@code FAILFAST}), {@code columnNameOfCorruptRecord}, {@code samplingRatio},
 * {@code dictsAs} ({@code struct}, {@code map}), {@code maxPartitionBytes}, {@code encoding}. Writing:
 * {@code layout} ({@code pyspark}, {@code plain}), {@code protocol}, {@code batchSize}.
 */
final class PickleOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How files hold their pickles. */
    enum Layout {
        /** Decided per file from its first bytes: a SequenceFile header means {@link #PYSPARK}. */
        AUTO,
        /** What PySpark's {@code RDD.saveAsPickleFile} writes: a SequenceFile of Java-serialized batches. */
        PYSPARK,
        /** A file holding one pickle of a list, or pickles one after another. */
        PLAIN
    }

    /** What a record that cannot be read does. */
    enum Mode {
        PERMISSIVE, FAILFAST
    }

    final List<String> paths;
    final Layout layout;
    final Mode mode;
    final String corruptColumn;
    final double samplingRatio;
    final boolean dictsAsMaps;
    final long maxPartitionBytes;
    final String encoding;
    final int protocol;
    final int batchSize;
    final String sessionTimeZone;
    /** The options as given, keys lower-cased, for the Hadoop configuration. */
    final Map<String, String> all;

    PickleOptions(Map<String, String> options, String defaultCorruptColumn, long defaultMaxPartitionBytes,
                  String sessionTimeZone) {
        Map<String, String> o = new TreeMap<>();
        options.forEach((k, v) -> o.put(k.toLowerCase(Locale.ROOT), v));
        this.all = o;
        this.paths = paths(o);
        this.layout = choice(o, "layout", Layout.class, Layout.AUTO);
        this.mode = choice(o, "mode", Mode.class, Mode.PERMISSIVE);
        this.corruptColumn = o.getOrDefault("columnnameofcorruptrecord", defaultCorruptColumn);
        this.samplingRatio = number(o, "samplingratio", 1.0);
        if (!(samplingRatio > 0 && samplingRatio <= 1)) {
            throw new IllegalArgumentException("option samplingRatio must be in (0, 1], not " + samplingRatio);
        }
        String dicts = o.getOrDefault("dictsas", "struct").toLowerCase(Locale.ROOT);
        if (!dicts.equals("struct") && !dicts.equals("map")) {
            throw new IllegalArgumentException("option dictsAs must be struct or map, not " + dicts);
        }
        this.dictsAsMaps = dicts.equals("map");
        this.maxPartitionBytes = (long) number(o, "maxpartitionbytes", defaultMaxPartitionBytes);
        if (maxPartitionBytes < 1) {
            throw new IllegalArgumentException("option maxPartitionBytes must be 1 or more");
        }
        this.encoding = o.getOrDefault("encoding", "ASCII");
        this.protocol = (int) number(o, "protocol", 5);
        if (protocol < 0 || protocol > 5) {
            throw new IllegalArgumentException("option protocol must be 0 to 5, not " + protocol);
        }
        this.batchSize = (int) number(o, "batchsize", 10);
        if (batchSize < 1) {
            throw new IllegalArgumentException("option batchSize must be 1 or more, not " + batchSize);
        }
        this.sessionTimeZone = sessionTimeZone;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> paths(Map<String, String> o) {
        List<String> out = new ArrayList<>();
        if (o.containsKey("path")) {
            out.add(o.get("path"));
        }
        String many = o.get("paths");
        if (many != null) {
            // Spark passes several load() paths as a JSON array of strings, written with its own Jackson.
            try {
                out.addAll(List.of(JSON.readValue(many, String[].class)));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("option paths is not a JSON array of strings: " + many, e);
            }
        }
        return List.copyOf(out);
    }

    private static <E extends Enum<E>> E choice(Map<String, String> o, String key, Class<E> type, E dflt) {
        String v = o.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT));
            }
            throw new IllegalArgumentException("option " + key + " must be one of " + names + ", not " + v);
        }
    }

    private static double number(Map<String, String> o, String key, double dflt) {
        String v = o.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " must be a number, not " + v);
        }
    }
}
