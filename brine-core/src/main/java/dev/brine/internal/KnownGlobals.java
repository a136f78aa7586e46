package dev.brine.internal;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyTuple;

import dev.brine.value.PyCounter;
import dev.brine.value.PyDefaultDict;
import dev.brine.value.PyDeque;
import dev.brine.value.PyObject;
import dev.brine.value.PyOrderedDict;
import dev.brine.value.PyRange;
import dev.brine.value.PySlice;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The globals Brine understands: calls of these, with the argument shapes CPython's picklers write, become natural
 * Java values instead of inert nodes. Any other call, or an unexpected argument shape, stays inert.
 *
 * <p>Every mapping here is lossless: the Java value is written back by the {@link dev.brine.Pickler} to the bytes it
 * was read from (see docs/TYPES.md). Where a Java type cannot say everything the pickle said (a decimal NaN, a
 * datetime with {@code fold=1} outside an overlap, a {@code timezone} with a name), the call stays inert.
 *
 * <p>Most values are made at REDUCE ({@link #call}). A few are only complete at BUILD ({@link #build}): a
 * {@code uuid.UUID} is {@code UUID.__new__} plus the state {@code {'int': n}}, a numpy dtype and ndarray get their
 * layout and data from their state. The pickle machine then replaces the inert node by the finished value, on the
 * stack and in the memo ({@link #finishesAtBuild}).
 */
final class KnownGlobals {
    private KnownGlobals() {
    }

    /** The result of a call this table does not understand. */
    static final Object NOT_HANDLED = new Object();

    private interface Call {
        Object apply(PyTuple args, PickleMachine machine);
    }

    /** A call that also needs the very reference the pickle named, to keep it in the value it makes. */
    private interface NamedCall {
        Object apply(GlobalRef ref, PyTuple args);
    }

    private static Call named(GlobalRef key, NamedCall call) {
        NAMED.put(key, call);
        return (a, m) -> NOT_HANDLED;
    }

    private static final Map<GlobalRef, NamedCall> NAMED = new HashMap<>();

    /** Finishes a node at BUILD: returns its replacement, or {@link #NOT_HANDLED} to keep the node and the state. */
    private interface Build {
        Object apply(PyObject target, Object state);
    }

    static final GlobalRef UUID_CLASS = new GlobalRef("uuid", "UUID");
    static final GlobalRef DECIMAL = new GlobalRef("decimal", "Decimal");
    static final GlobalRef RECONSTRUCTOR = new GlobalRef("copyreg", "_reconstructor");
    static final GlobalRef OBJECT = new GlobalRef("builtins", "object");

    private static final Map<GlobalRef, Call> CALLS = new HashMap<>();
    private static final Map<GlobalRef, Build> BUILDS = new HashMap<>();
    /** Globals that are known only as arguments of known calls (the class argument of a reconstructor). */
    private static final Set<GlobalRef> ARGUMENTS = new HashSet<>();

    static {
        CALLS.put(new GlobalRef("builtins", "set"), KnownGlobals::set);
        CALLS.put(new GlobalRef("builtins", "frozenset"), KnownGlobals::frozenset);
        CALLS.put(new GlobalRef("builtins", "bytearray"), KnownGlobals::bytearray);
        CALLS.put(new GlobalRef("builtins", "bytes"), KnownGlobals::bytes);
        CALLS.put(new GlobalRef("_codecs", "encode"), KnownGlobals::encode);
        CALLS.put(new GlobalRef("builtins", "complex"), KnownGlobals::complex);
        CALLS.put(PyRange.CLASS, named(PyRange.CLASS, KnownGlobals::range));
        CALLS.put(PySlice.CLASS, named(PySlice.CLASS,
                (r, a) -> a.size() == 3 ? new PySlice(a.get(0), a.get(1), a.get(2), r) : NOT_HANDLED));

        CALLS.put(DatetimeModule.DATE, (a, m) -> DatetimeModule.date(a));
        CALLS.put(DatetimeModule.TIME, (a, m) -> DatetimeModule.time(a));
        CALLS.put(DatetimeModule.DATETIME, (a, m) -> DatetimeModule.datetime(a));
        CALLS.put(DatetimeModule.TIMEDELTA, (a, m) -> DatetimeModule.timedelta(a));
        CALLS.put(DatetimeModule.TIMEZONE, (a, m) -> DatetimeModule.timezone(a));
        ARGUMENTS.add(DatetimeModule.ZONEINFO);
        CALLS.put(DECIMAL, (a, m) -> decimal(a));

        CALLS.put(PyOrderedDict.CLASS, named(PyOrderedDict.CLASS, KnownGlobals::orderedDict));
        CALLS.put(PyDefaultDict.CLASS, named(PyDefaultDict.CLASS, KnownGlobals::defaultdict));
        CALLS.put(PyCounter.CLASS, named(PyCounter.CLASS, KnownGlobals::counter));
        CALLS.put(PyDeque.CLASS, named(PyDeque.CLASS, KnownGlobals::deque));

        CALLS.put(ArrayModule.ARRAY, named(ArrayModule.ARRAY, ArrayModule::array));
        CALLS.put(ArrayModule.RECONSTRUCTOR, named(ArrayModule.RECONSTRUCTOR, ArrayModule::reconstructor));

        ARGUMENTS.add(UUID_CLASS);
        BUILDS.put(UUID_CLASS, KnownGlobals::uuid);
        BUILDS.put(RECONSTRUCTOR, KnownGlobals::uuid);

        ARGUMENTS.add(NumpyModule.NDARRAY);
        BUILDS.put(NumpyModule.DTYPE, NumpyModule::dtype);
        for (String core : new String[] {NumpyModule.CORE2, NumpyModule.CORE1}) {
            BUILDS.put(NumpyModule.reconstruct(core), (t, st) -> NumpyModule.ndarray(t, st, core));
            CALLS.put(NumpyModule.scalar(core), named(NumpyModule.scalar(core), NumpyModule::scalar));
            CALLS.put(NumpyModule.frombuffer(core), named(NumpyModule.frombuffer(core),
                    (r, a) -> NumpyModule.fromBuffer(r, a, core)));
        }
    }

    /** Whether strict mode lets {@code ref} through: it is one of the globals this table maps. */
    static boolean isKnown(GlobalRef ref) {
        return CALLS.containsKey(ref) || BUILDS.containsKey(ref) || ARGUMENTS.contains(ref);
    }

    /** The value of {@code callable(*args)}, or {@link #NOT_HANDLED}. */
    static Object call(Object callable, PyTuple args, PickleMachine machine) {
        if (callable instanceof GlobalRef) {
            NamedCall named = NAMED.get(callable);
            if (named != null) {
                return named.apply((GlobalRef) callable, args);
            }
            Call call = CALLS.get(callable);
            return call == null ? NOT_HANDLED : call.apply(args, machine);
        }
        if (DatetimeModule.isZoneInfoUnpickle(callable)) {
            return DatetimeModule.zoneInfo(args);
        }
        return NOT_HANDLED;
    }

    /** Whether BUILD may replace {@code value}, so the machine must remember where the memo holds it. */
    static boolean finishesAtBuild(Object value) {
        return value instanceof PyObject && BUILDS.containsKey(((PyObject) value).global())
                && !((PyObject) value).hasState();
    }

    /**
     * BUILD of {@code state} on a node made by a known global: the finished value, or {@link #NOT_HANDLED} when
     * the node stays inert and keeps the state. Only a node without earlier state is finished, and never when the
     * state refers to the node itself (a cycle only a crafted pickle has), which a replacement would leave behind.
     */
    static Object build(PyObject target, Object state) {
        Build build = BUILDS.get(target.global());
        if (build == null || target.hasState() || refersTo(state, target)) {
            return NOT_HANDLED;
        }
        return build.apply(target, state);
    }

    private static boolean refersTo(Object state, Object target) {
        if (state == target) {
            return true;
        }
        if (state instanceof Collection) {
            for (Object o : (Collection<?>) state) {
                if (o == target) {
                    return true;
                }
            }
        } else if (state instanceof Map) {
            for (Object o : ((Map<?, ?>) state).values()) {
                if (o == target) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- builtins, decimal, uuid, collections ------------------------------------------------------------------

    private static Object range(GlobalRef ref, PyTuple a) {
        if (a.size() == 3 && a.get(0) instanceof Long && a.get(1) instanceof Long && a.get(2) instanceof Long
                && (Long) a.get(2) != 0) {
            return new PyRange((Long) a.get(0), (Long) a.get(1), (Long) a.get(2), ref);
        }
        return NOT_HANDLED;
    }

    /**
     * Decimal(str), as Decimal.__reduce__ writes it. A BigDecimal only when its toString gives back the same text:
     * both follow the General Decimal Arithmetic to-scientific-string rules, so digits and exponent (the trailing
     * zero of {@code Decimal('1.10')}) survive. NaN, sNaN, the infinities and negative zero stay inert.
     */
    private static Object decimal(PyTuple a) {
        if (a.size() != 1 || !(a.get(0) instanceof String)) {
            return NOT_HANDLED;
        }
        String s = (String) a.get(0);
        if (s.isEmpty() || s.length() > 1000 || !(Character.isDigit(s.charAt(s.length() - 1)))) {
            return NOT_HANDLED;
        }
        try {
            BigDecimal d = new BigDecimal(s);
            if (!d.toString().equals(s) || (d.signum() == 0 && s.startsWith("-"))) {
                return NOT_HANDLED;
            }
            return d;
        } catch (NumberFormatException e) {
            return NOT_HANDLED;
        }
    }

    /**
     * uuid.UUID: {@code UUID.__new__(UUID)} (NEWOBJ, or {@code copyreg._reconstructor(UUID, object, None)} below
     * protocol 2) with the state {@code {'int': n}} of UUID.__getstate__. A state that also records
     * {@code is_safe} stays inert, since java.util.UUID has no place for it.
     */
    private static Object uuid(PyObject target, Object state) {
        boolean made = target.kind() == PyObject.Kind.NEWOBJ && target.args().isEmpty()
                || target.kind() == PyObject.Kind.REDUCE && target.args().size() == 3
                && UUID_CLASS.equals(target.args().get(0)) && OBJECT.equals(target.args().get(1))
                && target.args().get(2) == null;
        if (!made || !(state instanceof Map) || ((Map<?, ?>) state).size() != 1) {
            return NOT_HANDLED;
        }
        Object n = ((Map<?, ?>) state).get("int");
        BigInteger big = n instanceof Long ? BigInteger.valueOf((Long) n) : n instanceof BigInteger ? (BigInteger) n
                : null;
        if (big == null || big.signum() < 0 || big.bitLength() > 128) {
            return NOT_HANDLED;
        }
        return new UUID(big.shiftRight(64).longValue(), big.longValue());
    }

    private static Object orderedDict(GlobalRef ref, PyTuple a) {
        if (!a.isEmpty()) {
            return NOT_HANDLED;
        }
        PyOrderedDict d = new PyOrderedDict();
        d.setPythonClass(ref);
        return d;
    }

    private static Object defaultdict(GlobalRef ref, PyTuple a) {
        PyDefaultDict d;
        if (a.isEmpty()) {
            d = new PyDefaultDict(null);
        } else if (a.size() == 1 && a.get(0) != null) {
            d = new PyDefaultDict(a.get(0));
        } else {
            // defaultdict.__reduce__ writes () for no factory, so (None,) would not come back the same.
            return NOT_HANDLED;
        }
        d.setPythonClass(ref);
        return d;
    }

    private static Object counter(GlobalRef ref, PyTuple a) {
        // Counter.__reduce__ is (Counter, (dict(self),)).
        if (a.size() == 1 && a.get(0) != null && a.get(0).getClass() == LinkedHashMap.class) {
            PyCounter c = new PyCounter((Map<?, ?>) a.get(0));
            c.setPythonClass(ref);
            return c;
        }
        return NOT_HANDLED;
    }

    private static Object deque(GlobalRef ref, PyTuple a) {
        // deque.__reduce__: (deque, ()) or (deque, ((), maxlen)), the items then come by APPEND.
        PyDeque d;
        if (a.isEmpty()) {
            d = new PyDeque(null);
        } else if (a.size() == 2 && a.get(0) instanceof PyTuple && ((PyTuple) a.get(0)).isEmpty()
                && a.get(1) instanceof Long && (Long) a.get(1) >= 0) {
            d = new PyDeque((Long) a.get(1));
        } else {
            return NOT_HANDLED;
        }
        d.setPythonClass(ref);
        return d;
    }

    private static Object set(PyTuple args, PickleMachine machine) {
        if (args.isEmpty()) {
            return new LinkedHashSet<>();
        }
        if (args.size() == 1 && args.get(0) instanceof Collection) {
            LinkedHashSet<Object> set = new LinkedHashSet<>();
            for (Object item : (Collection<?>) args.get(0)) {
                machine.checkHashable(item);
                set.add(item);
            }
            return set;
        }
        return NOT_HANDLED;
    }

    private static Object frozenset(PyTuple args, PickleMachine machine) {
        if (args.isEmpty()) {
            return PyFrozenSet.empty();
        }
        if (args.size() == 1 && args.get(0) instanceof Collection) {
            Collection<?> items = (Collection<?>) args.get(0);
            for (Object item : items) {
                machine.checkHashable(item);
            }
            return machine.checkNesting(PyFrozenSet.copyOf(items));
        }
        return NOT_HANDLED;
    }

    private static Object bytearray(PyTuple args, PickleMachine machine) {
        if (args.isEmpty()) {
            return PyByteArray.wrap(new byte[0]);
        }
        Object a = args.get(0);
        if (args.size() == 1 && a instanceof PyBytes) {
            return PyByteArray.wrap(((PyBytes) a).toByteArray());
        }
        // Protocols 0-2 in Python 3 write bytearray(str, 'latin-1').
        if (args.size() == 2 && a instanceof String && isLatin1Name(args.get(1))) {
            byte[] b = latin1((String) a);
            return b == null ? NOT_HANDLED : PyByteArray.wrap(b);
        }
        return NOT_HANDLED;
    }

    private static Object bytes(PyTuple args, PickleMachine machine) {
        if (args.isEmpty()) {
            return PyBytes.of();
        }
        return NOT_HANDLED;
    }

    private static Object encode(PyTuple args, PickleMachine machine) {
        if (args.size() == 2 && args.get(0) instanceof String && isLatin1Name(args.get(1))) {
            byte[] b = latin1((String) args.get(0));
            return b == null ? NOT_HANDLED : PyBytes.wrap(b);
        }
        return NOT_HANDLED;
    }

    private static Object complex(PyTuple args, PickleMachine machine) {
        if (args.size() == 2 && args.get(0) instanceof Double && args.get(1) instanceof Double) {
            return new PyComplex((Double) args.get(0), (Double) args.get(1));
        }
        return NOT_HANDLED;
    }

    private static boolean isLatin1Name(Object name) {
        return "latin1".equals(name) || "latin-1".equals(name);
    }

    private static byte[] latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return null;
            }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
