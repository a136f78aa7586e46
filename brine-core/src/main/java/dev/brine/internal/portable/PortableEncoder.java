package dev.brine.internal.portable;

import dev.brine.PyFunction;
import dev.brine.internal.portable.PortableRuntime.Section;
import dev.brine.internal.types.JavaState;
import dev.brine.internal.types.NotPicklable;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyBytes;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns Java objects that have no Python equivalent into calls of the portable runtime, for one dump in portable
 * mode. The writer then writes the calls as it writes any inert node, converting the objects they hold as it
 * reaches them, so nesting, sharing and cycles work as for any other value.
 *
 * <ul>
 *   <li>A record becomes {@code cls.__new__(cls)} with the component values as state, where {@code cls} is
 *       {@code _brine1.cls(('record', javaName, simpleName, components))}: one Python class per record type.</li>
 *   <li>An enum constant becomes {@code getattr(cls, NAME)} on an {@code enum.Enum} made the same way.</li>
 *   <li>Any other object (a bean) becomes {@code cls.__new__(cls)} with a dict of its non-static, non-transient
 *       fields, superclass fields first, as state.</li>
 *   <li>A {@link PyFunction} becomes {@code _brine1.function(source, name, defaults, closure)} with its globals
 *       as state, so functions that reach each other through globals work.</li>
 *   <li>A primitive array becomes {@code (as_array, as_ndarray)[importable('numpy')](typecode, dtype, data)}:
 *       numpy where it imports, {@code array.array} otherwise, chosen when the stream loads.</li>
 *   <li>A region time zone becomes {@code _brine1.zone(key, offset)}: {@code zoneinfo} where it exists.</li>
 * </ul>
 * Class nodes are shared within the dump, so the writer memoizes them and each class is made once per stream.
 */
public final class PortableEncoder {
    /** What {@link #encode} returns for an object it leaves to the writer's other conversions. */
    public static final Object NOT_PORTABLE = new Object();

    private static final String MODULE = PortableRuntime.MODULE;
    private static final GlobalRef CLS = new GlobalRef(MODULE, "cls");
    private static final GlobalRef GETATTR = new GlobalRef("builtins", "getattr");

    private final Map<Class<?>, PyObject> classes = new IdentityHashMap<>();
    private final EnumSet<Section> sections = EnumSet.noneOf(Section.class);
    private PyObject arrayChooser;

    /** The runtime sections the encoded objects need; empty when the value needs no header. */
    public Set<Section> sections() {
        return sections;
    }

    /** Whether {@code type} is one this encoder turns into runtime objects rather than leaving to the writer. */
    public static boolean claims(Class<?> type) {
        return isUserRecord(type) || type.isEnum() || type.getSuperclass() != null && type.getSuperclass().isEnum()
                || type == PyFunction.class;
    }

    /**
     * A runtime call for {@code obj}, or {@link #NOT_PORTABLE}. {@code beanFallback} says whether an object
     * nothing else claims should become a bean.
     *
     * @throws NotPicklable with the reason, when the object cannot be written portably
     */
    public Object encode(Object obj, boolean beanFallback) {
        Class<?> type = obj.getClass();
        if (obj instanceof PyFunction) {
            return function((PyFunction) obj);
        }
        if (obj instanceof Enum) {
            return enumConstant((Enum<?>) obj);
        }
        if (isUserRecord(type)) {
            return record(obj);
        }
        if (type.isArray() && type.getComponentType().isPrimitive() && type != byte[].class) {
            return array(obj);
        }
        if (beanFallback) {
            return bean(obj);
        }
        return NOT_PORTABLE;
    }

    /**
     * A record of the caller's: Brine's own value records (PyRange, PySlice, PyDecimal, PyNamedTuple, ...) stand
     * for Python's own types, which are written as without portable mode.
     */
    private static boolean isUserRecord(Class<?> type) {
        return type.isRecord() && !type.getPackageName().equals("dev.brine.value");
    }

    /** {@code _brine1.zone(key, offsetSeconds)}: a region zone where {@code zoneinfo} has it, else the offset. */
    public PyObject zone(ZoneId zone, ZoneOffset offset) {
        sections.add(Section.ZONE);
        return PyObject.reduce(new GlobalRef(MODULE, "zone"), zone.getId(), (long) offset.getTotalSeconds());
    }

    private PyObject record(Object obj) {
        Class<?> type = obj.getClass();
        Object[] values = JavaState.componentValues(obj);
        PyObject node = new PyObject(PyObject.Kind.NEWOBJ, classNode(type, Section.RECORD), PyTuple.empty(), null);
        node.addState(PyTuple.wrap(values));
        return node;
    }

