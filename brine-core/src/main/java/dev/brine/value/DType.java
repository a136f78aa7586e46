package dev.brine.value;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A numpy {@code dtype}, read from its pickle: {@code numpy.dtype(code, False, True)} and the state tuple of
 * {@code arraydescr_setstate} ({@code (version, byteorder, subarray, names, fields, elsize, alignment, flags[,
 * (metadata, datetime_meta)])}).
 *
 * <p>It keeps the pickled arguments and state, so it is written back as read, and exposes them readably:
 * {@link #kind()} ({@code 'b'} bool, {@code 'i'} signed int, {@code 'u'} unsigned int, {@code 'f'} float,
 * {@code 'c'} complex, {@code 'M'} datetime64, {@code 'm'} timedelta64, {@code 'S'} bytes, {@code 'U'} str,
 * {@code 'V'} void or structured, {@code 'O'} object), {@link #itemSize()}, {@link #byteOrder()}, {@link #str()} as
 * numpy's {@code dtype.str}, the fields of a structured dtype, a subarray's base and shape, and a datetime unit.
 */
public final class DType implements SharedForm, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** A field of a structured dtype. */
    public record Field(String name, DType dtype, long offset, Object title) implements java.io.Serializable {
    }

    private GlobalRef pythonClass;
    private final String code;
    private final PyTuple args;
    private final PyTuple state;
    private final char kind;
    private final int itemSize;
    private final char order;
    private final Map<String, Field> fields;
    private final DType subarrayBase;
    private final long[] subarrayShape;
    private final String unit;
    private final long unitCount;

    private DType(PyTuple args, PyTuple state) {
        this.args = args;
        this.state = state;
        this.code = (String) args.get(0);
        char k = code.charAt(0);
        this.kind = k == '?' ? 'b' : k;
        this.order = ((String) state.get(1)).charAt(0);
        long elsize = ((Number) state.get(5)).longValue();
        int digits = 0;
        String tail = code.substring(1);
        if (!tail.isEmpty() && tail.chars().allMatch(Character::isDigit) && tail.length() < 9) {
            digits = Integer.parseInt(tail);
        }
        this.itemSize = elsize >= 0 ? (int) elsize : digits;
        Object sub = state.get(2);
        if (sub instanceof PyTuple && ((PyTuple) sub).size() == 2 && ((PyTuple) sub).get(0) instanceof DType) {
            subarrayBase = (DType) ((PyTuple) sub).get(0);
            subarrayShape = shape(((PyTuple) sub).get(1));
        } else {
            subarrayBase = null;
            subarrayShape = null;
        }
        Map<String, Field> f = null;
        if (state.get(3) instanceof PyTuple && state.get(4) instanceof Map) {
            f = new LinkedHashMap<>();
            Map<?, ?> byName = (Map<?, ?>) state.get(4);
            for (Object n : (PyTuple) state.get(3)) {
                Object spec = byName.get(n);
                if (!(n instanceof String) || !(spec instanceof PyTuple) || ((PyTuple) spec).size() < 2
                        || !(((PyTuple) spec).get(0) instanceof DType) || !(((PyTuple) spec).get(1) instanceof Long)) {
                    throw new IllegalArgumentException("malformed field " + n + " of a structured dtype");
                }
                PyTuple t = (PyTuple) spec;
                f.put((String) n, new Field((String) n, (DType) t.get(0), (Long) t.get(1), t.size() > 2 ? t.get(2) : null));
            }
        }
        this.fields = f == null ? null : Collections.unmodifiableMap(f);
        String u = null;
        long count = 0;
        if (state.size() > 8 && state.get(8) instanceof PyTuple && ((PyTuple) state.get(8)).size() == 2
                && ((PyTuple) state.get(8)).get(1) instanceof PyTuple) {
            PyTuple meta = (PyTuple) ((PyTuple) state.get(8)).get(1);
            if (meta.size() >= 2 && meta.get(0) instanceof PyBytes && meta.get(1) instanceof Long) {
                u = new String(((PyBytes) meta.get(0)).toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
                count = (Long) meta.get(1);
            }
        }
        this.unit = u;
        this.unitCount = count;
    }

    private static long[] shape(Object o) {
        if (o instanceof Long) {
            return new long[] {(Long) o};
        }
        PyTuple t = (PyTuple) o;
        long[] s = new long[t.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = (Long) t.get(i);
        }
        return s;
    }

    /**
     * The dtype of {@code numpy.dtype(*args)} with {@code state} set, as a pickle gives them.
     *
     * @throws IllegalArgumentException when they are not the shape numpy writes
     */
    public static DType fromPickle(PyTuple args, PyTuple state) {
        if (args.size() != 3 || !(args.get(0) instanceof String) || ((String) args.get(0)).isEmpty()
                || state.size() < 8 || !(state.get(0) instanceof Long) || !(state.get(1) instanceof String)
                || ((String) state.get(1)).length() != 1 || !(state.get(5) instanceof Long)) {
            throw new IllegalArgumentException("not a numpy dtype pickle");
        }
        try {
            return new DType(args, state);
        } catch (ClassCastException | IndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("not a numpy dtype pickle: " + e, e);
        }
    }

    /**
     * A simple dtype from numpy's {@code dtype.str} form: {@code "<f8"}, {@code "|b1"}, {@code ">i4"},
     * {@code "|S5"}, {@code "<U3"}, {@code "<M8[ms]"}, {@code "<c16"}; written as numpy 2 pickles it.
     */
    public static DType of(String str) {
        Objects.requireNonNull(str, "str");
        if (str.length() < 3 || "<>|=".indexOf(str.charAt(0)) < 0) {
            throw new IllegalArgumentException("expected a dtype str such as '<f8', got '" + str + "'");
        }
        char order = str.charAt(0) == '=' ? '<' : str.charAt(0);
        char kind = str.charAt(1);
        String rest = str.substring(2);
        String unit = null;
        int bracket = rest.indexOf('[');
        if (bracket >= 0 && rest.endsWith("]")) {
            unit = rest.substring(bracket + 1, rest.length() - 1);
            rest = rest.substring(0, bracket);
        }
        int n;
        try {
            n = Integer.parseInt(rest);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad dtype size in '" + str + "'", e);
        }
        if ("biufcMmSUV".indexOf(kind) < 0) {
            throw new IllegalArgumentException("unsupported dtype kind in '" + str + "'");
        }
        boolean single = n == 1 && "biu".indexOf(kind) >= 0 || kind == 'S' || kind == 'V';
        String byteorder = single ? "|" : String.valueOf(order);
        String code;
        long elsize = -1;
        long alignment = -1;
        long flags = 0;
        if (kind == 'S' || kind == 'V') {
            code = kind + String.valueOf(n);
            elsize = n;
            alignment = 1;
            flags = kind == 'V' ? 16 : 0;
        } else if (kind == 'U') {
            // numpy's str gives the size in bytes (<U3 is 12): the code is in characters.
            code = "U" + (n / 4);
            elsize = n;
            alignment = 4;
            flags = 8;
        } else {
            code = kind + String.valueOf(n);
        }
        PyTuple args = PyTuple.of(code, Boolean.FALSE, Boolean.TRUE);
        PyTuple state;
        if (kind == 'M' || kind == 'm') {
            String u = unit == null ? "generic" : unit;
            PyTuple meta = PyTuple.of(PyBytes.wrap(u.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)),
                    1L, 1L, 1L);
            state = PyTuple.of(4L, byteorder, null, null, null, elsize, alignment, flags, PyTuple.of(null, meta));
        } else {
            state = PyTuple.of(3L, byteorder, null, null, null, elsize, alignment, flags);
        }
        return new DType(args, state);
    }

    /**
     * Records the {@code numpy.dtype} reference the pickle named, so that writing this dtype back shares the same
     * name strings as the pickle did.
     */
    public DType withPythonClass(GlobalRef pythonClass) {
        this.pythonClass = pythonClass;
        return this;
    }

    /** The {@code numpy.dtype} reference the pickle named, or null for a dtype made in Java. */
    public GlobalRef pythonClass() {
        return pythonClass;
    }

    /** The arguments of the pickled {@code numpy.dtype(...)} call: {@code (code, align, copy)}. */
    public PyTuple pickleArgs() {
        return args;
    }

    /** The pickled state tuple. */
    public PyTuple pickleState() {
        return state;
    }

    /** numpy's {@code dtype.kind}. */
    public char kind() {
        return kind;
    }

    /** numpy's {@code dtype.itemsize}, in bytes. */
    public int itemSize() {
        return itemSize;
    }

    /** The byte order of multi-byte items, or null where it does not apply ({@code '|'}). */
    public ByteOrder byteOrder() {
        switch (order) {
            case '>':
                return ByteOrder.BIG_ENDIAN;
            case '<':
                return ByteOrder.LITTLE_ENDIAN;
            case '=':
                return ByteOrder.nativeOrder();
            default:
                return null;
        }
    }

    /** numpy's {@code dtype.str}, such as {@code '<f8'} or {@code '<M8[ms]'}. */
    public String str() {
        String s = (order == '=' ? (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? '<' : '>') : order)
                + String.valueOf(kind) + (kind == 'U' ? itemSize / 4 : itemSize);
        if (unit != null) {
            s += "[" + (unitCount == 1 ? "" : String.valueOf(unitCount)) + unit + "]";
        }
        return s;
    }

    /** Whether this is a structured dtype (it has named fields). */
    public boolean isStructured() {
        return fields != null;
    }

    /** The fields of a structured dtype in order, or an empty map. */
    public Map<String, Field> fields() {
        return fields == null ? Map.of() : fields;
    }

    /** The field names of a structured dtype in order, or an empty list. */
    public List<String> names() {
        return fields == null ? List.of() : new ArrayList<>(fields.keySet());
    }

    /** The base dtype of a subarray dtype such as {@code ('<f4', (2, 3))}, or null. */
    public DType subarrayBase() {
        return subarrayBase;
    }

    /** The shape of a subarray dtype, or null. */
    public long[] subarrayShape() {
        return subarrayShape == null ? null : subarrayShape.clone();
    }

    /** The unit of a datetime64 or timedelta64 dtype ({@code "ms"}, {@code "D"}, {@code "generic"}), or null. */
    public String datetimeUnit() {
        return unit;
    }

    /** How many units one step is ({@code 25} for {@code M8[25s]}); 0 when there is no unit. */
    public long datetimeUnitCount() {
        return unitCount;
    }

    /** Equal when pickled from equal arguments and state. */
    @Override
    public boolean equals(Object o) {
        return o instanceof DType && ((DType) o).args.equals(args) && ((DType) o).state.equals(state);
    }

    @Override
    public int hashCode() {
        return args.hashCode();
    }

    /** As numpy's repr for simple dtypes: {@code dtype('<f8')}. */
    @Override
    public String toString() {
        return fields != null ? "dtype(" + fields.keySet() + ")" : "dtype('" + str() + "')";
    }

    /** The call this value was read from, kept so a rewrite shares its objects as the pickle did; or null. */
    private PyObject readForm;

    @Override
    public PyObject readForm() {
        return readForm;
    }

    @Override
    public void keepReadForm(PyObject form) {
        if (readForm == null) {
            readForm = form;
        }
    }
}
