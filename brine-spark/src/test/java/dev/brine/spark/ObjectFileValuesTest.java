package dev.brine.spark;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The filtered Java deserialization of SequenceFile values, without Spark. */
class ObjectFileValuesTest {
    static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.toByteArray();
    }

    @Test
    void readsByteArraysAndObjectArraysOfByteArrays() throws Exception {
        byte[][] batches = {{1, 2}, {}, {3}};
        assertThat(ObjectFileValues.decode(serialize(batches), serialize(batches).length)).isDeepEqualTo(batches);
        Object[] objects = {new byte[] {1, 2}, new byte[] {3}};
        byte[] data = serialize(objects);
        assertThat(ObjectFileValues.decode(data, data.length)).isDeepEqualTo(new byte[][] {{1, 2}, {3}});
        assertThat(ObjectFileValues.decode(ObjectFileValues.encode(batches), ObjectFileValues.encode(batches).length))
                .isDeepEqualTo(batches);
    }

    @Test
    void refusesOtherClassesAndOtherElements() throws Exception {
        byte[] list = serialize(new ArrayList<>(List.of("x")));
        assertThatThrownBy(() -> ObjectFileValues.decode(list, list.length))
                .isInstanceOf(ObjectFileValues.Refused.class).hasMessageContaining("java.util.ArrayList")
                .hasMessageContaining("not allowed");
        byte[] deep = serialize(new Object[] {new byte[] {1}, new Object[] {new byte[] {2}}});
        assertThatThrownBy(() -> ObjectFileValues.decode(deep, deep.length))
                .isInstanceOf(ObjectFileValues.Refused.class).hasMessageContaining("REJECTED");   // depth 3
        byte[] nested = serialize(new Object[] {new byte[] {1}, new Object[0]});
        assertThatThrownBy(() -> ObjectFileValues.decode(nested, nested.length))
                .isInstanceOf(ObjectFileValues.Refused.class).hasMessageContaining("element 1")
                .hasMessageContaining("[Ljava.lang.Object;");
        byte[] withNull = serialize(new byte[][] {{1}, null});
        assertThatThrownBy(() -> ObjectFileValues.decode(withNull, withNull.length))
                .hasMessageContaining("batch 1 of the byte[][] is null");
        byte[] trailing = serialize(new byte[][] {{1}});
        byte[] longer = java.util.Arrays.copyOf(trailing, trailing.length + 3);
        assertThatThrownBy(() -> ObjectFileValues.decode(longer, longer.length)).hasMessageContaining("3 bytes follow");
    }

    @Test
    void aDeclaredLengthBeyondTheInputIsRefusedBeforeAllocating() throws Exception {
        byte[] data = serialize(new byte[][] {{1, 2, 3, 4}});
        // The outer array's length is the int right before the first element's class descriptor; set it to
        // 2^31-1: the filter refuses it (longer than the value) before an array is made.
        int at = -1;
        for (int i = 0; i + 4 <= data.length; i++) {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 0 && data[i + 3] == 1) {
                at = i;
                break;
            }
        }
        assertThat(at).isPositive();
        data[at] = 0x7f;
        data[at + 1] = (byte) 0xff;
        data[at + 2] = (byte) 0xff;
        data[at + 3] = (byte) 0xff;
        byte[] forged = data;
        assertThatThrownBy(() -> ObjectFileValues.decode(forged, forged.length))
                .isInstanceOf(ObjectFileValues.Refused.class).hasMessageContaining("REJECTED");
    }
}
