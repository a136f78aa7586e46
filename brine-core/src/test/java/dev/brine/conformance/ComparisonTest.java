package dev.brine.conformance;

import dev.brine.testing.ThrottledInputStream;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyList;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance harness must be able to fail: these check that the comparison catches wrong values, wrong Java
 * types, lost sharing, fake cycles, and inert nodes where Brine maps a call to a Java value.
 */
class ComparisonTest {
    private static Description expected(String json) {
        return Description.fromJson(Json.parse(json));
    }

    private static List<String> diff(String expectedJson, Object actual, String encoding) {
        return Comparison.compare(expected(expectedJson), Description.of(actual, List.of()), encoding, null)
                .differences();
    }

    private static final String SHARED_LIST = "{\"root\":{\"t\":\"ref\",\"id\":1},\"ordered\":true,\"objects\":{"
            + "\"1\":{\"t\":\"list\",\"items\":[{\"t\":\"ref\",\"id\":2},{\"t\":\"ref\",\"id\":2}]},"
            + "\"2\":{\"t\":\"list\",\"items\":[{\"t\":\"int\",\"v\":\"1\"}]}}}";

    @Test
    void sharingMustBeKept() {
        List<Object> inner = new PyList(List.of(1L));
        assertThat(diff(SHARED_LIST, new PyList(List.of(inner, inner)), "ASCII")).isEmpty();
        List<Object> copy = new PyList(List.of(1L));
        assertThat(diff(SHARED_LIST, new PyList(List.of(inner, copy)), "ASCII"))
                .singleElement().asString().contains("identity");
    }

    @Test
    void cyclesMustBeReal() {
        String cycle = "{\"root\":{\"t\":\"ref\",\"id\":1},\"ordered\":true,\"objects\":{"
                + "\"1\":{\"t\":\"list\",\"items\":[{\"t\":\"ref\",\"id\":1}]}}}";
        List<Object> self = new PyList();
        self.add(self);
        assertThat(diff(cycle, self, "ASCII")).isEmpty();
        List<Object> inner = new PyList();
        inner.add(inner);
        assertThat(diff(cycle, new PyList(List.of(inner)), "ASCII")).isNotEmpty();
    }

    @Test
    void intsCheckValueAndJavaType() {
        String big = "{\"root\":{\"t\":\"int\",\"v\":\"10000000000000000\"},\"objects\":{}}";
        assertThat(diff(big, BigInteger.ONE.shiftLeft(64), "ASCII")).isEmpty();
        assertThat(diff(big, BigInteger.ONE.shiftLeft(63), "ASCII")).isNotEmpty();
        String small = "{\"root\":{\"t\":\"int\",\"v\":\"-ff\"},\"objects\":{}}";
        assertThat(diff(small, -255L, "ASCII")).isEmpty();
        assertThat(diff(small, BigInteger.valueOf(-255), "ASCII")).singleElement().asString().contains("Long");
    }

    @Test
    void floatsCompareBits() {
        String minusZero = "{\"root\":{\"t\":\"float\",\"v\":\"8000000000000000\"},\"objects\":{}}";
        assertThat(diff(minusZero, -0.0, "ASCII")).isEmpty();
        assertThat(diff(minusZero, 0.0, "ASCII")).isNotEmpty();
        assertThat(diff("{\"root\":{\"t\":\"float\",\"v\":\"nan\"},\"objects\":{}}", Double.NaN, "ASCII")).isEmpty();
    }

    @Test
    void setsPairItemsIgnoringOrderButNotContent() {
        String set = "{\"root\":{\"t\":\"ref\",\"id\":1},\"ordered\":true,\"objects\":{\"1\":{\"t\":\"set\","
                + "\"items\":[{\"t\":\"int\",\"v\":\"1\"},{\"t\":\"str\",\"v\":\"a\"}]}}}";
        assertThat(diff(set, new LinkedHashSet<>(List.of("a", 1L)), "ASCII")).isEmpty();
        assertThat(diff(set, new LinkedHashSet<>(List.of("b", 1L)), "ASCII")).isNotEmpty();
    }

