package dev.brine.internal.types;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyDecimal;
import dev.brine.value.PyDictSubtype;
import dev.brine.value.PyException;
import dev.brine.value.PyFraction;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyObject;
import dev.brine.value.PyPath;
import dev.brine.value.PyRange;
import dev.brine.value.PySlice;
import dev.brine.value.PyTuple;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
public final class KnownGlobals {
    private KnownGlobals() {
    }

    /** The result of a call this table does not understand. */
    public static final Object NOT_HANDLED = new Object();

    static final GlobalRef UUID_CLASS = new GlobalRef("uuid", "UUID");
    static final GlobalRef DECIMAL = new GlobalRef("decimal", "Decimal");
    static final GlobalRef RECONSTRUCTOR = new GlobalRef("copyreg", "_reconstructor");
    static final GlobalRef OBJECT = new GlobalRef("builtins", "object");

    /** What the reader does with a known global. */
    private enum Role {
        /** A call of it (REDUCE) becomes a Java value: {@link #call}. */
        CALL,
        /** A node it makes is finished by BUILD: {@link #build}. */
        BUILD,
        /** Known only as an argument of a known call (a reconstructor's class or base, getattr's class). */
        ARGUMENT,
        /**
         * {@code builtins.getattr}: data only as {@code getattr(C, 'name')} of a global {@code C}, which is how CPython
         * pickles an attribute of a class ({@code ZoneInfo._unpickle} for every aware zoneinfo datetime); strict
         * mode judges such a call as the dotted global {@code C.name} ({@link #attribute}).
         */
        ATTRIBUTE
    }

    /**
     * Every global this table knows, each listed once with its role. {@link #of} finds one by name; {@link #call}
     * and {@link #build} dispatch on it; strict mode's allow-list is the whole table ({@link #isKnown}).
     */
    private enum Known {
        SET(Role.CALL), FROZENSET(Role.CALL), BYTEARRAY(Role.CALL), BYTES(Role.CALL), COMPLEX(Role.CALL),
        RANGE(Role.CALL), SLICE(Role.CALL), BUILTIN_EXCEPTION(Role.CALL), CODECS_ENCODE(Role.CALL),
        DATE(Role.CALL), TIME(Role.CALL), DATETIME(Role.CALL), TIMEDELTA(Role.CALL), TIMEZONE(Role.CALL),
        DECIMAL(Role.CALL), FRACTION(Role.CALL), PATH(Role.CALL),
        ORDERED_DICT(Role.CALL), DEFAULT_DICT(Role.CALL), COUNTER(Role.CALL), DEQUE(Role.CALL),
        ARRAY(Role.CALL), ARRAY_RECONSTRUCTOR(Role.CALL),
        NUMPY_SCALAR(Role.CALL), NUMPY_FROMBUFFER_CORE2(Role.CALL), NUMPY_FROMBUFFER_CORE1(Role.CALL),

        UUID(Role.BUILD), COPYREG_RECONSTRUCTOR(Role.BUILD), NUMPY_DTYPE(Role.BUILD),
        NUMPY_RECONSTRUCT_CORE2(Role.BUILD), NUMPY_RECONSTRUCT_CORE1(Role.BUILD),

        OBJECT(Role.ARGUMENT), TUPLE(Role.ARGUMENT), ZONE_INFO(Role.ARGUMENT), NUMPY_NDARRAY(Role.ARGUMENT),
        ZONE_INFO_UNPICKLE(Role.ARGUMENT),

        GETATTR(Role.ATTRIBUTE);

        final Role role;

        Known(Role role) {
            this.role = role;
        }
    }

    // The table is a switch on the module and name strings, not a map of lambdas: a lambda or method reference
    // costs a bootstrap (LambdaMetafactory, a hidden class) the first time it is made, and a static table of thirty
    // of them made the first load of any pickle naming a global several times slower than the rest. A switch on
    // strings allocates nothing per lookup.

