package dev.brine.tools;

import dev.brine.internal.format.PyRepr;
import dev.brine.internal.write.PickleWriter;
import dev.brine.torch.Tensor;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.PersistentRef;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyDeque;
import dev.brine.value.PyDiscarding;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a value read by {@link dev.brine.Unpickler} as JSON, for people and tools to look at. It runs no code
 * and never calls {@code toString} on the value.
 *
 * <p>JSON's own types are used where they fit: {@code null}, booleans, numbers (64-bit ints and finite floats),
 * strings, arrays for lists and objects for dicts whose keys are all strings. Everything else is an object with one
 * {@code $}-tag:
 * <table>
 *   <caption>Tags</caption>
 *   <tr><td>{@code {"$tuple": [...]}}</td><td>tuple</td></tr>
 *   <tr><td>{@code {"$set": [...]}}, {@code {"$frozenset": [...]}}</td><td>set, frozenset</td></tr>
 *   <tr><td>{@code {"$dict": [[k, v], ...]}}</td><td>a dict with a non-string key</td></tr>
 *   <tr><td>{@code {"$dict": {...}}}</td><td>a string-keyed dict that is shared, or has a key starting with $</td></tr>
 *   <tr><td>{@code {"$list": [...]}}</td><td>a shared list (with {@code $id})</td></tr>
 *   <tr><td>{@code {"$bytes": "base64"}}, {@code {"$bytearray": "base64"}}</td><td>bytes, bytearray</td></tr>
 *   <tr><td>{@code {"$int": "digits"}}</td><td>an int beyond 64 bits</td></tr>
 *   <tr><td>{@code {"$float": "nan"}}</td><td>nan, inf, -inf</td></tr>
 *   <tr><td>{@code {"$complex": [real, imag]}}</td><td>complex</td></tr>
 *   <tr><td>{@code {"$global": "module.name"}}</td><td>a global reference</td></tr>
 *   <tr><td>{@code {"$object": {"kind", "callable", "args", "kwargs", "state", "listitems", "dictitems",
 *       "setitems", "discarded"}}}</td><td>an inert object; absent parts are left out; {@code discarded} lists the
 *       calls the stream ran right after it and discarded ({@link PyObject#discarded()})</td></tr>
 *   <tr><td>{@code {"$discarding": {"discarded", "value"}}}</td><td>a result the stream preceded with calls it
 *       discarded ({@link PyDiscarding})</td></tr>
 *   <tr><td>{@code {"$persistent": id}}</td><td>a persistent reference</td></tr>
 *   <tr><td>{@code {"$buffer": "base64"}}</td><td>an out-of-band buffer given as a {@code ByteBuffer}</td></tr>
 *   <tr><td>{@code {"$ndarray": {"dtype", "shape", "order", "values"}}}</td><td>a numpy array, its values summarized
 *       past {@link #DEFAULT_MAX_ITEMS} items as numpy prints them</td></tr>
 *   <tr><td>{@code {"$tensor": {"dtype", "shape", "stride", "storage_offset", "requires_grad", "values"}}}</td>
 *       <td>a torch tensor, summarized the same way</td></tr>
 *   <tr><td>{@code {"$masked": {"dtype", "shape", "data", "mask", "fill_value"}}}</td><td>a numpy masked array</td></tr>
 *   <tr><td>{@code {"$scalar": {"dtype", "value"}}}, {@code {"$dtype": "<f8"}}</td><td>a numpy scalar, a dtype (a
 *       structured one as {@code {"itemsize", "fields"}})</td></tr>
 *   <tr><td>{@code {"$dataframe": {"shape", "index", "columns"}}}, {@code {"$series": {"name", "dtype", "index",
 *       "values"}}}</td><td>a pandas DataFrame or Series, read with {@link dev.brine.pandas.PandasFrame}</td></tr>
 *   <tr><td>{@code {"$sparse": {"format", "class", "shape", "dtype", "nnz", ...arrays}}}</td><td>a scipy sparse
 *       matrix or array (csr, csc, coo, bsr, dia)</td></tr>
 *   <tr><td>{@code {"$date": "2024-02-29"}}, {@code {"$time": ...}}, {@code {"$datetime": ...}}</td><td>dates and
 *       times as Python's {@code isoformat} writes them; a zone that is not a fixed offset follows in brackets</td></tr>
 *   <tr><td>{@code {"$timedelta": "PT26H"}}, {@code {"$timezone": "Europe/Berlin"}}</td><td>ISO 8601 duration,
 *       zone</td></tr>
 *   <tr><td>{@code $decimal}, {@code $fraction}, {@code $uuid}, {@code $path}</td><td>as Python's {@code str}
 *       writes them ({@code "-1/3"} for a fraction)</td></tr>
 *   <tr><td>{@code {"$range": [start, stop, step]}}, {@code {"$slice": [...]}}</td><td>range, slice</td></tr>
 *   <tr><td>{@code {"$deque": {"items", "maxlen"}}}, {@code {"$array": {"typecode", "values"}}}</td><td>deque,
 *       array.array</td></tr>
 *   <tr><td>{@code {"$exception": {"type", "args", "state"}}}, {@code {"$namedtuple": {"type", "values"}}}</td>
 *       <td>an exception, a named tuple</td></tr>
 * </table>
 *
 * <p>datetime64 items of an array show as numpy prints them ({@code "2024-03-01T12:34"} in minutes, {@code "NaT"}),
 * and object arrays show their items. Any other value Brine maps to a Java type is shown as the inert object of
 * the call that makes it in Python, as the {@link dev.brine.Pickler} would write it. docs/JSON.md describes the
 * format in full.
 *
 * <p>A container reached more than once (a shared reference, or a cycle) is written in full the first time with
 * an {@code "$id"} member, and as {@code {"$ref": id}} after that. Rendering is iterative, so deeply nested values
 * do not overflow the Java stack.
 *
 * <pre>{@code
 * String json = JsonView.toJson(Pickle.loads(bytes), 2);
 * }</pre>
 */
public final class JsonView {
    private JsonView() {
    }

    /** The value as compact JSON. */
    public static String toJson(Object value) {
        return toJson(value, 0);
    }

    /** The value as JSON, indented by {@code indent} blanks per level (0 for one line). */
    public static String toJson(Object value, int indent) {
        StringBuilder sb = new StringBuilder();
        try {
            write(value, sb, indent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /** Appends the value as JSON to {@code out}, indented by {@code indent} blanks per level (0 for one line). */
    public static void write(Object value, Appendable out, int indent) throws IOException {
        write(value, out, indent, DEFAULT_MAX_ITEMS);
    }

    /** numpy's print {@code threshold}: arrays with more items than this are summarized. */
    public static final int DEFAULT_MAX_ITEMS = 1000;

    /**
     * As {@link #write(Object, Appendable, int)}, summarizing numpy arrays and torch tensors of more than
     * {@code maxItems} items as numpy prints them: the first and last three entries of each long dimension around a
     * {@code "..."}. Arrays show as {@code {"$ndarray": {"dtype", "shape", "order", "values"}}} and tensors as
     * {@code {"$tensor": {"dtype", "shape", "stride", "storage_offset", "requires_grad", "values"}}}.
     */
    public static void write(Object value, Appendable out, int indent, int maxItems) throws IOException {
        if (indent < 0) {
            throw new IllegalArgumentException("indent must be >= 0, got " + indent);
        }
        if (maxItems < 0) {
            throw new IllegalArgumentException("maxItems must be >= 0, got " + maxItems);
        }
        new Renderer(findShared(value), out, indent, maxItems).render(value);
    }

    /** Whether a value is a container whose identity a pickle can share (a memo entry referenced twice). */
    private static boolean hasIdentity(Object v) {
        if (v instanceof PyTuple t) {
            return !t.isEmpty();
        }
        if (v instanceof PyFrozenSet s) {
            return !s.isEmpty();
        }
        return v instanceof List || v instanceof Map || v instanceof Set || v instanceof PyObject
                || v instanceof byte[] || v instanceof PyByteArray;
    }

    /** The containers reached more than once, found without recursion. */
    private static IdentityHashMap<Object, Integer> findShared(Object root) {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        IdentityHashMap<Object, Integer> shared = new IdentityHashMap<>();
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(new Object[] {root});
        while (!todo.isEmpty()) {
            Object v = todo.pop();
            if (v instanceof Object[] holder) {
                v = holder[0];
            }
            if (!hasIdentity(v)) {
                if (v instanceof PersistentRef r) {
                    todo.push(new Object[] {r.id()});
                }
                if (v instanceof PyDiscarding pd) {
                    for (PyObject.Discarded d : pd.discarded()) {
                        todo.push(new Object[] {d.value()});
                    }
                    todo.push(new Object[] {pd.value()});
                    for (PyDiscarding.Anchored a : pd.anchored()) {
                        todo.push(new Object[] {a.below()});
                        todo.push(new Object[] {a.discarded().value()});
                    }
                    for (PyObject.Discarded d : pd.unplaced()) {
                        todo.push(new Object[] {d.value()});
                    }
                }
                for (Object child : Legible.children(v)) {
                    todo.push(new Object[] {child});
                }
                continue;
            }
            if (seen.put(v, Boolean.TRUE) != null) {
                shared.put(v, 0);
                continue;
            }
            for (Object child : children(v)) {
                // Boxed so that a null child survives ArrayDeque, which refuses nulls.
                todo.push(new Object[] {child});
            }
        }
        return shared;
    }

    private static List<Object> children(Object v) {
        List<Object> out = new ArrayList<>();
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.add(e.getKey());
                out.add(e.getValue());
            }
        } else if (v instanceof Collection<?> c) {
            out.addAll(c);
        } else if (v instanceof PyObject o) {
            out.add(o.callable());
            out.add(o.args());
            if (o.kwargs() != null) {
                out.add(o.kwargs());
            }
            out.addAll(o.states());
            if (!o.listItems().isEmpty()) {
                out.addAll(o.listItems());
            }
            if (!o.dictItems().isEmpty()) {
                out.add(o.dictItems());
            }
            if (!o.setItems().isEmpty()) {
                out.addAll(o.setItems());
            }
            for (PyObject.Discarded d : o.discarded()) {
                out.add(d.value());
            }
        }
        return out;
    }

    /** Writes tokens from an explicit work stack: either text to emit or a value to expand. */
    private static final class Renderer {
        private final IdentityHashMap<Object, Integer> shared;
        private final Appendable out;
        private final int indent;
        private final Deque<Object> work = new ArrayDeque<>();
        private int nextId = 1;

        private final int maxItems;

        Renderer(IdentityHashMap<Object, Integer> shared, Appendable out, int indent, int maxItems) {
            this.shared = shared;
            this.out = out;
            this.indent = indent;
            this.maxItems = maxItems;
        }

        /** A value still to write, at a nesting depth (for indentation). */
        private record Pending(Object value, int depth) {
        }

        void render(Object root) throws IOException {
            work.push(new Pending(root, 0));
            while (!work.isEmpty()) {
                Object item = work.pop();
                if (item instanceof String text) {
                    out.append(text);
                } else {
                    Pending p = (Pending) item;
                    expand(p.value, p.depth);
                }
            }
        }

        private void expand(Object v, int depth) throws IOException {
            if (v == null) {
                out.append("null");
            } else if (v instanceof Boolean b) {
                out.append(b ? "true" : "false");
            } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                out.append(v.toString());
            } else if (v instanceof BigInteger big) {
                if (big.bitLength() < 64) {
                    out.append(big.toString());
                } else {
                    tagged("$int", null, quote(big.toString()), depth);
                }
            } else if (v instanceof Double || v instanceof Float) {
                out.append(floatJson(((Number) v).doubleValue()));
            } else if (v instanceof String s) {
                out.append(quote(s));
            } else if (v instanceof PyBytes b) {
                tagged("$bytes", null, quote(Base64.getEncoder().encodeToString(b.toByteArray())), depth);
            } else if (v instanceof GlobalRef g) {
                tagged("$global", null, quote(g.module() + "." + g.name()), depth);
            } else if (v instanceof PyComplex c) {
                tagged("$complex", null, "[" + floatJson(c.real()) + (indent > 0 ? ", " : ",")
                        + floatJson(c.imag()) + "]", depth);
            } else if (v instanceof PyDiscarding pd) {
                // Calls the stream ran and discarded before its result, then the result.
                openTagged("$discarding", null, depth);
                work.push(close('}', depth));
                List<Object> discarded = new ArrayList<>();
                for (PyObject.Discarded d : pd.discarded()) {
                    discarded.add(d.value());
                }
                List<Object> members = new ArrayList<>(List.of("discarded", discarded, "value", pd.value()));
                if (!pd.anchored().isEmpty()) {
                    // Each as {"after": the value it followed, "occurrence": which write of it, "discarded": call}.
                    List<Object> anchored = new ArrayList<>();
                    for (PyDiscarding.Anchored a : pd.anchored()) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("after", a.below());
                        entry.put("occurrence", (long) a.discarded().occurrence());
                        entry.put("discarded", a.discarded().value());
                        anchored.add(entry);
                    }
                    members.add("anchored");
                    members.add(anchored);
                }
                if (!pd.unplaced().isEmpty()) {
                    List<Object> unplaced = new ArrayList<>();
                    for (PyObject.Discarded d : pd.unplaced()) {
                        unplaced.add(d.value());
                    }
                    members.add("unplaced");
                    members.add(unplaced);
                }
                members(members, depth + 1);
            } else if (v instanceof PersistentRef r) {
                openTagged("$persistent", null, depth);
                work.push(close('}', depth));
                work.push(new Pending(r.id(), depth + 1));
            } else if (v instanceof ByteBuffer buf) {
                ByteBuffer copy = buf.duplicate();
                byte[] bytes = new byte[copy.remaining()];
                copy.get(bytes);
                tagged("$buffer", null, quote(Base64.getEncoder().encodeToString(bytes)), depth);
            } else if ((v instanceof PyTuple || v instanceof PyFrozenSet) && !hasIdentity(v)) {
                container(v, null, depth); // the empty tuple and frozenset are singletons, not shared values
            } else if (hasIdentity(v)) {
                Integer id = shared.get(v);
                if (id != null && id > 0) {
                    out.append("{\"$ref\"").append(colon()).append(id.toString()).append('}');
                    return;
                }
                if (id != null) {
                    id = nextId++;
                    shared.put(v, id);
                }
                container(v, id, depth);
            } else if (v instanceof NDArray a) {
                arraySummary("$ndarray", a.dtype().str(), a.shape(), null, a.order().name(), Legible.items(a), depth);
            } else if (v instanceof Tensor t) {
                arraySummary("$tensor", t.dtype(), t.shape(), t, null, t::get, depth);
            } else if (legibly(Legible.of(v, maxItems), null, depth)) {
                return;
            } else {
                Object form = PickleWriter.pythonForm(v);
                if (form != null && form != v) {
                    // A value Brine maps to a Java type is shown as the call that makes it in Python.
                    work.push(new Pending(form, depth));
                } else {
                    // Not a type the readers produce: say what it is rather than guess.
                    tagged("$java", null, quote(v.getClass().getName()), depth);
                }
            }
        }

        /**
         * An array as its dtype, shape and a numpy-style preview of its items; for a tensor also its stride,
         * offset and whether it needs a gradient.
         */
        private void arraySummary(String tag, String dtype, long[] shape, Tensor tensor, String order,
                                  java.util.function.LongFunction<Object> item, int depth) throws IOException {
            openTagged(tag, null, depth);
            work.push(close('}', depth));
            Map<String, Object> members = new java.util.LinkedHashMap<>();
            members.put("dtype", dtype);
            members.put("shape", Legible.boxed(shape));
            if (tensor != null) {
                members.put("stride", Legible.boxed(tensor.stride()));
                members.put("storage_offset", tensor.storageOffset());
                members.put("requires_grad", tensor.requiresGrad());
                if (tensor.isParameter()) {
                    members.put("parameter", true);
                }
            } else {
                members.put("order", order);
            }
            members.put("values", ArrayPreview.of(shape, item, maxItems));
            object(members, depth + 1);
        }

        private void container(Object v, Integer id, int depth) throws IOException {
            if (v instanceof byte[] b) {
                tagged("$bytearray", id, quote(Base64.getEncoder().encodeToString(b)), depth);
            } else if (v instanceof PyByteArray b) {
                tagged("$bytearray", id, quote(Base64.getEncoder().encodeToString(b.array())), depth);
            } else if (v instanceof PyTuple t) {
                openTagged("$tuple", id, depth);
                work.push(close('}', depth));
                array(t, depth + 1);
            } else if (v instanceof PyFrozenSet s) {
                openTagged("$frozenset", id, depth);
                work.push(close('}', depth));
                array(s, depth + 1);
            } else if (v instanceof Set<?> s) {
                openTagged("$set", id, depth);
                work.push(close('}', depth));
                array(s, depth + 1);
            } else if (v instanceof PyDeque d) {
                openTagged("$deque", id, depth);
                work.push(close('}', depth));
                Map<String, Object> members = new java.util.LinkedHashMap<>();
                members.put("items", new ArrayList<>(d));
                members.put("maxlen", d.maxlen());
                work.push(new Pending(members, depth + 1));
            } else if (v instanceof List<?> l) {
                if (id == null) {
                    array(l, depth);
                } else {
                    openTagged("$list", id, depth);
                    work.push(close('}', depth));
                    array(l, depth + 1);
                }
            } else if (v instanceof Map<?, ?> m) {
                boolean plainKeys = m.keySet().stream().allMatch(k -> k instanceof String s && !s.startsWith("$"));
                boolean stringKeys = m.keySet().stream().allMatch(k -> k instanceof String);
                if (plainKeys && id == null) {
                    object(m, depth);
                } else {
                    openTagged("$dict", id, depth);
                    work.push(close('}', depth));
                    if (stringKeys) {
                        object(m, depth + 1);
                    } else {
                        pairs(m, depth + 1);
                    }
                }
            } else if (v instanceof PyObject o && o.discarded().isEmpty()
                    && legibly(Legible.ofNode(o, maxItems), id, depth)) {
                // A node with discarded calls shows as $object, so the calls show too.
                return;
            } else if (v instanceof PyObject o) {
                openTagged("$object", id, depth);
                work.push(close('}', depth));
                List<Object> members = new ArrayList<>();
                members.add("kind");
                members.add(o.kind().name());
                members.add("callable");
                members.add(o.callable());
                members.add("args");
                members.add(o.args());
                if (o.kwargs() != null) {
                    members.add("kwargs");
                    members.add(o.kwargs());
                }
                if (o.states().size() == 1) {
                    members.add("state");
                    members.add(o.states().get(0));
                } else if (o.states().size() > 1) {
                    // Several BUILDs: each state in order.
                    members.add("states");
                    members.add(new ArrayList<>(o.states()));
                }
                if (!o.listItems().isEmpty()) {
                    members.add("listitems");
                    members.add(o.listItems());
                }
                if (!o.dictItems().isEmpty()) {
                    members.add("dictitems");
                    members.add(o.dictItems());
                }
                if (!o.setItems().isEmpty()) {
                    members.add("setitems");
                    members.add(o.setItems());
                }
                if (!o.discarded().isEmpty()) {
                    // Calls the stream ran right after this node and then discarded (POP), in order.
                    List<Object> discarded = new ArrayList<>();
                    for (PyObject.Discarded d : o.discarded()) {
                        discarded.add(d.value());
                    }
                    members.add("discarded");
                    members.add(discarded);
                }
                members(members, depth + 1);
            }
        }

        /** Writes {@code form} as {@code {"tag": content}} if it is not null, and says whether it did. */
        private boolean legibly(Legible.Form form, Integer id, int depth) throws IOException {
            if (form == null) {
                return false;
            }
            openTagged(form.tag(), id, depth);
            work.push(close('}', depth));
            work.push(new Pending(form.content(), depth + 1));
            return true;
        }

        private String colon() {
            return indent > 0 ? ": " : ":";
        }

        private String newline(int depth) {
            return indent > 0 ? "\n" + " ".repeat(indent * depth) : "";
        }

        private String close(char bracket, int depth) {
            return newline(depth) + bracket;
        }

        /** Writes {@code {"$id": n, "tag": } and leaves the tag's value and the closing brace to the caller. */
        private void openTagged(String tag, Integer id, int depth) throws IOException {
            out.append('{');
            if (id != null) {
                out.append(newline(depth + 1)).append("\"$id\"").append(colon()).append(id.toString()).append(',');
            }
            out.append(newline(depth + 1)).append(quote(tag)).append(colon());
        }

        private void tagged(String tag, Integer id, String json, int depth) throws IOException {
            openTagged(tag, id, depth);
            out.append(json).append(close('}', depth));
        }

        /** Schedules {@code [a, b, ...]} at {@code depth}. */
        private void array(Collection<?> items, int depth) {
            if (items.isEmpty()) {
                work.push("[]");
                return;
            }
            List<Object> tokens = new ArrayList<>(items.size() * 2 + 2);
            tokens.add("[");
            String sep = "," + newline(depth + 1);
            boolean first = true;
            for (Object item : items) {
                tokens.add(first ? newline(depth + 1) : sep);
                tokens.add(new Pending(item, depth + 1));
                first = false;
            }
            tokens.add(close(']', depth));
            pushAll(tokens);
        }

        /** Schedules {@code {"k": v, ...}} for a string-keyed map. */
        private void object(Map<?, ?> m, int depth) {
            List<Object> members = new ArrayList<>(m.size() * 2);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                members.add(e.getKey());
                members.add(e.getValue());
            }
            members(members, depth);
        }

        /** Schedules an object from alternating string keys and values. */
        private void members(List<Object> keysAndValues, int depth) {
            if (keysAndValues.isEmpty()) {
                work.push("{}");
                return;
            }
            List<Object> tokens = new ArrayList<>(keysAndValues.size() + 2);
            tokens.add("{");
            for (int i = 0; i < keysAndValues.size(); i += 2) {
                tokens.add((i == 0 ? "" : ",") + newline(depth + 1) + quote((String) keysAndValues.get(i)) + colon());
                tokens.add(new Pending(keysAndValues.get(i + 1), depth + 1));
            }
            tokens.add(close('}', depth));
            pushAll(tokens);
        }

        /** Schedules {@code [[k, v], ...]}. */
        private void pairs(Map<?, ?> m, int depth) {
            List<Object> pairs = new ArrayList<>(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                pairs.add(new Pair(e.getKey(), e.getValue()));
            }
            if (pairs.isEmpty()) {
                work.push("[]");
                return;
            }
            List<Object> tokens = new ArrayList<>();
            tokens.add("[");
            for (int i = 0; i < pairs.size(); i++) {
                Pair p = (Pair) pairs.get(i);
                tokens.add((i == 0 ? "" : ",") + newline(depth + 1) + "[");
                tokens.add(new Pending(p.key, depth + 2));
                tokens.add(indent > 0 ? ", " : ",");
                tokens.add(new Pending(p.value, depth + 2));
                tokens.add("]");
            }
            tokens.add(close(']', depth));
            pushAll(tokens);
        }

        private record Pair(Object key, Object value) {
        }

        private void pushAll(List<Object> tokens) {
            for (int i = tokens.size() - 1; i >= 0; i--) {
                work.push(tokens.get(i));
            }
        }
    }

    /** A finite float as a JSON number in Python's repr (valid JSON: {@code 1e+16}, {@code -0.0}); else tagged. */
    private static String floatJson(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "{\"$float\":\"" + PyRepr.floatRepr(d) + "\"}";
        }
        return PyRepr.floatRepr(d);
    }

    /**
     * A JSON string escaped as Python's {@code json.dumps(..., ensure_ascii=False)} escapes it, except that a lone
     * surrogate, which UTF-8 cannot carry, is written as a {@code \\u} escape.
     */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1));
                    if (paired) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || Character.isSurrogate(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
