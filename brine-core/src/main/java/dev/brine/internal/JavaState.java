package dev.brine.internal;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Java object's state the way the writer turns it into a Python instance's {@code __dict__}: a record's
 * components, or a bean's non-static, non-transient fields (superclass fields first), by name and in declaration
 * order. Portable mode and {@code Pickler.Builder.register} share it, so both see the same fields.
 *
 * <p>Failures are {@link IllegalArgumentException}s with the reason; the writer turns them into a
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

    /** A record's component values, in component order. */
    public static Object[] componentValues(Object record) {
        Class<?> type = record.getClass();
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            try {
                values[i] = accessible(components[i].getAccessor(), type).invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalArgumentException("cannot read component " + components[i].getName() + " of "
                        + type.getName() + ": " + e, e);
            }
        }
        return values;
    }

    /** The fields that make a bean's state: non-static, non-transient, non-synthetic, superclass fields first. */
    public static List<Field> beanFields(Class<?> type) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            chain.add(0, c);
        }
        List<Field> fields = new ArrayList<>();
        for (Class<?> c : chain) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isStatic(m) && !Modifier.isTransient(m) && !f.isSynthetic()) {
                    fields.add(f);
                }
            }
        }
        return fields;
    }

    /** A bean's {@link #beanFields} values by field name, in field order. */
    public static Map<Object, Object> beanState(Object bean) {
        Class<?> type = bean.getClass();
        Map<Object, Object> state = new LinkedHashMap<>();
        for (Field f : beanFields(type)) {
            try {
                state.put(f.getName(), accessible(f, type).get(bean));
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("cannot read field " + f.getName() + " of " + type.getName()
                        + ": " + e, e);
            }
        }
        return state;
    }

    /** A record's components or a bean's fields, by name: what CPython would hold in the instance's __dict__. */
    public static Map<Object, Object> state(Object obj) {
        Class<?> type = obj.getClass();
        if (!type.isRecord()) {
            return beanState(obj);
        }
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = componentValues(obj);
        Map<Object, Object> state = new LinkedHashMap<>();
        for (int i = 0; i < components.length; i++) {
            state.put(components[i].getName(), values[i]);
        }
        return state;
    }

    /** {@code member}, made accessible, or an explanation of why the module system forbids it. */
    static <T extends AccessibleObject> T accessible(T member, Class<?> type) {
        try {
            member.setAccessible(true);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + type.getName() + ": its module does not open "
                    + type.getPackageName() + " to dev.brine (" + e.getMessage() + ")", e);
        }
        return member;
    }
}
