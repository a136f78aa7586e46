package dev.brine.kafka;

import dev.brine.Pickler;
import dev.brine.Unpickler;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;

/**
 * A Kafka {@link Serde} of Python pickles: a {@link PickleSerializer} and a {@link PickleDeserializer} configured
 * from the same settings. Use it where Kafka Streams or another API takes a Serde.
 *
 * <pre>{@code
 * Serde<Object> pickles = new PickleSerde();
 * pickles.configure(Map.of("brine.framing", "base64"), false);
 * KStream<String, Object> events = builder.stream("events", Consumed.with(Serdes.String(), pickles));
 * }</pre>
 *
 * <p>This class also names the settings both halves read; see their class comments for what each does.
 */
public class PickleSerde implements Serde<Object> {
    /** The pickle protocol the serializer writes, 0 to 5; default {@value Pickler#DEFAULT_PROTOCOL}. */
    public static final String PROTOCOL_CONFIG = "brine.pickle.protocol";
    /** Whether the deserializer fails on Python globals Brine does not map; default false. */
    public static final String STRICT_CONFIG = "brine.unpickle.strict";
    /** How the deserializer decodes Python 2 {@code str}, as {@link Unpickler.Builder#encoding(String)}. */
    public static final String ENCODING_CONFIG = "brine.unpickle.encoding";
    /** The largest record, in bytes, the deserializer reads; larger ones fail unread. Default: no limit. */
    public static final String MAX_BYTES_CONFIG = "brine.unpickle.max.bytes";
    /** {@code raw} (the record is the pickle) or {@code base64} (the record is its base64 text). */
    public static final String FRAMING_CONFIG = "brine.framing";

    private final PickleSerializer serializer;
    private final PickleDeserializer deserializer;

    /** A serde with Brine's default {@link Pickler} and {@link Unpickler}. */
    public PickleSerde() {
        this(new PickleSerializer(), new PickleDeserializer());
    }

    /** A serde that writes with {@code pickler} and reads with {@code unpickler}. */
    public PickleSerde(Pickler pickler, Unpickler unpickler) {
        this(new PickleSerializer(pickler), new PickleDeserializer(unpickler));
    }

    private PickleSerde(PickleSerializer serializer, PickleDeserializer deserializer) {
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    /** Configures both halves from the same settings. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    /** The serializer half. */
    @Override
    public Serializer<Object> serializer() {
        return serializer;
    }

    /** The deserializer half. */
    @Override
    public Deserializer<Object> deserializer() {
        return deserializer;
    }
}