    /** The entry for {@code ref}, or null: the one place each known global is named. */
    private static Known of(GlobalRef ref) {
        String n = ref.name();
        switch (ref.module()) {
            case "builtins":
                switch (n) {
                    case "set": return Known.SET;
                    case "frozenset": return Known.FROZENSET;
                    case "bytearray": return Known.BYTEARRAY;
                    case "bytes": return Known.BYTES;
                    case "complex": return Known.COMPLEX;
                    case "range": return Known.RANGE;
                    case "slice": return Known.SLICE;
                    case "object": return Known.OBJECT;
                    case "tuple": return Known.TUPLE;
                    case "getattr": return Known.GETATTR;
                    default: return PyException.isBuiltin(ref) ? Known.BUILTIN_EXCEPTION : null;
                }
            case "_codecs":
                return n.equals("encode") ? Known.CODECS_ENCODE : null;
            case "datetime":
                switch (n) {
                    case "date": return Known.DATE;
                    case "time": return Known.TIME;
                    case "datetime": return Known.DATETIME;
                    case "timedelta": return Known.TIMEDELTA;
                    case "timezone": return Known.TIMEZONE;
                    default: return null;
                }
            case "zoneinfo":
                return n.equals("ZoneInfo") ? Known.ZONE_INFO
                        : n.equals("ZoneInfo._unpickle") ? Known.ZONE_INFO_UNPICKLE : null;
            case "decimal":
                return n.equals("Decimal") ? Known.DECIMAL : null;
            case "fractions":
                return n.equals("Fraction") ? Known.FRACTION : null;
            case "pathlib":
            case "pathlib._local":
                return pathFlavour(n) != null ? Known.PATH : null;
            case "collections":
                switch (n) {
                    case "OrderedDict": return Known.ORDERED_DICT;
                    case "defaultdict": return Known.DEFAULT_DICT;
                    case "Counter": return Known.COUNTER;
                    case "deque": return Known.DEQUE;
                    default: return null;
                }
            case "uuid":
                return n.equals("UUID") ? Known.UUID : null;
            case "copyreg":
                return n.equals("_reconstructor") ? Known.COPYREG_RECONSTRUCTOR : null;
            case "array":
                return n.equals("array") ? Known.ARRAY
                        : n.equals("_array_reconstructor") ? Known.ARRAY_RECONSTRUCTOR : null;
            case "numpy":
                return n.equals("dtype") ? Known.NUMPY_DTYPE : n.equals("ndarray") ? Known.NUMPY_NDARRAY : null;
            case "numpy._core.multiarray":
                return n.equals("scalar") ? Known.NUMPY_SCALAR
                        : n.equals("_reconstruct") ? Known.NUMPY_RECONSTRUCT_CORE2 : null;
            case "numpy.core.multiarray":
                return n.equals("scalar") ? Known.NUMPY_SCALAR
                        : n.equals("_reconstruct") ? Known.NUMPY_RECONSTRUCT_CORE1 : null;
            case "numpy._core.numeric":
                return n.equals("_frombuffer") ? Known.NUMPY_FROMBUFFER_CORE2 : null;
            case "numpy.core.numeric":
                return n.equals("_frombuffer") ? Known.NUMPY_FROMBUFFER_CORE1 : null;
            default:
                return null;
        }
    }

    /** Whether strict mode lets {@code ref} through: it is one of the globals this table maps. */
    public static boolean isKnown(GlobalRef ref) {
        return of(ref) != null;
    }

    /** Whether {@code callable} is {@code builtins.getattr}. */
    public static boolean isGetattr(Object callable) {
        return callable instanceof GlobalRef && of((GlobalRef) callable) == Known.GETATTR;
    }

    /**
     * The dotted global {@code C.name} that {@code getattr(C, 'name')} names, when {@code args} are a global and a
     * constant attribute name; else null (getattr of a value the stream built, or of a computed name).
     */
    public static GlobalRef attribute(PyTuple args) {
        if (args.size() != 2 || !(args.get(0) instanceof GlobalRef) || !(args.get(1) instanceof String)) {
            return null;
        }
        GlobalRef c = (GlobalRef) args.get(0);
        String name = (String) args.get(1);
        if (name.isEmpty() || name.indexOf('.') >= 0) {
            return null;
        }
        return new GlobalRef(c.module(), c.name() + "." + name);
    }

