package dev.brine.kafka;

import dev.brine.Pickle;
import dev.brine.Pickler;
import dev.brine.Unpickler;
import dev.brine.value.PyBytes;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** configure() of the serializer and deserializer without a broker: bad settings, limits, framing, nulls. */
class PickleConfigTest {

    private static Map<String, Object> conf(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void badConfig(Runnable configure, String key) {
        assertThatThrownBy(configure::run).isInstanceOf(ConfigException.class).hasMessageContaining(key);
    }

    @Test
    void badSerializerSettingsNameTheKey() {
        PickleSerializer s = new PickleSerializer();
        badConfig(() -> s.configure(conf("brine.pickle.protocol", "6"), false), "brine.pickle.protocol");
        badConfig(() -> s.configure(conf("brine.pickle.protocol", -1), false), "brine.pickle.protocol");
        badConfig(() -> s.configure(conf("brine.pickle.protocol", "four"), false), "brine.pickle.protocol");
        badConfig(() -> s.configure(conf("brine.pickle.protocol", 4.0), false), "brine.pickle.protocol");
        badConfig(() -> s.configure(conf("brine.framing", "hex"), false), "brine.framing");
        badConfig(() -> s.configure(conf("brine.framing", ""), false), "brine.framing");
        badConfig(() -> new PickleSerializer(Pickler.builder().build())
                .configure(conf("brine.pickle.protocol", 2), false), "brine.pickle.protocol");
    }

    @Test
    void badDeserializerSettingsNameTheKey() {
        PickleDeserializer d = new PickleDeserializer();
        badConfig(() -> d.configure(conf("brine.unpickle.strict", "yes"), false), "brine.unpickle.strict");
        badConfig(() -> d.configure(conf("brine.unpickle.strict", 1), false), "brine.unpickle.strict");
        badConfig(() -> d.configure(conf("brine.unpickle.encoding", "no-such-charset"), false),
                "brine.unpickle.encoding");
        badConfig(() -> d.configure(conf("brine.unpickle.max.bytes", "0"), false), "brine.unpickle.max.bytes");
        badConfig(() -> d.configure(conf("brine.unpickle.max.bytes", "1MB"), false), "brine.unpickle.max.bytes");
        badConfig(() -> d.configure(conf("brine.framing", "BASE32"), false), "brine.framing");
        badConfig(() -> new PickleDeserializer(Unpickler.builder().build())
                .configure(conf("brine.unpickle.strict", true), false), "brine.unpickle.strict");
        badConfig(() -> new PickleSerde(Pickler.builder().build(), Unpickler.builder().build())
                .configure(conf("brine.unpickle.encoding", "latin1"), false), "brine.unpickle.encoding");
    }

    @Test
    void protocolSettingChangesTheBytes() {
        PickleSerializer s = new PickleSerializer();
        assertThat(s.protocol()).isEqualTo(Pickler.DEFAULT_PROTOCOL);
        s.configure(conf("brine.pickle.protocol", "2"), false);
        assertThat(s.protocol()).isEqualTo(2);
        byte[] p2 = s.serialize("t", List.of(1, "a"));
        assertThat(p2).isEqualTo(Pickle.dumps(List.of(1, "a"), 2));
        s.configure(conf("brine.pickle.protocol", 5), false);
        assertThat(s.serialize("t", List.of(1, "a"))).isEqualTo(Pickle.dumps(List.of(1, "a"), 5));
    }

    @Test
    void nullsAreTombstonesBothWays() {
        assertThat(new PickleSerializer().serialize("t", null)).isNull();
        assertThat(new PickleDeserializer().deserialize("t", null)).isNull();
        PickleSerde serde = new PickleSerde();
        serde.configure(conf("brine.framing", "base64"), false);
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void maxBytesRefusesLargerRecordsUnread() {
        byte[] pickle = Pickle.dumps("x".repeat(100));
        PickleDeserializer d = new PickleDeserializer();
        d.configure(conf("brine.unpickle.max.bytes", pickle.length), false);
        assertThat(d.deserialize("t", pickle)).isEqualTo("x".repeat(100));
        d.configure(conf("brine.unpickle.max.bytes", String.valueOf(pickle.length - 1)), false);
        assertThatThrownBy(() -> d.deserialize("t", pickle)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("brine.unpickle.max.bytes=" + (pickle.length - 1))
                .hasMessageContaining(pickle.length + " bytes");
    }

    @Test
    void strictAndEncodingReachTheUnpickler() throws Exception {
        // What Python 2.7 itself writes for a str holding a non-ASCII byte, next to a unicode, at protocols 0 and 2.
        for (int protocol : new int[] {0, 2}) {
            byte[] py2 = Pythons.run(Pythons.python27(), "-c", "import pickle, sys; sys.stdout.write(pickle.dumps("
                    + "{'s': 'caf\\xe9', 'u': u'caf\\xe9'}, " + protocol + "))");
            String opcode = protocol == 0 ? "opcode STRING" : "opcode SHORT_BINSTRING";
            PickleDeserializer d = new PickleDeserializer();
            assertThatThrownBy(() -> d.deserialize("t", py2)).isInstanceOf(SerializationException.class)
                    .hasMessageContaining(opcode).hasMessageContaining("at offset");
            d.configure(conf("brine.unpickle.encoding", "latin1"), false);
            assertThat(d.deserialize("t", py2)).isEqualTo(Map.of("s", "café", "u", "café"));
            d.configure(conf("brine.unpickle.encoding", "bytes"), false);
            assertThat(d.deserialize("t", py2)).isEqualTo(Map.of(
                    PyBytes.of((byte) 's'), PyBytes.of((byte) 'c', (byte) 'a', (byte) 'f', (byte) 0xe9),
                    PyBytes.of((byte) 'u'), "café"));
        }

        byte[] global = "cos\nsystem\n.".getBytes(StandardCharsets.US_ASCII);
        PickleDeserializer lax = new PickleDeserializer();
        assertThat(lax.deserialize("t", global)).isNotNull();
        PickleDeserializer strict = new PickleDeserializer();
        strict.configure(conf("brine.unpickle.strict", "true"), false);
        assertThatThrownBy(() -> strict.deserialize("t", global)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("os").hasMessageContaining("opcode GLOBAL at offset 0");
    }

    @Test
    void base64FramingBothWays() {
        PickleSerde serde = new PickleSerde();
        serde.configure(conf("brine.framing", "base64"), false);
        byte[] text = serde.serializer().serialize("t", Map.of("k", 1));
        assertThat(Base64.getDecoder().decode(text)).isEqualTo(Pickle.dumps(Map.of("k", 1)));
        assertThat(serde.deserializer().deserialize("t", text)).isEqualTo(Map.of("k", 1L));
        assertThatThrownBy(() -> serde.deserializer().deserialize("t", "not base64!".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("not base64");
    }

    @Test
    void trailingBytesAndUnwritableValuesFail() {
        byte[] pickle = Pickle.dumps(List.of(1, 2));
        byte[] longer = java.util.Arrays.copyOf(pickle, pickle.length + 3);
        assertThatThrownBy(() -> new PickleDeserializer().deserialize("t", longer))
                .isInstanceOf(SerializationException.class).hasMessageContaining("3 bytes after");
        assertThatThrownBy(() -> new PickleSerializer().serialize("t", Map.of("x", new Object())))
                .isInstanceOf(SerializationException.class).hasMessageContaining("java.lang.Object")
                .hasCauseInstanceOf(dev.brine.PickleException.class);
    }
}
