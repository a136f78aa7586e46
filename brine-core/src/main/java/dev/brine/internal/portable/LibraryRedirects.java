package dev.brine.internal.portable;

import dev.brine.PickleException;
import dev.brine.internal.portable.PortableRuntime.Section;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyDiscarding;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The portable rewrite of dill and cloudpickle streams (issue #20): which of the libraries' globals a loaded graph
 * uses, what each becomes in Brine's Python runtime, and the bytecode version lock.
 *
 * <p>{@link #plan} walks the graph once, before the writer runs. Every constructor these libraries' streams call
 * is redirected to a function of the runtime's {@code dill}, {@code cloudpickle} or {@code code} section; dill's
 * {@code __builtin__.__main__} becomes {@code __main__.__dict__} (the loading interpreter's, as dill's own
 * unpickler gives); any other name of these libraries, a {@code __main__.X} by name and dill's {@code _eval_repr}
 * of anything but {@code NotImplemented}, {@code Ellipsis} or a range (which the runtime parses, never evaluates)
 * are refused, naming them. Code objects (dill's {@code _create_code(...)}, cloudpickle's
 * {@code _builtin_type('CodeType')(...)}) are found in the graph, memo-shared ones included, and need the writer's
 * CPython version, which must agree with their field count; their constructors then check the loading
 * interpreter's version at every call, and the header checks it once before the body.
 */
public final class LibraryRedirects {
    private static final String RT = PortableRuntime.MODULE;

    /** dill's module-level constructors (dill._dill, and the dill.dill alias) and what each becomes. */
    private static final Map<String, String> DILL = Map.of(
            "_create_function", "d_function", "_create_type", "d_type", "_create_cell", "d_cell",
            "_import_module", "d_import", "_create_namedtuple", "d_namedtuple", "_getattr", "d_getattr",
            "_setattr", "", "_create_code", "", "_load_type", "", "_eval_repr", "d_singleton");
    /** The reprs dill writes with {@code _eval_repr} that the runtime reads without eval (d_singleton). */
    private static final java.util.regex.Pattern SINGLETON = java.util.regex.Pattern.compile(
            "NotImplemented|Ellipsis|range\\(-?[0-9]{1,19}, -?[0-9]{1,19}(, -?[0-9]{1,19})?\\)");
    /** Names a stream may fetch from the module dill._dill itself with getattr (see dill.py's _DillModule). */
    private static final Set<String> DILL_MODULE_NAMES = Set.of("_create_function", "_create_type", "_create_cell",
            "_import_module", "_create_namedtuple", "_getattr", "_setattr", "_delattr", "_CELL_EMPTY");
    /** cloudpickle 2.x's and 3.x's constructors and what each becomes. */
    private static final Map<String, String> CLOUDPICKLE = Map.ofEntries(
            Map.entry("_make_function", "cp_function"), Map.entry("_make_empty_cell", "cp_empty_cell"),
            Map.entry("_make_cell", "cp_cell"), Map.entry("_function_setstate", "cp_function_setstate"),
            Map.entry("_class_setstate", "cp_class_setstate"), Map.entry("_make_skeleton_class", "cp_class"),
            Map.entry("_make_skeleton_enum", "cp_enum"), Map.entry("subimport", "cp_subimport"),
            Map.entry("dynamic_subimport", "cp_module"),
            Map.entry("_get_dataclass_field_type_sentinel", "cp_field_sentinel"), Map.entry("_builtin_type", ""));

    private final Map<GlobalRef, Object> redirects = new HashMap<>();
    private final EnumSet<Section> sections = EnumSet.noneOf(Section.class);
    private final Map<String, String> report = new LinkedHashMap<>();
    private int[] bytecode;
    private int codeObjects;
    private int codeFields;
    /** The version a stream Brine already rewrote names in its code constructors, {@code _brine1.code_for(3, 11)}. */
    private int[] rewrittenFor;

    private LibraryRedirects(int[] bytecode) {
        this.bytecode = bytecode == null ? null : bytecode.clone();
    }

    /**
     * The redirects for {@code graph}, a value {@link dev.brine.Pickle#loads} returned (or any value Brine writes).
     *
     * @param bytecode the CPython version {@code {major, minor}} that wrote the stream, or null when not given
     * @throws PickleException naming the global, or the version problem, when the graph cannot be rewritten
     */
    public static LibraryRedirects plan(Object graph, int[] bytecode) {
        LibraryRedirects r = new LibraryRedirects(bytecode);
        r.walk(graph);
        r.lock();
        return r;
    }

    /** What the writer writes for {@code ref}: a runtime global, a runtime call, or {@code ref} itself. */
    public Object redirect(GlobalRef ref) {
        Object to = redirects.get(ref);
        return to == null ? ref : to;
    }

    /** The runtime sections the redirected body uses; empty when the graph holds nothing of these libraries. */
    public Set<Section> sections() {
        return Collections.unmodifiableSet(sections);
    }

    /** The version the stream's code objects need, {@code {major, minor}}, or null when it holds none. */
    public int[] versionLock() {
        return codeObjects == 0 ? null : bytecode.clone();
    }

    /** How many code objects the graph holds. */
    public int codeObjects() {
        return codeObjects;
    }

    /** Each global redirected, as {@code module.name -> replacement}, in the order met. */
    public Map<String, String> redirected() {
        return Collections.unmodifiableMap(report);
    }

    // ------------------------------------------------------------------------------------------------ walk

    /**
     * One value to visit, with how it was reached: the path (as the writer names paths, {@code $.args[2]}) is built
     * only for an error message.
     */
    private record Step(Object value, Step parent, String label, int index) {
        String path() {
            StringBuilder sb = new StringBuilder();
            for (Step s = this; s.parent != null; s = s.parent) {
                sb.insert(0, s.index >= 0 ? s.label + "[" + s.index + "]" : s.label);
            }
            return sb.insert(0, '$').toString();
        }
    }

    /** Where the value being visited was reached, for {@link #refuse}. */
    private Step at;

    private void walk(Object root) {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Step> todo = new ArrayDeque<>();
        todo.push(new Step(root, null, "", -1));
        while (!todo.isEmpty()) {
            Step step = todo.pop();
            Object v = step.value();
            if (v instanceof String || v instanceof Number || v instanceof Boolean
                    || seen.put(v, Boolean.TRUE) != null) {
                continue;
            }
            at = step;
            if (v instanceof GlobalRef g) {
                global(g);
                continue;
            }
            if (v instanceof PyObject n) {
                node(n);
                push(todo, step, n.callable(), ".callable", -1);
                int i = 0;
                for (Object a : n.args()) {
                    push(todo, step, a, ".args", i++);
                }
                push(todo, step, n.kwargs(), ".kwargs", -1);
                i = 0;
                for (Object s : n.states()) {
                    push(todo, step, s, ".state", i++);
                }
                push(todo, step, n.stateSetter(), ".stateSetter", -1);
                i = 0;
                for (Object x : n.listItems()) {
                    push(todo, step, x, "", i++);
                }
                if (!n.dictItems().isEmpty()) {
                    push(todo, step, n.dictItems(), ".items", -1);
                }
                i = 0;
                for (Object x : n.setItems()) {
                    push(todo, step, x, ".setItems", i++);
                }
                i = 0;
                for (PyObject.Discarded d : n.discarded()) {
                    push(todo, step, d.value(), ".discarded", i++);
                }
            } else if (v instanceof PyDiscarding d) {
                int i = 0;
                for (PyObject.Discarded x : d.discarded()) {
                    push(todo, step, x.value(), ".discarded", i++);
                }
                push(todo, step, d.value(), ".value", -1);
                i = 0;
                for (PyDiscarding.Anchored a : d.anchored()) {
                    push(todo, step, a.below(), ".anchored.after", i);
                    push(todo, step, a.discarded().value(), ".anchored", i++);
                }
                i = 0;
                for (PyObject.Discarded x : d.unplaced()) {
                    push(todo, step, x.value(), ".unplaced", i++);
                }
            } else if (v instanceof Map<?, ?> m) {
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    push(todo, step, e.getKey(), ".keys", i);
                    push(todo, step, e.getValue(), e.getKey() instanceof String k ? "['" + k + "']" : ".values",
                            e.getKey() instanceof String ? -1 : i);
                    i++;
                }
            } else if (v instanceof Iterable<?> c) {
                int i = 0;
                for (Object x : c) {
                    push(todo, step, x, "", i++);
                }
            }
        }
        at = null;
    }

    private static void push(ArrayDeque<Step> todo, Step parent, Object v, String label, int index) {
        // Atoms hold nothing to redirect: not queued, so a list of a million numbers costs no allocation each.
        if (v != null && !(v instanceof String) && !(v instanceof Number) && !(v instanceof Boolean)) {
            todo.push(new Step(v, parent, label, index));
        }
    }

    private static boolean isDill(String module) {
        return module.equals("dill") || module.startsWith("dill.");
    }

    private static boolean isCloudpickle(String module) {
        return module.equals("cloudpickle") || module.startsWith("cloudpickle.");
    }

    private static boolean isDillModule(GlobalRef g) {
        return g.module().equals("dill") && (g.name().equals("_dill") || g.name().equals("dill"));
    }

    private static boolean isDillConstructorModule(String module) {
        return module.equals("dill._dill") || module.equals("dill.dill");
    }

    private static boolean isCloudpickleConstructorModule(String module) {
        return module.equals("cloudpickle.cloudpickle") || module.equals("cloudpickle.cloudpickle_fast")
                || module.equals("cloudpickle");
    }

    private PickleException refuse(String what) {
        return new PickleException(what, at == null ? "$" : at.path());
    }

    private void global(GlobalRef g) {
        String module = g.module();
        String name = g.name();
        if (module.equals(RT)) {
            // A stream Brine rewrote before, read again: its runtime names stay, and need their sections again.
            if (name.equals("code_for") || name.equals("types_for")) {
                sections.add(Section.CODE);
            } else if (name.startsWith("d_")) {
                sections.add(Section.DILL);
            } else if (name.startsWith("cp_")) {
                sections.add(Section.CLOUDPICKLE);
            }
            return;
        }
        if (name.equals("__main__") && (module.equals("__builtin__") || module.equals("builtins"))) {
            put(g, GlobalRef.of("__main__", "__dict__"), "__main__.__dict__");
            return;
        }
        if (module.equals("__main__") && !name.equals("__dict__")) {
            throw refuse("refused: the stream names __main__." + name + ", which only the writing process had; "
                    + "a fresh interpreter has no such name");
        }
        if (isDillModule(g)) {
            sections.add(Section.DILL);
            put(g, GlobalRef.of(RT, "d_module"), RT + ".d_module");
            return;
        }
        if (isDill(module)) {
            String to = isDillConstructorModule(module) ? DILL.get(name) : null;
            if (to == null) {
                throw refuse("refused: " + module + "." + name + " is not a dill constructor Brine's portable "
                        + "runtime provides");
            }
            sections.add(Section.DILL);
            if (name.equals("_setattr")) {
                put(g, GlobalRef.of("builtins", "setattr"), "builtins.setattr");
            } else if (name.equals("_create_code")) {
                sections.add(Section.CODE);
                versioned(g, "code_for");
            } else if (name.equals("_load_type")) {
                sections.add(Section.CODE);
                versioned(g, "types_for");
            } else {
                put(g, GlobalRef.of(RT, to), RT + "." + to);
            }
            return;
        }
        if (isCloudpickle(module)) {
            String to = isCloudpickleConstructorModule(module) ? CLOUDPICKLE.get(name) : null;
            if (to == null) {
                throw refuse("refused: " + module + "." + name + " is not a cloudpickle constructor Brine's "
                        + "portable runtime provides");
            }
            sections.add(Section.CLOUDPICKLE);
            if (name.equals("_builtin_type")) {
                sections.add(Section.CODE);
                versioned(g, "types_for");
            } else {
                put(g, GlobalRef.of(RT, to), RT + "." + to);
            }
        }
    }

    /** Version-bound runtime calls; their arguments are filled in by {@link #lock}, once the version is known. */
    private final Map<GlobalRef, String> versioned = new LinkedHashMap<>();

    private void versioned(GlobalRef g, String function) {
        versioned.put(g, function);
    }

    private void put(GlobalRef from, Object to, String shown) {
        redirects.put(from, to);
        report.put(from.module() + "." + from.name(), shown);
    }

    /** Code objects, and getattr on dill's module, found by their shape in the graph. */
    private void node(PyObject n) {
        Object c = n.callable();
        if (n.kind() == PyObject.Kind.REDUCE && c instanceof GlobalRef g && g.name().equals("getattr")
                && (g.module().equals("builtins") || g.module().equals("__builtin__")) && n.args().size() >= 2
                && n.args().get(0) instanceof GlobalRef target && isDillModule(target)) {
            Object attr = n.args().get(1);
            if (!(attr instanceof String s) || !DILL_MODULE_NAMES.contains(s)) {
                throw refuse("refused: the stream takes dill._dill." + attr + " from dill's module, which Brine's "
                        + "portable runtime does not provide");
            }
        }
        if (c instanceof GlobalRef g && isDill(g.module()) && g.name().equals("_eval_repr")
                && !(n.args().size() == 1 && n.args().get(0) instanceof String text && SINGLETON.matcher(text).matches())) {
            throw refuse("refused: dill._dill._eval_repr" + n.args() + ": Brine reads only NotImplemented, Ellipsis "
                    + "and ranges without eval, and runs no eval");
        }
        boolean code = false;
        if (c instanceof GlobalRef g && isDill(g.module()) && g.name().equals("_create_code")) {
            code = true;
        } else if (c instanceof PyObject inner && runtimeCall(inner, "code_for")) {
            code = rewritten(inner);
        } else if (c instanceof PyObject inner && inner.kind() == PyObject.Kind.REDUCE
                && inner.callable() instanceof PyObject types && runtimeCall(types, "types_for")
                && inner.args().size() == 1 && "CodeType".equals(inner.args().get(0))) {
            code = rewritten(types);
        } else if (c instanceof PyObject inner && inner.kind() == PyObject.Kind.REDUCE
                && inner.callable() instanceof GlobalRef g
                && (isCloudpickle(g.module()) && g.name().equals("_builtin_type")
                || isDill(g.module()) && g.name().equals("_load_type"))
                && inner.args().size() == 1 && "CodeType".equals(inner.args().get(0))) {
            code = true;
        }
        if (!code) {
            return;
        }
        PyTuple args = n.args();
        int fields = args.size();
        if (fields > 0 && !isInt(args.get(0))) {
            fields--; // dill's co_lnotab first, on 3.10+
        }
        if (codeObjects > 0 && fields != codeFields) {
            throw refuse("refused: the stream's code objects have " + codeFields + " and " + fields
                    + " fields; one CPython version writes one layout");
        }
        codeFields = fields;
        codeObjects++;
    }

    /** {@code _brine1.name(major, minor)}. */
    private static boolean runtimeCall(PyObject n, String name) {
        return n.kind() == PyObject.Kind.REDUCE && n.callable() instanceof GlobalRef g && g.module().equals(RT)
                && g.name().equals(name) && n.args().size() == 2 && n.args().get(0) instanceof Long
                && n.args().get(1) instanceof Long;
    }

    /** Notes the version a rewritten stream's code constructor names; true (it builds code objects). */
    private boolean rewritten(PyObject versioned) {
        int[] v = {((Long) versioned.args().get(0)).intValue(), ((Long) versioned.args().get(1)).intValue()};
        if (rewrittenFor != null && !java.util.Arrays.equals(rewrittenFor, v)) {
            throw refuse("refused: the stream's code constructors name CPython " + rewrittenFor[0] + "."
                    + rewrittenFor[1] + " and " + v[0] + "." + v[1]);
        }
        rewrittenFor = v;
        return true;
    }

    private static boolean isInt(Object o) {
        return o instanceof Long || o instanceof Integer || o instanceof BigInteger;
    }

    /** The CPython versions whose code objects have {@code fields} constructor fields. */
    static String layout(int fields) {
        return switch (fields) {
            case 15 -> "3.6-3.7";
            case 16 -> "3.8-3.10";
            case 18 -> "3.11+";
            default -> null;
        };
    }

    private static boolean fits(int fields, int major, int minor) {
        if (major != 3) {
            return false;
        }
        return switch (fields) {
            case 15 -> minor == 6 || minor == 7;
            case 16 -> minor >= 8 && minor <= 10;
            case 18 -> minor >= 11;
            default -> false;
        };
    }

    private void lock() {
        if (rewrittenFor != null) {
            if (bytecode != null && !java.util.Arrays.equals(bytecode, rewrittenFor)) {
                throw refuse("refused: the stream was rewritten for CPython " + rewrittenFor[0] + "."
                        + rewrittenFor[1] + " bytecode, not " + bytecode[0] + "." + bytecode[1]);
            }
            bytecode = rewrittenFor;
        }
        if (codeObjects > 0) {
            String layout = layout(codeFields);
            if (layout == null) {
                throw refuse("refused: the stream's code objects have " + codeFields + " fields, a layout of no "
                        + "CPython 3.6-3.13");
            }
            if (bytecode == null) {
                throw refuse("refused: the stream holds " + codeObjects + " code object(s) (CPython " + layout
                        + " layout), which run only on the CPython version that wrote them; give that version "
                        + "(--python X.Y, Pickler.Builder.bytecode(X, Y))");
            }
            if (!fits(codeFields, bytecode[0], bytecode[1])) {
                throw refuse("refused: the stream's code objects have the CPython " + layout + " layout ("
                        + codeFields + " fields), not that of CPython " + bytecode[0] + "." + bytecode[1]);
            }
            sections.add(Section.CODE);
        }
        int major = codeObjects > 0 ? bytecode[0] : 0;
        int minor = codeObjects > 0 ? bytecode[1] : 0;
        for (Map.Entry<GlobalRef, String> e : versioned.entrySet()) {
            GlobalRef g = e.getKey();
            PyObject call = PyObject.reduce(GlobalRef.of(RT, e.getValue()), (long) major, (long) minor);
            put(g, call, RT + "." + e.getValue() + "(" + major + ", " + minor + ")");
        }
    }
}
