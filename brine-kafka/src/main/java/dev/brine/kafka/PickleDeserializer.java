package dev.brine.kafka;

import dev.brine.PickleException;
import dev.brine.Unpickler;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;

/**
 * A Kafka {@link Deserializer} that reads Python pickles (as Python producers send with
 * {@code value_serializer=pickle.dumps}) into Java values with an {@link Unpickler}. No code runs and no class
 * named by the record is loaded: Python objects Brine does not map become inert {@link dev.brine.value.PyObject}
 * nodes (or fail in strict mode).
 *
 * <pre>{@code
 * props.put("value.deserializer", "dev.brine.kafka.PickleDeserializer");
 * props.put("brine.unpickle.max.bytes", "1048576");  // optional
 * Object value = consumer.poll(Duration.ofSeconds(1)).iterator().next().value();
 * }</pre>
 *
 * <p>Settings, read by {@link #configure}:
 * <ul>
 *   <li>{@value PickleSerde#STRICT_CONFIG}: {@code true} fails a record that names a Python global Brine does
 *   not map, instead of reading it as an inert node (default {@code false});</li>
 *   <li>{@value PickleSerde#ENCODING_CONFIG}: how to decode Python 2 {@code str}, as
 *   {@link Unpickler.Builder#encoding(String)} takes it ({@code ASCII} by default, {@code latin1},
 *   {@code utf-8}, or {@code bytes});</li>
 *   <li>{@value PickleSerde#MAX_BYTES_CONFIG}: the largest record accepted, in bytes as received; a larger
 *   record fails before any of it is read (default: no limit of its own);</li>
 *   <li>{@value PickleSerde#FRAMING_CONFIG}: {@code raw} (the default) or {@code base64} for records that
 *   carry the pickle's base64 text, as Celery puts it in message bodies.</li>
 * </ul>
 * A bad value throws {@link ConfigException} naming the setting.
 *
 * <p>A null record value (a tombstone) reads as null. A record that is not one whole pickle (malformed, cut
 * short, with bytes after its STOP opcode, over a limit, or not base64 when base64 is configured) throws
 * {@link SerializationException} whose message names the topic and Brine's byte offset and opcode, with the
 * {@link PickleException} as its cause; the consumer's error handling decides what to do, for example seek past
 * the record. Offsets count bytes of the pickle, after base64 decoding. Thread-safe once configured.
 */
public class PickleDeserializer implements Deserializer<Object> {
    private final boolean given;
    private volatile Unpickler unpickler;
    private volatile BrineKafkaConfig.Framing framing = BrineKafkaConfig.Framing.RAW;
    private volatile long maxBytes = Long.MAX_VALUE;

    /** A deserializer with Brine's default {@link Unpickler}, as Kafka makes it from the class name. */
    public PickleDeserializer() {
        this.unpickler = Unpickler.builder().build();
        this.given = false;
    }

    /**
     * A deserializer that reads with {@code unpickler} (for its bindings, allowed globals or limits). Strictness
     * and encoding are then the unpickler's: setting {@value PickleSerde#STRICT_CONFIG} or
     * {@value PickleSerde#ENCODING_CONFIG} too is a {@link ConfigException}.
     */
    public PickleDeserializer(Unpickler unpickler) {
        this.unpickler = Objects.requireNonNull(unpickler, "unpickler");
        this.given = true;
    }

    /** Reads the {@code brine.*} settings; the same ones apply to keys and values. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        boolean strictSet = BrineKafkaConfig.has(configs, PickleSerde.STRICT_CONFIG);
        boolean encodingSet = BrineKafkaConfig.has(configs, PickleSerde.ENCODING_CONFIG);
        if (given && (strictSet || encodingSet)) {
            String key = strictSet ? PickleSerde.STRICT_CONFIG : PickleSerde.ENCODING_CONFIG;
            throw new ConfigException(key, configs.get(key),
                    "this deserializer was made with an Unpickler; configure that Unpickler instead");
        }
        BrineKafkaConfig.Framing newFraming = BrineKafkaConfig.framing(configs);
        long newMax = BrineKafkaConfig.number(configs, PickleSerde.MAX_BYTES_CONFIG, Long.MAX_VALUE, 1,
                Long.MAX_VALUE);
        if (!given && (strictSet || encodingSet)) {
            Unpickler.Builder builder = Unpickler.builder()
                    .strict(BrineKafkaConfig.bool(configs, PickleSerde.STRICT_CONFIG, false));
            if (encodingSet) {
                String encoding = BrineKafkaConfig.string(configs, PickleSerde.ENCODING_CONFIG, "ASCII");
                try {
                    builder.encoding(encoding);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(PickleSerde.ENCODING_CONFIG, encoding,
                            "not a charset Java knows, nor \"bytes\"");
                }
            }
            unpickler = builder.build();
        }
        framing = newFraming;
        maxBytes = newMax;
    }

    /**
     * The value the pickle in {@code data} holds; null for null.
     *
     * @throws SerializationException if {@code data} is not exactly one readable pickle
     */
    @Override
    public Object deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length > maxBytes) {
            throw new SerializationException("record of topic " + topic + " has " + data.length
                    + " bytes, more than " + PickleSerde.MAX_BYTES_CONFIG + "=" + maxBytes + "; not read");
        }
        byte[] pickle;
        try {
            pickle = framing.unwrap(data);
        } catch (IllegalArgumentException e) {
            throw new SerializationException("record of topic " + topic + " is not base64 text ("
                    + PickleSerde.FRAMING_CONFIG + "=base64): " + e.getMessage() + "; starts with "
                    + BrineKafkaConfig.preview(data), e);
        }
        ByteBuffer in = ByteBuffer.wrap(pickle);
        Object value;
        try {
            value = unpickler.load(in);
        } catch (PickleException e) {
            throw new SerializationException("cannot unpickle record of topic " + topic + " (" + pickle.length
                    + " bytes" + (framing == BrineKafkaConfig.Framing.BASE64 ? " after base64 decoding" : "")
                    + "): " + e.getMessage(), e);
        }
        if (in.hasRemaining()) {
            throw new SerializationException("record of topic " + topic + " has " + in.remaining()
                    + " bytes after the pickle's STOP opcode at offset " + (in.position() - 1)
                    + "; a record must hold exactly one pickle");
        }
        return value;
    }
}
