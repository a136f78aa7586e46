package dev.brine.torch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The safetensors writer: its exact layout, and files that torch reads back as the same tensors. */
class SafetensorsTest {

    private static byte[] write(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(tensors, metadata, out);
        return out.toByteArray();
    }

    private static byte[] expectedFile(String headerJson, byte[] data) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(header.length).put(header).put(data).array();
    }

    private static byte[] floatBytes(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    @Test
    void layoutIsTheReferenceWritersCompactJson() throws IOException {
        // The case of the reference implementation's test_serialization: a 64-byte header needs no padding.
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3);
        assertThat(write(Map.of("attn.0", t), null)).containsExactly(expectedFile(
                "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}",
                floatBytes(0, 1, 2, 3, 4, 5)));
        // test_serialization_forced_alignement: a shorter name, so the header is padded with 7 spaces.
        Tensor t4 = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 1, 2, 3);
        assertThat(write(Map.of("attn0", t4), null)).containsExactly(expectedFile(
                "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
                floatBytes(0, 1, 2, 3, 4, 5)));
    }

    @Test
    void noTensorsIsAnEmptyObjectPadded() throws IOException {
        assertThat(write(Map.of(), null)).containsExactly(expectedFile("{}      ", new byte[0]));
        assertThat(write(Map.of(), Map.of("framework", "pt"))).containsExactly(
                expectedFile("{\"__metadata__\":{\"framework\":\"pt\"}}     ", new byte[0]));
        assertThat(write(Map.of(), Map.of())).containsExactly(expectedFile("{\"__metadata__\":{}}     ", new byte[0]));
    }

    @Test
    void dataIsSortedByDescendingAlignmentThenName() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", Tensor.of("uint8", ByteBuffer.wrap(new byte[] {1}), 1));
        tensors.put("z", Tensor.of(new double[] {2}, 1));
        tensors.put("c", Tensor.of(new float[] {3}, 1));
        tensors.put("b", Tensor.of(new float[] {4}, 1));
        tensors.put("h", Tensor.of("bfloat16", ByteBuffer.wrap(new byte[] {(byte) 0x80, 0x3F}), 1));
        tensors.put("i", Tensor.of(new long[] {5}, 1));
        tensors.put("\uFFFD", Tensor.of(new boolean[] {true}, 1));
        tensors.put("\uD83D\uDE00", Tensor.of(new boolean[] {false}, 1));
        String header = new String(write(tensors, null), StandardCharsets.UTF_8);
        // F64 and I64 share an alignment; the reference's enum puts F64 before I64, so descending puts I64 first.
        assertThat(header).containsSubsequence("\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}",
                "\"z\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}",
                "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}",
                "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]}",
                "\"h\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[24,26]}",
                "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[26,27]}",
                // By UTF-8 bytes, as Rust orders strings: U+FFFD before U+1F600, though UTF-16 orders them the other way.
                "\"\uFFFD\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[27,28]}",
                "\"\uD83D\uDE00\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[28,29]}");
    }

    @Test
    void stringsAreEscapedPerRfc8259() {
        StringBuilder sb = new StringBuilder();
        Safetensors.string(sb, "q\"b\\s/\b\f\n\r\t\u0000\u001f\u007fé\uD83D\uDE00");
        assertThat(sb.toString()).isEqualTo("\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u001f\u007fé\uD83D\uDE00\"");
        assertThatThrownBy(() -> Safetensors.string(new StringBuilder(), "lone\uD800"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate");
    }

    @Test
    void refusesWhatSafetensorsCannotHold() {
        ByteBuffer complex = ByteBuffer.allocate(8);
        assertThatThrownBy(() -> write(Map.of("phase", Tensor.of("complex64", complex, 1)), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor phase has dtype complex64");
        assertThatThrownBy(() -> write(Map.of("q", Tensor.of("quint8", ByteBuffer.allocate(1), 1)), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor q has dtype quint8");
        assertThatThrownBy(() -> write(Map.of("__metadata__", Tensor.of(new float[] {1}, 1)), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("__metadata__");
        assertThatThrownBy(() -> write(Map.of("x", Tensor.of(new float[] {1}, 1)), Map.of("k", "\uDC00")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate");
    }

    @Test
    void nothingIsWrittenWhenATensorIsRefused() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, Tensor> tensors = new TreeMap<>();
        tensors.put("a", Tensor.of(new float[] {1}, 1));
        tensors.put("b", Tensor.of("complex128", ByteBuffer.allocate(16), 1));
        assertThatThrownBy(() -> Safetensors.write(tensors, null, out)).isInstanceOf(IllegalArgumentException.class);
        assertThat(out.size()).isZero();
    }

    @Test
    void torchReadsBackWhatWasWritten(@TempDir Path dir) throws IOException {
        DebianPython.requireTorch();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("f32", Tensor.of(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, 2, 3));
        tensors.put("f16", Tensor.of("float16", shorts(0x3C00, 0xC100, 0x7BFF, 0x0001, 0x7C00, 0x1400), 6));
        tensors.put("bf16", Tensor.of("bfloat16", shorts(0x3F80, 0xC020, 0x4049, 0x7F80), 4));
        tensors.put("i64", Tensor.of(new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 42}, 3, 2));
        tensors.put("bool", Tensor.of(new boolean[] {true, false, true}, 3));
        tensors.put("u8", Tensor.of("uint8", ByteBuffer.wrap(new byte[] {0, 1, 127, (byte) 128, (byte) 255}), 5));
        tensors.put("i8", Tensor.of(new byte[] {-128, -1, 0, 127}, 4));
        tensors.put("scalar", Tensor.of(new double[] {3.25}));
        tensors.put("empty", Tensor.of(new float[0], 0, 4));
        int[] twelve = new int[12];
        for (int i = 0; i < 12; i++) {
            twelve[i] = i;
        }
        Tensor sharedA = Tensor.of(twelve, 12);
        Tensor sharedB = sharedA.view(2, new long[] {2, 3}, new long[] {3, 1});
        assertThat(sharedB.sharesStorageWith(sharedA)).isTrue();
        tensors.put("shared_a", sharedA);
        tensors.put("shared_b", sharedB);
        tensors.put("transposed", Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3)
                .view(0, new long[] {3, 2}, new long[] {1, 3}));
        tensors.put("expanded", Tensor.of(new short[] {7, 8, 9}, 3).view(0, new long[] {2, 3}, new long[] {0, 1}));
        tensors.put("weird \"name\"\t\u2713\uD83D\uDE00", Tensor.of(new double[] {1.5}, 1));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("quote\"back\\slash\nnew\u0001line\u00e9\uD83D\uDE00", "v");

        Path file = dir.resolve("model.safetensors");
        try (OutputStream out = Files.newOutputStream(file)) {
            Safetensors.write(tensors, metadata, out);
        }
        String script;
        try (InputStream in = SafetensorsTest.class.getResourceAsStream("check_safetensors.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String order = DebianPython.runText(script, file.toString()).trim();
        // The reverse of the reference's Dtype enum (I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL), then name.
        assertThat(order).isEqualTo("[\"i64\", \"scalar\", \"weird \\\"name\\\"\\t\\u2713\\ud83d\\ude00\", "
                + "\"empty\", \"f32\", \"transposed\", \"shared_a\", \"shared_b\", \"bf16\", \"f16\", \"expanded\", "
                + "\"i8\", \"u8\", \"bool\"]");
    }

    private static ByteBuffer shorts(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : bits) {
            b.putShort((short) v);
        }
        return b.flip();
    }
}
