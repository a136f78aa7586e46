package dev.brine.kafka;

import dev.brine.PickleException;
import dev.brine.Pickler;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;
import java.util.Objects;

/**
 * A Kafka {@link Serializer} that writes Java values as Python pickles with a {@link Pickler}, so that Python
 * consumers read them with {@code pickle.loads}.
 *
 * <pre>{@code
 * props.put("value.serializer", "dev.brine.kafka.PickleSerializer");
 * props.put("brine.pickle.protocol", "5");         // optional; default 4
 * producer.send(new ProducerRecord<>("events", Map.of("id", 7, "tags", List.of("a", "b"))));
 * }</pre>
 *
 * <p>Settings, read by {@link #configure}: {@value PickleSerde#PROTOCOL_CONFIG} (0 to 5, default
 * {@value Pickler#DEFAULT_PROTOCOL}) and {@value PickleSerde#FRAMING_CONFIG} ({@code raw}, the default, or
 * {@code base64} to send the pickle's base64 text). A bad value throws {@link ConfigException} naming the setting.
 *
 * <p>A null value is sent as null (a tombstone), not as a pickled {@code None}. A value Brine cannot pickle
 * throws {@link SerializationException} whose cause is the {@link PickleException} naming the Java class and
 * where it sits in the value. Thread-safe once configured.
 */
public class PickleSerializer implements Serializer<Object> {
    private final boolean given;
    private volatile Pickler pickler;
    private volatile BrineKafkaConfig.Framing framing = BrineKafkaConfig.Framing.RAW;

    /** A serializer with Brine's default {@link Pickler}, as Kafka makes it from the class name. */
    public PickleSerializer() {
        this.pickler = Pickler.builder().build();
        this.given = false;
    }

    /**
     * A serializer that writes with {@code pickler} (for its registrations, adapters or hooks). Its protocol is
     * then the pickler's: setting {@value PickleSerde#PROTOCOL_CONFIG} too is a {@link ConfigException}.
     */
    public PickleSerializer(Pickler pickler) {
        this.pickler = Objects.requireNonNull(pickler, "pickler");
        this.given = true;
    }

    /** Reads the {@code brine.*} settings; the same ones apply to keys and values. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (BrineKafkaConfig.has(configs, PickleSerde.PROTOCOL_CONFIG)) {
            if (given) {
                throw new ConfigException(PickleSerde.PROTOCOL_CONFIG, configs.get(PickleSerde.PROTOCOL_CONFIG),
                        "this serializer was made with a Pickler; set the protocol on that Pickler");
            }
            int protocol = (int) BrineKafkaConfig.number(configs, PickleSerde.PROTOCOL_CONFIG,
                    Pickler.DEFAULT_PROTOCOL, 0, Pickler.HIGHEST_PROTOCOL);
            pickler = Pickler.builder().protocol(protocol).build();
        }
        framing = BrineKafkaConfig.framing(configs);
    }

    /**
     * The pickle of {@code data}, or its base64 text with {@code brine.framing=base64}; null for null.
     *
     * @throws SerializationException if Brine cannot pickle {@code data} or something it holds
     */
    @Override
    public byte[] serialize(String topic, Object data) {
        if (data == null) {
            return null;
        }
        byte[] pickle;
        try {
            pickle = pickler.dumps(data);
        } catch (PickleException e) {
            throw new SerializationException("cannot pickle a " + data.getClass().getName() + " for topic "
                    + topic + ": " + e.getMessage(), e);
        }
        return framing.wrap(pickle);
    }

    /** The protocol this serializer writes. */
    public int protocol() {
        return pickler.protocol();
    }
}