    private PyObject bean(Object obj) {
        Class<?> type = obj.getClass();
        String pkg = type.getPackageName();
        if (pkg.startsWith("java.") || pkg.startsWith("javax.") || pkg.startsWith("jdk.") || pkg.startsWith("sun.")
                || type.isArray() || type.isSynthetic() || type.isAnonymousClass() || type.isHidden()) {
            throw new NotPicklable(type.getName() + " is not a record, enum or bean of your own, so it "
                    + "has no portable form");
        }
        Map<Object, Object> state = JavaState.state(obj);
        PyObject node = new PyObject(PyObject.Kind.NEWOBJ, classNode(type, Section.BEAN), PyTuple.empty(), null);
        node.addState(state);
        return node;
    }

    private PyObject enumConstant(Enum<?> constant) {
        Class<?> type = constant.getDeclaringClass();
        return PyObject.reduce(GETATTR, classNode(type, Section.ENUM), constant.name());
    }

    private PyObject function(PyFunction f) {
        sections.add(Section.FUNCTION);
        Object defaults = f.defaults() == null ? null : PyTuple.copyOf(f.defaults());
        Object closure = f.closure().isEmpty() ? null : new LinkedHashMap<Object, Object>(f.closure());
        PyObject node = PyObject.reduce(new GlobalRef(MODULE, "function"), f.source(), f.name(), defaults, closure);
        if (!f.globals().isEmpty()) {
            node.addState(f.globals());
        }
        return node;
    }

    private PyObject array(Object array) {
        sections.add(Section.ARRAY);
        if (arrayChooser == null) {
            arrayChooser = PyObject.reduce(new GlobalRef("operator", "getitem"),
                    PyTuple.of(new GlobalRef(MODULE, "as_array"), new GlobalRef(MODULE, "as_ndarray")),
                    PyObject.reduce(new GlobalRef(MODULE, "importable"), "numpy"));
        }
        String typecode;
        String dtype;
        ByteBuffer data;
        if (array instanceof long[]) {
            long[] a = (long[]) array;
            typecode = "q";
            dtype = "<i8";
            data = buffer(a.length * 8L);
            data.asLongBuffer().put(a);
        } else if (array instanceof int[]) {
            int[] a = (int[]) array;
            typecode = "i";
            dtype = "<i4";
            data = buffer(a.length * 4L);
            data.asIntBuffer().put(a);
        } else if (array instanceof short[]) {
            short[] a = (short[]) array;
            typecode = "h";
            dtype = "<i2";
            data = buffer(a.length * 2L);
            data.asShortBuffer().put(a);
        } else if (array instanceof char[]) {
            char[] a = (char[]) array;
            typecode = "H";
            dtype = "<u2";
            data = buffer(a.length * 2L);
            data.asCharBuffer().put(a);
        } else if (array instanceof double[]) {
            double[] a = (double[]) array;
            typecode = "d";
            dtype = "<f8";
            data = buffer(a.length * 8L);
            data.asDoubleBuffer().put(a);
        } else if (array instanceof float[]) {
            float[] a = (float[]) array;
            typecode = "f";
            dtype = "<f4";
            data = buffer(a.length * 4L);
            data.asFloatBuffer().put(a);
        } else {
            boolean[] a = (boolean[]) array;
            typecode = "B";
            dtype = "|b1";
            data = buffer(a.length);
            for (boolean b : a) {
                data.put((byte) (b ? 1 : 0));
            }
        }
        return new PyObject(PyObject.Kind.REDUCE, arrayChooser, PyTuple.of(typecode, dtype, PyBytes.wrap(data.array())),
                null);
    }

    private static ByteBuffer buffer(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new NotPicklable("array of " + size + " bytes is too large for one Python bytes object"
                    + " written from Java");
        }
        return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code _brine1.cls(spec)}, one node per Java class per dump so the writer memoizes it. */
    private PyObject classNode(Class<?> type, Section section) {
        PyObject node = classes.get(type);
        if (node != null) {
            return node;
        }
        sections.add(section);
        List<Object> names = new ArrayList<>();
        if (section == Section.ENUM) {
            for (Object c : type.getEnumConstants()) {
                names.add(requireIdentifier(((Enum<?>) c).name(), type));
            }
        } else {
            for (JavaState.Member m : JavaState.members(type)) {
                names.add(requireIdentifier(m.name(), type));
            }
        }
        String kind = section.pythonName();
        String simple = type.getSimpleName().isEmpty() ? type.getName() : type.getSimpleName();
        node = PyObject.reduce(CLS, PyTuple.of(kind, type.getName(), simple, PyTuple.copyOf(names)));
        classes.put(type, node);
        return node;
    }

    private static String requireIdentifier(String name, Class<?> type) {
        boolean ok = !name.isEmpty() && (Character.isLetter(name.charAt(0)) || name.charAt(0) == '_');
        for (int i = 1; ok && i < name.length(); i++) {
            ok = Character.isLetterOrDigit(name.charAt(i)) || name.charAt(i) == '_';
        }
        if (!ok) {
            throw new NotPicklable(type.getName() + " has a member named " + name
                    + ", which is not a Python identifier");
        }
        return name;
    }
}
