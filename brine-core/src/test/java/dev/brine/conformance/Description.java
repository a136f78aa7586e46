package dev.brine.conformance;

import dev.brine.value.GlobalRef;
import dev.brine.value.PersistentRef;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A canonical description of a value graph, in the format {@code src/test/python/describe.py} writes: a root node
 * and a table of identity-bearing objects (containers and inert objects), each appearing as
 * {@code {"t": "ref", "id": N}} wherever it is referenced, so sharing and cycles are explicit.
 *
 * <p>{@link #of} describes a Java value read by Brine the same way the Python side describes what CPython built, so
 * the two can be compared node by node ({@link Comparison}). The Java describer adds {@code "jt"} (the Java class)
 * to ints and containers, so the comparison can also check the Python-to-Java type mapping.
 */
final class Description {
    private static final HexFormat HEX = HexFormat.of();

    final Map<String, Object> root;
    final Map<String, Map<String, Object>> objects;
    /** Whether dict order is meaningful (Python 3.6+ keeps insertion order, Python 2 does not). */
    final boolean ordered;
    /** Whether global names are Python 2 names, which Brine renames as CPython 3's fix_imports does. */
    final boolean py2names;

    private Description(Map<String, Object> root, Map<String, Map<String, Object>> objects, boolean ordered,
                        boolean py2names) {
        this.root = root;
        this.objects = objects;
        this.ordered = ordered;
        this.py2names = py2names;
    }

    /** A description read from the Python scripts' JSON. */
    static Description fromJson(Object json) {
        Map<String, Object> doc = Json.object(json);
        Map<String, Map<String, Object>> objects = new LinkedHashMap<>();
        Json.object(doc.get("objects")).forEach((k, v) -> objects.put(k, Json.object(v)));
        return new Description(Json.object(doc.get("root")), objects, Boolean.TRUE.equals(doc.get("ordered")),
                Boolean.TRUE.equals(doc.get("py2names")));
    }

    /** Describes a value Brine read; {@code buffers} are the out-of-band buffers that were supplied, if any. */
    static Description of(Object value, List<?> buffers) {
        JavaDescriber d = new JavaDescriber(buffers == null ? List.of() : buffers);
        Map<String, Object> root = d.describe(value);
        return new Description(root, d.objects, true, false);
    }

    /** The node itself, or the object a ref node points to. */
    Map<String, Object> deref(Map<String, Object> node) {
        if ("ref".equals(node.get("t"))) {
            return objects.get(String.valueOf(node.get("id")));
        }
        return node;
    }

    /** Whether any node holds a Python 2 str, whose reading depends on the unpickler's encoding. */
    boolean hasPy2Str() {
        return containsType(root, "str2") || objects.values().stream().anyMatch(o -> containsType(o, "str2"));
    }

    private static boolean containsType(Object node, String type) {
        if (node instanceof Map<?, ?> m) {
            if (type.equals(m.get("t"))) {
                return true;
            }
            for (Object v : m.values()) {
                if (containsType(v, type)) {
                    return true;
                }
            }
        } else if (node instanceof List<?> l) {
            for (Object v : l) {
                if (containsType(v, type)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every node of the given type, anywhere in the description. */
    List<Map<String, Object>> nodesOfType(String type) {
        List<Map<String, Object>> found = new ArrayList<>();
        collect(root, type, found);
        objects.values().forEach(o -> collect(o, type, found));
        return found;
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object node, String type, List<Map<String, Object>> found) {
        if (node instanceof Map<?, ?> m) {
            if (type.equals(m.get("t"))) {
                found.add((Map<String, Object>) m);
            }
            m.values().forEach(v -> collect(v, type, found));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collect(v, type, found));
        }
    }

    /** Java's side of describe.py. */
    private static final class JavaDescriber {
        private final List<?> buffers;
        private final IdentityHashMap<Object, Integer> ids = new IdentityHashMap<>();
        private final Map<String, Map<String, Object>> objects = new LinkedHashMap<>();

        JavaDescriber(List<?> buffers) {
            this.buffers = buffers;
        }

        private interface Fill {
            void into(Map<String, Object> node);
        }

        private Map<String, Object> ref(Object o, String type, Fill fill) {
            Integer known = ids.get(o);
            if (known != null) {
                return node("ref", "id", (long) known);
            }
            int id = ids.size() + 1;
            ids.put(o, id);
            Map<String, Object> node = node(type);
            node.put("jt", o.getClass().getName());
            objects.put(String.valueOf(id), node);
            fill.into(node);
            return node("ref", "id", (long) id);
        }

        Map<String, Object> describe(Object v) {
            if (v == null) {
                return node("none");
            }
            for (int i = 0; i < buffers.size(); i++) {
                if (buffers.get(i) == v) {
                    return buffer(i, false);
                }
            }
            if (v instanceof Boolean b) {
                return node("bool", "v", b);
            }
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                long n = ((Number) v).longValue();
                Map<String, Object> node = node("int", "v", Long.toString(n, 16));
                node.put("jt", v.getClass().getSimpleName());
                return node;
            }
            if (v instanceof BigInteger b) {
                Map<String, Object> node = node("int", "v", hex(b));
                node.put("jt", "BigInteger");
                return node;
            }
            if (v instanceof Double d) {
                return node("float", "v", floatBits(d));
            }
            if (v instanceof PyComplex c) {
                Map<String, Object> node = node("complex", "re", floatBits(c.real()));
                node.put("im", floatBits(c.imag()));
                return node;
            }
            if (v instanceof String s) {
                return node("str", "v", s);
            }
            if (v instanceof PyBytes b) {
                return node("bytes", "hex", HEX.formatHex(b.toByteArray()));
            }
            if (v instanceof byte[] b) {
                return ref(v, "bytearray", n -> n.put("hex", HEX.formatHex(b)));
            }
            if (v instanceof dev.brine.value.PyByteArray b) {
                return ref(v, "bytearray", n -> n.put("hex", HEX.formatHex(b.array())));
            }
            if (v instanceof ByteBuffer bb) {
                return byteBuffer(bb);
            }
            List<String> mapped = mappedFrom(v);
            if (mapped != null) {
                // A value Brine maps to a Java type (docs/TYPES.md): the calls it may come from, not the call itself.
                Map<String, Object> node = node("mapped", "globals", new ArrayList<Object>(mapped));
                node.put("jt", v.getClass().getName());
                node.put("repr", abbreviate(String.valueOf(v)));
                return node;
            }
            if (v instanceof PyTuple t) {
                if (t.isEmpty()) {
                    return node("tuple", "items", new ArrayList<>());
                }
                return ref(v, "tuple", n -> n.put("items", items(t)));
            }
            if (v instanceof PyFrozenSet s) {
                if (s.isEmpty()) {
                    return node("frozenset", "items", new ArrayList<>());
                }
                return ref(v, "frozenset", n -> n.put("items", items(s)));
            }
            if (v instanceof List<?> l) {
                return ref(v, "list", n -> n.put("items", items(l)));
            }
            if (v instanceof Set<?> s) {
                return ref(v, "set", n -> n.put("items", items(s)));
            }
            if (v instanceof Map<?, ?> m) {
                return ref(v, "dict", n -> n.put("items", pairs(m)));
            }
            if (v instanceof GlobalRef g) {
                Map<String, Object> node = node("global", "module", g.module());
                node.put("name", g.name());
                return node;
            }
            if (v instanceof PyObject o) {
                return ref(v, "object", n -> {
                    n.put("kind", o.kind().name());
                    n.put("callable", describe(o.callable()));
                    n.put("args", describe(o.args()));
                    // kwargs and the item maps are views PyObject makes, not stream objects: no identity.
                    n.put("kwargs", o.kwargs() == null ? null : node("dict", "items", pairs(o.kwargs())));
                    n.put("states", items(o.states()));
                    n.put("list", items(o.listItems()));
                    n.put("dict", pairs(o.dictItems()));
                    n.put("set", items(o.setItems()));
                });
            }
            if (v instanceof PersistentRef p) {
                return node("persid", "pid", describe(p.id()));
            }
            return node("unknown", "repr", v.getClass().getName() + ": " + abbreviate(String.valueOf(v)));
        }

        /** For a value of a type Brine maps from a known call (docs/TYPES.md), the globals it may be read from. */
        private static List<String> mappedFrom(Object v) {
            if (v instanceof java.time.LocalDate) {
                return List.of("datetime.date");
            }
            if (v instanceof java.time.LocalTime || v instanceof java.time.OffsetTime) {
                return List.of("datetime.time");
            }
            if (v instanceof java.time.LocalDateTime || v instanceof java.time.OffsetDateTime
                    || v instanceof java.time.ZonedDateTime) {
                return List.of("datetime.datetime");
            }
            if (v instanceof java.time.Duration) {
                return List.of("datetime.timedelta");
            }
            if (v instanceof java.time.ZoneOffset) {
                return List.of("datetime.timezone");
            }
            if (v instanceof java.math.BigDecimal) {
                return List.of("decimal.Decimal");
            }
            if (v instanceof java.util.UUID) {
                return List.of("uuid.UUID", "copyreg._reconstructor");
            }
            if (v instanceof dev.brine.value.PyOrderedDict || v instanceof dev.brine.value.PyDefaultDict
                    || v instanceof dev.brine.value.PyCounter || v instanceof dev.brine.value.PyDeque) {
                return List.of("collections." + v.getClass().getSimpleName().substring(2)
                        .replace("DefaultDict", "defaultdict").replace("Deque", "deque"));
            }
            if (v instanceof dev.brine.value.PyArray) {
                return List.of("array.array", "array._array_reconstructor");
            }
            if (v instanceof dev.brine.value.PyRange) {
                return List.of("builtins.range");
            }
            if (v instanceof dev.brine.value.PyException e) {
                return List.of(e.pythonClass().toString());
            }
            if (v instanceof dev.brine.value.PyDecimal) {
                return List.of("decimal.Decimal");
            }
            if (v instanceof dev.brine.value.PyFraction) {
                return List.of("fractions.Fraction");
            }
            if (v instanceof dev.brine.value.PyPath p) {
                return List.of(p.pythonClass().toString());
            }
            if (v instanceof dev.brine.value.PySlice) {
                return List.of("builtins.slice");
            }
            if (v instanceof dev.brine.value.NDArray || v instanceof dev.brine.value.DType
                    || v instanceof dev.brine.value.NDScalar) {
                List<String> names = new ArrayList<>(List.of("numpy.dtype"));
                for (String core : List.of("numpy._core", "numpy.core")) {
                    names.add(core + ".multiarray._reconstruct");
                    names.add(core + ".multiarray.scalar");
                    names.add(core + ".numeric._frombuffer");
                }
                return names;
            }
            return null;
        }

        private Map<String, Object> byteBuffer(ByteBuffer bb) {
            for (int i = 0; i < buffers.size(); i++) {
                if (buffers.get(i) instanceof ByteBuffer supplied && supplied.equals(bb)) {
                    return buffer(i, bb.isReadOnly());
                }
            }
            return node("unknown", "repr", "a ByteBuffer that is none of the supplied buffers: " + bb);
        }

        private Map<String, Object> buffer(int index, boolean readonly) {
            Map<String, Object> node = node("buffer", "index", (long) index);
            node.put("readonly", readonly);
            return node;
        }

        private List<Object> items(Iterable<?> items) {
            List<Object> list = new ArrayList<>();
            for (Object item : items) {
                list.add(describe(item));
            }
            return list;
        }

        private List<Object> pairs(Map<?, ?> map) {
            List<Object> list = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                List<Object> pair = new ArrayList<>(2);
                pair.add(describe(e.getKey()));
                pair.add(describe(e.getValue()));
                list.add(pair);
            }
            return list;
        }
    }

    /**
     * As Python's {@code '%x' % n}. BigInteger.toString(16) is quadratic in the number's size, far too slow for
     * the catalogue's 70 KB ints, so the magnitude's bytes are written out directly.
     */
    static String hex(BigInteger b) {
        String digits = HEX.formatHex(b.abs().toByteArray()).replaceFirst("^0+(?=.)", "");
        return b.signum() < 0 ? "-" + digits : digits;
    }

    static String floatBits(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        return String.format("%016x", Double.doubleToRawLongBits(d));
    }

    static Map<String, Object> node(String type) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("t", type);
        return node;
    }

    static Map<String, Object> node(String type, String key, Object value) {
        Map<String, Object> node = node(type);
        node.put(key, value);
        return node;
    }

    static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