    /** The value of {@code callable(*args)}, or {@link #NOT_HANDLED}. */
    public static Object call(Object callable, PyTuple args, ReadChecks machine) {
        if (!(callable instanceof GlobalRef)) {
            return DatetimeModule.isZoneInfoUnpickle(callable) ? DatetimeModule.zoneInfo(args) : NOT_HANDLED;
        }
        GlobalRef ref = (GlobalRef) callable;
        Known known = of(ref);
        if (known == null || known.role != Role.CALL) {
            return NOT_HANDLED;
        }
        return switch (known) {
            case SET -> set(args, machine);
            case FROZENSET -> frozenset(args, machine);
            case BYTEARRAY -> bytearray(args);
            case BYTES -> args.isEmpty() ? PyBytes.of() : NOT_HANDLED;
            case COMPLEX -> complex(args);
            case RANGE -> range(ref, args);
            case SLICE -> args.size() == 3 ? new PySlice(args.get(0), args.get(1), args.get(2), ref) : NOT_HANDLED;
            // BaseException.__reduce__: (type(self), self.args[, self.__dict__]); the dict comes by BUILD.
            case BUILTIN_EXCEPTION -> new PyException(ref, args);
            case CODECS_ENCODE -> encode(args);
            case DATE -> DatetimeModule.date(args);
            case TIME -> DatetimeModule.time(args);
            case DATETIME -> DatetimeModule.datetime(args);
            case TIMEDELTA -> DatetimeModule.timedelta(args);
            case TIMEZONE -> DatetimeModule.timezone(args);
            case DECIMAL -> decimal(args);
            case FRACTION -> fraction(ref, args);
            case PATH -> path(ref, args);
            case ORDERED_DICT -> CollectionsModule.orderedDict(ref, args);
            case DEFAULT_DICT -> CollectionsModule.defaultdict(ref, args);
            case COUNTER -> CollectionsModule.counter(ref, args);
            case DEQUE -> CollectionsModule.deque(ref, args);
            case ARRAY -> ArrayModule.array(ref, args);
            case ARRAY_RECONSTRUCTOR -> ArrayModule.reconstructor(ref, args);
            case NUMPY_SCALAR -> NumpyModule.scalar(ref, args);
            case NUMPY_FROMBUFFER_CORE2 -> NumpyModule.fromBuffer(ref, args, NumpyModule.CORE2);
            case NUMPY_FROMBUFFER_CORE1 -> NumpyModule.fromBuffer(ref, args, NumpyModule.CORE1);
            default -> throw new AssertionError("a " + known.role + " global in the CALL dispatch: " + known);
        };
    }

    /** Whether BUILD may replace {@code value}, so the machine must remember where the memo holds it. */
    public static boolean finishesAtBuild(Object value) {
        return value instanceof PyObject && ((PyObject) value).global() != null
                && finishesAtBuild(((PyObject) value).global()) && !((PyObject) value).hasState();
    }

    private static boolean finishesAtBuild(GlobalRef ref) {
        Known known = of(ref);
        return known != null && known.role == Role.BUILD;
    }

    /**
     * BUILD of {@code state} on a node made by a known global: the finished value, or {@link #NOT_HANDLED} when
     * the node stays inert and keeps the state. Only a node without earlier state is finished, and never when the
     * state refers to the node itself (a cycle only a crafted pickle has), which a replacement would leave behind.
     */
    public static Object build(PyObject target, Object state) {
        GlobalRef ref = target.global();
        Known known = ref == null ? null : of(ref);
        if (known == null || known.role != Role.BUILD || target.hasState() || refersTo(state, target)) {
            return NOT_HANDLED;
        }
        return switch (known) {
            case UUID, COPYREG_RECONSTRUCTOR -> uuid(target, state);
            case NUMPY_DTYPE -> NumpyModule.dtype(target, state);
            case NUMPY_RECONSTRUCT_CORE2 -> NumpyModule.ndarray(target, state, NumpyModule.CORE2);
            case NUMPY_RECONSTRUCT_CORE1 -> NumpyModule.ndarray(target, state, NumpyModule.CORE1);
            default -> throw new AssertionError("a " + known.role + " global in the BUILD dispatch: " + known);
        };
    }

