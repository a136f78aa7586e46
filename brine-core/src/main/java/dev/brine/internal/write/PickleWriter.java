package dev.brine.internal.write;

import dev.brine.PickleException;
import dev.brine.internal.format.CompatNames;
import dev.brine.internal.format.Opcode;
import dev.brine.internal.format.PyRepr;
import dev.brine.internal.format.PyText;
import dev.brine.internal.format.Wire;
import dev.brine.internal.portable.LibraryRedirects;
import dev.brine.internal.portable.PortableEncoder;
import dev.brine.internal.portable.PortableRuntime;
import dev.brine.internal.types.DatetimeModule;
import dev.brine.internal.types.JavaEquivalents;
import dev.brine.internal.types.LoadedDict;
import dev.brine.internal.types.LoadedList;
import dev.brine.internal.types.NotPicklable;
import dev.brine.internal.types.SharedForms;
import dev.brine.value.DType;
import dev.brine.value.GlobalRef;
import dev.brine.value.NDArray;
import dev.brine.value.NDScalar;
import dev.brine.value.PersistentRef;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyDict;
import dev.brine.value.PyDiscarding;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyList;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;

/**
 * Writes one pickle: the engine behind {@link dev.brine.Pickler}. One instance per dump, so each dump has its own
 * memo.
 *
 * <p>The goal is byte-identity with CPython's C pickler ({@code Modules/_pickle.c}) for every value Brine reads,
 * so the structure follows it closely: {@link #save} is {@code save()} (frame boundary, persistent id, atoms,
 * memo, then type dispatch), and the tasks below are {@code save_list}, {@code batch_list_exact},
 * {@code save_tuple}, {@code save_reduce} and so on, writing the same opcodes in the same order.
 *
 * <p>The C pickler recurses; this writer does not. Containers are saved by {@link Task}s on an explicit stack,
 * each a small state machine that saves its children one at a time and resumes when a child's own task is done.
 * So a million nested lists need a million small heap objects, never a million Java stack frames.
 */
public final class PickleWriter {
    /** {@code BATCHSIZE} in both picklers: APPENDS, SETITEMS and ADDITEMS carry at most this many items. */
    private static final int BATCH = 1000;

    private static final int MARK = Opcode.MARK.code();
    private static final int POP = Opcode.POP.code();
    private static final int POP_MARK = Opcode.POP_MARK.code();
    private static final int TUPLE = Opcode.TUPLE.code();
    private static final int REDUCE = Opcode.REDUCE.code();
    private static final int BUILD = Opcode.BUILD.code();
    private static final int APPEND = Opcode.APPEND.code();
    private static final int APPENDS = Opcode.APPENDS.code();
    private static final int SETITEM = Opcode.SETITEM.code();
    private static final int SETITEMS = Opcode.SETITEMS.code();
    private static final int ADDITEMS = Opcode.ADDITEMS.code();

    // Globals the C pickler itself names, for the old-protocol forms of builtin types.
    private static final GlobalRef BYTES = GlobalRef.of("builtins", "bytes");
    private static final GlobalRef BYTEARRAY = GlobalRef.of("builtins", "bytearray");
    private static final GlobalRef SET = GlobalRef.of("builtins", "set");
    private static final GlobalRef FROZENSET = GlobalRef.of("builtins", "frozenset");
    private static final GlobalRef COMPLEX = GlobalRef.of("builtins", "complex");
    private static final GlobalRef GETATTR = GlobalRef.of("builtins", "getattr");
    private static final GlobalRef CODECS_ENCODE = GlobalRef.of("_codecs", "encode");

    private final WriteConfig config;
    private final int proto;
    private final boolean bin;
    private final PickleOutput out;
    /** In portable mode, what turns records, enums, beans, functions and arrays into runtime calls; else null. */
    private final PortableEncoder portable;
    /** In portable mode, what dill's and cloudpickle's globals become (issue #20); else null. */
    private LibraryRedirects redirects;
    private final IdentityMemo memo = new IdentityMemo();
    /** Equal globals are one Python object, so they share one memo entry: the first instance seen stands for all. */
    private final Map<GlobalRef, GlobalRef> globals = new HashMap<>();
    /** Java values already converted in this dump, so a value met twice is written once and then fetched. */
    private final IdentityHashMap<Object, Object> converted = new IdentityHashMap<>();
    /** How many times a GET has written each node with discarded values so far (see afterFetch). */
    private IdentityHashMap<PyObject, Integer> fetches;
    /** Values a read stream discarded above a value that is not a node, by that value (PyDiscarding.anchored). */
    private IdentityHashMap<Object, List<PyObject.Discarded>> anchored;
    /** How many times a GET has written each value {@link #anchored} has so far. */
    private IdentityHashMap<Object, Integer> anchorFetches;
    /** The value whose anchored discards are being written: its next save is the value itself. */
    private Object anchorBypass;
    /** How many anchored discards the value holds, and how many went out: a dump that loses one fails. */
    private int anchoredTotal;
    private int anchoredWritten;
    /**
     * The {@code 'latin1'} argument of {@code _codecs.encode} for bytes below protocol 3. The C pickler passes one
     * interned string every time, so from the second bytes object on it is a memo fetch.
     */
    private String latin1 = new String("latin1");
    /**
     * Whether {@link #latin1} went into a form yet. Until then, the first {@code 'latin1'} a read bytes value kept
     * ({@link SharedForms}) becomes it: in the pickle, that one object stood for every later one too.
     */
    private boolean latin1Used;

    /**
     * CPython's latin-1 decoder returns one shared object per character below U+0100 ({@code get_latin1_char}),
     * so the one-character texts the writer makes for bytes below protocol 3 ({@code _codecs.encode(text,
     * 'latin1')}) are shared with each other and fetched from the memo after their first use. Strings the caller
     * gave are compared by identity only (CPython does not always share short strings: numpy's field names are
     * fresh objects), except the empty string, which CPython always shares.
     */
    private final String[] madeChars = new String[256];
    private String emptyString;

    /** The memo key of a string the caller gave. */
    private String userString(String s) {
        if (!s.isEmpty()) {
            return s;
        }
        if (emptyString == null) {
            emptyString = s;
        }
        return emptyString;
    }

    /** A string the writer made, shared with an equal one-character string it made before. */
    private String madeString(String s) {
        if (s.length() != 1) {
            return s;
        }
        int c = s.charAt(0);
        if (madeChars[c] == null) {
            madeChars[c] = s;
        }
        return madeChars[c];
    }

    /** Adapters may convert to values that need converting again; this bounds such a chain. */
    private static final int MAX_CONVERSION_CHAIN = 64;
    private int conversions;

    private Task[] stack = new Task[16];
    private int depth;

    private PickleWriter(WriteConfig config, PickleOutput out) {
        this.config = config;
        this.proto = config.protocol();
        this.bin = proto >= 1;
        this.out = out;
        this.portable = config.portable() ? new PortableEncoder() : null;
        if (speculable(config)) {
            out.borrowPayloads();   // an in-memory output only; a stream is written straight from the arrays
        }
    }

    /** Pickles {@code value} into a new array. */
    public static byte[] dumps(WriteConfig config, Object value) {
        if (speculable(config)) {
            PickleOutput out = new PickleOutput(null);
            PickleWriter writer = new PickleWriter(config, out);
            writer.memo.speculate();
            try {
                writer.run(value);
                return out.toByteArray();
            } catch (Speculation e) {
                // A str met again after the memo stopped looking for it: dump again, looking up every str.
            } catch (RuntimeException e) {
                // A failure of its own, or of a str written twice (a fetch count gone wrong): only the latter is
                // dumped again.
                boolean held;
                try {
                    held = writer.memo.settle();
                } catch (RuntimeException second) {
                    e.addSuppressed(second);
                    throw e;
                }
                if (held) {
                    throw e;
                }
            }
        }
        PickleOutput out = new PickleOutput(null);
        PickleWriter writer = new PickleWriter(config, out);
        if (writer.portable != null) {
            writer.redirects = LibraryRedirects.plan(value, config.bytecode());
        }
        writer.run(value);
        if (writer.portable == null || writer.portable.sections().isEmpty() && writer.redirects.sections().isEmpty()) {
            // A value that needs no runtime gets no header: the bytes are those of a non-portable dump.
            return out.toByteArray();
        }
        java.util.EnumSet<PortableRuntime.Section> sections = java.util.EnumSet.noneOf(PortableRuntime.Section.class);
        sections.addAll(writer.portable.sections());
        sections.addAll(writer.redirects.sections());
        return out.toByteArray(PortableRuntime.header(sections, config.protocol(), writer.redirects.versionLock()));
    }