    @Test
    void orderedDictsKeepOrder() {
        String dict = "{\"root\":{\"t\":\"ref\",\"id\":1},\"ordered\":true,\"objects\":{\"1\":{\"t\":\"dict\","
                + "\"items\":[[{\"t\":\"int\",\"v\":\"1\"},{\"t\":\"none\"}],[{\"t\":\"int\",\"v\":\"2\"},"
                + "{\"t\":\"none\"}]]}}}";
        Map<Object, Object> inOrder = new LinkedHashMap<>();
        inOrder.put(1L, null);
        inOrder.put(2L, null);
        Map<Object, Object> reversed = new LinkedHashMap<>();
        reversed.put(2L, null);
        reversed.put(1L, null);
        assertThat(diff(dict, inOrder, "ASCII")).isEmpty();
        assertThat(diff(dict, reversed, "ASCII")).isNotEmpty();
        assertThat(diff(dict.replace("\"ordered\":true", "\"ordered\":false"), reversed, "ASCII")).isEmpty();
    }

    @Test
    void python2StrFollowsTheEncoding() {
        String str2 = "{\"root\":{\"t\":\"str2\",\"hex\":\"e9\"},\"objects\":{}}";
        assertThat(Comparison.undecodablePy2Str(expected(str2), "ASCII")).isEqualTo("e9");
        assertThat(Comparison.undecodablePy2Str(expected(str2), "latin1")).isNull();
        assertThat(diff(str2, "\u00e9", "latin1")).isEmpty();
        assertThat(diff(str2, dev.brine.value.PyBytes.of((byte) 0xe9), "bytes")).isEmpty();
        assertThat(diff(str2, "\u00e9", "bytes")).isNotEmpty();
    }

    @Test
    void inertNodeForAMappedCallIsADifference() {
        String set = "{\"root\":{\"t\":\"ref\",\"id\":1},\"ordered\":true,\"objects\":{\"1\":{\"t\":\"set\","
                + "\"items\":[],\"built\":{\"t\":\"object\",\"kind\":\"REDUCE\",\"callable\":{\"t\":\"global\","
                + "\"module\":\"builtins\",\"name\":\"set\"},\"args\":{\"t\":\"tuple\",\"items\":[]},"
                + "\"kwargs\":null,\"states\":[],\"list\":[],\"dict\":[],\"set\":[]}}}}";
        PyObject inert = PyObject.reduce(GlobalRef.of("builtins", "set"));
        assertThat(diff(set, inert, "ASCII")).singleElement().asString().contains("maps to a Java value");
        assertThat(diff(set, new LinkedHashSet<>(), "ASCII")).isEmpty();
        String zero = "{\"root\":{\"t\":\"int\",\"v\":\"0\",\"built\":{\"t\":\"object\",\"kind\":\"REDUCE\","
                + "\"callable\":{\"t\":\"global\",\"module\":\"builtins\",\"name\":\"int\"},\"args\":{\"t\":\"tuple\","
                + "\"items\":[]},\"kwargs\":null,\"states\":[],\"list\":[],\"dict\":[],\"set\":[]}},\"objects\":{}}";
        Comparison c = Comparison.compare(expected(zero), Description.of(PyObject.reduce(GlobalRef.of("builtins",
                "int")), List.of()), "ASCII", null);
        assertThat(c.differences()).isEmpty();
        assertThat(c.notes()).singleElement().asString().contains("builtins.int");
        assertThat(diff(zero, PyObject.reduce(GlobalRef.of("builtins", "int"), PyTuple.of(1L)), "ASCII"))
                .isNotEmpty();
    }

    @Test
    void throttledStreamDeliversAtMostItsChunk() throws IOException {
        ThrottledInputStream in = new ThrottledInputStream(new byte[10], 3, false);
        assertThat(in.read(new byte[10], 0, 10)).isEqualTo(3);
        assertThat(in.markSupported()).isFalse();
        ThrottledInputStream marked = new ThrottledInputStream(new byte[] {1, 2, 3}, 1, true);
        marked.mark(10);
        assertThat(marked.read(new byte[3], 0, 3)).isEqualTo(1);
        marked.reset();
        assertThat(marked.position()).isZero();
    }
}
