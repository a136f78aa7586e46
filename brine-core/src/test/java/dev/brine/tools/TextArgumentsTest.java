package dev.brine.tools;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.cpython.CPython;
import dev.brine.internal.format.PyRepr;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocol 0 text arguments, decoded in one place ({@code dev.brine.internal.format.PyText}) for the reader, the
 * scanner and the disassembler: the reader accepts and refuses what the pure-Python unpickler
 * ({@code pickle._loads}, whose builtins {@code int()}, {@code float()} and codecs the reader follows) accepts and
 * refuses, with the same values. The disassembler's side, {@code pickletools}' exact error texts for the same
 * arguments, is in {@code dis_cases.py}, which {@link DisassemblerTest} compares.
 */
class TextArgumentsTest {
    private static final List<String> CASES = List.of(
            "I12\n.", "I 12 \n.", "I\u000b1\u000c\n.", "I\u001c1\n.", "I1_0\n.", "I1__0\n.", "I0x1f\n.", "I-0\n.",
            "I010\n.", "L123L\n.", "L 5 L\n.",
            "F1.5\n.", "F 1.5 \n.", "F\u001f1.5\n.", "F1_0.5\n.", "F-.5e-3\n.", "F--1\n.", "F1e\n.", "Finf\n.",
            "F-Infinity\n.", "F0x1p3\n.",
            "Np0\nN0g0\n.", "Np\u001c0\nN0g0\n.", "Np 0 \nN0g 0\n.", "Np0_0\nN0g0\n.",
            "S'a\\n\\x41\\101\\z'\n.", "S'\\x4'\n.", "S'a\\'\n.", "S\"q\"\n.",
            "Vab\\u0041\\U0001F600\n.", "V\\\\\\u0041\\\\u0041\n.", "Vab\\u12\n.", "V\\U00110000\n.",
            "V\\UFFFFFFFF\n.", "V\\ud800\n.", "Vab\\\n.");

    /** Latin-1: each char is one byte. */
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theReaderAcceptsAndRefusesWhatPurePythonPickleDoes() {
        CPython python = CPython.python3();
        ByteArrayOutputStream hex = new ByteArrayOutputStream();
        for (String c : CASES) {
            hex.writeBytes((HexFormat.of().formatHex(bytes(c)) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        // One line per case: the value's repr, or "error".
        String script = String.join("\n",
                "import pickle, sys",
                "for line in sys.stdin.read().split():",
                "    try:",
                "        v = pickle._loads(bytes.fromhex(line))",
                "        print(ascii(v))",
                "    except Exception:",
                "        print('error')");
        List<String> expected = new String(python.check(hex.toByteArray(), "-c", script), StandardCharsets.UTF_8)
                .lines().toList();
        List<String> actual = new ArrayList<>();
        for (String c : CASES) {
            actual.add(brine(bytes(c)));
        }
        for (int i = 0; i < CASES.size(); i++) {
            assertThat(actual.get(i)).as(PyRepr.bytesRepr(bytes(CASES.get(i)))).isEqualTo(expected.get(i));
        }
    }

    /** What Brine reads, as Python's {@code ascii()} would print it, or "error". */
    private static String brine(byte[] data) {
        Object v;
        try {
            v = Pickle.loads(data);
        } catch (PickleException e) {
            return "error";
        }
        if (v == null) {
            return "None";
        }
        if (v instanceof Double d) {
            return PyRepr.floatRepr(d);
        }
        if (v instanceof String s) {
            StringBuilder sb = new StringBuilder();
            String repr = PyRepr.strRepr(s);
            // ascii(): non-ASCII characters escaped, as \\xhh, \\uhhhh or \\Uhhhhhhhh.
            for (int i = 0; i < repr.length(); ) {
                int cp = repr.codePointAt(i);
                sb.append(cp < 0x80 ? String.valueOf((char) cp) : cp <= 0xff ? String.format("\\x%02x", cp)
                        : cp <= 0xffff ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
                i += Character.charCount(cp);
            }
            return sb.toString();
        }
        if (v instanceof byte[] b) {
            return PyRepr.bytesRepr(b);
        }
        return String.valueOf(v);
    }
}
