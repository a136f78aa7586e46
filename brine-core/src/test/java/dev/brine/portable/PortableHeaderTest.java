package dev.brine.portable;

import dev.brine.Pickle;
import dev.brine.Pickler;
import dev.brine.PyFunction;
import dev.brine.tools.PortableHeader;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Recognising Brine's own header by exact content, and nothing else. */
class PortableHeaderTest {
    record Point(int x, int y) {
    }

    private static byte[] portable(Object value) {
        return Pickler.builder().portable(true).build().dumps(value);
    }

    @Test
    void recognisesTheHeaderAndWhereTheBodyStarts() {
        byte[] data = portable(List.of(new Point(1, 2), PyFunction.lambda("lambda: 1")));
        PortableHeader h = PortableHeader.find(data).orElseThrow();
        assertThat(h.sections()).containsExactly("base", "record", "function");
        assertThat(h.protocol()).isEqualTo(4);
        // The body is an ordinary pickle: PROTO, then the value.
        assertThat(data[h.length()] & 0xff).isEqualTo(0x80);
        assertThat(Pickle.loads(java.util.Arrays.copyOfRange(data, h.length(), data.length))).isInstanceOf(List.class);
    }

    @Test
    void anyAlteredByteMeansNotRecognised() {
        byte[] data = portable(new Point(1, 2));
        int length = PortableHeader.find(data).orElseThrow().length();
        for (int i = 0; i < length; i += 7) {
            byte[] altered = data.clone();
            altered[i] ^= 0x20;
            assertThat(PortableHeader.find(altered)).as("byte %d altered", i).isEmpty();
        }
        for (int cut = 0; cut < length; cut += 97) {
            assertThat(PortableHeader.find(java.util.Arrays.copyOf(data, cut))).isEmpty();
        }
    }

    @Test
    void ordinaryPicklesHaveNone() {
        assertThat(PortableHeader.find(Pickle.dumps(Map.of("a", 1)))).isEmpty();
        assertThat(PortableHeader.find(portable(Map.of("a", 1)))).isEmpty();
        assertThat(PortableHeader.find(new byte[0])).isEmpty();
    }
}
