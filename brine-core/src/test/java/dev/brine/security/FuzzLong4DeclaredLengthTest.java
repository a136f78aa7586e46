package dev.brine.security;

import dev.brine.PickleException;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz finding (PickleFuzzTest#unpickler, slow unit): a 62-byte pickle whose LONG4 declares 1,752,238,658 bytes.
 * Read from a stream, the machine asked the input to buffer the declared length, which allocated 1.7 GB and took
 * 20 seconds before failing. Fixed in {@code PickleMachine.buffered}: long arguments are read as they arrive. The
 * input is {@code FuzzLong4DeclaredLengthTest.pkl} beside this class's resources.
 */
class FuzzLong4DeclaredLengthTest {
    @Test
    void aHugeDeclaredLong4FailsFastFromEverySource() throws IOException {
        byte[] data;
        try (InputStream in = FuzzLong4DeclaredLengthTest.class.getResourceAsStream("FuzzLong4DeclaredLengthTest.pkl")) {
            data = in.readAllBytes();
        }
        assertThat(data).hasSize(64);
        AdversarialInputTest.Outcome o = AdversarialInputTest.bounded("fuzz LONG4", data);
        assertThat(o.error()).isInstanceOf(PickleException.class);
        assertThat(o.error().opcode()).isEqualTo("LONG4");
    }
}
