package dev.brine.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brine.value.NDArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyTuple;

import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** A read Java value in the form kafka_records.py's {@code describe} gives the Python value, to compare them. */
final class PythonView {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private PythonView() {
    }

    static JsonNode of(Object v) {
        if (v == null) {
            return node("none");
        }
        if (v instanceof Boolean b) {
            return node("bool").put("v", b);
        }
        if (v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            return node("int").put("v", v.toString());
        }
        if (v instanceof Double d) {
            return node("float").put("v", pythonHex(d));
        }
        if (v instanceof String s) {
            return node("str").put("v", s);
        }
        if (v instanceof PyBytes b) {
            return node("bytes").put("v", HexFormat.of().formatHex(b.toByteArray()));
        }
        if (v instanceof PyTuple t) {
            return node("tuple").set("v", list(t));
        }
        if (v instanceof List<?> l) {
            return node("list").set("v", list(l));
        }
        if (v instanceof Map<?, ?> m) {
            ArrayNode items = F.arrayNode();
            m.forEach((k, x) -> items.add(F.arrayNode().add(of(k)).add(of(x))));
            return node("dict").set("v", items);
        }
        if (v instanceof LocalDateTime t) {
            return node("datetime").set("v", F.arrayNode().add(t.getYear()).add(t.getMonthValue())
                    .add(t.getDayOfMonth()).add(t.getHour()).add(t.getMinute()).add(t.getSecond())
                    .add(t.getNano() / 1000));
        }
        if (v instanceof LocalDate d) {
            return node("date").set("v", F.arrayNode().add(d.getYear()).add(d.getMonthValue()).add(d.getDayOfMonth()));
        }
        if (v instanceof NDArray a) {
            ObjectNode n = node("ndarray").put("dtype", a.dtype().str());
            ArrayNode shape = F.arrayNode();
            for (long s : a.shape()) {
                shape.add((int) s);
            }
            n.set("shape", shape);
            return n.set("v", list(List.of(a.toObjectArray())));
        }
        throw new AssertionError("no Python view of a " + v.getClass().getName() + ": " + v);
    }

    private static ObjectNode node(String type) {
        return F.objectNode().put("t", type);
    }

    private static ArrayNode list(List<?> items) {
        ArrayNode a = F.arrayNode();
        items.forEach(x -> a.add(of(x)));
        return a;
    }

    /** {@code float.hex()}: 13 hex digits of mantissa and a signed exponent, as Python prints it. */
    static String pythonHex(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        long bits = Double.doubleToRawLongBits(d);
        String sign = bits < 0 ? "-" : "";
        int exp = (int) ((bits >>> 52) & 0x7ff);
        long mantissa = bits & 0xfffffffffffffL;
        if (exp == 0 && mantissa == 0) {
            return sign + "0x0.0p+0";
        }
        String lead = exp == 0 ? "0" : "1";
        int e = exp == 0 ? -1022 : exp - 1023;
        return sign + "0x" + lead + "." + String.format("%013x", mantissa) + "p" + (e >= 0 ? "+" : "") + e;
    }
}
