package dev.brine.internal.bind;

import dev.brine.internal.types.JavaState;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@link Binder} needs to know about one Java class it binds Python objects to, worked out once by
 * reflection when the class is registered: its kind, its members by name with their generic types, and how to make
 * an instance.
 */
final class BinderTarget {
    enum Kind {
        /** A record: made through its canonical constructor once all component values are known. */
        RECORD,
        /** An enum: a constant chosen by name or value. */
        ENUM,
        /** Any other class: made empty, then its fields set, so cycles through beans work. */
        BEAN
    }

    /** One record component or bean field. */
    record Member(String name, Type type, Field field) {
    }

    final Class<?> type;
    final Kind kind;
    /** The Python class the binding names, for messages; null for a binding of Brine's portable streams. */
    final String pythonName;
    /** By name, in {@link JavaState#members} order: record components, or bean fields (subclass fields hiding). */
    final Map<String, Member> members;
    /** The canonical constructor of a record, or the no-argument constructor of a bean (null if it has none). */
    final Constructor<?> constructor;
    /** Bean constructors, for objects that Python made with positional arguments. */
    final List<Constructor<?>> beanConstructors;
    /** An enum's instance field named {@code value}, matched against the Python member's value; may be null. */
    final Field enumValue;

    private BinderTarget(Class<?> type, Kind kind, String pythonName, Map<String, Member> members,
                         Constructor<?> constructor, List<Constructor<?>> beanConstructors, Field enumValue) {
        this.type = type;
        this.kind = kind;
        this.pythonName = pythonName;
        this.members = members;
        this.constructor = constructor;
        this.beanConstructors = beanConstructors;
        this.enumValue = enumValue;
    }

    /**
     * The binding target for {@code type}, checked now so that a class Brine cannot instantiate fails at
     * registration rather than in the middle of a load.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code type}
     */
    static BinderTarget of(Class<?> type, String pythonName) {
        if (type.isPrimitive() || type.isArray() || type.isInterface() || type.isAnnotation()) {
            throw new IllegalArgumentException("cannot bind to " + type.getTypeName()
                    + ": only records, enums and concrete classes can be bound");
        }
        if (type.isEnum()) {
            Field value = null;
            for (Field f : type.getDeclaredFields()) {
                if (f.getName().equals("value") && !Modifier.isStatic(f.getModifiers())) {
                    value = accessible(f, type);
                }
            }
            return new BinderTarget(type, Kind.ENUM, pythonName, Map.of(), null, List.of(), value);
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("cannot bind to " + type.getName() + ": it is abstract");
        }
        Map<String, Member> members = new LinkedHashMap<>();
        if (type.isRecord()) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
            }
            for (JavaState.Member m : JavaState.members(type)) {
                members.put(m.name(), new Member(m.name(), m.type(), null));
            }
            Constructor<?> canonical;
            try {
                canonical = type.getDeclaredConstructor(types);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(type.getName() + " has no canonical constructor", e);
            }
            return new BinderTarget(type, Kind.RECORD, pythonName, members, accessible(canonical, type), List.of(),
                    null);
        }
        if (type.isMemberClass() && !Modifier.isStatic(type.getModifiers())) {
            throw new IllegalArgumentException("cannot bind to " + type.getName()
                    + ": it is an inner class, which needs an enclosing instance; make it static");
        }
        for (JavaState.Member m : JavaState.members(type)) {
            members.put(m.name(), new Member(m.name(), m.type(), accessible(m.field(), type)));
        }
        Constructor<?> noArgs = null;
        List<Constructor<?>> others = new ArrayList<>();
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.getParameterCount() == 0) {
                noArgs = accessible(c, type);
            } else if (!c.isSynthetic()) {
                others.add(c);
            }
        }
        return new BinderTarget(type, Kind.BEAN, pythonName, members, noArgs, List.copyOf(others), null);
    }

    /** The member a Python attribute name binds to: the same name, else its camelCase form ({@code first_name}). */
    Member member(String pythonName) {
        Member m = members.get(pythonName);
        if (m == null && pythonName.indexOf('_') > 0) {
            m = members.get(camelCase(pythonName));
        }
        return m;
    }

    /** The bean constructor taking {@code count} arguments, if there is exactly one; else null. */
    Constructor<?> beanConstructor(int count) {
        Constructor<?> found = null;
        for (Constructor<?> c : beanConstructors) {
            if (c.getParameterCount() == count) {
                if (found != null) {
                    return null;
                }
                found = c;
            }
        }
        return found == null ? null : accessible(found, type);
    }

    /** The simple Java name, as messages show it. */
    String simpleName() {
        return type.getSimpleName().isEmpty() ? type.getName() : type.getSimpleName();
    }

    private static String camelCase(String snake) {
        StringBuilder sb = new StringBuilder(snake.length());
        boolean upper = false;
        for (int i = 0; i < snake.length(); i++) {
            char ch = snake.charAt(i);
            if (ch == '_' && sb.length() > 0) {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(ch) : ch);
                upper = false;
            }
        }
        return sb.toString();
    }

    private static <T extends AccessibleObject> T accessible(T member, Class<?> type) {
        try {
            member.setAccessible(true);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot bind to " + type.getName() + ": its module does not open "
                    + type.getPackageName() + " to dev.brine (" + e.getMessage() + ")", e);
        }
        return member;
    }
}