    /**
     * BUILD of {@code state} on a finished value rather than a node: the {@code __dict__} of a builtin exception
     * ({@code BaseException.__reduce__} gives it as the third item). False when {@code target} takes no state, and
     * the machine then rejects the BUILD.
     */
    public static boolean buildValue(Object target, Object state) {
        if (target instanceof PyException && ((PyException) target).state() == null && state != null) {
            ((PyException) target).setState(state);
            return true;
        }
        if (target instanceof PyDictSubtype && ((PyDictSubtype) target).state() == null && state != null
                && PyDictSubtype.isState(state)) {
            // CPython's load_build updates the instance __dict__ of a dict subclass that has no __setstate__:
            // torch.save's state dicts are OrderedDicts with a _metadata attribute.
            ((PyDictSubtype) target).setState(state);
            return true;
        }
        return false;
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
     * Decimal(str), as Decimal.__reduce__ writes it. A BigDecimal when its toString gives back the same text: both
     * follow the General Decimal Arithmetic to-scientific-string rules, so digits and exponent (the trailing zero of
     * {@code Decimal('1.10')}) survive. NaN, sNaN, the infinities and negative zero, which a BigDecimal cannot hold,
     * become a {@link PyDecimal}; any other text (not Python's canonical str) stays inert.
     */
    private static Object decimal(PyTuple a) {
        if (a.size() != 1 || !(a.get(0) instanceof String)) {
            return NOT_HANDLED;
        }
        String s = (String) a.get(0);
        if (s.isEmpty() || s.length() > 1000) {
            return NOT_HANDLED;
        }
        PyDecimal special = PyDecimal.parse(s);
        if (special != null) {
            return special;
        }
        if (!Character.isDigit(s.charAt(s.length() - 1))) {
            return NOT_HANDLED;
        }
        try {
            BigDecimal d = new BigDecimal(s);
            if (!d.toString().equals(s) || d.signum() == 0 && s.startsWith("-")) {
                return NOT_HANDLED;
            }
            return d;
        } catch (NumberFormatException e) {
            return NOT_HANDLED;
        }
    }

    /**
     * Fraction: {@code (Fraction, (numerator, denominator))} from Python 3.11, {@code (Fraction, (str(f),))} before
     * (fractions.py's __reduce__). Mapped only when in lowest terms with a positive denominator and, for the text,
     * in Python's own spelling, since anything else would not be written back the same.
     */
    private static Object fraction(GlobalRef ref, PyTuple a) {
        if (a.size() == 2) {
            BigInteger n = integer(a.get(0));
            BigInteger d = integer(a.get(1));
            if (n == null || d == null || d.signum() <= 0) {
                return NOT_HANDLED;
            }
            PyFraction f = PyFraction.of(n, d);
            return f.numerator().equals(n) ? f.withForm(PyFraction.Form.INTEGERS, ref) : NOT_HANDLED;
        }
        if (a.size() == 1 && a.get(0) instanceof String) {
            String s = (String) a.get(0);
            int slash = s.indexOf('/');
            if (s.length() > 1000 || !isPythonInt(slash < 0 ? s : s.substring(0, slash))
                    || slash >= 0 && !isPythonInt(s.substring(slash + 1))) {
                return NOT_HANDLED;
            }
            PyFraction f = slash < 0 ? PyFraction.of(new BigInteger(s), BigInteger.ONE)
                    : new BigInteger(s.substring(slash + 1)).signum() == 0 ? null
                    : PyFraction.of(new BigInteger(s.substring(0, slash)), new BigInteger(s.substring(slash + 1)));
            return f != null && f.toString().equals(s) ? f.withForm(PyFraction.Form.TEXT, ref) : NOT_HANDLED;
        }
        return NOT_HANDLED;
    }

    private static BigInteger integer(Object o) {
        return o instanceof Long ? BigInteger.valueOf((Long) o) : o instanceof BigInteger ? (BigInteger) o : null;
    }

    /** An optional minus and decimal digits, as str(int) writes them. */
    private static boolean isPythonInt(String s) {
        int start = s.startsWith("-") ? 1 : 0;
        if (s.length() == start) {
            return false;
        }
        for (int i = start; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The flavour of a pathlib class name and whether it is pure, as {@code [flavour, pure]}; null if none. */
    private static Object[] pathFlavour(String name) {
        switch (name) {
            case "PurePosixPath":
                return new Object[] {PyPath.Flavour.POSIX, true};
            case "PureWindowsPath":
                return new Object[] {PyPath.Flavour.WINDOWS, true};
            case "PosixPath":
                return new Object[] {PyPath.Flavour.POSIX, false};
            case "WindowsPath":
                return new Object[] {PyPath.Flavour.WINDOWS, false};
            default:
                return null;
        }
    }

    /**
     * A pathlib path: {@code (cls, parts)} up to Python 3.12, {@code (cls, raw_paths)} from 3.13 (under
     * {@code pathlib._local}); either way every argument is a str.
     */
    private static Object path(GlobalRef ref, PyTuple a) {
        Object[] kind = pathFlavour(ref.name());
        if (kind == null) {
            return NOT_HANDLED;
        }
        List<String> segments = new ArrayList<>(a.size());
        for (Object o : a) {
            if (!(o instanceof String)) {
                return NOT_HANDLED;
            }
            segments.add((String) o);
        }
        return PyPath.of((PyPath.Flavour) kind[0], (Boolean) kind[1], segments, ref);
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

    private static Object set(PyTuple args, ReadChecks machine) {
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

    private static Object frozenset(PyTuple args, ReadChecks machine) {
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

    private static Object bytearray(PyTuple args) {
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

    private static Object encode(PyTuple args) {
        if (args.size() == 2 && args.get(0) instanceof String && isLatin1Name(args.get(1))) {
            byte[] b = latin1((String) args.get(0));
            return b == null ? NOT_HANDLED : PyBytes.wrap(b);
        }
        return NOT_HANDLED;
    }

    private static Object complex(PyTuple args) {
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
