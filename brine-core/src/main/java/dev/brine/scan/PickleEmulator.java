package dev.brine.scan;

import dev.brine.internal.format.ArgKind;
import dev.brine.internal.format.CompatNames;
import dev.brine.internal.format.Opcode;
import dev.brine.internal.format.PyText;
import dev.brine.internal.format.Wire;
import dev.brine.internal.portable.PortableRuntime;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one pickle on a stack machine of symbolic values ({@link Sym}), as CPython's {@code _pickle.c} load loop
 * would, without importing or calling anything: every global is named as {@code find_class} would import it,
 * every call is recorded with its arguments, and bytes that hold a pickle are emulated in turn.
 *
 * <p>It reads arguments by the layouts of Brine's one opcode table ({@link Opcode#arg()}) and decodes text with
 * {@link PyText}, the unpickler's own decoders. It is more lenient than CPython on purpose: where CPython would stop
 * on a misused stack (a missing mark, an empty stack, a memo miss, an opcode straddling a frame) it records the
 * error once and goes on with placeholder values, so that nothing placed after such a point can hide a payload from
 * it. It stops only where it cannot go on: a truncated argument, an invalid opcode byte, or STOP.
 */
final class PickleEmulator {
    /** Stops the emulation: the stream cannot be read past here. */
    static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long offset;

