package dev.brine.torch;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Views of every dtype that real torch makes (transposed, permuted, sliced, stepped, expanded with stride 0,
 * scalars, empty, overlapping as_strided), built here over the same storage bytes and read back in logical order:
 * each typed copy and {@link Tensor#contiguousBytes()} must be what torch's {@code flatten().tolist()} and
 * {@code contiguous()} give. Each view is read from a little-endian storage and again from the same storage
 * byte-swapped and marked big-endian.
 */
class TensorViewsTest {

    @TestFactory
    Stream<DynamicTest> everyViewOfEveryDtypeMatchesTorch() throws IOException {
        DebianPython.requireTorch();
        String script;
        try (InputStream in = TensorViewsTest.class.getResourceAsStream("views.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String[] lines = DebianPython.runText(script).split("\n");
        assertThat(lines).hasSize(12 * 12);
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            tests.add(DynamicTest.dynamicTest(f[0] + " " + f[1], () -> check(f, ByteOrder.LITTLE_ENDIAN)));
            tests.add(DynamicTest.dynamicTest(f[0] + " " + f[1] + " big-endian", () -> check(f, ByteOrder.BIG_ENDIAN)));
        }
        return tests.stream();
    }

    private static void check(String[] f, ByteOrder order) {
        String dtype = f[0];
        TorchDtype type = TorchDtype.require(dtype);
        byte[] storageBytes = hex(f[2]);
        if (order == ByteOrder.BIG_ENDIAN) {
            swapUnits(storageBytes, type.unitSize());
        }
        long offset = Long.parseLong(f[3]);
        long[] shape = longs(f[4]);
        long[] stride = longs(f[5]);
        boolean contiguous = f[6].equals("1");
        double[] expected = doubles(hex(f[7]));
        long[] ints = longs(f[8]);
        byte[] contiguousBytes = hex(f[9]);

        Storage storage = new Storage("archive/data/0", dtype, storageBytes.length / type.itemSize, "cpu", order,
                () -> ByteBuffer.wrap(storageBytes));
        Tensor t = Tensor.view(storage, offset, shape, stride, false, false, null);
        assertThat(t.dtype()).isEqualTo(dtype);
        assertThat(t.shape()).containsExactly(shape);
        assertThat(t.stride()).containsExactly(stride);
        assertThat(t.storageOffset()).isEqualTo(offset);
        assertThat(t.isContiguous()).as("isContiguous").isEqualTo(contiguous);
        assertThat(t.numel()).isEqualTo(type.isComplex() ? expected.length / 2 : expected.length);

        assertThat(bits(t.toDoubleArray())).as("toDoubleArray").containsExactly(bits(expected));
        assertThat(bytes(t.contiguousBytes())).as("contiguousBytes").containsExactly(contiguousBytes);

        switch (type) {
            case FLOAT32, FLOAT16, BFLOAT16 -> {
                float[] floats = t.toFloatArray();
                double[] widened = new double[floats.length];
                for (int i = 0; i < floats.length; i++) {
                    widened[i] = floats[i];
                }
                assertThat(bits(widened)).as("toFloatArray").containsExactly(bits(expected));
            }
            default -> {
            }
        }
        if (type.kind == 'i' || type.kind == 'u' || type.kind == 'b') {
            assertThat(t.toLongArray()).as("toLongArray").containsExactly(ints);
        }
        if (type == TorchDtype.INT32 || type == TorchDtype.INT16 || type == TorchDtype.INT8
                || type == TorchDtype.UINT8) {
            assertThat(Arrays.stream(t.toIntArray()).asLongStream().toArray()).as("toIntArray")
                    .containsExactly(ints);
        }
        if (type == TorchDtype.INT16) {
            short[] shorts = t.toShortArray();
            long[] widened = new long[shorts.length];
            for (int i = 0; i < shorts.length; i++) {
                widened[i] = shorts[i];
            }
            assertThat(widened).as("toShortArray").containsExactly(ints);
        }
        if (type == TorchDtype.FLOAT16 || type == TorchDtype.BFLOAT16) {
            // Raw bits: the contiguous bytes, read two at a time.
            ByteBuffer le = ByteBuffer.wrap(contiguousBytes).order(ByteOrder.LITTLE_ENDIAN);
            short[] raw = new short[contiguousBytes.length / 2];
            le.asShortBuffer().get(raw);
            assertThat(t.toShortArray()).as("toShortArray raw bits").containsExactly(raw);
        }
        if (type == TorchDtype.INT8 || type == TorchDtype.UINT8) {
            assertThat(t.toByteArray()).as("toByteArray").containsExactly(contiguousBytes);
        }
        if (type == TorchDtype.BOOL) {
            boolean[] booleans = t.toBooleanArray();
            for (int i = 0; i < booleans.length; i++) {
                assertThat(booleans[i]).as("toBooleanArray[%d]", i).isEqualTo(ints[i] != 0);
            }
            assertThat(t.toByteArray()).as("toByteArray").containsExactly(contiguousBytes);
        }
    }

    private static void swapUnits(byte[] b, int unit) {
        for (int at = 0; at < b.length; at += unit) {
            for (int i = 0, j = unit - 1; i < j; i++, j--) {
                byte x = b[at + i];
                b[at + i] = b[at + j];
                b[at + j] = x;
            }
        }
    }

    private static byte[] hex(String s) {
        return s.equals("-") ? new byte[0] : HexFormat.of().parseHex(s);
    }

    private static long[] longs(String s) {
        return s.equals("-") ? new long[0] : Arrays.stream(s.split(",")).mapToLong(Long::parseLong).toArray();
    }

    private static double[] doubles(byte[] le) {
        double[] d = new double[le.length / 8];
        ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(d);
        return d;
    }

    private static long[] bits(double[] d) {
        return Arrays.stream(d).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