    /**
     * Pickles {@code value} onto {@code stream}, buffered. In portable mode the body is built in memory first,
     * because the header that precedes it depends on what the body holds.
     */
    public static void dump(WriteConfig config, Object value, OutputStream stream) throws IOException {
        if (config.portable()) {
            stream.write(dumps(config, value));
            return;
        }
        PickleOutput out = new PickleOutput(stream);
        try {
            new PickleWriter(config, out).run(value);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The Python form the writer gives a Java value it maps (a date, a decimal, a dict subclass, a numpy dtype...):
     * an inert node, a container or an atom, as {@code __reduce_ex__(4)} gives it; or null for a value the writer
     * writes as it is, or cannot write. Tools use it to show a mapped value as the call that makes it in Python.
     */
    public static Object pythonForm(Object value) {
        try {
            Object form = JavaEquivalents.convert(value, FORM_PROTOCOL);
            return form == JavaEquivalents.UNKNOWN ? null : form;
        } catch (NotPicklable e) {
            return null;
        }
    }

    private static final int FORM_PROTOCOL = 4;

    private void run(Object root) {
        if (proto >= 2) {
            out.write(Opcode.PROTO.code(), proto);
            if (proto >= 4) {
                out.startFraming();
            }
        }
        save(root);
        while (depth > 0) {
            Task top = stack[depth - 1];
            if (top.step()) {
                if (stack[depth - 1] != top) {
                    throw new IllegalStateException("a finished task left a child on the stack");
                }
                stack[--depth] = null;
            }
        }
        if (!memo.verify()) {
            throw new Speculation();
        }
        if (anchoredWritten != anchoredTotal) {
            throw fail("the value holds " + anchoredTotal + " discarded calls kept after other values "
                    + "(PyDiscarding.anchored), but only " + anchoredWritten + " found their place (the value each "
                    + "follows was not written, or not as often): writing it would lose a call");
        }
        out.write(Opcode.STOP.code());
        out.finish();
    }

    /**
     * Whether an in-memory dump with {@code config} may speculate (see IdentityMemo#speculate), dumping the value
     * again if the speculation fails, and may keep large payloads' arrays uncopied until the end (see
     * PickleOutput#borrowPayloads): no code of the caller's runs for every value (a persistent id, an adapter, a
     * buffer callback, portable mode's getters), and {@link #settle} ends both before any other does.
     */
    private static boolean speculable(WriteConfig config) {
        return !config.portable() && config.persistentId() == null && config.adapters().isEmpty()
                && config.bufferCallback() == null;
    }

    /**
     * Ends the memo's speculation, or its readiness to start one, and the output's borrowing of payloads, before
     * anything that may run code of the caller's (a conversion, a list or map of the caller's class): after that
     * code, a failed speculation could not dump the value again, and an array already written could have changed.
     * Throws {@link Speculation} if it failed; no code of the caller's has run then.
     */
    private void settle() {
        if (!memo.settle()) {
            throw new Speculation();
        }
        out.stopBorrowing();
    }

    /**
     * Whether a value of class {@code c} that reached the end of the classes saveValue handles first is written
     * without running code of the caller's, as those are (Brine's value types, the JDK's strs, numbers, plain
     * lists and dicts): these Brine types, numpy's (converted by Brine's own code), and a ByteBuffer (a JDK class;
     * no other can extend it).
     */
    private static boolean writtenByBrineAlone(Class<?> c, Object obj) {
        return c == GlobalRef.class || c == PyObject.class || c == TrailingData.class || c == PersistentRef.class
                || c == PyDiscarding.class || c == PyComplex.class || c == NDArray.class || c == DType.class
                || c == NDScalar.class || obj instanceof ByteBuffer;
    }

    /** A speculative dump wrote a str anew that it had written before: it is dumped again without speculating. */
    private static final class Speculation extends RuntimeException {
        Speculation() {
            super(null, null, false, false);
        }
    }

    private boolean push(Task t) {
        if (depth == stack.length) {
            stack = Arrays.copyOf(stack, depth * 2);
        }
        stack[depth++] = t;
        return true;
    }

    // ------------------------------------------------------------------------------------------------ save()

    /**
     * Saves one value, as {@code save(obj, 0)}. Returns true if it pushed a task, which then runs before the
     * caller continues; the caller must return from its step at once.
     */
    private boolean save(Object obj) {
        return save(obj, false);
    }

    private boolean save(Object obj, boolean persSave) {
        // _Pickler_OpcodeBoundary runs at the top of every save(), for atoms and memo hits too.
        out.opcodeBoundary();
        if (!persSave && config.persistentId() != null) {
            Object pid = config.persistentId().apply(obj);
            if (pid != null) {
                return savePersistent(pid);
            }
        }
        return saveValue(obj);
    }

    private boolean saveValue(Object obj) {
        // Atoms are never memoized, so they come before the memo check, as in save().
        if (obj == null) {
            out.write(Opcode.NONE.code());
            return false;
        }
        Class<?> c = obj.getClass();
        if (c == Long.class || c == Integer.class || c == Short.class || c == Byte.class) {
            saveLong(((Number) obj).longValue());
            return false;
        }
        if (c == Boolean.class) {
            saveBool((Boolean) obj);
            return false;
        }
        if (c == Double.class || c == Float.class) {
            saveFloat(((Number) obj).doubleValue());
            return false;
        }
        if (c == BigInteger.class) {
            saveBigInteger((BigInteger) obj);
            return false;
        }
        if (anchored != null) {
            if (anchorBypass == obj) {
                anchorBypass = null;
            } else {
                List<PyObject.Discarded> after = anchored.get(obj);
                if (after != null && saveAnchored(obj, after)) {
                    return true;
                }
            }
        }
        Object key = obj;
        if (c == GlobalRef.class && redirects != null) {
            Object to = redirects.redirect((GlobalRef) obj);
            if (to != obj) {
                return saveValue(to);
            }
        }
        if (c == GlobalRef.class && isDillMain((GlobalRef) obj)) {
            // dill's save_module_dict writes these GLOBAL bytes itself for __main__.__dict__, at every protocol and
            // never memoized; a rewrite writes them the same way (issue #20). pickle itself cannot write this
            // global: a module is not picklable by reference.
            writeGlobalOpcode('c', "__builtin__", "__main__");
            return false;
        }
        if (c == GlobalRef.class) {
            key = globals.computeIfAbsent((GlobalRef) obj, g -> g);
        } else if (c == String.class) {
            key = userString((String) obj);
        }
        int index = memo.get(key);
        if (index != IdentityMemo.NONE) {
            memoGet(index);
            if (c == PyObject.class && !((PyObject) obj).discarded().isEmpty()) {
                return afterFetch((PyObject) obj);
            }
            return false;
        }
        if (c == String.class) {
            saveString((String) key);
            return false;
        }
        if (c == PyBytes.class) {
            return saveBytes(obj, (PyBytes) obj);
        }
        if (c == byte[].class) {
            return saveBytes(obj, PyBytes.wrap((byte[]) obj));
        }
        if (c == PyByteArray.class) {
            return saveByteArray(obj, ((PyByteArray) obj).array());
        }
        if (c == Latin1Text.class) {
            saveLatin1Text((Latin1Text) obj);
            return false;
        }
        // The exact classes the reader makes come first: a failing instanceof against an interface scans the
        // class's secondary supertypes, which costs more than the rest of saving a small item.
        if (isPlainList(c)) {
            return saveList((List<?>) obj);
        }
        if (isPlainDict(c)) {
            return saveDict((Map<?, ?>) obj);
        }
        if (obj instanceof PyTuple) {
            return saveTuple((PyTuple) obj);
        }
        if (obj instanceof PyFrozenSet) {
            return saveFrozenSet((PyFrozenSet) obj);
        }
        if (!writtenByBrineAlone(c, obj)) {
            settle();
        }
        if (JavaEquivalents.isPythonSubtype(obj)) {
            // OrderedDict, defaultdict, Counter and deque are Java maps and lists that must not be written as
            // plain dicts and lists (docs/TYPES.md).
            return saveConverted(obj);
        }
        if (obj instanceof List) {
            return saveList((List<?>) obj);
        }
        if (obj instanceof Map) {
            return saveDict((Map<?, ?>) obj);
        }
        if (obj instanceof Set) {
            return saveSet((Set<?>) obj);
        }
        if (c == GlobalRef.class) {
            return saveGlobal((GlobalRef) key);
        }
        if (c == PyObject.class) {
            return push(reduceTask((PyObject) obj, obj));
        }
        if (c == TrailingData.class) {
            // Written anew each time, as joblib's pickler writes a fresh wrapper for each array it meets.
            return push(reduceTask(((TrailingData) obj).node(), null, (TrailingData) obj));
        }
        if (c == PersistentRef.class) {
            return savePersistent(((PersistentRef) obj).id());
        }
        if (c == PyDiscarding.class) {
            // Values the stream discarded before its result, then the result (issue #20).
            PyDiscarding d = (PyDiscarding) obj;
            if (!d.unplaced().isEmpty()) {
                Object call = d.unplaced().get(0).value();
                throw fail("the value holds " + d.unplaced().size() + " discarded call(s) with no place to write "
                        + "them back (right after a MARK, or above None, a bool or a number), the first a call of "
                        + (call instanceof PyObject p ? p.callable() : call) + "; writing it would lose them");
            }
            if (!d.anchored().isEmpty()) {
                if (anchored == null) {
                    anchored = new IdentityHashMap<>();
                    anchorFetches = new IdentityHashMap<>();
                }
                for (PyDiscarding.Anchored a : d.anchored()) {
                    anchored.computeIfAbsent(a.below(), k -> new ArrayList<>(1)).add(a.discarded());
                    anchoredTotal++;
                }
            }
            List<Object> steps = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            ReducePlan.addDiscarded(steps, labels, d.discarded(), 0);
            steps.add(d.value());
            labels.add(".value");
            return push(sequence(steps, labels));
        }
        if (c == PyComplex.class) {
            // complex.__reduce__ is (complex, (real, imag)) at every protocol.
            PyComplex z = (PyComplex) obj;
            return push(reduceTask(PyObject.reduce(COMPLEX, z.real(), z.imag()), obj));
        }
        if (obj instanceof ByteBuffer) {
            return savePickleBuffer((ByteBuffer) obj);
        }
        return saveConverted(obj);
    }

    /** A Java value outside the value model: an adapter's or Brine's own Python equivalent, converted once. */
    private boolean saveConverted(Object obj) {
        if (++conversions > MAX_CONVERSION_CHAIN) {
            throw fail("converting a " + obj.getClass().getName() + " did not reach a value Brine can write after "
                    + MAX_CONVERSION_CHAIN + " conversions; check the registered adapters");
        }
        try {
            return saveConvertedOnce(obj);
        } finally {
            conversions--;
        }
    }

    private boolean saveConvertedOnce(Object obj) {
        Object conv = converted.get(obj);
        if (conv == null && !converted.containsKey(obj)) {
            conv = convert(obj);
            converted.put(obj, conv);
        }
        if (conv instanceof PyObject) {
            // Memoized as the Java value: the same Java object met again is one Python object.
            PyObject node = (PyObject) conv;
            int index = memo.get(node);
            if (index != IdentityMemo.NONE) {
                memoGet(index);
                return false;
            }
            return push(reduceTask(node, node));
        }
        return saveValue(conv);
    }

    private Object convert(Object obj) {
        for (WriteConfig.Adapter a : config.adapters()) {
            if (a.type().isInstance(obj)) {
                Object conv = a.convert().apply(obj);
                if (conv != null && a.type().isInstance(conv)) {
                    throw fail("the adapter for " + a.type().getName() + " returned another "
                            + a.type().getName() + "; it must return a value Brine can write");
                }
                return conv;
            }
        }
        Object conv;
        try {
            if (portable != null) {
                conv = portable(obj, false);
                if (conv != PortableEncoder.NOT_PORTABLE) {
                    return conv;
                }
            }
            conv = JavaEquivalents.convert(obj, proto);
            if (conv == JavaEquivalents.UNKNOWN && portable != null) {
                return portable(obj, true);
            }
        } catch (NotPicklable e) {
            throw fail("cannot pickle this " + obj.getClass().getName() + ": " + e.getMessage());
        }
        if (conv == JavaEquivalents.UNKNOWN) {
            String name = obj.getClass().getName();
            throw fail("cannot pickle a " + name + ": it has no Python equivalent. Register an adapter that turns"
                    + " it into one, with Pickler.builder().adapter(" + obj.getClass().getSimpleName()
                    + ".class, v -> ...), or use portable mode");
        }
        return conv;
    }

    /** Portable mode's form of {@code obj}: region-zoned date-times get a runtime zone, the rest the encoder's. */
    private Object portable(Object obj, boolean beanFallback) {
        if (obj instanceof ZonedDateTime && !(((ZonedDateTime) obj).getZone() instanceof ZoneOffset)) {
            ZonedDateTime t = (ZonedDateTime) obj;
            return DatetimeModule.zonedDateTime(t, portable.zone(t.getZone(), t.getOffset()), proto);
        }
        return portable.encode(obj, beanFallback);
    }

    // ------------------------------------------------------------------------------------------------ atoms

    private void saveBool(boolean b) {
        if (proto >= 2) {
            out.write(b ? Opcode.NEWTRUE.code() : Opcode.NEWFALSE.code());
        } else {
            out.write(Opcode.INT.code());
            out.writeAscii(b ? "01\n" : "00\n");
        }
    }

    /** save_long: the shortest of BININT1/BININT2/BININT for 32-bit values, else LONG1/LONG4 or LONG text. */
    private void saveLong(long v) {
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            if (bin) {
                out.writeBinInt((int) v);
            } else {
                out.write(Opcode.INT.code());
                out.writeAscii(v + "\n");
            }
            return;
        }
        saveBigInteger(BigInteger.valueOf(v));
    }

    private void saveBigInteger(BigInteger v) {
        if (v.bitLength() < 32) {
            saveLong(v.longValue());
            return;
        }
        if (proto >= 2) {
            byte[] le = Wire.encodeLong(v);
            int n = le.length;
            if (n < 256) {
                out.write(Opcode.LONG1.code(), n);
            } else {
                out.writeOpU32(Opcode.LONG4.code(), n);
            }
            out.write(le);
        } else {
            out.write(Opcode.LONG.code());
            out.writeAscii(v.toString());
            out.writeAscii("L\n");
        }
    }

    private void saveFloat(double d) {
        if (bin) {
            out.writeBinFloat(d);
        } else {
            out.write(Opcode.FLOAT.code());
            out.writeAscii(PyRepr.floatRepr(d));
            out.write('\n');
        }
    }

    // ------------------------------------------------------------------------------------------------ str

    /** save_unicode: UTF-8 (lone surrogates as surrogatepass) at protocol 1+, raw-unicode-escape at 0. */
    private void saveString(String s) {
        if (bin && s.length() <= PickleOutput.MAX_INLINE_UTF8_CHARS) {
            // The common short string: UTF-8 straight into the output. Its payload is under 64 KiB, so it never
            // leaves the frame, and the bytes are those of the general path below.
            int n = PickleOutput.utf8Length(s);
            if (n >= 0) {
                if (n <= 0xff && proto >= 4) {
                    out.write(Opcode.SHORT_BINUNICODE.code(), n);
                } else {
                    out.writeOpU32(Opcode.BINUNICODE.code(), n);
                }
                out.writeUtf8(s, n);
                memoPut(s);
                return;
            }
        }
        if (bin) {
            byte[] data = PyText.encodeUtf8(s);
            int n = data.length;
            byte[] header = new byte[5];
            int headerLen = countedHeader(header, proto >= 4 ? Opcode.SHORT_BINUNICODE : null, Opcode.BINUNICODE, n);
            out.writeHeaderAndPayload(header, headerLen, data, 0, n);
        } else {
            out.write(Opcode.UNICODE.code());
            out.write(PyText.rawUnicodeEscapeEncode(s));
            out.write('\n');
        }
        memoPut(s);
    }

    // ------------------------------------------------------------------------------------------------ bytes

    /**
     * save_bytes. Below protocol 3 there is no bytes opcode, so, as CPython, it is
     * {@code _codecs.encode(latin1_text, 'latin1')}, or {@code bytes()} when empty.
     */
    private boolean saveBytes(Object obj, PyBytes b) {
        if (proto < 3) {
            Object text;
            PyObject kept = b.readForm();
            if (kept != null && CODECS_ENCODE.equals(kept.callable())) {
                // Read as _codecs.encode(text, 'latin1'): a real str, so the text and 'latin1' the pickle held
                // (perhaps shared with an index label) are adopted and fetched as they were (SharedForms).
                String t = new String(b.toByteArray(), StandardCharsets.ISO_8859_1);
                PyObject node = (PyObject) SharedForms.adopt(PyObject.reduce(CODECS_ENCODE, t, latin1), kept, 0);
                // A one-character text is CPython's one shared latin-1 character: the first one used, kept or made,
                // stands for every later one.
                String shared = madeString((String) node.args().get(0));
                Object encoding = node.args().get(1);
                if (!latin1Used && encoding != latin1 && latin1.equals(encoding)) {
                    latin1 = (String) encoding;
                }
                latin1Used = true;
                // One 'latin1' for all, as the C pickler passes its one interned string to every call.
                node = new PyObject(PyObject.Kind.REDUCE, node.callable(),
                        PyTuple.of(shared, latin1.equals(encoding) ? latin1 : encoding), null);
                return push(reduceTask(node, obj));
            }
            if (b.length() > 1 && bin && config.persistentId() == null) {
                // Transcoded straight from the bytes when written: the text of a 64 MiB bytes object would be
                // another 64 MiB, read twice more to encode it. A persistent_id hook must see a real str.
                text = new Latin1Text(b);
            } else {
                text = madeString(new String(b.toByteArray(), StandardCharsets.ISO_8859_1));
            }
            latin1Used |= b.length() > 0;
            PyObject node = b.length() == 0 ? PyObject.reduce(BYTES) : PyObject.reduce(CODECS_ENCODE, text, latin1);
            return push(reduceTask(node, obj));
        }
        byte[] header = new byte[5];
        int headerLen = countedHeader(header, Opcode.SHORT_BINBYTES, Opcode.BINBYTES, b.length());
        if (obj instanceof byte[]) {
            // Copied when written (into a part, for an in-memory dump): a hook the dump runs later may change it.
            out.writeHeaderAndPayload(header, headerLen, (byte[]) obj, 0, b.length());
        } else {
            out.writeHeaderAndPayload(header, headerLen, b);        // immutable: a large one is not copied
        }
        memoPut(obj);
        return false;
    }

    /**
     * The text {@code bytes.decode('latin1')} that save_bytes writes below protocol 3, kept as the bytes: one
     * character per byte. Written as BINUNICODE and memoized like any str the writer makes, but never equal to
     * another, as CPython makes a new str each time.
     */
    private static final class Latin1Text {
        final PyBytes bytes;

        Latin1Text(PyBytes bytes) {
            this.bytes = bytes;
        }
    }

    private void saveLatin1Text(Latin1Text text) {
        try {
            out.writeLatin1AsUtf8(Opcode.BINUNICODE.code(), text.bytes.asByteBuffer());
        } catch (NotPicklable e) {
            throw fail("cannot pickle this str: " + e.getMessage());
        }
        memoPut(text);
    }

    /**
     * The opcode and length before a counted payload of {@code n} bytes: {@code shortOp} and one byte up to 255
     * (when there is a short form), else {@code longOp} and four bytes. Returns the header's length.
     */
    private static int countedHeader(byte[] header, Opcode shortOp, Opcode longOp, int n) {
        if (shortOp != null && n <= 0xff) {
            header[0] = (byte) shortOp.code();
            header[1] = (byte) n;
            return 2;
        }
        header[0] = (byte) longOp.code();
        Wire.putU32(header, 1, n);
        return 5;
    }

    /** save_bytearray: BYTEARRAY8 at protocol 5, else {@code bytearray(bytes)}, or {@code bytearray()}. */
    private boolean saveByteArray(Object obj, byte[] data) {
        if (proto < 5) {
            PyObject node = data.length == 0
                    ? PyObject.reduce(BYTEARRAY)
                    : PyObject.reduce(BYTEARRAY, PyBytes.of(data));
            return push(reduceTask(node, obj));
        }
        byte[] header = new byte[9];
        header[0] = (byte) Opcode.BYTEARRAY8.code();
        Wire.putS64(header, 1, data.length);
        out.writeHeaderAndPayload(header, 9, data, 0, data.length);
        memoPut(obj);
        return false;
    }

    /**
     * save_picklebuffer: a {@link ByteBuffer} is a {@code PickleBuffer}. Out of band (NEXT_BUFFER, then
     * READONLY_BUFFER if read-only) when the callback takes it, else in band as bytes (read-only) or bytearray.
     */
    private boolean savePickleBuffer(ByteBuffer buffer) {
        if (proto < 5) {
            throw fail("a ByteBuffer is written as a PickleBuffer, which needs protocol 5 (this is protocol "
                    + proto + "); pass a byte[] or PyBytes instead");
        }
        if (config.bufferCallback() != null && config.bufferCallback().test(buffer.asReadOnlyBuffer())) {
            out.write(Opcode.NEXT_BUFFER.code());
            if (buffer.isReadOnly()) {
                out.write(Opcode.READONLY_BUFFER.code());
            }
            return false;
        }
        // In band the payload goes from the buffer straight into the output, which keeps a copy of its own.
        ByteBuffer payload = buffer.duplicate();
        int n = payload.remaining();
        byte[] header = new byte[9];
        int headerLen;
        if (buffer.isReadOnly()) {
            headerLen = countedHeader(header, Opcode.SHORT_BINBYTES, Opcode.BINBYTES, n);
        } else {
            header[0] = (byte) Opcode.BYTEARRAY8.code();
            Wire.putS64(header, 1, n);
            headerLen = 9;
        }
        out.writeHeaderAndPayload(header, headerLen, payload);
        memoPut(buffer);
        return false;
    }

    // ------------------------------------------------------------------------------------------------ memo

    /** memo_put: the next index, as MEMOIZE at protocol 4+, else BINPUT/LONG_BINPUT, or PUT text at 0. */
    private void memoPut(Object obj) {
        int index = memo.size();
        memo.put(obj, index);
        if (proto >= 4) {
            out.write(Opcode.MEMOIZE.code());
        } else if (!bin) {
            out.write(Opcode.PUT.code());
            out.writeAscii(index + "\n");
        } else if (index < 256) {
            out.write(Opcode.BINPUT.code(), index);
        } else {
            out.writeOpU32(Opcode.LONG_BINPUT.code(), index);
        }
    }

    private void memoGet(int index) {
        if (!bin) {
            out.write(Opcode.GET.code());
            out.writeAscii(index + "\n");
        } else if (index < 256) {
            out.write(Opcode.BINGET.code(), index);
        } else {
            out.writeOpU32(Opcode.LONG_BINGET.code(), index);
        }
    }

    private boolean inMemo(Object obj) {
        return memo.contains(obj);
    }

    // ------------------------------------------------------------------------------------------------ containers

    /**
     * Sizes the memo for a container of {@code items} about to be saved: each item may be one memo entry. Growing
     * once to the size a large list needs, instead of doubling from small, was half the time of dumping 200k
     * strings (see {@link IdentityMemo#expect}).
     */
    private void expect(int items) {
        memo.expect(items);
    }

    /** save_list: EMPTY_LIST (or MARK LIST at 0), memoize, then the items in batches. */
    private boolean saveList(List<?> list) {
        if (bin) {
            out.write(Opcode.EMPTY_LIST.code());
        } else {
            out.write(MARK);
            out.write(Opcode.LIST.code());
        }
        memoPut(list);
        if (list.isEmpty()) {
            return false;
        }
        expect(list.size());
        if (bin && isPlainList(list.getClass()) && flatItems(list)) {
            saveFlatItems(list, APPEND, APPENDS);
            return false;
        }
        return push(listTask(proto > 0 ? Batching.EXACT_LIST : Batching.ONE_BY_ONE, list, "list"));
    }

    /** Whether {@code c} is one of the list classes whose {@code get} is a plain array read. */
    private static boolean isPlainList(Class<?> c) {
        return c == LoadedList.class || c == PyList.class || c == ArrayList.class;
    }

    /** The items of a list, read by index when that is fast, else by its iterator. */
    private BatchTask listTask(Batching mode, List<?> list, String what) {
        boolean byIndex = isPlainList(list.getClass()) || list instanceof RandomAccess;
        return new BatchTask(mode, byIndex ? list : null, byIndex ? null : list.iterator(), list.size(), false,
                APPEND, APPENDS, what);
    }

    /** save_dict: EMPTY_DICT (or MARK DICT at 0), memoize, then the items in batches. */
    private boolean saveDict(Map<?, ?> map) {
        if (bin) {
            out.write(Opcode.EMPTY_DICT.code());
        } else {
            out.write(MARK);
            out.write(Opcode.DICT.code());
        }
        memoPut(map);
        if (map.isEmpty()) {
            return false;
        }
        expect(map.size());
        if (bin && flatEntries(map)) {
            saveFlatEntries(map);
            return false;
        }
        return push(new BatchTask(proto > 0 ? Batching.EXACT_DICT : Batching.ONE_BY_ONE, null,
                map.entrySet().iterator(), map.size(), true, SETITEM, SETITEMS, "dict"));
    }

    /** save_set: EMPTY_SET and ADDITEMS at protocol 4+, else {@code set([items])}. */
    private boolean saveSet(Set<?> set) {
        if (proto < 4) {
            return push(reduceTask(PyObject.reduce(SET, new ArrayList<>(set)), set));
        }
        out.write(Opcode.EMPTY_SET.code());
        memoPut(set);
        if (set.isEmpty()) {
            return false;
        }
        expect(set.size());
        return push(new BatchTask(Batching.EXACT_SET, null, set.iterator(), set.size(), false, -1, ADDITEMS,
                "set"));
    }

    /** save_frozenset: MARK items FROZENSET at protocol 4+, else {@code frozenset([items])}. */
    private boolean saveFrozenSet(PyFrozenSet set) {
        if (proto < 4) {
            return push(reduceTask(PyObject.reduce(FROZENSET, new ArrayList<>(set)), set));
        }
        out.write(MARK);
        expect(set.size());
        return push(new ClosedSequenceTask(set, Arrays.asList(set.toArray()), false));
    }

    /**
     * save_tuple: EMPTY_TUPLE (not memoized), TUPLE1-3 at protocol 2+, else MARK ... TUPLE. A tuple found in the
     * memo after its items were saved contains itself: pop what was pushed and fetch it.
     */
    private boolean saveTuple(PyTuple t) {
        int n = t.size();
        if (n == 0) {
            if (bin) {
                out.write(Opcode.EMPTY_TUPLE.code());
            } else {
                out.write(MARK);
                out.write(TUPLE);
            }
            return false;
        }
        boolean small = n <= 3 && proto >= 2;
        if (!small) {
            out.write(MARK);
        }
        expect(n);
        if (flatItems(t)) {
            // Numbers and strs cannot hold the tuple, so it cannot be in the memo after its items.
            for (int i = 0; i < n; i++) {
                save(t.get(i));
            }
            out.write(small ? Opcode.TUPLE1.code() + n - 1 : TUPLE);
            memoPut(t);
            return false;
        }
        return push(new ClosedSequenceTask(t, t, small));
    }

    // ------------------------------------------------------------------------------------------------ flat

    /*
     * A container whose items are all numbers, bools, None and strs (the records of a table, the leaves of a
     * tree) is written in one loop, without a task: saving such an item pushes nothing and runs no caller code,
     * when there is no persistent-id hook. The bytes are those of the task path. Lists and dicts are taken only
     * below BATCH items, so they are one batch, as in batch_list_exact and batch_dict_exact: a lone item is
     * closed by APPEND or SETITEM, more by MARK ... APPENDS or SETITEMS.
     */

    /**
     * Whether saving {@code o} writes it at once. Touches the memo for a str on the way, so that the lookups of
     * a container's strs overlap instead of missing the cache one after another; once the memo speculates (see
     * {@link IdentityMemo#speculate}) such a lookup misses no large table, and the touch only hashes the str.
     * (Collecting a small container's strs and loading their slots together, as {@link #touchAhead} does for
     * longer lists, made the tree's first dumps 7-20% slower in paired A/B runs, and records no faster: such a
     * container has one or two new strs.)
     */
    private boolean flat(Object o) {
        if (o == null) {
            return true;
        }
        Class<?> c = o.getClass();
        if (c == String.class) {
            memo.touch(o);
            // A str a read stream discarded a call after is written with that call, by a task.
            return anchored == null || !anchored.containsKey(o);
        }
        return isAtom(c);
    }

    /** Whether {@code items}, a random-access list, is under a batch of flat items. */
    private boolean flatItems(List<?> items) {
        int n = items.size();
        if (n >= BATCH || config.persistentId() != null) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!flat(items.get(i))) {
                return false;
            }
        }
        return true;
    }

    private void saveFlatItems(List<?> items, int single, int multi) {
        int n = items.size();
        if (n > 1) {
            out.write(MARK);
        }
        for (int i = 0; i < n; i++) {
            save(items.get(i));
        }
        out.write(n > 1 ? multi : single);
    }

    /** Whether {@code c} is one of the plain dict classes, whose iteration has no side effects. */
    private static boolean isPlainDict(Class<?> c) {
        return c == LoadedDict.class || c == PyDict.class || c == LinkedHashMap.class || c == HashMap.class;
    }

    /** Whether {@code map}, a plain dict, is under a batch of flat keys and values. */
    private boolean flatEntries(Map<?, ?> map) {
        if (map.size() >= BATCH || config.persistentId() != null || !isPlainDict(map.getClass())) {
            return false;
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!flat(e.getKey()) || !flat(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private void saveFlatEntries(Map<?, ?> map) {
        int n = map.size();
        if (n > 1) {
            out.write(MARK);
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            save(e.getKey());
            save(e.getValue());
        }
        out.write(n > 1 ? SETITEMS : SETITEM);
    }

    /** How many items of a list or tuple {@link #touchAhead} looks ahead. */
    private static final int AHEAD = IdentityMemo.MAX_TOUCH;
    /** The items whose memo slots {@link #touchAhead} loads together. */
    private final Object[] ahead = new Object[AHEAD];

    /**
     * Starts the memo lookups of the next {@link #AHEAD} items of {@code items} from {@code from} together, and
     * returns the index at which to look ahead again, or -1 if none of them is memoized (a list of numbers),
     * so that such a sequence stops looking. Each lookup of a new object is a cache miss, since identity hashes
     * and content hashes are random, and the misses of one item after another do not overlap; loading the slots
     * of several items at once (IdentityMemo.touch) lets the processor wait for them together.
     */
    private int touchAhead(List<?> items, int from, int size) {
        int end = Math.min(size, from + AHEAD);
        int n = 0;
        if (end - from < FEW) {
            for (int i = from; i < end; i++) {
                Object o = items.get(i);
                if (o != null && !isAtom(o.getClass())) {
                    memo.touch(o);
                    n++;
                }
            }
            return n == 0 ? -1 : end;
        }
        for (int i = from; i < end; i++) {
            Object o = items.get(i);
            if (o != null && !isAtom(o.getClass())) {
                ahead[n++] = o;
            }
        }
        if (n == 0) {
            return -1;
        }
        memo.touch(ahead, n);
        return end;
    }

    /**
     * Below this many items, {@link #touchAhead} touches them one by one: a node of the tree (four items) has few
     * misses to overlap, and loading its slots together made its first dumps 1-10% slower in four paired A/B runs
     * of four (0.92-1.10 of the build before, with this threshold).
     */
    private static final int FEW = 8;

    /** The classes of the values that are never memoized and that a container's items are most often. */
    private static boolean isAtom(Class<?> c) {
        return c == Long.class || c == Double.class || c == Boolean.class || c == Integer.class;
    }

    /**
     * The items of a tuple or frozenset, then the opcode that builds it from the stack, and its memo entry. If
     * saving the items memoized the container itself (it contains itself, through a list or an object), what they
     * pushed is popped and the memoized one fetched instead, as save_tuple and save_frozenset do.
     */
    private final class ClosedSequenceTask extends Task {
        private final Object container;
        private final List<?> items;
        /** TUPLE1-3, with no MARK before the items. */
        private final boolean small;
        private int taken;
        private int nextTouch;

        ClosedSequenceTask(Object container, List<?> items, boolean small) {
            this.container = container;
            this.items = items;
            this.small = small;
        }

        @Override
        boolean step() {
            int n = items.size();
            while (taken < n) {
                if (taken == nextTouch) {
                    nextTouch = touchAhead(items, taken, n);
                }
                if (save(items.get(taken++))) {
                    return false;
                }
            }
            taken = n + 1;
            int index = memo.get(container);
            if (index != IdentityMemo.NONE) {
                if (small) {
                    for (int i = 0; i < n; i++) {
                        out.write(POP);
                    }
                } else if (bin) {
                    out.write(POP_MARK);
                } else {
                    for (int i = 0; i <= n; i++) {
                        out.write(POP);
                    }
                }
                memoGet(index);
            } else {
                boolean frozen = container instanceof PyFrozenSet;
                out.write(frozen ? Opcode.FROZENSET.code() : small ? Opcode.TUPLE1.code() + n - 1 : TUPLE);
                memoPut(container);
            }
            return true;
        }

        @Override
        void describeChild(StringBuilder path) {
            if (taken > 0 && taken <= items.size()) {
                path.append('[').append(taken - 1).append(']');
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ globals

    /**
     * save_global for a name: EXT1/2/4 if registered (not memoized), STACK_GLOBAL at protocol 4+, else GLOBAL,
     * with Python 2 names below protocol 3. A dotted name below protocol 4 is reached by getattr, as CPython
     * 3.13 writes it: getattr pushed once per level, the module's first name by GLOBAL, then per level the
     * attribute name, TUPLE2 and REDUCE, with nothing memoized but the names and the result.
     */
    private boolean saveGlobal(GlobalRef g) {
        if (proto >= 2) {
            Integer code = config.extensions().get(g);
            if (code != null) {
                if (code <= 0xff) {
                    out.write(Opcode.EXT1.code(), code);
                } else if (code <= 0xffff) {
                    out.write(Opcode.EXT2.code());
                    out.write(code & 0xff, code >> 8);
                } else {
                    out.writeOpU32(Opcode.EXT4.code(), code);
                }
                return false;
            }
        }
        if (proto >= 4) {
            return push(new SequenceTask(new Object[] {g.module(), g.name(), (Emit) () -> {
                out.write(Opcode.STACK_GLOBAL.code());
                memoPut(g);
                return Emit.NEXT;
            }}, new String[] {".module", ".name"}));
        }
        String name = g.name();
        if (name.indexOf('.') < 0) {
            writeGlobalOpcode('c', g.module(), name);
            memoPut(g);
            return false;
        }
        String[] parts = name.split("\\.", -1);
        List<Object> steps = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            steps.add(GETATTR);
        }
        steps.add((Emit) () -> {
            writeGlobalOpcode('c', g.module(), parts[0]);
            return Emit.NEXT;
        });
        for (int i = 1; i < parts.length; i++) {
            steps.add(new String(parts[i]));
            steps.add((Emit) () -> {
                out.write(Opcode.TUPLE2.code());
                out.write(REDUCE);
                return Emit.NEXT;
            });
        }
        steps.add((Emit) () -> {
            memoPut(g);
            return Emit.NEXT;
        });
        return push(new SequenceTask(steps.toArray(), null));
    }

    /**
     * dill's name for the loading interpreter's {@code __main__} module: {@code __builtin__.__main__}, read as
     * {@code builtins.__main__} below protocol 3 when imports are fixed.
     */
    private static boolean isDillMain(GlobalRef g) {
        return g.name().equals("__main__") && (g.module().equals("__builtin__") || g.module().equals("builtins"));
    }

    /** GLOBAL or INST's two lines: Python 2 names below protocol 3, UTF-8 at protocol 3, else ASCII. */
    private void writeGlobalOpcode(char op, String module, String name) {
        if (proto < 3 && config.fixImports()) {
            String[] pair = CompatNames.toPython2(module, name);
            module = pair[0];
            name = pair[1];
        }
        if (module.indexOf('\n') >= 0 || name.indexOf('\n') >= 0) {
            throw fail("a global's module or name contains a newline, which GLOBAL cannot carry: " + module + "."
                    + name);
        }
        byte[] m;
        byte[] n;
        if (proto == 3) {
            m = PyText.encodeUtf8(module);
            n = PyText.encodeUtf8(name);
        } else {
            if (!isAscii(module) || !isAscii(name)) {
                throw fail("can't pickle global " + module + "." + name + " at protocol " + proto
                        + ": only ASCII names can be written there (use protocol 3 or higher)");
            }
            m = module.getBytes(StandardCharsets.US_ASCII);
            n = name.getBytes(StandardCharsets.US_ASCII);
        }
        out.write(op);
        out.write(m);
        out.write('\n');
        out.write(n);
        out.write('\n');
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ pers

    /** save_pers: BINPERSID after the saved id (which is not itself given to the hook), or PERSID text at 0. */
    private boolean savePersistent(Object pid) {
        if (bin) {
            return push(new SequenceTask(new Object[] {new PersistentIdStep(pid), (Emit) () -> {
                out.write(Opcode.BINPERSID.code());
                return Emit.NEXT;
            }}, new String[] {".persistent_id"}));
        }
        String text;
        if (pid instanceof String) {
            text = (String) pid;
        } else if (pid instanceof Long || pid instanceof Integer || pid instanceof Short || pid instanceof Byte
                || pid instanceof BigInteger) {
            text = pid.toString();
        } else {
            throw fail("persistent IDs in protocol 0 must be ASCII strings, not " + pid.getClass().getName());
        }
        if (!isAscii(text) || text.indexOf('\n') >= 0) {
            throw fail("persistent IDs in protocol 0 must be ASCII strings without newlines");
        }
        out.write(Opcode.PERSID.code());
        out.writeAscii(text);
        out.write('\n');
        return false;
    }

    /** A persistent id to save without passing it to the hook again. */
    private static final class PersistentIdStep {
        final Object pid;

        PersistentIdStep(Object pid) {
            this.pid = pid;
        }
    }

    // ------------------------------------------------------------------------------------------------ reduce

    /**
     * save_reduce for an inert node: create it (REDUCE, NEWOBJ, NEWOBJ_EX, INST or OBJ), memoize it as
     * {@code memoKey} unless saving its arguments already did (then POP it and fetch the memoized one, skipping
     * the rest), then its list items, dict items and set items, then each BUILD state.
     */
    private Task reduceTask(PyObject node, Object memoKey) {
        return reduceTask(node, memoKey, null);
    }

    /** Writes {@code node} as {@link ReducePlan} plans it, then {@code trailer}'s bytes if it is not null. */
    private Task reduceTask(PyObject node, Object memoKey, TrailingData trailer) {
        ReducePlan plan;
        try {
            plan = ReducePlan.of(node, memoKey, trailer, proto);
        } catch (NotPicklable e) {
            throw fail(e.getMessage());
        }
        return sequence(plan.steps, plan.labels);
    }

    /** A task that saves the values among {@code steps} and performs their {@link ReducePlan.Step}s, in order. */
    private SequenceTask sequence(List<Object> steps, List<String> labels) {
        Object[] todo = steps.toArray();
        for (int i = 0; i < todo.length; i++) {
            if (todo[i] instanceof ReducePlan.Step step) {
                todo[i] = perform(step);
            }
        }
        return new SequenceTask(todo, labels.toArray(new String[0]));
    }

    /** What a plan's step does to the output, the memo and the task stack. */
    private Emit perform(ReducePlan.Step step) {
        if (step instanceof ReducePlan.Op op) {
            return () -> {
                for (int code : op.opcodes()) {
                    out.write(code);
                }
                return Emit.NEXT;
            };
        } else if (step instanceof ReducePlan.Inst inst) {
            return () -> {
                writeGlobalOpcode((char) Opcode.INST.code(), inst.cls().module(), inst.cls().name());
                return Emit.NEXT;
            };
        } else if (step instanceof ReducePlan.Memoize m) {
            Object memoKey = m.key();
            return () -> {
                if (memoKey == null) {
                    return Emit.NEXT;
                }
                if (inMemo(memoKey)) {
                    out.write(POP);
                    memoGet(memo.get(memoKey));
                    return Emit.END;
                }
                memoPut(memoKey);
                return Emit.NEXT;
            };
        } else if (step instanceof ReducePlan.ListItems l) {
            return () -> {
                push(listTask(proto > 0 ? Batching.GENERIC : Batching.ONE_BY_ONE, l.items(), "listItems"));
                return Emit.PUSHED;
            };
        } else if (step instanceof ReducePlan.DictItems d) {
            Map<Object, Object> dictItems = d.items();
            return () -> {
                push(new BatchTask(proto > 0 ? Batching.GENERIC : Batching.ONE_BY_ONE, null,
                        dictItems.entrySet().iterator(), dictItems.size(), true, SETITEM, SETITEMS, "dictItems"));
                return Emit.PUSHED;
            };
        } else if (step instanceof ReducePlan.SetItems set) {
            List<Object> setItems = set.items();
            return () -> {
                if (proto < 4) {
                    throw fail("set items (ADDITEMS) need protocol 4 or higher");
                }
                push(new BatchTask(Batching.EXACT_SET, null, setItems.iterator(), setItems.size(), false, -1,
                        ADDITEMS, "setItems"));
                return Emit.PUSHED;
            };
        } else if (step instanceof ReducePlan.Raw raw) {
            return () -> {
                out.writeRaw(raw.data());
                return Emit.NEXT;
            };
        } else {
            PyObject call = ((ReducePlan.DiscardedCall) step).call();
            return () -> {
                out.opcodeBoundary();
                push(reduceTask(call, null));
                return Emit.PUSHED;
            };
        }
    }

    /**
     * Writes {@code obj}, a value a read stream discarded calls after (PyDiscarding.anchored), then those that
     * followed this write of it: its creation, or its n-th memo fetch. Returns false, writing nothing, when none
     * follow this one, so the caller writes the value as usual.
     */
    private boolean saveAnchored(Object obj, List<PyObject.Discarded> after) {
        Object key = obj instanceof GlobalRef g ? globals.get(g) : obj instanceof String s ? userString(s) : obj;
        boolean fetch = key != null && memo.get(key) != IdentityMemo.NONE
                && !(obj instanceof GlobalRef g && isDillMain(g));
        int occurrence = fetch ? anchorFetches.merge(obj, 1, Integer::sum) : 0;
        List<Object> steps = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        ReducePlan.addDiscarded(steps, labels, after, 0, occurrence);
        if (steps.isEmpty()) {
            return false;
        }
        anchoredWritten += steps.size() / 2;
        steps.add(0, (Emit) () -> {
            anchorBypass = obj;
            return saveValue(obj) ? Emit.PUSHED : Emit.NEXT;
        });
        labels.add(0, null);
        return push(sequence(steps, labels));
    }

    /**
     * After a GET of a node with discarded values: those the stream had right after this fetch of it (the n-th),
     * each then POP. Returns whether it pushed a task.
     */
    private boolean afterFetch(PyObject node) {
        if (fetches == null) {
            fetches = new IdentityHashMap<>();
        }
        int n = fetches.merge(node, 1, Integer::sum);
        List<Object> steps = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        ReducePlan.addDiscarded(steps, labels, node.discarded(), 0, n);
        return !steps.isEmpty() && push(sequence(steps, labels));
    }

    // ------------------------------------------------------------------------------------------------ tasks

    /** One container being saved; {@link #step} resumes it after a child task finished. */
    private abstract static class Task {
        /** Runs until done (true) or until it pushed a child (false). */
        abstract boolean step();

        /** Appends the path of the child being saved now, such as {@code [3]} or {@code .name}. */
        abstract void describeChild(StringBuilder path);
    }

    /** A write step inside a {@link SequenceTask}. */
    @FunctionalInterface
    private interface Emit {
        int NEXT = 0;
        int PUSHED = 1;
        int END = 2;

        int run();
    }

    /**
     * Saves a fixed sequence of values with writes between them: tuples, frozensets, globals, reduce. An
     * {@link Emit} runs; a {@link PersistentIdStep} is saved without the hook; anything else is saved.
     */
    private final class SequenceTask extends Task {
        private final Object[] steps;
        private final String[] labels;
        private int next;
        private int current = -1;

        SequenceTask(Object[] steps, String[] labels) {
            this.steps = steps;
            this.labels = labels;
        }

        @Override
        boolean step() {
            while (next < steps.length) {
                int i = next++;
                Object s = steps[i];
                if (s instanceof Emit) {
                    current = -1;
                    int r = ((Emit) s).run();
                    if (r == Emit.PUSHED) {
                        return false;
                    }
                    if (r == Emit.END) {
                        next = steps.length;
                    }
                    continue;
                }
                current = i;
                boolean pushed = s instanceof PersistentIdStep ? save(((PersistentIdStep) s).pid, true) : save(s);
                if (pushed) {
                    return false;
                }
            }
            return true;
        }

        @Override
        void describeChild(StringBuilder path) {
            if (current < 0) {
                return;
            }
            if (labels != null) {
                if (current < labels.length && labels[current] != null) {
                    path.append(labels[current]);
                }
                return;
            }
            int index = 0;
            for (int i = 0; i < current; i++) {
                if (!(steps[i] instanceof Emit)) {
                    index++;
                }
            }
            path.append('[').append(index).append(']');
        }
    }

    /** How a run of items is split into APPENDS/SETITEMS/ADDITEMS batches; the C pickler has four ways. */
    private enum Batching {
        /** Protocol 0: APPEND or SETITEM after each item (batch_list/batch_dict at protocol 0). */
        ONE_BY_ONE,
        /** batch_list_exact: a one-item list with APPEND, else batches while items remain. */
        EXACT_LIST,
        /**
         * batch_dict_exact: a one-item dict with SETITEM, else batches while the last one was full, so a multiple
         * of 1000 items ends with an empty MARK SETITEMS.
         */
        EXACT_DICT,
        /** save_set: as EXACT_DICT, but a single item is still a batch. */
        EXACT_SET,
        /** batch_list/batch_dict on an iterator (reduce list and dict items): a lone last item uses APPEND. */
        GENERIC
    }

    /**
     * The items of a list, dict or set, or of a reduce's list, dict and set items, written in batches. Items are
     * counted as they are taken, so the batch logic does not care whether an item's save finished at once or
     * pushed a child task first.
     */
    private final class BatchTask extends Task {
        private final Batching mode;
        /** A random-access list, read by index; null when the items come from {@link #it}. */
        private final List<?> list;
        private final Iterator<?> it;
        private final int size;
        /** Whether the items are map entries, saved as key then value. */
        private final boolean pairs;
        private final int single;
        private final int multi;
        private final String what;
        /** Items taken so far; the one being saved is {@code taken - 1}. */
        private int taken;
        /** The item being saved (a map entry for pairs), and how many of its parts have been started. */
        private Object item;
        private int parts;
        /**
         * Whether to try {@link #saveNumbers} at the next item: the items are a list, no persistent-id hook is
         * set, and no item so far was anything but a number.
         */
        private boolean numbers;
        /** The item at which {@link #touchAhead} runs next; never (-1), once it found no memoized item. */
        private int nextTouch;
        /** Items taken into the open batch, or -1 between batches. */
        private int inBatch = -1;
        /** The open batch is one item closed by the single-item opcode, with no MARK. */
        private boolean lone;
        private int limit;

        /**
         * Items from {@code list} by index when it is given (a random-access list), else from {@code it}. The
         * caller decides, and asks for the size and iterator where the collection's class is known: an interface
         * check that fails here (a map's entry set is no list) scans the class's interfaces, and a call through
         * {@code Collection} from here would see every kind of collection.
         */
        BatchTask(Batching mode, List<?> list, Iterator<?> it, int size, boolean pairs, int single, int multi,
                String what) {
            this.mode = mode;
            this.size = size;
            this.list = list;
            this.it = it;
            this.pairs = pairs;
            this.parts = pairs ? 2 : 1;
            this.single = single;
            this.multi = multi;
            this.what = what;
            this.nextTouch = list != null ? 0 : -1;
            this.numbers = list != null && config.persistentId() == null;
        }

        @Override
        boolean step() {
            if (!saveItem()) {
                return false;
            }
            if (inBatch < 0) {
                if (size == 0) {
                    return true;
                }
                openBatch();
            }
            while (true) {
                while (inBatch < limit && taken < size) {
                    if (numbers) {
                        int run = saveNumbers(Math.min(size, taken + limit - inBatch));
                        taken += run;
                        inBatch += run;
                        if (run == 0) {
                            // The rest goes item by item, looking ahead from here.
                            numbers = false;
                            nextTouch = taken;
                        }
                        continue;
                    }
                    if (taken == nextTouch) {
                        nextTouch = touchAhead(list, taken, size);
                    }
                    take();
                    inBatch++;
                    if (!saveItem()) {
                        return false;
                    }
                }
                out.write(lone ? single : multi);
                boolean full = inBatch == BATCH;
                boolean more = mode == Batching.EXACT_DICT || mode == Batching.EXACT_SET ? full : taken < size;
                if (!more) {
                    if (list == null && it.hasNext()) {
                        throw fail(what + " grew while it was being pickled");
                    }
                    return true;
                }
                openBatch();
            }
        }

        /**
         * Saves the ints and floats of a list from {@link #taken} up to {@code end} in one loop, and returns how
         * many (0 if the next item is anything else). A list of numbers is most of what some pickles hold, and
         * this is {@code save()} for them without the per-item task state: no hook runs (there is no persistent
         * id function) and a number is never memoized.
         */
        private int saveNumbers(int end) {
            if (list.size() != size) {
                throw fail(what + " changed size while it was being pickled");
            }
            int i = taken;
            while (i < end) {
                if (bin) {
                    // Most numbers go here, without a check each; the one it stops at, if a number, is at a
                    // frame boundary or a full buffer (or is out of 32-bit range) and goes the general way.
                    i = out.writeBinNumbers(list, i, end);
                    if (i == end) {
                        break;
                    }
                }
                Object o = list.get(i);
                Class<?> c = o == null ? null : o.getClass();
                if (c == Long.class) {
                    out.opcodeBoundary();
                    saveLong((Long) o);
                } else if (c == Double.class) {
                    out.opcodeBoundary();
                    saveFloat((Double) o);
                } else {
                    break;
                }
                i++;
            }
            return i - taken;
        }

        private void openBatch() {
            int remaining = size - taken;
            switch (mode) {
                case ONE_BY_ONE:
                    lone = true;
                    break;
                case GENERIC:
                    lone = remaining == 1;
                    break;
                case EXACT_SET:
                    lone = false;
                    break;
                default:
                    lone = size == 1;
            }
            limit = lone ? 1 : BATCH;
            if (!lone) {
                out.write(MARK);
            }
            inBatch = 0;
        }

        private void take() {
            if (list != null) {
                if (list.size() != size) {
                    throw fail(what + " changed size while it was being pickled");
                }
                item = list.get(taken);
            } else {
                if (!it.hasNext()) {
                    throw fail(what + " shrank while it was being pickled");
                }
                item = it.next();
            }
            taken++;
            parts = 0;
        }

        /** Saves what is left of the current item; false if a child task was pushed, which runs first. */
        private boolean saveItem() {
            if (!pairs) {
                if (parts == 0) {
                    parts = 1;
                    return !save(item);
                }
                return true;
            }
            while (parts < 2) {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) item;
                if (parts++ == 0 ? save(e.getKey()) : save(e.getValue())) {
                    return false;
                }
            }
            return true;
        }

        @Override
        void describeChild(StringBuilder path) {
            int index = taken - 1;
            if (index < 0) {
                return;
            }
            if (!pairs) {
                switch (what) {
                    case "list":
                        path.append('[').append(index).append(']');
                        break;
                    case "set":
                        path.append("{item ").append(index).append('}');
                        break;
                    default:
                        path.append('.').append(what).append('[').append(index).append(']');
                }
                return;
            }
            Object key = ((Map.Entry<?, ?>) item).getKey();
            String prefix = what.equals("dict") ? "" : "." + what;
            if (parts <= 1) {
                path.append(prefix).append(".<key ").append(index).append('>');
            } else if (key instanceof String && isIdentifier((String) key)) {
                path.append(prefix).append('.').append(key);
            } else if (key instanceof String) {
                path.append(prefix).append("[\"").append(key).append("\"]");
            } else if (key instanceof Number || key instanceof Boolean || key == null) {
                path.append(prefix).append('[').append(key).append(']');
            } else {
                path.append(prefix).append("[<").append(key.getClass().getSimpleName()).append(" key>]");
            }
        }
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0)) || s.charAt(0) == '$') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!Character.isJavaIdentifierPart(s.charAt(i)) || s.charAt(i) == '$') {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ errors

    private String path() {
        StringBuilder sb = new StringBuilder("$");
        for (int i = 0; i < depth; i++) {
            stack[i].describeChild(sb);
        }
        return sb.toString();
    }

    private PickleException fail(String problem) {
        return new PickleException(problem, path());
    }

    private static String describe(Object o) {
        return o == null ? "None" : o.getClass().getName();
    }
}