        Stop(String message, long offset) {
            super(message, null, false, false);
            this.offset = offset;
        }
    }

    /** How a pickle ended: where its STOP was (exclusive end), its value, or the error that stopped it. */
    record Result(int end, Object value, Stop error) {
    }


    private static final String BUDGET_EXHAUSTED = "scan budget exhausted";

    private static final Policy.Rule PORTABLE_RUNTIME = new Policy.Rule(Policy.Kind.BUILT_IN, "portable-runtime",
            "Brine's own runtime after its verified portable header: class registry and rebuilders");
    private static final Policy.Rule PORTABLE_UNKNOWN = new Policy.Rule(Policy.Kind.BUILT_IN, "portable-runtime",
            "a name Brine's runtime does not define for data");

    private final ScanSession session;
    private final byte[] data;
    private final int limit;
    private final String location;
    private final int depth;
    private final boolean joblib;

    private int pos;
    private int opStart;
    private Opcode op;
    private int proto;
    private boolean portable;
    private final List<Object> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();
    private final Set<Object> called = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<Sym.Global> globals = new ArrayList<>();
    private final List<Finding> findings = new ArrayList<>();
    private boolean lenientErrorReported;

    /**
     * @param depth  how deeply this pickle is nested in bytes of another (0 for a top-level one)
     * @param joblib whether joblib's array wrappers are followed by their data in the stream
     */
    PickleEmulator(ScanSession session, byte[] data, int start, int limit, String location, int depth, boolean joblib) {
        this.session = session;
        this.data = data;
        this.pos = start;
        this.limit = limit;
        this.location = location;
        this.depth = depth;
        this.joblib = joblib;
    }

    /** Runs to STOP or to the first error it cannot go past; findings go to the session either way. */
    Result run() {
        try {
            PortableRuntime.Header header = PortableRuntime.recognize(data, pos, limit).orElse(null);
            if (header != null) {
                StringBuilder sections = new StringBuilder();
                header.sections().forEach(s -> sections.append(' ').append(s.pythonName()));
                note(new Finding(Verdict.SAFE, "portable-header", location, pos,
                        "portable header, protocol " + header.protocol() + ", sections" + sections,
                        "Brine's portable-mode header, exactly as this Brine writes it for these sections: it "
                                + "installs Brine's Python runtime (module " + PortableRuntime.MODULE
                                + ") where missing"));
                pos += header.length();
                proto = header.protocol();
                portable = true;
            }
            Object value = loop();
            return new Result(pos, value, null);
        } catch (Stop e) {
            if (e.getMessage().equals(BUDGET_EXHAUSTED)) {
                // Fail closed: the rest of the file was never looked at, so nothing can be said of it.
                note(new Finding(Verdict.UNREADABLE, "unreadable", location, e.offset, "",
                        "the scan budget (Scanner.builder().maxSteps) ran out here; the rest was not scanned"));
                return new Result(pos, null, e);
            }
            note(new Finding(Verdict.SUSPICIOUS, "parse-error", location, e.offset, "",
                    "the stream cannot be read past here (" + e.getMessage() + "); CPython stops here too, "
                            + "after running everything before it"));
            return new Result(pos, null, e);
        } finally {
            flush();
        }
    }

    /** Reports every non-safe global that was imported but never called, then hands all findings on in order. */
    private void flush() {
        for (Sym.Global g : globals) {
            if (g.verdict() != Verdict.SAFE && !called.contains(g)) {
                note(new Finding(g.verdict(), "import", location, g.offset(), g.qualified(),
                        g.verdict() == Verdict.DANGEROUS
                                ? "imports a known code-running name; it is not called here, but any reference to it "
                                + "is a loaded weapon (it can be called later or through another object)"
                                : "imports a name outside the allow-list, which runs that module's import code",
                        g.rule().toString()));
            }
        }
        findings.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        session.add(findings);
    }

    private Object loop() {
        while (true) {
            if (session.exhausted()) {
                throw new Stop(BUDGET_EXHAUSTED, pos);
            }
            opStart = pos;
            if (pos >= limit) {
                op = null;
                throw new Stop("the data ends before a STOP opcode", pos);
            }
            int code = data[pos++] & 0xff;
            op = Opcode.of(code);
            if (op == null) {
                throw new Stop(String.format("invalid opcode byte 0x%02x", code), opStart);
            }
            Object arg = readArgument(op.arg());
            if (execute(arg)) {
                if (stack.size() <= markBase()) {
                    lenient("STOP with an empty stack");
                    return null;
                }
                return stack.remove(stack.size() - 1);
            }
        }
    }

    // ---- Arguments, by the opcode table's layouts ------------------------------------------------------------

    private Object readArgument(ArgKind kind) {
        switch (kind.layout()) {
            case FIXED:
                return fixed(kind);
            case LINE:
                return line(kind);
            case LINE_PAIR: {
                String module = utf8Line();
                String name = utf8Line();
                return new String[] {module, name};
            }
            default:
                return counted(kind);
        }
    }

    private void need(long n) {
        if (n > limit - pos) {
            throw new Stop(op.name() + " needs " + n + " bytes but " + (limit - pos) + " remain", opStart);
        }
    }

    private long littleEndian(int size) {
        need(size);
        long v = Wire.unsigned(data, pos, size);
        pos += size;
        return v;
    }

    private Object fixed(ArgKind kind) {
        switch (kind) {
            case NONE:
                return null;
            case INT4:
                return (long) (int) littleEndian(4);
            case UINT8: {
                long v = littleEndian(8);
                return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
            }
            case FLOAT8: {
                need(8);
                long bits = Wire.be64(data, pos);
                pos += 8;
                return Double.longBitsToDouble(bits);
            }
            default:
                return littleEndian(kind.size());
        }
    }

    private int lineEnd() {
        for (int i = pos; i < limit; i++) {
            if (data[i] == '\n') {
                return i;
            }
        }
        throw new Stop("no newline ends the " + op.name() + " argument", opStart);
    }

    private String utf8Line() {
        int nl = lineEnd();
        String s = PyText.decodeUtf8(data, pos, nl - pos);
        if (s == null) {
            // CPython 3 would fail to decode it; Python 2 reads the bytes as they are. Judge them as Python 2 would.
            s = new String(data, pos, nl - pos, StandardCharsets.ISO_8859_1);
        }
        pos = nl + 1;
        return s;
    }

    private Object line(ArgKind kind) {
        int nl = lineEnd();
        int from = pos;
        pos = nl + 1;
        String text = new String(data, from, nl - from, StandardCharsets.ISO_8859_1);
        switch (kind) {
            case DECIMALNL_SHORT: {
                if (text.equals("00") || text.equals("01")) {
                    return text.equals("01");
                }
                Number n = PyText.parseInt(text);
                return n != null ? n : bad("not an int: " + text);
            }
            case DECIMALNL_LONG: {
                Number n = PyText.parseInt(text.endsWith("L") ? text.substring(0, text.length() - 1) : text);
                return n != null ? n : bad("not an int: " + text);
            }
            case FLOATNL: {
                Double d = PyText.parseFloat(text);
                return d != null ? d : bad("not a float: " + text);
            }
            case STRINGNL: {
                int to = nl;
                if (to - from < 2 || (data[from] != '\'' && data[from] != '"') || data[to - 1] != data[from]) {
                    return bad("the STRING argument is not quoted");
                }
                try {
                    byte[] raw = PyText.escapeDecode(data, from + 1, to - 1);
                    return python2String(raw, from + 1);
                } catch (IllegalArgumentException e) {
                    return bad(e.getMessage());
                }
            }
            case STRINGNL_NOESCAPE:
                return text;
            case UNICODESTRINGNL:
                try {
                    return new Sym.Text(PyText.rawUnicodeEscapeDecode(data, from, nl), false);
                } catch (IllegalArgumentException e) {
                    return bad(e.getMessage());
                }
            default:
                throw new AssertionError(kind);
        }
    }

    private Object counted(ArgKind kind) {
        long n = littleEndian(kind.size());
        if (kind.signedLength() && kind.size() == 4) {
            n = (int) n;
        }
        if (n < 0 || n > limit - pos) {
            throw new Stop(op.name() + " declares " + (n < 0 ? Long.toUnsignedString(n) : n) + " bytes but "
                    + (limit - pos) + " remain", opStart);
        }
        int from = pos;
        int len = (int) n;
        pos += len;
        switch (kind) {
            case LONG1:
            case LONG4:
                return Wire.decodeLong(data, from, len);
            case STRING1:
            case STRING4:
                return python2String(java.util.Arrays.copyOfRange(data, from, from + len), from);
            case BYTES1:
            case BYTES4:
            case BYTES8:
            case BYTEARRAY8:
                return blob(java.util.Arrays.copyOfRange(data, from, from + len), from, kind == ArgKind.BYTEARRAY8);
            default: {
                String s = PyText.decodeUtf8(data, from, len);
                if (s == null) {
                    return bad("str argument is not valid UTF-8");
                }
                Sym.Text t = new Sym.Text(s, false);
                session.maybeNested(this, s, from);
                return t;
            }
        }
    }

    /** Python 2 str: Python 3 reads it as str (ASCII by default); its bytes may hold a pickle too. */
    private Object python2String(byte[] raw, int offset) {
        session.maybeNested(this, raw, offset);
        return new Sym.Text(new String(raw, StandardCharsets.ISO_8859_1), true);
    }

    private Sym.Blob blob(byte[] value, int offset, boolean bytearray) {
        session.maybeNested(this, value, offset);
        return new Sym.Blob(value, offset, bytearray);
    }

    /** An argument CPython cannot decode: it raises there, the scanner notes it and goes on with a placeholder. */
    private Object bad(String why) {
        lenient(op.name() + " argument: " + why);
        return new Sym.Unknown("undecodable " + op.name() + " argument");
    }

    // ---- Execution ------------------------------------------------------------------------------------------

    /** Executes {@link #op}; returns true at STOP. */
    private boolean execute(Object arg) {
        switch (op) {
            case PROTO: {
                int p = (int) (long) (Long) arg;
                if (p > 5) {
                    lenient("unsupported pickle protocol: " + p);
                }
                proto = p;
                break;
            }
            case FRAME:
                // Frames only group opcodes; CPython rejects an opcode straddling one, which can only stop a
                // payload early, so the scanner ignores their bounds.
                break;
            case STOP:
                return true;
            case NONE:
                push(Sym.NONE);
                break;
            case NEWTRUE:
                push(Boolean.TRUE);
                break;
            case NEWFALSE:
                push(Boolean.FALSE);
                break;
            case INT: case BININT: case BININT1: case BININT2: case LONG: case LONG1: case LONG4:
            case FLOAT: case BINFLOAT:
            case STRING: case BINSTRING: case SHORT_BINSTRING:
            case BINBYTES: case SHORT_BINBYTES: case BINBYTES8: case BYTEARRAY8:
            case UNICODE: case SHORT_BINUNICODE: case BINUNICODE: case BINUNICODE8:
                push(arg);
                break;
            case NEXT_BUFFER:
                push(new Sym.Unknown("out-of-band buffer"));
                break;
            case READONLY_BUFFER:
                top();
                break;
            case EMPTY_LIST:
                push(new Sym.Container("list"));
                break;
            case EMPTY_TUPLE:
                push(new Sym.Container("tuple"));
                break;
            case EMPTY_DICT:
                push(new Sym.Container("dict"));
                break;
            case EMPTY_SET:
                push(new Sym.Container("set"));
                break;
            case APPEND: {
                Object item = pop();
                extend(top(), List.of(item), "append");
                break;
            }
            case APPENDS:
                extend(belowMark(), popMark(), "extend");
                break;
            case LIST:
                push(new Sym.Container("list", popMark()));
                break;
            case TUPLE:
                push(new Sym.Container("tuple", popMark()));
                break;
            case TUPLE1:
            case TUPLE2:
            case TUPLE3: {
                int n = op == Opcode.TUPLE1 ? 1 : op == Opcode.TUPLE2 ? 2 : 3;
                Object[] items = new Object[n];
                for (int i = n - 1; i >= 0; i--) {
                    items[i] = pop();
                }
                push(new Sym.Container("tuple", new ArrayList<>(List.of(items))));
                break;
            }
            case DICT:
                push(new Sym.Container("dict", popMark()));
                break;
            case SETITEM: {
                Object value = pop();
                Object key = pop();
                extend(top(), List.of(key, value), "__setitem__");
                break;
            }
            case SETITEMS:
                extend(belowMark(), popMark(), "__setitem__");
                break;
            case ADDITEMS:
                extend(belowMark(), popMark(), "add");
                break;
            case FROZENSET:
                push(new Sym.Container("frozenset", popMark()));
                break;
            case POP:
                if (stack.size() > markBase()) {
                    pop();
                } else if (markCount > 0) {
                    // CPython's load_pop discards a MARK when nothing sits above it.
                    markCount--;
                } else {
                    lenient("POP from an empty stack");
                }
                break;
            case DUP:
                push(top());
                break;
            case MARK:
                if (markCount == marks.length) {
                    marks = java.util.Arrays.copyOf(marks, marks.length * 2);
                }
                marks[markCount++] = stack.size();
                break;
            case POP_MARK:
                popMark();
                break;
            case GET: case BINGET: case LONG_BINGET: {
                long index = memoIndex(arg);
                Object v = memo.get(index);
                if (v == null) {
                    lenient("memo has no entry " + index);
                    v = new Sym.Unknown("missing memo entry " + index);
                }
                push(v);
                break;
            }
            case PUT: case BINPUT: case LONG_BINPUT: {
                long index = memoIndex(arg);
                if (index < 0) {
                    lenient("negative memo index " + index);
                }
                memo.put(index, top());
                break;
            }
            case MEMOIZE:
                memo.put((long) memo.size(), top());
                break;
            case EXT1: case EXT2: case EXT4: {
                long code = (Long) arg;
                note(new Finding(Verdict.SUSPICIOUS, "import", location, opStart, "extension code " + code,
                        "names a global through copyreg's extension registry, which the scanner cannot see"));
                push(new Sym.Unknown("extension " + code));
                break;
            }
            case GLOBAL: {
                String[] pair = (String[]) arg;
                push(global(pair[0], pair[1]));
                break;
            }
            case STACK_GLOBAL: {
                Object name = pop();
                Object module = pop();
                if (module instanceof Sym.Text && name instanceof Sym.Text) {
                    push(global(((Sym.Text) module).value(), ((Sym.Text) name).value()));
                } else {
                    note(new Finding(Verdict.DANGEROUS, "import", location, opStart,
                            Sym.render(module) + "." + Sym.render(name),
                            "STACK_GLOBAL names a global with values the scanner cannot resolve (results of calls): "
                                    + "only a pickle built to hide its imports does that"));
                    push(new Sym.Unknown("dynamically named global"));
                }
                break;
            }
            case REDUCE: {
                Object args = pop();
                Object callable = pop();
                push(call(callable, args, ""));
                break;
            }
            case NEWOBJ: {
                Object args = pop();
                Object cls = pop();
                push(call(cls, args, ".__new__"));
                break;
            }
            case NEWOBJ_EX: {
                Object kwargs = pop();
                Object args = pop();
                Object cls = pop();
                List<Object> all = new ArrayList<>(asList(args));
                all.add(kwargs);
                push(call(cls, new Sym.Container("tuple", all), ".__new__"));
                break;
            }
            case OBJ: {
                List<Object> items = popMark();
                if (items.isEmpty()) {
                    lenient("OBJ without a class");
                    push(new Sym.Unknown("OBJ without a class"));
                    break;
                }
                Object cls = items.get(0);
                push(call(cls, new Sym.Container("tuple", new ArrayList<>(items.subList(1, items.size()))), ""));
                break;
            }
            case INST: {
                String[] pair = (String[]) arg;
                Sym.Global cls = global(pair[0], pair[1]);
                push(call(cls, new Sym.Container("tuple", popMark()), ""));
                break;
            }
            case BUILD: {
                Object state = pop();
                Object target = top();
                build(target, state);
                break;
            }
            case PERSID:
                push(new Sym.Persistent(new Sym.Text((String) arg, false)));
                break;
            case BINPERSID:
                push(persistent(pop()));
                break;
            default:
                throw new AssertionError("no emulation for " + op);
        }
        return false;
    }

    /**
     * A persistent id. torch's legacy loader answers {@code ('module', cls, file, source)} with {@code cls} itself
     * (a whole module saved by torch.save before 1.6), so that id is the global it names, judged as such; other
     * loaders fail on it. Every other id stays a value the scanner cannot name.
     */
    private Object persistent(Object pid) {
        if (pid instanceof Sym.Container c && c.type().equals("tuple") && c.items().size() == 4
                && c.items().get(0) instanceof Sym.Text t && t.value().equals("module")
                && c.items().get(1) instanceof Sym.Global g) {
            return g;
        }
        return new Sym.Persistent(pid);
    }

    /** GET and PUT read their index as {@code int(line)}; the binary forms are unsigned. */
    private long memoIndex(Object arg) {
        if (arg instanceof Boolean) {
            return (Boolean) arg ? 1 : 0;
        }
        if (arg instanceof Long) {
            return (Long) arg;
        }
        if (arg instanceof BigInteger) {
            lenient("memo index " + arg + " out of range");
            return -1;
        }
        return -1;
    }

    // ---- Globals and calls ---------------------------------------------------------------------------------

    /** Names a global as CPython's {@code find_class} would import it, and judges it. */
    private Sym.Global global(String module, String name) {
        String resolvedModule = module;
        String resolvedName = name;
        if (proto < 3) {
            // _pickle.c find_class: with fix_imports (the default) below protocol 3, _compat_pickle renames apply.
            String[] r = CompatNames.fixImports(module, name);
            resolvedModule = r[0];
            resolvedName = r[1];
        }
        Policy.Decision decision;
        if (portable && resolvedModule.equals(PortableRuntime.MODULE)) {
            Verdict v = NamePolicy.judgeRuntimeName(resolvedName);
            decision = new Policy.Decision(v, v == Verdict.SAFE ? PORTABLE_RUNTIME : PORTABLE_UNKNOWN);
        } else if (portable && resolvedModule.equals("operator") && resolvedName.equals("getitem")) {
            // The portable body picks array or ndarray rebuilders with operator.getitem(pair, importable('numpy')).
            decision = new Policy.Decision(Verdict.SAFE, PORTABLE_RUNTIME);
        } else {
            decision = NamePolicy.judge(session.policy(), resolvedModule, resolvedName, module, name);
        }
        Sym.Global g = new Sym.Global(resolvedModule, resolvedName, decision.verdict(), opStart, decision.rule());
        globals.add(g);
        return g;
    }

    private Object call(Object callable, Object args, String how) {
        Sym.Global attribute = constantGetattr(callable, args);
        if (attribute != null) {
            // getattr(cls, 'name') with a constant name is the dotted name cls.name, as CPython pickles a
            // classmethod (zoneinfo.ZoneInfo._unpickle): judged as that name, and SAFE only if it is on the list.
            called.add(callable);
            globals.add(attribute);
            return attribute;
        }
        Sym.Call result = new Sym.Call(callable, args, opStart);
        StringBuilder text = new StringBuilder();
        text.append(Sym.render(callable)).append(how);
        Sym.renderArgs(args, text, 0);
        String rendered = text.length() > 400 ? text.substring(0, 397) + "..." : text.toString();
        if (callable instanceof Sym.Global) {
            Sym.Global g = (Sym.Global) callable;
            called.add(g);
            if (g.qualified().equals("torch.storage._load_from_bytes") && legacyTorchBytes(args)) {
                // How torch pickles a tensor with plain pickle: torch.load of a constant legacy torch.save stream,
                // which the scanner emulates whole as a nested pickle (its five pickles; see maybeNested). Its
                // findings stand for what the call runs; with any other argument the call stays DANGEROUS.
                return result;
            }
            if (g.verdict() != Verdict.SAFE) {
                note(new Finding(g.verdict(), "call", location, opStart, rendered,
                        g.verdict() == Verdict.DANGEROUS ? "calls a known code-running name"
                                : "calls a name outside the allow-list of data types", g.rule().toString()));
            } else if (how.isEmpty() && g.rule().kind() == Policy.Kind.INSTANTIABLE) {
                note(new Finding(Verdict.SUSPICIOUS, "call", location, opStart, rendered,
                        "calls a library class, which runs its __init__; the data-only policy lets it be "
                                + "instantiated from its state (NEWOBJ, copyreg._reconstructor) but not called",
                        g.rule().toString()));
            } else if (portable && g.module().equals(PortableRuntime.MODULE) && g.name().equals("importable")) {
                checkImportable(args, rendered);
            }
            if (g.qualified().equals("_codecs.encode") && args instanceof Sym.Container) {
                // bytes at protocols below 3 are _codecs.encode(str, 'latin1'): follow them into nested pickles.
                List<Object> items = ((Sym.Container) args).items();
                if (!items.isEmpty() && items.get(0) instanceof Sym.Text) {
                    String s = ((Sym.Text) items.get(0)).value();
                    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
                    if (new String(b, StandardCharsets.ISO_8859_1).equals(s)) {
                        return blob(b, opStart, false);
                    }
                }
            }
        } else if (callable instanceof Sym.Call) {
            if (portable && builtFromSafeNames(callable, 0)) {
                // Brine's runtime hands out classes and rebuilders (_brine1.cls(spec), the array chooser): what
                // they return is Brine's own code, vouched for by the verified header.
                return result;
            }
            note(new Finding(Verdict.SUSPICIOUS, "call", location, opStart, rendered,
                    "calls the result of another call, an object the scanner cannot name"));
        } else if (callable instanceof Sym.Unknown || callable instanceof Sym.Persistent) {
            note(new Finding(Verdict.SUSPICIOUS, "call", location, opStart, rendered,
                    "calls an object the scanner cannot name"));
        } else {
            lenient(op.name() + " calls " + Sym.render(callable) + ", which is not callable");
        }
        return result;
    }

    /** The legacy torch.save opening: {@code pickle.dump(magic_number, f, protocol=2)}, byte for byte. */
    private static final byte[] LEGACY_TORCH_OPENING = {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc,
            (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};

    /** Whether a call's only argument is constant bytes that start as legacy torch.save streams do. */
    private static boolean legacyTorchBytes(Object args) {
        List<Object> items = asList(args);
        if (items.size() != 1 || !(items.get(0) instanceof Sym.Blob blob)) {
            return false;
        }
        byte[] v = blob.value();
        if (v.length < LEGACY_TORCH_OPENING.length) {
            return false;
        }
        for (int i = 0; i < LEGACY_TORCH_OPENING.length; i++) {
            if (v[i] != LEGACY_TORCH_OPENING[i]) {
                return false;
            }
        }
        return true;
    }

    /** For {@code getattr(G, 'name')} on a safe global with a constant, plain name: the global {@code G.name}. */
    private Sym.Global constantGetattr(Object callable, Object args) {
        if (!(callable instanceof Sym.Global) || !((Sym.Global) callable).qualified().equals("builtins.getattr")) {
            return null;
        }
        List<Object> items = asList(args);
        if (items.size() != 2 || !(items.get(0) instanceof Sym.Global) || !(items.get(1) instanceof Sym.Text)) {
            return null;
        }
        Sym.Global owner = (Sym.Global) items.get(0);
        String name = ((Sym.Text) items.get(1)).value();
        if (owner.verdict() != Verdict.SAFE || name.isEmpty() || name.contains(".") || name.startsWith("__")) {
            return null;
        }
        String dotted = owner.name() + "." + name;
        Policy.Decision d = session.policy().judge(owner.module(), dotted);
        return d.verdict() == Verdict.SAFE ? new Sym.Global(owner.module(), dotted, d.verdict(), opStart, d.rule()) : null;
    }

    /** Whether a value comes only from SAFE globals and plain data, a few levels deep. */
    private static boolean builtFromSafeNames(Object v, int depth) {
        if (depth > 4) {
            return false;
        }
        if (v instanceof Sym.Global) {
            return ((Sym.Global) v).verdict() == Verdict.SAFE;
        }
        if (v instanceof Sym.Call) {
            return builtFromSafeNames(((Sym.Call) v).callable(), depth + 1)
                    && builtFromSafeNames(((Sym.Call) v).args(), depth + 1);
        }
        if (v instanceof Sym.Container) {
            List<Object> items = ((Sym.Container) v).items();
            if (items.size() > 64) {
                return false;
            }
            for (Object item : items) {
                if (!builtFromSafeNames(item, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return !(v instanceof Sym.Unknown) && !(v instanceof Sym.Persistent);
    }

    /** {@code _brine1.importable(name)} imports {@code name}: only numpy is what Brine itself asks for. */
    private void checkImportable(Object args, String rendered) {
        List<Object> items = asList(args);
        if (items.size() == 1 && items.get(0) instanceof Sym.Text && ((Sym.Text) items.get(0)).value().equals("numpy")) {
            return;
        }
        note(new Finding(Verdict.SUSPICIOUS, "call", location, opStart, rendered,
                "asks Brine's runtime to import a module other than numpy"));
    }

    /** APPEND(S), SETITEM(S), ADDITEMS: a container grows, anything else has a method called. */
    private void extend(Object target, List<Object> items, String method) {
        if (target instanceof Sym.Container) {
            ((Sym.Container) target).items().addAll(items);
            return;
        }
        if (target instanceof Sym.Global) {
            Sym.Global g = (Sym.Global) target;
            called.add(g);
            note(new Finding(Verdict.DANGEROUS, "mutation", location, opStart,
                    g.qualified() + "." + method + Sym.render(new Sym.Container("tuple", new ArrayList<>(items))),
                    op.name() + " on a global itself changes a module-level object for the whole process"));
        }
        // On an instance, the method of its class runs; that class was judged when the instance was made.
    }

    private void build(Object target, Object state) {
        if (target instanceof Sym.Global) {
            Sym.Global g = (Sym.Global) target;
            called.add(g);
            note(new Finding(Verdict.DANGEROUS, "mutation", location, opStart,
                    g.qualified() + ".__setstate__(" + Sym.render(state) + ")",
                    "BUILD on a global itself sets attributes of a module-level class or object"));
            return;
        }
        if (target instanceof Sym.Call) {
            Sym.Call c = (Sym.Call) target;
            c.states().add(state);
            if (joblib && c.callable() instanceof Sym.Global
                    && ((Sym.Global) c.callable()).name().equals("NumpyArrayWrapper")) {
                session.joblibArray(this, state);
            }
        }
    }

    // ---- joblib ----------------------------------------------------------------------------------------------

    int position() {
        return pos;
    }

    int limit() {
        return limit;
    }

    byte[] data() {
        return data;
    }

    String location() {
        return location;
    }

    int depth() {
        return depth;
    }

    /** Moves past data joblib wrote into the stream after a wrapper's BUILD. */
    void skipTo(int newPos) {
        pos = newPos;
    }

    /** Records a finding made on this pickle's behalf (nested pickles, joblib data). */
    void report(Finding f) {
        note(f);
    }

    /**
     * Keeps a finding, up to {@link ScanSession#MAX_FINDINGS} per pickle: a stream of a million GLOBALs must not
     * become a million findings. The session reports how many were left out, and their worst verdict still counts.
     */
    private void note(Finding f) {
        if (findings.size() < ScanSession.MAX_FINDINGS) {
            findings.add(f);
        } else {
            session.omitted(f);
        }
    }

    // ---- Stack --------------------------------------------------------------------------------------------------

    private int markBase() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private void push(Object v) {
        stack.add(v);
    }

    private Object pop() {
        if (stack.size() <= markBase()) {
            lenient("stack underflow in " + op.name());
            return new Sym.Unknown("nothing (stack underflow)");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        if (stack.size() <= markBase()) {
            lenient("stack underflow in " + op.name());
            Object v = new Sym.Unknown("nothing (stack underflow)");
            stack.add(v);
            return v;
        }
        return stack.get(stack.size() - 1);
    }

    /** The items above the topmost mark, removed with the mark. */
    private List<Object> popMark() {
        if (markCount == 0) {
            lenient("could not find MARK for " + op.name());
            return new ArrayList<>();
        }
        int base = marks[--markCount];
        List<Object> slice = stack.subList(base, stack.size());
        List<Object> items = new ArrayList<>(slice);
        slice.clear();
        return items;
    }

    /** The item just below the topmost mark: the target of APPENDS, SETITEMS, ADDITEMS. */
    private Object belowMark() {
        int base = markBase();
        if (markCount == 0 || base == 0) {
            lenient("nothing below the MARK for " + op.name());
            return new Sym.Unknown("nothing");
        }
        return stack.get(base - 1);
    }

    private static List<Object> asList(Object args) {
        return args instanceof Sym.Container ? ((Sym.Container) args).items() : List.of(args);
    }

    /** A stack misuse CPython raises on: noted once, then the emulation goes on. */
    private void lenient(String message) {
        if (!lenientErrorReported) {
            lenientErrorReported = true;
            note(new Finding(Verdict.SUSPICIOUS, "parse-error", location, opStart, "",
                    "CPython would stop here (" + message + "); the scan goes on in case anything after it "
                            + "is meant for a more lenient reader"));
        }
    }
}
