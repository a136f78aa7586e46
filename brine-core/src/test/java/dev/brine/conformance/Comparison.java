package dev.brine.conformance;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Compares the description of what CPython built (expected) with the description of what Brine read (actual).
 *
 * <p>Identity is compared as a bijection: an expected object and an actual object are bound the first time they
 * meet, and every later meeting must pair the same two again, so sharing and cycles in Brine's graph are exactly
 * CPython's. Dicts compare in order when the interpreter keeps insertion order; sets, and dicts from Python 2,
 * pair their items by an identity-free fingerprint of the key.
 *
 * <p>Brine runs no code, so where CPython called something Brine keeps the call as an inert node; the expected
 * description then carries the call CPython made ({@code "built"}) or the name it looked up ({@code "global"}),
 * and an inert node that matches it is accepted and noted, unless the call is one Brine maps to a Java type
 * ({@link #NATIVE_CALLS}), where an inert node is a difference.
 */
final class Comparison {
    /**
     * Calls that Brine's Python-to-Java mapping turns into natural values (the forms CPython's picklers use for
     * builtin types at protocols that lack an opcode for them). An inert node for one of these is a bug.
     */
    static final Set<String> NATIVE_CALLS = Set.of("builtins.set", "builtins.frozenset", "builtins.bytearray",
            "builtins.bytes", "_codecs.encode", "builtins.complex");

    private static final int MAX_DIFFERENCES = 12;
    private static final HexFormat HEX = HexFormat.of();

    private final Description expected;
    private final Description actual;
    private final Charset charset; // null for encoding="bytes"
    private final Py2Names py2Names;
    private final Map<Integer, Integer> expectedToActual = new HashMap<>();
    private final Map<Integer, Integer> actualToExpected = new HashMap<>();
    private final List<String> differences = new ArrayList<>();
    private final Set<String> notes = new LinkedHashSet<>();

    private Comparison(Description expected, Description actual, String encoding, Py2Names py2Names) {
        this.expected = expected;
        this.actual = actual;
        this.charset = charsetOf(encoding);
        this.py2Names = py2Names;
    }

    /** The differences between what CPython built and what Brine read; empty when they are equivalent. */
    static Comparison compare(Description expected, Description actual, String encoding, Py2Names py2Names) {
        Comparison c = new Comparison(expected, actual, encoding, py2Names);
        c.compare(expected.root, actual.root, "$");
        return c;
    }

    List<String> differences() {
        return differences;
    }

    /** Accepted differences: where CPython ran code and Brine kept an inert node. */
    Set<String> notes() {
        return notes;
    }

    /**
     * The Python 2 str CPython 3 could not decode with {@code encoding} (it raises UnicodeDecodeError), or null
     * when every Python 2 str in the description decodes. Brine must then fail to read the pickle.
     */
    static String undecodablePy2Str(Description expected, String encoding) {
        Charset charset = charsetOf(encoding);
        if (charset == null) {
            return null;
        }
        for (Map<String, Object> node : expected.nodesOfType("str2")) {
            if (decode(HEX.parseHex((String) node.get("hex")), charset) == null) {
                return (String) node.get("hex");
            }
        }
        return null;
    }

    private static Charset charsetOf(String encoding) {
        return encoding.equals("bytes") ? null : Charset.forName(encoding);
    }

    private static String decode(byte[] bytes, Charset charset) {
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    // ---- node comparison ----

    private void differ(String path, String message) {
        if (differences.size() < MAX_DIFFERENCES) {
            differences.add(path + ": " + message);
        }
    }

    /** A Python 2 str becomes what CPython 3 makes of it under the encoding: text, or bytes. */
    private Map<String, Object> translate(Map<String, Object> node) {
        if (!"str2".equals(node.get("t"))) {
            return node;
        }
        byte[] bytes = HEX.parseHex((String) node.get("hex"));
        if (charset == null) {
            return Description.node("bytes", "hex", node.get("hex"));
        }
        String text = decode(bytes, charset);
        return text == null ? Description.node("undecodable", "hex", node.get("hex"))
                : Description.node("str", "v", text);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    private static boolean isRef(Map<String, Object> node) {
        return "ref".equals(node.get("t"));
    }

    private static int id(Map<String, Object> ref) {
        return ((Number) ref.get("id")).intValue();
    }

    private void compare(Map<String, Object> e, Map<String, Object> a, String path) {
        if (differences.size() >= MAX_DIFFERENCES) {
            return;
        }
        e = translate(e);
        if (isRef(e) && isRef(a)) {
            int eid = id(e);
            int aid = id(a);
            Integer boundA = expectedToActual.get(eid);
            Integer boundE = actualToExpected.get(aid);
            if (boundA == null && boundE == null) {
                expectedToActual.put(eid, aid);
                actualToExpected.put(aid, eid);
                compareContent(expected.deref(e), actual.deref(a), path);
            } else if (!Objects.equals(boundA, aid)) {
                differ(path, boundA == null
                        ? "Brine shares this object with another place, CPython does not (identity)"
                        : "CPython shares this object with another place (a cycle or shared reference), "
                                + "Brine has a different object here (identity)");
            }
            return;
        }
        compareContent(expected.deref(e), actual.deref(a), path);
    }

    private void compareContent(Map<String, Object> e, Map<String, Object> a, String path) {
        e = translate(e);
        String et = (String) e.get("t");
        String at = (String) a.get("t");
        if (!et.equals(at)) {
            if (at.equals("mapped")) {
                compareMapped(e, a, path);
                return;
            }
            if (at.equals("object") && e.get("built") != null) {
                Map<String, Object> built = map(e.get("built"));
                String callable = globalName(map(built.get("callable")), expected);
                if (NATIVE_CALLS.contains(callable) && expected.py2names && charset == null
                        && containsPy2Str(built)) {
                    // Python 2's bytearray pickles call bytearray(text, 'latin-1'); read with encoding="bytes" the
                    // arguments are bytes, and CPython 3 raises TypeError ("encoding must be str, not bytes").
                    // What CPython 3 builds is unknowable from Python 2's value; Brine keeps the call inert.
                    notes.add("inert call of " + callable + " with Python 2 str arguments read as bytes "
                            + "(CPython 3 raises TypeError for it)");
                    compareObject(built, a, path);
                    return;
                }
                if (NATIVE_CALLS.contains(callable)) {
                    differ(path, "expected " + summary(e, expected) + " (CPython called " + callable
                            + ", which Brine maps to a Java value) but Brine kept an inert " + summary(a, actual));
                    return;
                }
                notes.add("inert call of " + callable + " (CPython built " + et + ")");
                compareObject(built, a, path);
                return;
            }
            if (at.equals("global") && e.get("global") != null) {
                Map<String, Object> global = map(e.get("global"));
                notes.add("inert global " + globalName(global, expected) + " (CPython resolved it to a " + et + ")");
                compareContent(global, a, path);
                return;
            }
            differ(path, "expected " + summary(e, expected) + " but Brine read " + summary(a, actual));
            return;
        }
        switch (et) {
            case "none":
                return;
            case "bool":
            case "str":
            case "float":
                if (!Objects.equals(e.get("v"), a.get("v"))) {
                    differ(path, "expected " + summary(e, expected) + " but Brine read " + summary(a, actual));
                }
                return;
            case "int":
                compareInt(e, a, path);
                return;
            case "complex":
                if (!e.get("re").equals(a.get("re")) || !e.get("im").equals(a.get("im"))) {
                    differ(path, "expected complex " + e + " but Brine read " + a);
                }
                return;
            case "bytes":
            case "bytearray":
                if (!e.get("hex").equals(a.get("hex"))) {
                    differ(path, "expected " + summary(e, expected) + " but Brine read " + summary(a, actual));
                }
                return;
            case "tuple":
            case "list":
                javaType(a, et.equals("list") ? "dev.brine.value.PyList" : null, path);
                compareItems(list(e.get("items")), list(a.get("items")), path);
                return;
            case "dict":
                javaType(a, "java.util.LinkedHashMap", path);
                if (expected.ordered) {
                    comparePairs(list(e.get("items")), list(a.get("items")), path);
                } else {
                    pairUnordered(list(e.get("items")), list(a.get("items")), path, true);
                }
                return;
            case "set":
            case "frozenset":
                javaType(a, et.equals("set") ? "java.util.LinkedHashSet" : null, path);
                pairUnordered(list(e.get("items")), list(a.get("items")), path, false);
                return;
            case "global":
                String en = globalName(e, expected);
                String an = globalName(a, actual);
                if (!en.equals(an)) {
                    differ(path, "expected global " + en + " but Brine read global " + an);
                }
                return;
            case "object":
                compareObject(e, a, path);
                return;
            case "persid":
                compare(map(e.get("pid")), map(a.get("pid")), path + ".pid");
                return;
            case "buffer":
                if (!e.get("index").equals(a.get("index")) || !e.get("readonly").equals(a.get("readonly"))) {
                    differ(path, "expected out-of-band buffer " + e.get("index") + (Boolean.TRUE.equals(
                            e.get("readonly")) ? " (read-only)" : "") + " but Brine read " + summary(a, actual));
                }
                return;
            case "undecodable":
                differ(path, "CPython cannot decode Python 2 str " + e.get("hex") + " with this encoding");
                return;
            default:
                differ(path, "CPython built something the describer cannot describe: " + e.get("repr"));
        }
    }

    /**
     * A value Brine mapped to a Java type (docs/TYPES.md; the types tests check the values against CPython): accepted
     * when CPython built it by calling one of the globals the type is read from.
     */
    private void compareMapped(Map<String, Object> e, Map<String, Object> a, String path) {
        Map<String, Object> call = "object".equals(e.get("t")) ? e
                : e.get("built") != null ? map(e.get("built")) : null;
        Map<String, Object> callable = call == null ? null : expected.deref(map(call.get("callable")));
        String name = callable != null && "global".equals(callable.get("t")) ? globalName(callable, expected) : null;
        if (name != null && list(a.get("globals")).contains(name)) {
            notes.add("call of " + name + " mapped to " + a.get("jt"));
            return;
        }
        differ(path, "expected " + summary(e, expected) + " but Brine read " + a.get("jt") + " " + a.get("repr"));
    }

    private boolean containsPy2Str(Object node) {
        return containsPy2Str(node, new HashSet<>());
    }

    private boolean containsPy2Str(Object node, Set<Integer> seen) {
        if (node instanceof Map<?, ?> m) {
            if ("ref".equals(m.get("t"))) {
                int id = ((Number) m.get("id")).intValue();
                return seen.add(id) && containsPy2Str(expected.objects.get(String.valueOf(id)), seen);
            }
            return "str2".equals(m.get("t")) || m.values().stream().anyMatch(v -> containsPy2Str(v, seen));
        }
        return node instanceof List<?> l && l.stream().anyMatch(v -> containsPy2Str(v, seen));
    }

    private void compareInt(Map<String, Object> e, Map<String, Object> a, String path) {
        String ev = (String) e.get("v");
        if (!ev.equals(a.get("v"))) {
            differ(path, "expected int " + intText(ev) + " but Brine read " + intText((String) a.get("v")));
            return;
        }
        String want = fitsInLong(ev) ? "Long" : "BigInteger";
        if (!want.equals(a.get("jt"))) {
            differ(path, "int " + intText(ev) + " should be a " + want + ", Brine read a " + a.get("jt"));
        }
    }

    private static boolean fitsInLong(String hex) {
        if (hex.length() > 17) {
            return false;
        }
        try {
            Long.parseLong(hex, 16);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Decimal for ints of reasonable size; parsing huge ones from text is quadratic, so those stay hex. */
    private static String intText(String hex) {
        return hex.length() <= 64 ? new BigInteger(hex, 16).toString()
                : "0x" + Description.abbreviate(hex) + " (" + hex.length() + " hex digits)";
    }

    /**
     * The reader's own subclasses of the documented types: a PyList and a LinkedHashMap that carry a memo identity
     * for the writer (issue #22). Each stands only for the type it extends.
     */
    private static final Map<String, String> READER_SUBCLASSES = Map.of(
            "dev.brine.internal.types.LoadedList", "dev.brine.value.PyList",
            "dev.brine.internal.types.LoadedDict", "java.util.LinkedHashMap");

    private void javaType(Map<String, Object> a, String want, String path) {
        Object jt = a.get("jt");
        if (want != null && !want.equals(jt) && !want.equals(READER_SUBCLASSES.get(jt))) {
            differ(path, "should be a " + want + ", Brine read a " + a.get("jt"));
        }
    }

    private void compareObject(Map<String, Object> e, Map<String, Object> a, String path) {
        if (!Objects.equals(e.get("kind"), a.get("kind"))) {
            differ(path, "expected an object made by " + e.get("kind") + " but Brine's node says " + a.get("kind"));
            return;
        }
        compare(map(e.get("callable")), map(a.get("callable")), path + ".callable");
        compare(map(e.get("args")), map(a.get("args")), path + ".args");
        Object ek = e.get("kwargs");
        Object ak = a.get("kwargs");
        if ((ek == null) != (ak == null)) {
            differ(path + ".kwargs", "expected " + ek + " but Brine has " + ak);
        } else if (ek != null) {
            // PyObject hands out a view of the keyword arguments, so compare content, not identity.
            comparePairs(list(expected.deref(map(ek)).get("items")), list(actual.deref(map(ak)).get("items")),
                    path + ".kwargs");
        }
        compareItems(list(e.get("states")), list(a.get("states")), path + ".states");
        compareItems(list(e.get("list")), list(a.get("list")), path + ".listItems");
        comparePairs(list(e.get("dict")), list(a.get("dict")), path + ".dictItems");
        compareItems(list(e.get("set")), list(a.get("set")), path + ".setItems");
    }

    private void compareItems(List<Object> e, List<Object> a, String path) {
        if (e.size() != a.size()) {
            differ(path, "expected " + e.size() + " items but Brine read " + a.size());
            return;
        }
        for (int i = 0; i < e.size(); i++) {
            compare(map(e.get(i)), map(a.get(i)), path + "[" + i + "]");
        }
    }

    private void comparePairs(List<Object> e, List<Object> a, String path) {
        if (e.size() != a.size()) {
            differ(path, "expected " + e.size() + " entries but Brine read " + a.size());
            return;
        }
        for (int i = 0; i < e.size(); i++) {
            List<Object> ep = list(e.get(i));
            List<Object> ap = list(a.get(i));
            String keyPath = path + "{" + Description.abbreviate(fingerprint(map(ep.get(0)), expected)) + "}";
            compare(map(ep.get(0)), map(ap.get(0)), keyPath + ".key");
            compare(map(ep.get(1)), map(ap.get(1)), keyPath);
        }
    }

    /** Pairs set items, or dict entries by key, through a fingerprint that ignores identity and order. */
    private void pairUnordered(List<Object> e, List<Object> a, String path, boolean pairs) {
        if (e.size() != a.size()) {
            differ(path, "expected " + e.size() + " items but Brine read " + a.size());
            return;
        }
        Map<String, ArrayDeque<Object>> byKey = new HashMap<>();
        for (Object item : a) {
            Map<String, Object> key = pairs ? map(list(item).get(0)) : map(item);
            byKey.computeIfAbsent(fingerprint(key, actual), k -> new ArrayDeque<>()).add(item);
        }
        for (Object item : e) {
            Map<String, Object> key = pairs ? map(list(item).get(0)) : map(item);
            String fp = fingerprint(key, expected);
            ArrayDeque<Object> candidates = byKey.get(fp);
            if (candidates == null || candidates.isEmpty()) {
                differ(path, "Brine has no item matching CPython's " + Description.abbreviate(fp));
                continue;
            }
            Object match = candidates.poll();
            String itemPath = path + "{" + Description.abbreviate(fp) + "}";
            if (pairs) {
                compare(key, map(list(match).get(0)), itemPath + ".key");
                compare(map(list(item).get(1)), map(list(match).get(1)), itemPath);
            } else {
                compare(key, map(match), itemPath);
            }
        }
    }

    /** An identity-free rendering of a (hashable) key, the same for CPython's and Brine's description. */
    private String fingerprint(Map<String, Object> node, Description d) {
        StringBuilder sb = new StringBuilder();
        fingerprint(node, d, sb, new HashSet<>());
        return sb.toString();
    }

    private void fingerprint(Map<String, Object> node, Description d, StringBuilder sb, Set<Integer> open) {
        if (d == expected) {
            node = translate(node);
        }
        if (isRef(node)) {
            int id = id(node);
            if (!open.add(id)) {
                sb.append("<cycle>");
                return;
            }
            fingerprint(d.deref(node), d, sb, open);
            open.remove(id);
            return;
        }
        String t = (String) node.get("t");
        switch (t) {
            case "tuple":
                sb.append('(');
                for (Object item : list(node.get("items"))) {
                    fingerprint(map(item), d, sb, open);
                    sb.append(',');
                }
                sb.append(')');
                return;
            case "frozenset":
                List<String> parts = new ArrayList<>();
                for (Object item : list(node.get("items"))) {
                    StringBuilder part = new StringBuilder();
                    fingerprint(map(item), d, part, open);
                    parts.add(part.toString());
                }
                Collections.sort(parts);
                sb.append("frozenset").append(parts);
                return;
            case "global":
                sb.append(globalName(node, d));
                return;
            case "object":
                sb.append("object ").append(node.get("kind")).append(' ');
                fingerprint(map(node.get("callable")), d, sb, open);
                fingerprint(map(node.get("args")), d, sb, open);
                return;
            case "str":
                sb.append('\'').append(node.get("v")).append('\'');
                return;
            case "int":
                sb.append("int ").append(node.get("v"));
                return;
            default:
                Map<String, Object> plain = new java.util.TreeMap<>(node);
                plain.remove("jt");
                plain.remove("built");
                plain.remove("global");
                sb.append(plain);
        }
    }

    private String globalName(Map<String, Object> node, Description d) {
        String module = (String) node.get("module");
        String name = (String) node.get("name");
        if (d.py2names && py2Names != null) {
            return py2Names.rename(module, name);
        }
        return module + "." + name;
    }

    /** A short rendering of a node for messages. */
    static String summary(Map<String, Object> node, Description d) {
        node = d.deref(node);
        String t = (String) node.get("t");
        switch (t) {
            case "int":
                return "int " + intText((String) node.get("v"))
                        + (node.get("jt") != null ? " (" + node.get("jt") + ")" : "");
            case "str":
                return "str " + Description.abbreviate(quote((String) node.get("v")));
            case "float":
            case "bool":
                return t + " " + node.get("v");
            case "bytes":
            case "bytearray":
            case "str2":
                return t + " " + Description.abbreviate(String.valueOf(node.get("hex")));
            case "tuple":
            case "list":
            case "set":
            case "frozenset":
            case "dict":
                return t + " of " + list(node.get("items")).size()
                        + (node.get("jt") != null ? " (" + node.get("jt") + ")" : "");
            case "global":
                return "global " + node.get("module") + "." + node.get("name");
            case "object":
                return "object " + node.get("kind") + " " + summary(map(node.get("callable")), d);
            default:
                return Description.abbreviate(node.toString());
        }
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    /** CPython 3's renames of Python 2 names ({@code _compat_pickle}), as read from a real Python 3. */
    record Py2Names(Map<String, String> names, Map<String, String> modules) {
        String rename(String module, String name) {
            String full = names.get(module + "\n" + name);
            if (full != null) {
                return full;
            }
            return modules.getOrDefault(module, module) + "." + name;
        }

        static Py2Names fromJson(Object json) {
            Map<String, Object> doc = Json.object(json);
            Map<String, String> names = new HashMap<>();
            for (Object row : Json.array(doc.get("names"))) {
                List<Object> r = Json.array(row);
                names.put(r.get(0) + "\n" + r.get(1), r.get(2) + "." + r.get(3));
            }
            Map<String, String> modules = new HashMap<>();
            Json.object(doc.get("modules")).forEach((k, v) -> modules.put(k, (String) v));
            return new Py2Names(names, modules);
        }
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
