/**
 * Python pickles as Kafka record keys and values: {@link dev.brine.kafka.PickleSerializer},
 * {@link dev.brine.kafka.PickleDeserializer} and {@link dev.brine.kafka.PickleSerde}, configured with the
 * {@code brine.*} settings named in {@link dev.brine.kafka.PickleSerde}. A record that cannot be read surfaces as
 * Kafka's {@link org.apache.kafka.common.errors.SerializationException} carrying Brine's byte offset and opcode.
 */
package dev.brine.kafka;
