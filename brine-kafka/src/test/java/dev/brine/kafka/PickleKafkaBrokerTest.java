package dev.brine.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.Unpickler;
import dev.brine.value.NDArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyTuple;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Producers and consumers against a real single-node KRaft broker (broker and controller in one), started in this
 * JVM from Kafka's own test kit, once for the class. Each test uses its own topic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PickleKafkaBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    /** A Java record sent as the Python class {@code shop.Order}. */
    record Order(String sku, int quantity, double price) {
    }

    private KafkaClusterTestKit cluster;

    @BeforeAll
    void startBroker() throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    @AfterAll
    void stopBroker() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private String newTopic() throws Exception {
        String name = "pickles-" + TOPICS.incrementAndGet();
        try (var admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return name;
    }

    private <V> void send(String topic, Serializer<V> values, List<V> records) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(props, new StringSerializer(), values)) {
            int i = 0;
            for (V v : records) {
                producer.send(new ProducerRecord<>(topic, "k" + i++, v)).get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("producing to " + topic + " failed", e);
        }
    }

    private KafkaConsumer<String, Object> consumer(String topic, Deserializer<Object> values) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values);
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        return consumer;
    }

    /** Polls until {@code n} values are read; fails after {@link #WAIT}. */
    private static List<Object> poll(KafkaConsumer<String, Object> consumer, int n) {
        List<Object> values = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (values.size() < n) {
            if (System.nanoTime() > deadline) {
                fail("read " + values.size() + " of " + n + " records");
            }
            for (ConsumerRecord<String, Object> r : consumer.poll(Duration.ofMillis(200))) {
                values.add(r.value());
            }
        }
        return values;
    }

    private List<Object> roundTrip(Serializer<Object> ser, Deserializer<Object> de, List<Object> values)
            throws Exception {
        String topic = newTopic();
        send(topic, ser, values);
        try (KafkaConsumer<String, Object> consumer = consumer(topic, de)) {
            return poll(consumer, values.size());
        }
    }

    @Test
    void javaToJava() throws Exception {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", 7);
        event.put("name", "zoë");
        event.put("big", BigInteger.TWO.pow(70));
        event.put("tags", List.of("a", "b"));
        event.put("pair", PyTuple.of(1L, "x"));
        event.put("day", LocalDate.of(2024, 2, 29));
        event.put("at", LocalDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_000));
        event.put("blob", new byte[] {0, 1, (byte) 0xff});
        event.put("nothing", null);
        NDArray matrix = NDArray.of(new double[] {0, 0.5, 1, 1.5, 2, 2.5}, 2, 3);
        Order order = new Order("sku-1", 3, 9.99);

        PickleSerializer ser = new PickleSerializer(
                Pickler.builder().protocol(5).register(Order.class, "shop", "Order").build());
        ser.configure(Map.of(), false);
        PickleDeserializer de = new PickleDeserializer(Unpickler.builder().bind("shop", "Order", Order.class).build());
        de.configure(Map.of(), false);

        List<Object> read = roundTrip(ser, de, List.of(event, matrix, order, List.of()));

        @SuppressWarnings("unchecked")
        Map<String, Object> got = (Map<String, Object>) read.get(0);
        assertThat(got.keySet()).containsExactlyElementsOf(event.keySet());
        assertThat(got.get("id")).isEqualTo(7L);
        assertThat(got.get("name")).isEqualTo("zoë");
        assertThat(got.get("big")).isEqualTo(BigInteger.TWO.pow(70));
        assertThat(got.get("tags")).isEqualTo(List.of("a", "b"));
        assertThat(got.get("pair")).isEqualTo(PyTuple.of(1L, "x"));
        assertThat(got.get("day")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(got.get("at")).isEqualTo(LocalDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_000));
        assertThat(got.get("blob")).isEqualTo(PyBytes.of((byte) 0, (byte) 1, (byte) 0xff));
        assertThat(got).containsEntry("nothing", null);
        NDArray m = (NDArray) read.get(1);
        assertThat(m.shape()).containsExactly(2, 3);
        assertThat(m.toDoubleArray()).containsExactly(0, 0.5, 1, 1.5, 2, 2.5);
        assertThat(read.get(2)).isEqualTo(order);
        assertThat(read.get(3)).isEqualTo(List.of());
    }

    @Test
    void javaToJavaBase64AndTombstones() throws Exception {
        Map<String, Object> conf = Map.of(PickleSerde.FRAMING_CONFIG, "base64", PickleSerde.PROTOCOL_CONFIG, "2");
        PickleSerde serde = new PickleSerde();
        serde.configure(conf, false);
        List<Object> values = new ArrayList<>();
        values.add(Map.of("celery", List.of(1, 2, 3)));
        values.add(null);
        values.add("last");
        List<Object> read = roundTrip(serde.serializer(), serde.deserializer(), values);
        assertThat(read).containsExactly(Map.of("celery", List.of(1L, 2L, 3L)), null, "last");

        // What went over the wire is base64 text of a protocol 2 pickle.
        String topic = newTopic();
        send(topic, serde.serializer(), List.of((Object) "x"));
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        try (KafkaConsumer<String, byte[]> raw = new KafkaConsumer<>(props, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            raw.assign(List.of(tp));
            raw.seekToBeginning(List.of(tp));
            byte[] wire = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (wire == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : raw.poll(Duration.ofMillis(200))) {
                    wire = r.value();
                }
            }
            assertThat(wire).isNotNull();
            byte[] pickle = Base64.getDecoder().decode(wire);
            assertThat(pickle[0] & 0xff).isEqualTo(0x80);
            assertThat(pickle[1]).isEqualTo((byte) 2);
        }
    }

    /** The records kafka_records.py makes with the {@code python3} on the PATH, one JSON object each. */
    private static List<JsonNode> pythonRecords() throws Exception {
        Path script = Path.of("src/test/python/kafka_records.py").toAbsolutePath();
        assertThat(script).exists();
        byte[] out = Pythons.run("python3", script.toString());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> records = new ArrayList<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                records.add(json.readTree(line));
            }
        }
        return records;
    }

    @Test
    void cpythonPicklesToJava() throws Exception {
        List<JsonNode> records = pythonRecords();
        assertThat(records).extracting(r -> r.get("name").asText())
                .contains("event", "list_of_ints", "shared");
        Set<Integer> protocols = new java.util.TreeSet<>();
        records.forEach(r -> protocols.add(r.get("protocol").asInt()));
        assertThat(protocols).contains(0, 1, 2, 3, 4, 5);

        List<byte[]> raw = new ArrayList<>();
        List<byte[]> b64 = new ArrayList<>();
        for (JsonNode r : records) {
            raw.add(Base64.getDecoder().decode(r.get("pickle").asText()));
            b64.add(Base64.getDecoder().decode(r.get("b64").asText()));
        }
        String rawTopic = newTopic();
        String b64Topic = newTopic();
        send(rawTopic, new ByteArraySerializer(), raw);
        send(b64Topic, new ByteArraySerializer(), b64);

        PickleDeserializer plain = new PickleDeserializer();
        plain.configure(Map.of(), false);
        PickleDeserializer base64 = new PickleDeserializer();
        base64.configure(Map.of("brine.framing", "base64"), false);
        List<Object> fromRaw;
        List<Object> fromB64;
        try (KafkaConsumer<String, Object> c = consumer(rawTopic, plain)) {
            fromRaw = poll(c, records.size());
        }
        try (KafkaConsumer<String, Object> c = consumer(b64Topic, base64)) {
            fromB64 = poll(c, records.size());
        }
        for (int i = 0; i < records.size(); i++) {
            JsonNode python = records.get(i).get("python");
            String what = records.get(i).get("name").asText() + " at protocol " + records.get(i).get("protocol");
            assertThat(PythonView.of(fromRaw.get(i))).as(what).isEqualTo(python);
            assertThat(PythonView.of(fromB64.get(i))).as(what + ", base64").isEqualTo(python);
        }
        // The record that shares one list three times reads as one shared Java list.
        int shared = records.stream().map(r -> r.get("name").asText()).toList().indexOf("shared");
        List<?> s = (List<?>) fromRaw.get(shared);
        assertThat(s.get(0)).isSameAs(s.get(1)).isSameAs(((Map<?, ?>) s.get(2)).get("again"));
    }

    @Test
    void badRecordSurfacesWithOffsetAndOpcodeAndCanBeSkipped() throws Exception {
        String topic = newTopic();
        byte[] good1 = Pickler.builder().build().dumps(List.of("before"));
        byte[] garbage = "hello, kafka".getBytes(StandardCharsets.US_ASCII);
        byte[] good2 = Pickler.builder().build().dumps(List.of("after"));
        send(topic, new ByteArraySerializer(), List.of(good1, garbage, good2));

        PickleDeserializer de = new PickleDeserializer();
        de.configure(Map.of(), false);
        try (KafkaConsumer<String, Object> consumer = consumer(topic, de)) {
            List<Object> seen = new ArrayList<>();
            RecordDeserializationException bad = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (bad == null && System.nanoTime() < deadline) {
                try {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                } catch (RecordDeserializationException e) {
                    bad = e;
                }
            }
            assertThat(bad).as("the garbage record fails the poll").isNotNull();
            assertThat(seen).containsExactly(List.of("before"));
            assertThat(bad.offset()).isEqualTo(1);
            // Kafka wraps what the deserializer threw; that is Brine's SerializationException.
            Throwable ours = bad.getCause();
            assertThat(ours).isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
                    .hasMessageContaining(topic)
                    .hasMessageContaining("opcode BINGET at offset 0")
                    .hasCauseInstanceOf(PickleException.class);
            PickleException cause = (PickleException) ours.getCause();
            assertThat(cause.offset()).isEqualTo(0);
            assertThat(cause.opcode()).isEqualTo("BINGET");

            consumer.seek(bad.topicPartition(), bad.offset() + 1);
            assertThat(poll(consumer, 1)).containsExactly(List.of("after"));
        }
    }
}
