package dev.brine.torch;

import dev.brine.PickleException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Factories, validation of views, lazy storage loading and the typed copies' dtype rules. */
class TensorTest {

    private static Storage floats(int count, AtomicInteger loads) {
        ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            b.putFloat(i);
        }
        b.flip();
        return new Storage("archive/data/0", "float32", count, "cpu", ByteOrder.LITTLE_ENDIAN, () -> {
            loads.incrementAndGet();
            return b;
        });
    }

    private static Storage floats(int count) {
        return floats(count, new AtomicInteger());
    }

    // ---- factories ----

    @Test
    void factoriesMakeContiguousLittleEndianTensors() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertThat(t.dtype()).isEqualTo("float32");
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.stride()).containsExactly(3, 1);
        assertThat(t.storageOffset()).isZero();
        assertThat(t.numel()).isEqualTo(6);
        assertThat(t.itemSize()).isEqualTo(4);
        assertThat(t.device()).isEqualTo("cpu");
        assertThat(t.isContiguous()).isTrue();
        assertThat(t.requiresGrad()).isFalse();
        assertThat(t.isParameter()).isFalse();
        assertThat(t.storage().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(t.storage().getFloat(20)).isEqualTo(6f);
        assertThat(t.toString()).isEqualTo("Tensor(float32, shape=[2, 3], stride=[3, 1], offset=0)");

        assertThat(Tensor.of(new double[] {1.5, -2}, 2).toDoubleArray()).containsExactly(1.5, -2);
        assertThat(Tensor.of(new long[] {Long.MIN_VALUE, 7}, 2).toLongArray()).containsExactly(Long.MIN_VALUE, 7);
        assertThat(Tensor.of(new int[] {-1, 2, 3}, 3).toIntArray()).containsExactly(-1, 2, 3);
        assertThat(Tensor.of(new short[] {-1, 300}, 2).dtype()).isEqualTo("int16");
        assertThat(Tensor.of(new short[] {-1, 300}, 2).toShortArray()).containsExactly((short) -1, (short) 300);
        assertThat(Tensor.of(new byte[] {-128, 127}, 2).dtype()).isEqualTo("int8");
        assertThat(Tensor.of(new byte[] {-128, 127}, 2).toIntArray()).containsExactly(-128, 127);
        assertThat(Tensor.of(new boolean[] {true, false}, 2).toBooleanArray()).containsExactly(true, false);
        assertThat(Tensor.of(new boolean[] {true, false}, 2).toLongArray()).containsExactly(1, 0);
    }

    @Test
    void rawFactoryTakesAnyDtypeAndCopiesItsBytes() {
        ByteBuffer raw = ByteBuffer.wrap(new byte[] {0, 1, (byte) 200, (byte) 255});
        Tensor u8 = Tensor.of("uint8", raw, 2, 2);
        raw.put(0, (byte) 9);
        assertThat(u8.dtype()).isEqualTo("uint8");
        assertThat(u8.toIntArray()).containsExactly(0, 1, 200, 255);
        assertThat(u8.toLongArray()).containsExactly(0, 1, 200, 255);
        assertThat(u8.toDoubleArray()).containsExactly(0, 1, 200, 255);
        assertThat(u8.toByteArray()).containsExactly(0, 1, (byte) 200, (byte) 255);

        ByteBuffer c = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(-2)
                .putFloat(3.5f).putFloat(0).flip();
        Tensor complex = Tensor.of("complex64", c, 2);
        assertThat(complex.itemSize()).isEqualTo(8);
        assertThat(complex.toDoubleArray()).containsExactly(1, -2, 3.5, 0);

        assertThatThrownBy(() -> Tensor.of("float16", ByteBuffer.allocate(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float16");
        assertThatThrownBy(() -> Tensor.of("float8", ByteBuffer.allocate(4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown torch dtype float8");
    }

    @Test
    void scalarsAndEmptyTensors() {
        Tensor scalar = Tensor.of(new double[] {3.25});
        assertThat(scalar.shape()).isEmpty();
        assertThat(scalar.stride()).isEmpty();
        assertThat(scalar.numel()).isEqualTo(1);
        assertThat(scalar.isContiguous()).isTrue();
        assertThat(scalar.toDoubleArray()).containsExactly(3.25);

        Tensor empty = Tensor.of(new float[0], 0, 4);
        assertThat(empty.numel()).isZero();
        assertThat(empty.stride()).containsExactly(4, 1);
        assertThat(empty.toFloatArray()).isEmpty();
        assertThat(empty.contiguousBytes().remaining()).isZero();
        // As torch.empty(2, 0, 3).stride(): a size-0 dimension counts as 1.
        assertThat(Tensor.of(new int[0], 2, 0, 3).stride()).containsExactly(3, 3, 1);
    }

    @Test
    void factoriesCheckTheShape() {
        assertThatThrownBy(() -> Tensor.of(new float[] {1, 2, 3}, 2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape [2, 2] has 4 elements");
        assertThat(Tensor.of(new float[] {1}).numel()).isEqualTo(1);
        assertThatThrownBy(() -> Tensor.of(new float[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape [] has 1 elements");
        assertThatThrownBy(() -> Tensor.of(new float[0], 0, 1L << 40, 1L << 40))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overflows a long index");
        assertThatThrownBy(() -> Tensor.of(new float[0], -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative size -1");
    }

    // ---- views and their validation ----

    @Test
    void publicViewSharesTheStorage() {
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = w.view(0, new long[] {3, 2}, new long[] {1, 3});
        assertThat(t.toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(t.isContiguous()).isFalse();
        assertThat(t.sharesStorageWith(w)).isTrue();
        assertThat(w.sharesStorageWith(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))).isFalse();

        Tensor grad = t.withRequiresGrad(true).asParameter(true);
        assertThat(grad.requiresGrad()).isTrue();
        assertThat(grad.isParameter()).isTrue();
        assertThat(grad.sharesStorageWith(w)).isTrue();
        assertThat(t.requiresGrad()).isFalse();
        assertThat(grad.view(1, new long[] {2}, new long[] {2}).requiresGrad()).isTrue();
        assertThat(grad.toString())
                .isEqualTo("Tensor(float32, shape=[3, 2], stride=[1, 3], offset=0, requires_grad=True, parameter)");
    }

    @Test
    void viewsAreValidatedWithoutLoadingTheStorage() {
        AtomicInteger loads = new AtomicInteger();
        Storage s = floats(6, loads);
        Tensor ok = Tensor.view(s, 5, new long[] {}, new long[] {}, false, false, null);
        assertThat(ok.numel()).isEqualTo(1);
        Tensor last = Tensor.view(s, 1, new long[] {2, 2}, new long[] {3, 1}, false, false, null);
        assertThat(last.numel()).isEqualTo(4);

        assertInvalid(s, 0, new long[] {2, 3}, new long[] {3}, "different lengths");
        assertInvalid(s, 0, new long[] {3}, new long[] {-1}, "negative stride -1");
        assertInvalid(s, 0, new long[] {-3}, new long[] {1}, "negative size -3");
        assertInvalid(s, -1, new long[] {1}, new long[] {1}, "negative storage offset");
        assertInvalid(s, 6, new long[] {}, new long[] {}, "reaches element 6");
        assertInvalid(s, 2, new long[] {2, 2}, new long[] {3, 1}, "reaches element 6");
        assertInvalid(s, 0, new long[] {7}, new long[] {1}, "reaches element 6");
        assertInvalid(s, 0, new long[] {Long.MAX_VALUE / 2, 3}, new long[] {4, 1}, "overflows");
        assertInvalid(s, Long.MAX_VALUE, new long[] {2}, new long[] {1}, "overflows");
        assertInvalid(s, 0, new long[] {1L << 32, 1L << 32}, new long[] {0, 0}, "overflows");
        assertThat(loads).hasValue(0);

        // As torch's checkInBoundsForStorage: an empty view may start anywhere, even past the end.
        Tensor empty = Tensor.view(s, 100, new long[] {0, Long.MAX_VALUE}, new long[] {1, 1}, false, false, null);
        assertThat(empty.numel()).isZero();
        assertThat(empty.toFloatArray()).isEmpty();
        // A stride-0 expand of one element is fine, however large.
        Tensor expanded = Tensor.view(s, 5, new long[] {1L << 40}, new long[] {0}, false, false, null);
        assertThat(expanded.numel()).isEqualTo(1L << 40);
        assertThat(loads).hasValue(0);
    }

    private static void assertInvalid(Storage s, long offset, long[] shape, long[] stride, String message) {
        assertThatThrownBy(() -> Tensor.view(s, offset, shape, stride, false, false, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void hugeCopiesFailBeforeAllocating() {
        Tensor expanded = Tensor.view(floats(1), 0, new long[] {1L << 40}, new long[] {0}, false, false, null);
        assertThatThrownBy(expanded::toFloatArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1099511627776 elements, more than a Java float array holds");
        assertThatThrownBy(expanded::contiguousBytes).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more than a ByteBuffer holds");
        Tensor complex = Tensor.view(new Storage("c", "complex128", 1, "cpu", ByteOrder.LITTLE_ENDIAN,
                () -> ByteBuffer.allocate(16)), 0, new long[] {Integer.MAX_VALUE / 2}, new long[] {0}, false, false,
                null);
        assertThatThrownBy(complex::toDoubleArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("double array");
    }

    // ---- storage loading ----

    @Test
    void storageLoadsOnceOnFirstUse() throws InterruptedException {
        AtomicInteger loads = new AtomicInteger();
        Storage s = floats(4, loads);
        Tensor t = Tensor.view(s, 0, new long[] {4}, new long[] {1}, false, false, null);
        assertThat(t.toString()).contains("float32");
        assertThat(loads).hasValue(0);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                t.toFloatArray();
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertThat(t.toFloatArray()).containsExactly(0, 1, 2, 3);
        assertThat(loads).hasValue(1);
        ByteBuffer whole = t.storage();
        assertThat(whole.isReadOnly()).isTrue();
        assertThat(whole.position()).isZero();
        assertThat(whole.remaining()).isEqualTo(16);
    }

    @Test
    void storageTakesTheLoadersSliceInItsOrder() {
        ByteBuffer raw = ByteBuffer.allocate(10);
        raw.put(3, (byte) 0x3F).put(4, (byte) 0x80);
        raw.position(3).limit(7);
        Storage s = new Storage("data/1", "float32", 1, "cuda:0", ByteOrder.BIG_ENDIAN, () -> raw);
        Tensor t = Tensor.view(s, 0, new long[] {}, new long[] {}, false, false, null);
        assertThat(t.toFloatArray()).containsExactly(1f);
        assertThat(t.storage().order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(t.contiguousBytes().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(t.contiguousBytes().getFloat(0)).isEqualTo(1f);
        assertThat(t.device()).isEqualTo("cuda:0");
        assertThat(t.toString()).isEqualTo("Tensor(float32, shape=[], stride=[], offset=0, device=cuda:0)");
    }

    @Test
    void storageOfTheWrongSizeFailsNamingItsKey() {
        Storage shorter = new Storage("archive/data/3", "float32", 3, "cpu", ByteOrder.LITTLE_ENDIAN,
                () -> ByteBuffer.allocate(8));
        Tensor t = Tensor.view(shorter, 0, new long[] {3}, new long[] {1}, false, false, null);
        assertThatThrownBy(t::toFloatArray).isInstanceOf(PickleException.class)
                .hasMessage("in archive/data/3: storage has 8 bytes, its numel 3 of dtype float32 needs 12");
        // The loader is not asked again; the same failure is reported.
        assertThatThrownBy(t::contiguousBytes).isInstanceOf(PickleException.class)
                .hasMessageContaining("archive/data/3");

        Storage longer = new Storage("archive/data/4", "int64", 1, "cpu", ByteOrder.LITTLE_ENDIAN,
                () -> ByteBuffer.allocate(16));
        assertThatThrownBy(longer::bytes).isInstanceOf(PickleException.class)
                .hasMessage("in archive/data/4: storage has 16 bytes, its numel 1 of dtype int64 needs 8");
    }

    @Test
    void storageChecksItsArguments() {
        assertThatThrownBy(() -> new Storage("k", "float32", -1, "cpu", ByteOrder.LITTLE_ENDIAN,
                () -> ByteBuffer.allocate(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative numel");
        assertThatThrownBy(() -> new Storage("k", "float", 1, "cpu", ByteOrder.LITTLE_ENDIAN,
                () -> ByteBuffer.allocate(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown torch dtype float (known: float64, float32,");
        assertThatThrownBy(() -> new Storage("k", "float64", Long.MAX_VALUE / 4, "cpu", ByteOrder.LITTLE_ENDIAN,
                () -> ByteBuffer.allocate(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more bytes than a long can count");
        AtomicInteger loads = new AtomicInteger();
        Storage huge = new Storage("k", "float64", 1L << 30, "cpu", ByteOrder.LITTLE_ENDIAN, () -> {
            loads.incrementAndGet();
            return ByteBuffer.allocate(0);
        });
        assertThatThrownBy(huge::bytes).isInstanceOf(PickleException.class).hasMessageContaining("2 GiB");
        assertThat(loads).hasValue(0);
    }

    // ---- dtype rules of the typed copies ----

    @Test
    void typedCopiesRefuseOtherDtypesNamingThem() {
        Tensor i64 = Tensor.of(new long[] {1}, 1);
        assertThatThrownBy(i64::toFloatArray).isInstanceOf(IllegalStateException.class)
                .hasMessage("toFloatArray() needs float32, float16 or bfloat16, and this tensor is int64");
        assertThatThrownBy(i64::toIntArray).isInstanceOf(IllegalStateException.class).hasMessageContaining("int64");
        assertThatThrownBy(i64::toShortArray).isInstanceOf(IllegalStateException.class).hasMessageContaining("int64");
        assertThatThrownBy(i64::toByteArray).isInstanceOf(IllegalStateException.class).hasMessageContaining("int64");
        assertThatThrownBy(i64::toBooleanArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("int64");
        Tensor f32 = Tensor.of(new float[] {1}, 1);
        assertThatThrownBy(f32::toLongArray).isInstanceOf(IllegalStateException.class).hasMessageContaining("float32");
        Tensor q = Tensor.of("qint8", ByteBuffer.wrap(new byte[] {-3, 4}), 2);
        assertThatThrownBy(q::toDoubleArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scale and zero point").hasMessageContaining("qint8");
        assertThat(q.toByteArray()).containsExactly(-3, 4);
        Tensor q32 = Tensor.of("qint32", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-5).putInt(6)
                .flip(), 2);
        assertThat(q32.itemSize()).isEqualTo(4);
        assertThat(q32.contiguousBytes().order(ByteOrder.LITTLE_ENDIAN).getInt(4)).isEqualTo(6);
    }

    @Test
    void dtypeTableHasEveryStorageClass() {
        assertThat(TorchDtype.values()).hasSize(17);
        for (TorchDtype t : TorchDtype.values()) {
            assertThat(TorchDtype.byName(t.torchName)).isSameAs(t);
            assertThat(TorchDtype.byStorageClass(t.storageClass)).isSameAs(t);
            assertThat(t.storageClass).endsWith("Storage");
        }
        assertThat(TorchDtype.byStorageClass("CharStorage")).isSameAs(TorchDtype.INT8);
        assertThat(TorchDtype.byStorageClass("ByteStorage")).isSameAs(TorchDtype.UINT8);
        assertThat(TorchDtype.byStorageClass("HalfStorage")).isSameAs(TorchDtype.FLOAT16);
        assertThat(TorchDtype.byStorageClass("UntypedStorage")).isNull();
        assertThat(TorchDtype.byName("torch.float32")).isNull();
        assertThat(TorchDtype.QINT32.itemSize).isEqualTo(4);
        assertThat(TorchDtype.COMPLEX128.safetensors).isNull();
        assertThat(TorchDtype.BFLOAT16.numpy).isNull();
        assertThat(TorchDtype.FLOAT16.numpy).isEqualTo("<f2");
    }

    @Test
    void streamingAViewGivesItsContiguousBytes() throws Exception {
        // More elements than one 64 KiB chunk, from a transposed view, so the gather crosses chunk boundaries.
        int rows = 300;
        int cols = 100;
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        Tensor t = Tensor.of(data, rows, cols).view(0, new long[] {cols, rows}, new long[] {1, cols});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.writeContiguousTo(out);
        ByteBuffer expected = t.contiguousBytes();
        assertThat(out.toByteArray()).hasSize(expected.remaining());
        assertThat(ByteBuffer.wrap(out.toByteArray())).isEqualTo(expected);
        assertThat(ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).getFloat(4)).isEqualTo(100f);
    }
}
