package dev.brine.torch;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * float16 and bfloat16 to float, for every one of the 65,536 bit patterns, against numpy (pyenv's python3) and
 * torch (Debian's): exact, subnormals and infinities included; a NaN need only stay a NaN, since hardware
 * conversions may quiet a signalling NaN's payload.
 */
class HalfFloatTest {
    private static final int PATTERNS = 1 << 16;

    @Test
    void everyFloat16PatternMatchesNumpy() {
        CPython python = CPython.python3();
        CPython.require(python.hasModule("numpy"), "numpy not installed for " + python);
        byte[] out = python.check(new byte[0], "-c", "import numpy as np, sys; sys.stdout.buffer.write("
                + "np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)"
                + ".astype('<f4').tobytes())");
        checkAll(out, TorchDtype.FLOAT16);
    }

    @Test
    void everyBfloat16PatternMatchesTorch() {
        DebianPython.requireTorch();
        byte[] out = DebianPython.run("import torch, sys; sys.stdout.buffer.write("
                + "torch.arange(65536, dtype=torch.int32).to(torch.int16).view(torch.bfloat16).float().numpy()"
                + ".astype('<f4').tobytes())");
        checkAll(out, TorchDtype.BFLOAT16);
    }

    private static void checkAll(byte[] reference, TorchDtype type) {
        assertThat(reference).hasSize(4 * PATTERNS);
        ByteBuffer expected = ByteBuffer.wrap(reference).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer all = ByteBuffer.allocate(2 * PATTERNS).order(ByteOrder.LITTLE_ENDIAN);
        for (int bits = 0; bits < PATTERNS; bits++) {
            all.putShort((short) bits);
        }
        float[] viaTensor = Tensor.of(type.torchName, all.flip(), PATTERNS).toFloatArray();
        double[] viaDoubles = Tensor.of(type.torchName, all, PATTERNS).toDoubleArray();
        for (int bits = 0; bits < PATTERNS; bits++) {
            float want = expected.getFloat(4 * bits);
            float got = type == TorchDtype.FLOAT16 ? TorchDtype.halfToFloat((short) bits)
                    : TorchDtype.bfloat16ToFloat((short) bits);
            boolean ok = Float.isNaN(want)
                    ? Float.isNaN(got) && Float.isNaN(viaTensor[bits]) && Double.isNaN(viaDoubles[bits])
                    : Float.floatToRawIntBits(got) == Float.floatToRawIntBits(want)
                            && Float.floatToRawIntBits(viaTensor[bits]) == Float.floatToRawIntBits(want)
                            && Double.doubleToRawLongBits(viaDoubles[bits]) == Double.doubleToRawLongBits(want);
            if (!ok) {
                // Only a mismatch pays for AssertJ's message.
                assertThat(new float[] {got, viaTensor[bits], (float) viaDoubles[bits]})
                        .as("%s 0x%04x (direct, toFloatArray, toDoubleArray)", type.torchName, bits)
                        .containsOnly(want);
            }
        }
    }

    @Test
    void float16LandmarksAreExact() {
        assertThat(TorchDtype.halfToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(TorchDtype.halfToFloat((short) 0xC100)).isEqualTo(-2.5f);
        assertThat(TorchDtype.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(TorchDtype.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(TorchDtype.halfToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f);
        assertThat(TorchDtype.halfToFloat((short) 0x0400)).isEqualTo(0x1p-14f);
        assertThat(Float.floatToRawIntBits(TorchDtype.halfToFloat((short) 0x8000))).isEqualTo(0x80000000);
        assertThat(TorchDtype.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(TorchDtype.halfToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(TorchDtype.halfToFloat((short) 0x7E00)).isNaN();
        assertThat(TorchDtype.halfToFloat((short) 0x7C01)).isNaN();
    }

    @Test
    void bfloat16IsTheTopHalfOfAFloat() {
        assertThat(TorchDtype.bfloat16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(TorchDtype.bfloat16ToFloat((short) 0xC020)).isEqualTo(-2.5f);
        assertThat(TorchDtype.bfloat16ToFloat((short) 0x4049)).isEqualTo(3.140625f);
        assertThat(TorchDtype.bfloat16ToFloat((short) 0x0001)).isEqualTo(0x1p-133f);
        assertThat(TorchDtype.bfloat16ToFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(TorchDtype.bfloat16ToFloat((short) 0xFF80)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(TorchDtype.bfloat16ToFloat((short) 0x7FC0)).isNaN();
        assertThat(Float.floatToRawIntBits(TorchDtype.bfloat16ToFloat((short) 0x8000))).isEqualTo(0x80000000);
    }
}
