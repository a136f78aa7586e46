package dev.brine.tools;

import dev.brine.cpython.CPython;
import dev.brine.internal.format.PyRepr;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PyRepr} against Python 3.13's own {@code repr}. */
class PyReprTest {
    /** Random bit patterns, powers of ten and two, and edges: Python's shortest repr, digit for digit. */
    @Test
    void floatReprMatchesPython() {
        SplittableRandom random = new SplittableRandom(20240611);
        List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 1e-4, 1e-5, 5e-324,
                Double.MAX_VALUE, Double.MIN_NORMAL, 9007199254740993.0, 1e23, 2e-323, 123456789012345678.0,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
        for (int e = -330; e <= 310; e++) {
            values.add(Double.parseDouble("1e" + e));
            values.add(Double.parseDouble("9.999999999999999e" + e));
        }
        for (int e = -1074; e <= 1023; e++) {
            values.add(Math.scalb(1.0, e));
        }
        for (int i = 0; i < 50_000; i++) {
            values.add(Double.longBitsToDouble(random.nextLong()));
            values.add(random.nextDouble() * Math.pow(10, random.nextInt(-8, 22)));
        }
        StringBuilder input = new StringBuilder();
        for (double d : values) {
            input.append(Long.toHexString(Double.doubleToRawLongBits(d))).append('\n');
        }
        String script = "import struct, sys\n"
                + "for line in sys.stdin:\n"
                + "    sys.stdout.write(repr(struct.unpack('>d', bytes.fromhex(line.strip().zfill(16)))[0]) + '\\n')\n";
        String[] expected = new String(CPython.version(3, 13).check(input.toString().getBytes(StandardCharsets.US_ASCII),
                "-c", script), StandardCharsets.US_ASCII).split("\n");
        assertThat(expected).hasSize(values.size());
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String mine = PyRepr.floatRepr(values.get(i));
            if (!mine.equals(expected[i])) {
                wrong.add(expected[i] + " != " + mine);
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** Every code point, alone and beside quotes: Python 3.13's str repr, so its isprintable too. */
    @Test
    void strReprMatchesPythonForEveryCodePoint() {
        String script = "import sys\n"
                + "out = []\n"
                + "for cp in range(0x110000):\n"
                + "    out.append(repr(chr(cp)))\n"
                + "out += [repr(s) for s in ['', \"'\", '\"', '\\'\"', 'a\\\\b', 'it\\'s']]\n"
                + "sys.stdout.write('\\n'.join(out))\n";
        String[] expected = new String(CPython.version(3, 13).check(new byte[0], "-c", script),
                StandardCharsets.UTF_8).split("\n", -1);
        List<String> inputs = new ArrayList<>();
        for (int cp = 0; cp <= 0x10ffff; cp++) {
            inputs.add(new String(Character.toChars(cp)));
        }
        inputs.addAll(List.of("", "'", "\"", "'\"", "a\\b", "it's"));
        // Python's output for '\n' spans no lines (it is escaped), so lines and inputs correspond one to one.
        assertThat(expected).hasSize(inputs.size());
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String mine = PyRepr.strRepr(inputs.get(i));
            if (!mine.equals(expected[i]) && wrong.size() < 50) {
                wrong.add(String.format("U+%04X: python %s, brine %s", inputs.get(i).codePointAt(0), expected[i],
                        mine));
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void bytesAndBytearrayReprMatchPython() {
        byte[][] samples = {{}, {'\''}, {'"'}, {'\'', '"'}, {'a', '\\', 0, 9, 10, 13, 0x7f, (byte) 0x80, (byte) 0xff},
                {'i', 't', '\'', 's'}};
        StringBuilder input = new StringBuilder();
        for (byte[] s : samples) {
            StringBuilder hex = new StringBuilder();
            for (byte b : s) {
                hex.append(String.format("%02x", b));
            }
            input.append(hex).append('\n');
        }
        String script = "import sys\n"
                + "for line in sys.stdin.read().split('\\n')[:-1]:\n"
                + "    b = bytes.fromhex(line)\n"
                + "    print(repr(b)); print(repr(bytearray(b)))\n";
        String[] expected = new String(CPython.version(3, 13).check(input.toString().getBytes(StandardCharsets.US_ASCII),
                "-c", script), StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < samples.length; i++) {
            assertThat(PyRepr.bytesRepr(samples[i])).isEqualTo(expected[2 * i]);
            assertThat(PyRepr.bytearrayRepr(samples[i])).isEqualTo(expected[2 * i + 1]);
        }
    }
}
