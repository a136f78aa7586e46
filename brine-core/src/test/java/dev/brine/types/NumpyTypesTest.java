package dev.brine.types;

import dev.brine.Pickle;
import dev.brine.Pickler;
import dev.brine.Unpickler;
import dev.brine.cpython.CPython;
import dev.brine.internal.format.PyRepr;
import dev.brine.testing.Fixtures;
import dev.brine.value.DType;
import dev.brine.value.NDArray;
import dev.brine.value.NDScalar;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * numpy arrays, scalars and dtypes pickled by the python3 on the machine (numpy 2.x) at protocols 2 to 5, in band
 * and out of band: Brine reads them into {@link NDArray} and {@link NDScalar} with the dtype, shape, order and items
 * numpy has, and writes them back to the same bytes. Arrays made in Java load in numpy with the dtype, shape and
 * items intended.
 */
class NumpyTypesTest {
    static final Path SCRIPT = Fixtures.script("types_numpy.py");
    private static final HexFormat HEX = HexFormat.of();

    private static CPython numpyPython() {
        CPython python = CPython.python3();
        CPython.require(python.hasModule("numpy"), python + " has no numpy");
        CPython.require(Files.isRegularFile(SCRIPT), "test script " + SCRIPT + " is missing");
        return python;
    }

    @Test
    void readsNumpyPicklesAndWritesThemBack() {
        CPython python = numpyPython();
        String out = new String(python.check(new byte[0], SCRIPT.toString()), StandardCharsets.UTF_8);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            String where = f[0] + " p" + f[1] + (f[2].equals("0") ? "" : " out-of-band");
            int protocol = Integer.parseInt(f[1]);
            byte[] pickle = HEX.parseHex(f[4]);
            List<ByteBuffer> buffers = new ArrayList<>();
            for (int i = 5; i < f.length; i++) {
                buffers.add(ByteBuffer.wrap(HEX.parseHex(f[i])));
            }
            Object value;
            try {
                value = Unpickler.builder().build().loads(pickle, buffers.isEmpty() ? null : buffers);
            } catch (RuntimeException e) {
                failures.add(where + ": load failed: " + e);
                continue;
            }
            String got = describe(value);
            if (!got.equals(f[3])) {
                failures.add(where + ": expected " + f[3] + "\n   but read " + got);
                continue;
            }
            checked++;
            List<ByteBuffer> written = new ArrayList<>();
            Pickler.Builder pb = Pickler.builder().protocol(protocol);
            if (!buffers.isEmpty()) {
                pb.bufferCallback(written::add);
            }
            byte[] back;
            try {
                back = pb.build().dumps(value);
            } catch (RuntimeException e) {
                failures.add(where + ": write failed: " + e);
                continue;
            }
            if (!Arrays.equals(back, pickle)) {
                failures.add(where + ": written back differently:\n  " + f[4] + "\n  " + HEX.formatHex(back));
            } else if (!buffers.isEmpty() && !written.equals(buffers)) {
                failures.add(where + ": out-of-band buffers written back differently");
            }
        }
        System.out.println("numpy: " + checked + " pickles read and checked, " + failures.size() + " failures");
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void javaArraysLoadInNumpy() {
        CPython python = numpyPython();
        List<Object[]> arrays = List.of(
                new Object[] {NDArray.of(new double[] {1.5, -2, 1e-300}), "<f8 [3] C [1.5, -2.0, 1e-300]"},
                new Object[] {NDArray.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3), "<i8 [2, 3] C [1, 2, 3, 4, 5, 6]"},
                new Object[] {NDArray.of(new float[] {0.5f}), "<f4 [1] C [0.5]"},
                new Object[] {NDArray.of(new int[] {-1, 7}, 2, 1), "<i4 [2, 1] C [-1, 7]"},
                new Object[] {NDArray.of(new short[] {}, 0), "<i2 [0] C []"},
                new Object[] {NDArray.of(new byte[] {-3}), "|i1 [1] C [-3]"},
                new Object[] {NDArray.of(new boolean[] {true, false}), "|b1 [2] C [True, False]"},
                new Object[] {NDArray.wrap(DType.of("<f8"), ByteBuffer.allocate(8).putDouble(0, Double.longBitsToDouble(
                        Long.reverseBytes(Double.doubleToLongBits(2.5)))), NDArray.Order.C), "<f8 [] C [2.5]"},
                new Object[] {NDArray.wrap(DType.of("<i4"), ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 2, 0, 0, 0,
                        3, 0, 0, 0, 4, 0, 0, 0}), NDArray.Order.F, 2, 2), "<i4 [2, 2] F [1, 3, 2, 4]"},
                // Big-endian only at protocol 5: below it numpy swaps a non-native array to native order when it
                // loads even its own pickle (checked in javaBigEndianIsNumpysOwnBytes).
                new Object[] {NDArray.wrap(DType.of("<M8[s]"), ByteBuffer.allocate(8).putLong(0, Long.reverseBytes(60)),
                        NDArray.Order.C, 1), "<M8[s] [1] C [60]"},
                new Object[] {NDArray.wrap(DType.of("|S2"), ByteBuffer.wrap("abc\0".getBytes(StandardCharsets.ISO_8859_1)),
                        NDArray.Order.C, 2), "|S2 [2] C [b6162, b63]"});
        StringBuilder in = new StringBuilder();
        List<String> labels = new ArrayList<>();
        for (Object[] a : arrays) {
            for (int p = 2; p <= 5; p++) {
                in.append(HEX.formatHex(Pickle.dumps(a[0], p))).append('\n').append(a[1]).append('\n');
                labels.add(a[0] + " p" + p);
            }
        }
        String out = new String(python.check(in.toString().getBytes(StandardCharsets.UTF_8), SCRIPT.toString(),
                "load"), StandardCharsets.UTF_8);
        String[] results = out.split("\n");
        assertThat(results).hasSize(labels.size());
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            if (!results[i].equals("ok")) {
                failures.add(labels.get(i) + ": " + results[i]);
            }
        }
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
    }

    @Test
    void javaBigEndianIsNumpysOwnBytes() {
        CPython python = numpyPython();
        NDArray a = NDArray.wrap(DType.of(">i4"), ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 0, 0, 0, 2}),
                NDArray.Order.C, 2);
        for (int p = 2; p <= 5; p++) {
            byte[] numpy = python.check(new byte[0], "-c", "import pickle,sys,numpy as np;"
                    + "sys.stdout.buffer.write(pickle.dumps(np.array([1,2],dtype='>i4'), " + p + "))");
            assertThat(Pickle.dumps(a, p)).as("protocol " + p).isEqualTo(numpy);
        }
    }

    @Test
    void objectArraysStayInert() {
        CPython python = numpyPython();
        byte[] p = python.check(new byte[0], "-c", "import pickle,sys,numpy as np;"
                + "sys.stdout.buffer.write(pickle.dumps(np.array([1,'a'],dtype=object), 4))");
        Object v = Pickle.loads(p);
        assertThat(v).isInstanceOf(dev.brine.value.PyObject.class);
        assertThat(((dev.brine.value.PyObject) v).state()).isInstanceOf(dev.brine.value.PyTuple.class);
        assertThat(Pickle.dumps(v, 4)).isEqualTo(p);
    }

    static String describe(Object v) {
        if (v instanceof NDScalar) {
            NDScalar s = (NDScalar) v;
            return "scalar " + s.dtype().str() + " " + item(s.value());
        }
        if (!(v instanceof NDArray)) {
            return "not an NDArray: " + v;
        }
        NDArray a = (NDArray) v;
        StringJoiner shape = new StringJoiner(", ", "[", "]");
        for (long d : a.shape()) {
            shape.add(Long.toString(d));
        }
        StringJoiner items = new StringJoiner(", ", "[", "]");
        for (Object x : a.toObjectArray()) {
            items.add(item(x));
        }
        return a.dtype().str() + " " + shape + " " + (a.ndim() > 1 ? a.order() : NDArray.Order.C) + " " + items;
    }

    private static String item(Object x) {
        if (x instanceof Boolean) {
            return (Boolean) x ? "True" : "False";
        }
        if (x instanceof Float || x instanceof Double) {
            return PyRepr.floatRepr(((Number) x).doubleValue());
        }
        if (x instanceof PyComplex) {
            return "(" + PyRepr.floatRepr(((PyComplex) x).real()) + ", " + PyRepr.floatRepr(((PyComplex) x).imag())
                    + ")";
        }
        if (x instanceof PyBytes) {
            return "b" + HEX.formatHex(((PyBytes) x).toByteArray());
        }
        if (x instanceof String) {
            return "'" + x + "'";
        }
        if (x instanceof Map) {
            StringJoiner j = new StringJoiner(", ", "{", "}");
            ((Map<?, ?>) x).forEach((k, y) -> j.add(k + ": " + item(y)));
            return j.toString();
        }
        return String.valueOf(x);
    }
}
