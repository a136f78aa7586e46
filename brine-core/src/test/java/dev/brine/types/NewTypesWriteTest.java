package dev.brine.types;

import dev.brine.Pickle;
import dev.brine.cpython.CPython;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyDecimal;
import dev.brine.value.PyException;
import dev.brine.value.PyFraction;
import dev.brine.value.PyNamedTuple;
import dev.brine.value.PyPath;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fractions, paths, special decimals, exceptions and namedtuples made in Java, written at every protocol and loaded
 * by every CPython 3: Python must see the value {@link Canon} gives for the Java value (both canonical texts are
 * computed independently, in types_stdlib.py and Canon.java).
 */
@Tag("cross-interpreter")
class NewTypesWriteTest {
    private static Map<String, Object> values() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("fraction", PyFraction.of(6, -4));
        v.put("fraction_big", PyFraction.of(BigInteger.TWO.pow(80), BigInteger.valueOf(3)));
        v.put("fraction_integer", PyFraction.of(10, 5));
        v.put("path_posix", PyPath.posix("/srv", "data//x", "./y.csv"));
        v.put("path_posix_relative", PyPath.posix("a", "b"));
        v.put("path_posix_empty", PyPath.posix());
        v.put("path_windows", PyPath.windows("C:/Users", "Me\\file.txt"));
        v.put("path_windows_unc", PyPath.windows("\\\\server\\share", "x"));
        v.put("path_concrete", PyPath.of(java.nio.file.Path.of("/tmp", "x.txt")));
        for (String d : new String[] {"NaN", "-NaN7", "sNaN", "-sNaN123", "Infinity", "-Infinity", "-0", "-0.000",
                                      "-0E+5"}) {
            v.put("decimal " + d, PyDecimal.parse(d));
        }
        v.put("value_error", PyException.of("ValueError", "bad", 1L));
        v.put("os_error", PyException.of("OSError", 2L, "No such file", "f.txt"));
        PyException withState = PyException.of("KeyError", "k");
        Map<Object, Object> dict = new LinkedHashMap<>();
        dict.put("code", 7L);
        withState.setState(dict);
        v.put("key_error_state", withState);
        // A namedtuple of the standard library, so that every Python can import its class.
        v.put("namedtuple", new PyNamedTuple(new GlobalRef("urllib.parse", "SplitResult"),
                PyTuple.of("https", "example.org", "/a", "q=1", "")));
        return v;
    }

    @Test
    void javaMadeValuesLoadInEveryPython3AsTheSameValue() {
        Map<String, Object> values = values();
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (CPython python : CPython.python3s()) {
            for (int protocol = 0; protocol <= python.highestProtocol(); protocol++) {
                StringBuilder in = new StringBuilder();
                List<String> expected = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (Map.Entry<String, Object> e : values.entrySet()) {
                    in.append(HexFormat.of().formatHex(Pickle.dumps(e.getValue(), protocol))).append('\n');
                    expected.add(Canon.of(e.getValue()));
                    names.add(e.getKey());
                }
                String out = new String(python.check(in.toString().getBytes(StandardCharsets.UTF_8),
                        StdlibTypesTest.SCRIPT.toString(), "--canon"), StandardCharsets.UTF_8);
                String[] got = out.split("\n");
                for (int i = 0; i < expected.size(); i++) {
                    String g = i < got.length ? got[i] : "<nothing>";
                    if (!g.equals(expected.get(i))) {
                        failures.add(python.version() + " p" + protocol + " " + names.get(i) + ": Java "
                                + expected.get(i) + ", Python " + g);
                    }
                    checked++;
                }
            }
        }
        System.out.println("new types written: " + checked + " loads checked, " + failures.size() + " failures");
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
    }

    @Test
    void javaMadeValuesHaveThePythonText() {
        assertThat(PyFraction.of(6, -4)).hasToString("-3/2");
        assertThat(PyFraction.of(6, -4).doubleValue()).isEqualTo(-1.5);
        assertThat(PyPath.posix("/srv", "data//x", "./y.csv")).hasToString("/srv/data/x/y.csv");
        assertThat(PyPath.posix("/srv", "x").toPath()).isEqualTo(java.nio.file.Path.of("/srv/x"));
        assertThat(PyPath.windows("C:/Users", "Me")).hasToString("C:\\Users\\Me")
                .isEqualTo(PyPath.windows("c:\\users\\me"));
        assertThat(PyDecimal.parse("-sNaN123").payload()).isEqualTo(BigInteger.valueOf(123));
        assertThat(PyDecimal.parse("NaN012")).as("not Python's spelling").isNull();
        assertThat(PyDecimal.parse("-0.00").toDouble()).isEqualTo(-0.0);
        assertThat(PyDecimal.parse("1.5")).isNull();
        assertThat(PyException.of("OSError", 2L, "x").typeName()).isEqualTo("FileNotFoundError");
    }
}
