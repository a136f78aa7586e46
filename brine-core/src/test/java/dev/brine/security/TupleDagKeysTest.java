package dev.brine.security;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adversarial finding: two equal tuple DAGs as dict keys, {@code t = (t, t)} sixty times over via DUP, each built
 * separately. They share a hash, so the dict compared them, and {@code PyTuple.equals} walked all 2^60 paths: a
 * hang from 250 bytes. Fixed in {@code PyTuple.itemsEqual}, which compares each pair of nodes once. The input,
 * {@code TupleDagKeysTest.pkl}, is {@code b'\x80\x02}' + key + b'Ns' + key + b'Ns.'} with
 * {@code key = b')' + b'2\x86' * 60}.
 */
class TupleDagKeysTest {
    @Test
    void equalTupleDagsAsKeysLoadInBoundedTime() throws IOException {
        byte[] data;
        try (InputStream in = TupleDagKeysTest.class.getResourceAsStream("TupleDagKeysTest.pkl")) {
            data = in.readAllBytes();
        }
        AdversarialInputTest.Outcome o = AdversarialInputTest.bounded("tuple DAG keys", data);
        assertThat(o.error()).isNull();
        assertThat((Map<?, ?>) o.value()).hasSize(1);
    }
}
