package dev.brine.internal.types;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one model of a Java class's state ({@link #members}), cached per class: the writer reads an object's state
 * with it as a Python instance's {@code __dict__}, portable mode lists a class's attribute names with it, and the
 * binder sets members by it. {@code Pickler.Builder.register}, portable mode and binding therefore all see the same
 * members in the same order.
 *
 * <p>Failures are {@link NotPicklable}s with the reason; the writer turns them into a
 * {@code PickleException} with the object's path.
 */
public final class JavaState {
    private static final GlobalRef RECONSTRUCTOR = GlobalRef.of("copyreg", "_reconstructor");
    private static final GlobalRef OBJECT = GlobalRef.of("builtins", "object");

    private JavaState() {
    }

    /**
     * {@code obj} as an instance of the Python class {@code cls} with its fields as {@code __dict__}, in the form
     * CPython's {@code object.__reduce_ex__(protocol)} gives a plain instance: {@code cls.__new__(cls)} (NEWOBJ) from
     * protocol 2, {@code copyreg._reconstructor(cls, object, None)} below it; then the state dict by BUILD, which
     * CPython leaves out when the {@code __dict__} is empty. The constants are shared so that the writer memoizes
     * them, as CPython memoizes the class objects.
     */
    public static PyObject instance(GlobalRef cls, Object obj, int protocol) {
        Map<Object, Object> state = state(obj);
        PyObject node = protocol >= 2 ? new PyObject(PyObject.Kind.NEWOBJ, cls, PyTuple.empty(), null)
                : PyObject.reduce(RECONSTRUCTOR, cls, OBJECT, null);
        if (!state.isEmpty()) {
            node.addState(state);
        }
        return node;
    }

    /**
     * One piece of a Java class's state: a record component (read through its accessor) or a bean field. Its
     * {@link #type} is the generic type, which the binder converts to.
     */
    public record Member(String name, Type type, Field field, Method accessor) {
        /** This member's value in {@code obj}. */
        public Object get(Object obj) {
            try {
                return accessor != null ? accessor.invoke(obj) : field.get(obj);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new NotPicklable("cannot read " + (accessor != null ? "component " : "field ")
                        + name + " of " + obj.getClass().getName() + ": " + e, e);
            }
        }
    }

    /**
     * The one model of a Java class's state that the writer, the binder and portable mode share: a record's
     * components in declaration order, or a bean's non-static, non-transient, non-synthetic fields in the order their
     * names first appear from the top of the class hierarchy down, each name once, the most derived field winning (a
     * subclass field hides a superclass field of the same name, as Python's single {@code __dict__} would).
     * Worked out by reflection once per class and cached; members are made accessible lazily, so a class whose
     * module is not open fails when its state is read, naming the package to open.
     */
    public static List<Member> members(Class<?> type) {
        return MODELS.get(type);
    }

    private static final ClassValue<List<Member>> MODELS = new ClassValue<>() {
        @Override
        protected List<Member> computeValue(Class<?> type) {
            return model(type);
        }
    };

    private static List<Member> model(Class<?> type) {
        List<Member> members = new ArrayList<>();
        if (type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                members.add(new Member(c.getName(), c.getGenericType(), null, c.getAccessor()));
            }
            return List.copyOf(members);
        }
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            chain.add(0, c);
        }
        Map<String, Integer> position = new LinkedHashMap<>();
        for (Class<?> c : chain) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic()) {
                    continue;
                }
                Member member = new Member(f.getName(), f.getGenericType(), f, null);
                Integer at = position.get(f.getName());
                if (at == null) {
                    position.put(f.getName(), members.size());
                    members.add(member);
                } else {
                    members.set(at, member);
                }
            }
        }
        return List.copyOf(members);
    }

    /** A record's component values, in component order. */
    public static Object[] componentValues(Object record) {
        List<Member> members = members(record.getClass());
        Object[] values = new Object[members.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = readable(members.get(i), record.getClass()).get(record);
        }
        return values;
    }

    /** A record's components or a bean's fields, by name: what CPython would hold in the instance's __dict__. */
    public static Map<Object, Object> state(Object obj) {
        Class<?> type = obj.getClass();
        Map<Object, Object> state = new LinkedHashMap<>();
        for (Member m : members(type)) {
            state.put(m.name(), readable(m, type).get(obj));
        }
        return state;
    }

    private static Member readable(Member m, Class<?> type) {
        accessible(m.accessor() != null ? m.accessor() : m.field(), type);
        return m;
    }

    /** {@code member}, made accessible, or an explanation of why the module system forbids it. */
    public static <T extends AccessibleObject> T accessible(T member, Class<?> type) {
        try {
            member.setAccessible(true);
        } catch (RuntimeException e) {
            throw new NotPicklable("cannot read " + type.getName() + ": its module does not open "
                    + type.getPackageName() + " to dev.brine (" + e.getMessage() + ")", e);
        }
        return member;
    }
}
