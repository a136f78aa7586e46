package dev.brine.internal.bind;

import dev.brine.PickleException;
import dev.brine.internal.format.PyRepr;
import dev.brine.internal.portable.PortableRuntime;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyDict;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyList;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Binds inert Python objects to the caller's Java records, enums and beans: the pass an {@link dev.brine.Unpickler}
 * with bindings runs over the graph it loaded, replacing each bound node wherever it appears.
 *
 * <p>A node is bound when it is an object of a registered Python class, made as CPython's picklers make objects:
 * {@code cls.__new__(cls, *args)} (NEWOBJ, NEWOBJ_EX), {@code cls(*args)} (REDUCE, INST, OBJ; an {@code Enum}
 * member is {@code cls(value)}), {@code copyreg._reconstructor(cls, base, base_state)} (what
 * {@code object.__reduce_ex__} writes below protocol 2) or {@code getattr(cls, name)}. Its fields come from the
 * positional arguments (in component or constructor order), the keyword arguments, and the state: a
 * {@code __dict__}, or the {@code (dict or None, slots)} pair CPython's {@code copyreg._reduce_ex} and
 * {@code object.__getstate__} give a class with {@code __slots__}. Objects of Brine's own portable streams are bound
 * by the Java class name their class spec carries, to classes the caller registered (no class is ever loaded by a
 * name from the stream).
 *
 * <p>The pass is iterative, so graph depth never reaches the Java stack:
 * <ol>
 *   <li>discover every reachable container and node in post-order, and plan each bound node;</li>
 *   <li>make enum constants, and beans empty (so a reference to a bean resolves before its fields are set, which is
 *       what lets cycles run through beans);</li>
 *   <li>in post-order, make records (their component values are ready by then) and rebuild the immutable values
 *       that hold a replaced node: tuples, frozensets and other inert nodes;</li>
 *   <li>set bean fields, then replace bound nodes in place in lists, dicts and sets.</li>
 * </ol>
 * A cycle that runs only through records (and tuples) cannot be built in Java, as in Python it could not be built
 * by constructors either, and fails with a message saying so.
 */
public final class Binder {
    private static final GlobalRef RECONSTRUCTOR = new GlobalRef("copyreg", "_reconstructor");

    /**
     * The classes an unpickler binds: Python classes by module and name, and Java classes of Brine's portable
     * streams by Java class name.
     */
    public static final class Bindings {
        private final Map<GlobalRef, BinderTarget> python;
        private final Map<String, BinderTarget> portable;

        private Bindings(Map<GlobalRef, BinderTarget> python, Map<String, BinderTarget> portable) {
            this.python = Map.copyOf(python);
            this.portable = Map.copyOf(portable);
        }

        /** Builds {@link Bindings}; each registration checks its class at once. */
        public static final class Builder {
            private final Map<GlobalRef, BinderTarget> python = new HashMap<>();
            private final Map<String, BinderTarget> portable = new HashMap<>();

            /**
             * Binds objects of the Python class {@code module.name} to {@code type}.
             *
             * @throws IllegalArgumentException if {@code type} cannot be bound
             */
            public void python(String module, String name, Class<?> type) {
                GlobalRef ref = new GlobalRef(module, name);
                python.put(ref, BinderTarget.of(type, ref.toString()));
            }

            /**
             * Binds the objects of Brine's portable streams written from {@code type} back to it.
             *
             * @throws IllegalArgumentException if {@code type} cannot be bound
             */
            public void portable(Class<?> type) {
                portable.put(type.getName(), BinderTarget.of(type, null));
            }

            /** Whether nothing is registered. */
            public boolean isEmpty() {
                return python.isEmpty() && portable.isEmpty();
            }

            /** The bindings registered so far. */
            public Bindings build() {
                return new Bindings(python, portable);
            }
        }
    }

    /** How one bound node becomes a Java object. */
    private static final class Plan {
        final PyObject node;
        final BinderTarget target;
        /** The Python class, as messages name it: {@code geometry.Point}. */
        final String pythonName;
        final List<Object> positional;
        final Map<String, Object> named;
        /** For an enum: the member name ({@code getattr} form), or null to match {@link #enumValue}. */
        final String enumName;
        final Object enumValue;
        /** The Java object, once made. */
        Object result;

        Plan(PyObject node, BinderTarget target, String pythonName, List<Object> positional, Map<String, Object> named,
             String enumName, Object enumValue) {
            this.node = node;
            this.target = target;
            this.pythonName = pythonName;
            this.positional = positional;
            this.named = named;
            this.enumName = enumName;
            this.enumValue = enumValue;
        }

        /** Whether the object is made before the post-order pass: enums, and beans made empty. */
        boolean early() {
            return target.kind == BinderTarget.Kind.ENUM
                    || target.kind == BinderTarget.Kind.BEAN && positional.isEmpty();
        }
    }

    private final Bindings bindings;
    private final boolean strict;
    /** Every container and node reachable from the root, children before parents. */
    private final List<Object> postOrder = new ArrayList<>();
    private final Map<Object, Plan> plans = new IdentityHashMap<>();
    /** Values that must be replaced: bound nodes, and the immutable values that hold one, directly or not. */
    private final Set<Object> changed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** The replacement of each changed value, once made. */
    private final Map<Object, Object> replacements = new IdentityHashMap<>();
    /** Immutable values' parents that are immutable too, for spreading {@link #changed}. */
    private final Map<Object, List<Object>> immutableParents = new IdentityHashMap<>();
    /** Inert nodes copied because they hold a replaced value, with their originals; states and items come last. */
    private final List<PyObject[]> copiedNodes = new ArrayList<>();
    /** Each container converted to a Java type, by source container and then by target type (see remember). */
    private final Map<Object, Map<Type, Object>> containerCopies = new IdentityHashMap<>();

    private Binder(Bindings bindings, boolean strict) {
        this.bindings = bindings;
        this.strict = strict;
    }

    /**
     * Returns {@code root} with every bound node, wherever it is reachable, replaced by its Java object.
     *
     * @param strict whether a Python attribute with no Java member fails the binding
     * @throws PickleException when an object does not fit the Java class it is bound to
     */
    public static Object bind(Object root, Bindings bindings, boolean strict) {
        Binder binder = new Binder(bindings, strict);
        binder.discover(root);
        if (binder.plans.isEmpty()) {
            return root;
        }
        binder.makeEarly();
        binder.spreadChanges();
        binder.makeInPostOrder();
        binder.fillBeans();
        binder.replaceInContainers();
        return binder.resolve(root);
    }

    // ---- 1. discovery ---------------------------------------------------------------------------------------

    /** Whether the pass looks inside {@code v}: only the containers and nodes the pickle machine makes. */
    private static boolean isContainer(Object v) {
        return v instanceof PyObject || v instanceof PyTuple || v instanceof PyFrozenSet || isList(v)
                || isDict(v) || v instanceof HashSet;
    }

    /** A Python list: a {@link PyList} as the reader makes, or an {@code ArrayList} (a deque, or built in Java). */
    private static boolean isList(Object v) {
        return v instanceof PyList || v instanceof ArrayList;
    }

    /** A Python dict or one of its subclasses (the collections module's are LinkedHashMaps). */
    private static boolean isDict(Object v) {
        return v instanceof PyDict || v instanceof HashMap;
    }

    private static boolean isImmutable(Object v) {
        return v instanceof PyTuple || v instanceof PyFrozenSet || v instanceof PyObject;
    }

    private static List<Object> children(Object v) {
        List<Object> out = new ArrayList<>();
        if (v instanceof PyObject) {
            PyObject n = (PyObject) v;
            out.add(n.callable());
            out.addAll(n.args());
            if (n.kwargs() != null) {
                for (Map.Entry<Object, Object> e : n.kwargs().entrySet()) {
                    out.add(e.getKey());
                    out.add(e.getValue());
                }
            }
            out.addAll(n.states());
            if (n.stateSetter() != null) {
                out.add(n.stateSetter());
            }
            out.addAll(n.listItems());
            for (Map.Entry<Object, Object> e : n.dictItems().entrySet()) {
                out.add(e.getKey());
                out.add(e.getValue());
            }
            out.addAll(n.setItems());
        } else if (v instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                out.add(e.getKey());
                out.add(e.getValue());
            }
        } else {
            out.addAll((Collection<?>) v);
        }
        return out;
    }

    private void discover(Object root) {
        if (!isContainer(root)) {
            return;
        }
        Set<Object> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> parents = new ArrayDeque<>();
        ArrayDeque<Iterator<Object>> pending = new ArrayDeque<>();
        seen.add(root);
        enter(root, parents, pending);
        while (!pending.isEmpty()) {
            Iterator<Object> it = pending.peek();
            if (!it.hasNext()) {
                pending.pop();
                postOrder.add(parents.pop());
                continue;
            }
            Object child = it.next();
            if (!isContainer(child)) {
                continue;
            }
            Object parent = parents.peek();
            if (isImmutable(parent) && isImmutable(child) && !plans.containsKey(parent)) {
                immutableParents.computeIfAbsent(child, k -> new ArrayList<>(1)).add(parent);
            }
            if (seen.add(child)) {
                enter(child, parents, pending);
            }
        }
    }

    private void enter(Object v, ArrayDeque<Object> parents, ArrayDeque<Iterator<Object>> pending) {
        if (v instanceof PyObject) {
            Plan plan = plan((PyObject) v);
            if (plan != null) {
                plans.put(v, plan);
                changed.add(v);
            }
        }
        parents.push(v);
        pending.push(children(v).iterator());
    }

    /** The plan for {@code node} if it is an object of a bound class, else null. */
    private Plan plan(PyObject node) {
        Object callable = node.callable();
        PyTuple args = node.args();
        if (callable instanceof GlobalRef) {
            GlobalRef ref = (GlobalRef) callable;
            if (!bindings.python.isEmpty()) {
                BinderTarget target = bindings.python.get(ref);
                if (target != null) {
                    // cls(*args), cls.__new__(cls, *args[, **kwargs]): an Enum member is cls(value).
                    if (target.kind == BinderTarget.Kind.ENUM) {
                        if (node.kind() != PyObject.Kind.REDUCE || args.size() != 1) {
                            return null;
                        }
                        return new Plan(node, target, target.pythonName, List.of(), Map.of(), null, args.get(0));
                    }
                    Map<String, Object> named = new LinkedHashMap<>();
                    if (node.kwargs() != null) {
                        putNamed(named, node.kwargs(), target.pythonName);
                    }
                    List<Object> values = stateValues(node, target);
                    if (values != null && args.isEmpty()) {
                        return new Plan(node, target, target.pythonName, values, named, null, null);
                    }
                    putState(named, node, target.pythonName);
                    return new Plan(node, target, target.pythonName, args, named, null, null);
                }
                if (ref.equals(RECONSTRUCTOR) && node.kind() == PyObject.Kind.REDUCE && args.size() == 3
                        && args.get(0) instanceof GlobalRef) {
                    target = bindings.python.get(args.get(0));
                    if (target != null && target.kind != BinderTarget.Kind.ENUM) {
                        // copyreg._reduce_ex: base_state is base(obj), a tuple for a tuple subclass such as a
                        // namedtuple; None for a plain object.
                        List<Object> positional = args.get(2) instanceof PyTuple ? (PyTuple) args.get(2) : List.of();
                        Map<String, Object> named = new LinkedHashMap<>();
                        putState(named, node, target.pythonName);
                        return new Plan(node, target, target.pythonName, positional, named, null, null);
                    }
                }
            }
            if (ref.equals(PortableRuntime.ENUM_MEMBER) && node.kind() == PyObject.Kind.REDUCE && args.size() == 2
                    && args.get(1) instanceof String) {
                BinderTarget target = null;
                String pythonName = null;
                if (args.get(0) instanceof GlobalRef) {
                    target = bindings.python.get(args.get(0));
                    pythonName = target == null ? null : target.pythonName;
                } else if (args.get(0) instanceof PyObject) {
                    PyTuple spec = portableSpec(args.get(0), "enum");
                    if (spec != null) {
                        target = bindings.portable.get(spec.get(1));
                        pythonName = (String) spec.get(2);
                    }
                }
                // getattr(cls, name) names an Enum member (Enum.__reduce_ex__ for some members, and Brine's
                // portable enums); on any other bound class it is some other attribute, left alone.
                if (target != null && target.kind == BinderTarget.Kind.ENUM) {
                    return new Plan(node, target, pythonName, List.of(), Map.of(), (String) args.get(1), null);
                }
            }
            return null;
        }
        if (callable instanceof PyObject && node.kind() == PyObject.Kind.NEWOBJ && !bindings.portable.isEmpty()) {
            PyTuple spec = portableSpec(callable, null);
            if (spec == null) {
                return null;
            }
            BinderTarget target = bindings.portable.get(spec.get(1));
            if (target == null) {
                return null;
            }
            String kind = (String) spec.get(0);
            String pythonName = (String) spec.get(2);
            boolean fits = kind.equals("record") ? target.kind == BinderTarget.Kind.RECORD
                    : kind.equals("bean") && target.kind == BinderTarget.Kind.BEAN;
            if (!fits) {
                throw fail("cannot bind " + pythonName + ": the stream wrote a " + kind + " of " + spec.get(1)
                        + ", but the bound " + target.type.getName() + " is a " + target.kind.name().toLowerCase());
            }
            Map<String, Object> named = new LinkedHashMap<>();
            Object state = node.state();
            if (kind.equals("record")) {
                PyTuple names = (PyTuple) spec.get(3);
                if (!(state instanceof PyTuple) || ((PyTuple) state).size() != names.size()) {
                    throw fail("cannot bind " + pythonName + ": its state is not a tuple of " + names.size()
                            + " component values");
                }
                for (int i = 0; i < names.size(); i++) {
                    named.put(String.valueOf(names.get(i)), ((PyTuple) state).get(i));
                }
            } else if (state != null) {
                putState(named, node, pythonName);
            }
            return new Plan(node, target, pythonName, List.of(), named, null, null);
        }
        return null;
    }

    /**
     * The spec {@code (kind, javaName, simpleName, names)} of a portable class node {@code _brine1.cls(spec)}, or
     * null if {@code v} is not one (or not of {@code kind}, when given).
     */
    private static PyTuple portableSpec(Object v, String kind) {
        if (!(v instanceof PyObject)) {
            return null;
        }
        PyObject cls = (PyObject) v;
        if (cls.kind() != PyObject.Kind.REDUCE || !PortableRuntime.CLASS_NODE.equals(cls.callable()) || cls.args().size() != 1
                || !(cls.args().get(0) instanceof PyTuple)) {
            return null;
        }
        PyTuple spec = (PyTuple) cls.args().get(0);
        if (spec.size() != 4 || !(spec.get(0) instanceof String) || !(spec.get(1) instanceof String)
                || !(spec.get(2) instanceof String) || !(spec.get(3) instanceof PyTuple)) {
            return null;
        }
        return kind == null || kind.equals(spec.get(0)) ? spec : null;
    }

    /**
     * The field values when the state is a list of them, as the {@code __getstate__} of a
     * {@code @dataclass(slots=True)} gives (CPython 3.10+ {@code dataclasses._dataclass_getstate}: the values in
     * field order); bound to a record's components in order. Null for any other state.
     */
    private static List<Object> stateValues(PyObject node, BinderTarget target) {
        if (!isList(node.state()) || target.kind != BinderTarget.Kind.RECORD) {
            return null;
        }
        @SuppressWarnings("unchecked")
        List<Object> values = (List<Object>) node.state();
        return values;
    }

    /** Adds the attributes of the node's state: a {@code __dict__}, or {@code (dict or None, slots)}. */
    private static void putState(Map<String, Object> named, PyObject node, String pythonName) {
        if (!node.hasState()) {
            return;
        }
        Object state = node.state();
        if (state instanceof Map) {
            putNamed(named, (Map<?, ?>) state, pythonName);
        } else if (state instanceof PyTuple && ((PyTuple) state).size() == 2
                && (((PyTuple) state).get(0) == null || ((PyTuple) state).get(0) instanceof Map)
                && (((PyTuple) state).get(1) == null || ((PyTuple) state).get(1) instanceof Map)) {
            PyTuple pair = (PyTuple) state;
            if (pair.get(0) != null) {
                putNamed(named, (Map<?, ?>) pair.get(0), pythonName);
            }
            if (pair.get(1) != null) {
                putNamed(named, (Map<?, ?>) pair.get(1), pythonName);
            }
        } else if (state != null) {
            throw fail("cannot bind " + pythonName + ": its state is " + pythonType(state) + ", not a __dict__ or"
                    + " a (dict, slots) pair (does the class define __getstate__?)");
        }
    }

    private static void putNamed(Map<String, Object> named, Map<?, ?> attributes, String pythonName) {
        for (Map.Entry<?, ?> e : attributes.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw fail("cannot bind " + pythonName + ": attribute name " + shortRepr(e.getKey())
                        + " is not a str");
            }
            named.put((String) e.getKey(), e.getValue());
        }
    }

    // ---- 2. enums and empty beans ---------------------------------------------------------------------------

    private void makeEarly() {
        for (Object v : postOrder) {
            Plan plan = plans.get(v);
            if (plan == null || !plan.early()) {
                continue;
            }
            plan.result = plan.target.kind == BinderTarget.Kind.ENUM ? enumConstant(plan) : emptyBean(plan);
            replacements.put(v, plan.result);
        }
    }

    private Object enumConstant(Plan plan) {
        BinderTarget t = plan.target;
        Object[] constants = t.type.getEnumConstants();
        String name = plan.enumName;
        if (name == null && plan.enumValue instanceof String) {
            name = (String) plan.enumValue;
        }
        if (name != null) {
            for (Object c : constants) {
                if (((Enum<?>) c).name().equals(name)) {
                    return c;
                }
            }
        }
        if (plan.enumName == null && t.enumValue != null) {
            for (Object c : constants) {
                try {
                    Object javaValue = t.enumValue.get(c);
                    Object pythonValue = convertQuietly(plan.enumValue, t.enumValue.getGenericType());
                    if (pythonValue != null && pythonValue.equals(javaValue)) {
                        return c;
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        String what = plan.enumName != null ? "name " + plan.enumName : "value " + shortRepr(plan.enumValue);
        throw fail("cannot bind " + plan.pythonName + " member with " + what + ": " + t.simpleName()
                + " has no constant of that name" + (t.enumValue != null ? " or value" : "")
                + " (constants are matched by name, or by an instance field named value)");
    }

    private Object emptyBean(Plan plan) {
        Constructor<?> c = plan.target.constructor;
        if (c == null) {
            throw fail("cannot bind " + plan.pythonName + ": " + plan.target.type.getName()
                    + " has no no-argument constructor (it may be private)");
        }
        return instantiate(plan, c, new Object[0]);
    }

    private Object instantiate(Plan plan, Constructor<?> c, Object[] arguments) {
        try {
            return c.newInstance(arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new PickleException("cannot bind " + plan.pythonName + ": the constructor of "
                    + plan.target.simpleName() + " threw " + cause, -1, null, null, cause);
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new PickleException("cannot bind " + plan.pythonName + ": cannot instantiate "
                    + plan.target.type.getName() + ": " + e, -1, null, null, e);
        }
    }

    // ---- 3. records and immutable holders, in post-order ------------------------------------------------------

    /** Marks every immutable value that holds a changed value, directly or through other immutable values. */
    private void spreadChanges() {
        ArrayDeque<Object> work = new ArrayDeque<>(changed);
        while (!work.isEmpty()) {
            List<Object> ps = immutableParents.get(work.pop());
            if (ps != null) {
                for (Object p : ps) {
                    if (changed.add(p)) {
                        work.push(p);
                    }
                }
            }
        }
        immutableParents.clear();
    }

    private void makeInPostOrder() {
        for (Object v : postOrder) {
            if (!changed.contains(v) || replacements.containsKey(v)) {
                continue;
            }
            Plan plan = plans.get(v);
            if (plan != null) {
                plan.result = plan.target.kind == BinderTarget.Kind.RECORD ? record(plan) : constructedBean(plan);
                replacements.put(v, plan.result);
            } else if (v instanceof PyTuple) {
                PyTuple t = (PyTuple) v;
                Object[] items = new Object[t.size()];
                for (int i = 0; i < items.length; i++) {
                    items[i] = resolveNow(t.get(i));
                }
                replacements.put(v, PyTuple.wrap(items));
            } else if (v instanceof PyFrozenSet) {
                List<Object> items = new ArrayList<>();
                for (Object item : (PyFrozenSet) v) {
                    items.add(resolveNow(item));
                }
                replacements.put(v, PyFrozenSet.copyOf(items));
            } else {
                PyObject n = (PyObject) v;
                Map<Object, Object> kwargs = null;
                if (n.kwargs() != null) {
                    kwargs = new LinkedHashMap<>();
                    for (Map.Entry<Object, Object> e : n.kwargs().entrySet()) {
                        kwargs.put(resolveNow(e.getKey()), resolveNow(e.getValue()));
                    }
                }
                Object[] args = new Object[n.args().size()];
                for (int i = 0; i < args.length; i++) {
                    args[i] = resolveNow(n.args().get(i));
                }
                PyObject copy = new PyObject(n.kind(), resolveNow(n.callable()), PyTuple.wrap(args), kwargs);
                copiedNodes.add(new PyObject[] {n, copy});
                replacements.put(v, copy);
            }
        }
    }

    private Object record(Plan plan) {
        BinderTarget t = plan.target;
        checkArity(plan, t.members.size());
        Object[] values = new Object[t.members.size()];
        boolean[] present = new boolean[values.length];
        int i = 0;
        List<BinderTarget.Member> members = new ArrayList<>(t.members.values());
        for (; i < plan.positional.size(); i++) {
            values[i] = plan.positional.get(i);
            present[i] = true;
        }
        for (Map.Entry<String, Object> e : plan.named.entrySet()) {
            BinderTarget.Member m = t.member(e.getKey());
            if (m == null) {
                unknown(plan, e.getKey());
                continue;
            }
            int index = members.indexOf(m);
            values[index] = e.getValue();
            present[index] = true;
        }
        Object[] converted = new Object[values.length];
        for (int k = 0; k < values.length; k++) {
            BinderTarget.Member m = members.get(k);
            if (!present[k]) {
                if (isOptional(m.type())) {
                    converted[k] = emptyOptional(m.type());
                    continue;
                }
                throw fail("cannot bind " + plan.pythonName + ": it has no field " + m.name() + " for "
                        + t.simpleName() + "." + m.name() + " (" + typeName(m.type()) + ")");
            }
            converted[k] = convert(resolveNow(values[k]), m.type(), new Site(plan, m.name(), m));
        }
        return instantiate(plan, t.constructor, converted);
    }

    /** A bean Python made with positional arguments: its constructor of that many parameters, then its fields. */
    private Object constructedBean(Plan plan) {
        Constructor<?> c = plan.target.beanConstructor(plan.positional.size());
        if (c == null) {
            throw fail("cannot bind " + plan.pythonName + ": it was made with " + plan.positional.size()
                    + " positional arguments, and " + plan.target.type.getName() + " has no single constructor"
                    + " taking " + plan.positional.size() + " parameters");
        }
        Type[] types = c.getGenericParameterTypes();
        Object[] arguments = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            arguments[i] = convert(resolveNow(plan.positional.get(i)), types[i],
                    new Site(plan, "[" + i + "]", plan.target.simpleName() + " constructor parameter " + i,
                            types[i]));
        }
        // Its named state is set with the other beans' fields, once every value is ready.
        return instantiate(plan, c, arguments);
    }

    private void checkArity(Plan plan, int max) {
        if (plan.positional.size() > max) {
            throw fail("cannot bind " + plan.pythonName + ": it was made with " + plan.positional.size()
                    + " positional arguments, but " + plan.target.simpleName() + " has " + max + " components");
        }
    }

    private void unknown(Plan plan, String name) {
        if (strict) {
            throw fail("cannot bind " + plan.pythonName + "." + name + ": " + plan.target.simpleName()
                    + " has no field " + name + " (strict mode rejects unknown fields)");
        }
    }

    // ---- 4. bean fields, then containers ----------------------------------------------------------------------

    private void fillBeans() {
        for (PyObject[] pair : copiedNodes) {
            PyObject from = pair[0];
            PyObject to = pair[1];
            List<Object> states = from.states();
            for (int i = 0; i < states.size(); i++) {
                if (i == states.size() - 1 && from.stateSetter() != null) {
                    to.setStateWithSetter(resolve(from.stateSetter()), resolve(states.get(i)));
                } else {
                    to.addState(resolve(states.get(i)));
                }
            }
            for (Object item : from.listItems()) {
                to.appendItem(resolve(item));
            }
            for (Map.Entry<Object, Object> e : from.dictItems().entrySet()) {
                to.putItem(resolve(e.getKey()), resolve(e.getValue()));
            }
            for (Object item : from.setItems()) {
                to.addSetItem(resolve(item));
            }
        }
        for (Object v : postOrder) {
            Plan plan = plans.get(v);
            if (plan == null || plan.target.kind != BinderTarget.Kind.BEAN) {
                continue;
            }
            for (Map.Entry<String, Object> e : plan.named.entrySet()) {
                BinderTarget.Member m = plan.target.member(e.getKey());
                if (m == null) {
                    unknown(plan, e.getKey());
                    continue;
                }
                Object value = convert(resolve(e.getValue()), m.type(), new Site(plan, e.getKey(), m));
                try {
                    m.field().set(plan.result, value);
                } catch (IllegalAccessException | IllegalArgumentException ex) {
                    throw new PickleException("cannot bind " + plan.pythonName + "." + e.getKey() + ": cannot set "
                            + plan.target.simpleName() + "." + m.name() + ": " + ex, -1, null, null, ex);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void replaceInContainers() {
        for (Object v : postOrder) {
            if (isList(v)) {
                List<Object> list = (List<Object>) v;
                for (int i = 0; i < list.size(); i++) {
                    Object r = resolve(list.get(i));
                    if (r != list.get(i)) {
                        list.set(i, r);
                    }
                }
            } else if (isDict(v)) {
                Map<Object, Object> map = (Map<Object, Object>) v;
                boolean keysChange = false;
                for (Map.Entry<Object, Object> e : map.entrySet()) {
                    keysChange |= resolve(e.getKey()) != e.getKey();
                    Object r = resolve(e.getValue());
                    if (r != e.getValue()) {
                        e.setValue(r);
                    }
                }
                if (keysChange) {
                    // A replaced key hashes differently, so the map is refilled in its order.
                    List<Map.Entry<Object, Object>> entries = new ArrayList<>();
                    for (Map.Entry<Object, Object> e : map.entrySet()) {
                        entries.add(new AbstractMap.SimpleEntry<>(resolve(e.getKey()), e.getValue()));  // None allowed
                    }
                    map.clear();
                    for (Map.Entry<Object, Object> e : entries) {
                        map.put(e.getKey(), e.getValue());
                    }
                }
            } else if (v instanceof HashSet) {
                Set<Object> set = (Set<Object>) v;
                List<Object> items = new ArrayList<>(set.size());
                boolean change = false;
                for (Object item : set) {
                    Object r = resolve(item);
                    change |= r != item;
                    items.add(r);
                }
                if (change) {
                    set.clear();
                    set.addAll(items);
                }
            }
        }
    }

    // ---- resolving and converting -------------------------------------------------------------------------------

    /** The final value for {@code v}: its replacement, or itself. */
    private Object resolve(Object v) {
        if (v == null || !changed.contains(v)) {
            return v;
        }
        Object r = replacements.get(v);
        if (r == null) {
            throw new IllegalStateException("no replacement made for " + v);
        }
        return r;
    }

    /** As {@link #resolve}, while records are made: a value not ready yet is on a cycle through records. */
    private Object resolveNow(Object v) {
        if (v == null || !changed.contains(v)) {
            return v;
        }
        Object r = replacements.get(v);
        if (r == null) {
            Plan plan = plans.get(v);
            throw fail("cannot bind " + (plan != null ? plan.pythonName : pythonType(v)) + ": it is on a reference"
                    + " cycle that runs only through records and tuples, which Java cannot construct (bind a class"
                    + " on the cycle to a bean instead)");
        }
        return r;
    }

    /** Where a value is bound, for messages: {@code geometry.Point.x} to {@code Point.x (int)}. */
    private static final class Site {
        final String where;
        final String member;

        Site(Plan plan, String pythonField, BinderTarget.Member m) {
            this(plan, pythonField, plan.target.simpleName() + "." + m.name(), m.type());
        }

        Site(Plan plan, String pythonField, String javaMember, Type type) {
            this(plan.pythonName + (pythonField.startsWith("[") ? "" : ".") + pythonField,
                    javaMember + " (" + typeName(type) + ")");
        }

        private Site(String where, String member) {
            this.where = where;
            this.member = member;
        }

        Site element(String suffix) {
            return new Site(where + suffix, member);
        }
    }

    private static final Site QUIET = new Site("", "");

    private Object convertQuietly(Object v, Type type) {
        try {
            return convert(v, type, QUIET);
        } catch (PickleException e) {
            return null;
        }
    }

    /**
     * {@code v}, converted to {@code type}: Python ints to any Java integer type that holds them, floats (and
     * ints) to {@code double} or {@code float}, one-character strings to {@code char}, lists, tuples and sets to
     * collections or arrays of the element type, dicts to maps, None to null or an empty {@code Optional}.
     * Collections whose elements need no conversion are kept as they are, so sharing and cycles through them hold.
     */
    private Object convert(Object v, Type type, Site site) {
        Class<?> raw = rawClass(type);
        if (raw == Optional.class) {
            return v == null ? Optional.empty() : Optional.of(convert(v, typeArgument(type, 0), site));
        }
        if (raw == OptionalInt.class) {
            return v == null ? OptionalInt.empty() : OptionalInt.of((Integer) convert(v, int.class, site));
        }
        if (raw == OptionalLong.class) {
            return v == null ? OptionalLong.empty() : OptionalLong.of((Long) convert(v, long.class, site));
        }
        if (raw == OptionalDouble.class) {
            return v == null ? OptionalDouble.empty() : OptionalDouble.of((Double) convert(v, double.class, site));
        }
        if (v == null) {
            if (raw.isPrimitive()) {
                throw mismatch(v, raw, site);
            }
            return null;
        }
        Class<?> boxed = raw.isPrimitive() ? box(raw) : raw;
        if (boxed == Object.class) {
            return v;
        }
        if (boxed == Long.class || boxed == Integer.class || boxed == Short.class || boxed == Byte.class) {
            return integer(v, boxed, raw, site);
        }
        if (boxed == Double.class || boxed == Float.class) {
            double d;
            if (v instanceof Double) {
                d = (Double) v;
            } else if (v instanceof Long) {
                d = (Long) v;
            } else if (v instanceof BigInteger) {
                d = ((BigInteger) v).doubleValue();
            } else {
                throw mismatch(v, raw, site);
            }
            return boxed == Double.class ? (Object) d : (Object) (float) d;
        }
        if (boxed == Boolean.class) {
            if (v instanceof Boolean) {
                return v;
            }
            throw mismatch(v, raw, site);
        }
        if (boxed == Character.class) {
            if (v instanceof String && ((String) v).length() == 1) {
                return ((String) v).charAt(0);
            }
            throw mismatch(v, raw, site);
        }
        if (raw == String.class || raw == CharSequence.class) {
            if (v instanceof String) {
                return v;
            }
            throw mismatch(v, raw, site);
        }
        if (raw == BigInteger.class) {
            if (v instanceof Long) {
                return BigInteger.valueOf((Long) v);
            }
            if (v instanceof BigInteger) {
                return v;
            }
            throw mismatch(v, raw, site);
        }
        if (raw == BigDecimal.class) {
            if (v instanceof BigDecimal) {
                return v;
            }
            if (v instanceof Long) {
                return BigDecimal.valueOf((Long) v);
            }
            if (v instanceof BigInteger) {
                return new BigDecimal((BigInteger) v);
            }
            throw mismatch(v, raw, site);
        }
        if (raw.isEnum() && v instanceof String) {
            for (Object c : raw.getEnumConstants()) {
                if (((Enum<?>) c).name().equals(v)) {
                    return c;
                }
            }
            throw mismatch(v, raw, site);
        }
        boolean isMap = Map.class.isAssignableFrom(raw);
        if (raw.isArray() || isMap || Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
            Map<Type, Object> copies = containerCopies.get(v);
            if (copies != null && copies.containsKey(type)) {
                return copies.get(type);
            }
            try {
                return raw.isArray() ? array(v, type, raw, site) : isMap ? map(v, type, raw, site)
                        : collection(v, type, raw, site);
            } catch (PickleException e) {
                // A failed copy is not one to share; convertQuietly may go on to try another type.
                copies = containerCopies.get(v);
                if (copies != null) {
                    copies.remove(type);
                }
                throw e;
            }
        }
        if (raw.isInstance(v)) {
            return v;
        }
        throw mismatch(v, raw, site);
    }

    /**
     * Records {@code copy} as {@code source} converted to {@code type} before its items are converted: a container
     * shared by two fields of one Java type gets one copy, as the pickle had one object, and a container that
     * (through its items) holds itself gets the copy, partly filled, in its own place.
     */
    private void remember(Object source, Type type, Object copy) {
        containerCopies.computeIfAbsent(source, k -> new HashMap<>(2)).put(type, copy);
    }

    private static Object integer(Object v, Class<?> boxed, Class<?> raw, Site site) {
        long n;
        if (v instanceof Long) {
            n = (Long) v;
        } else if (v instanceof BigInteger && ((BigInteger) v).bitLength() < 64) {
            n = ((BigInteger) v).longValue();
        } else {
            throw mismatch(v, raw, site);
        }
        if (boxed == Long.class) {
            return n;
        }
        if (boxed == Integer.class && n == (int) n) {
            return (int) n;
        }
        if (boxed == Short.class && n == (short) n) {
            return (short) n;
        }
        if (boxed == Byte.class && n == (byte) n) {
            return (byte) n;
        }
        throw fail("cannot bind " + site.where + ": " + n + " is out of range for " + site.member);
    }

    private Object array(Object v, Type type, Class<?> raw, Site site) {
        Class<?> component = raw.getComponentType();
        Type componentType = type instanceof GenericArrayType ? ((GenericArrayType) type).getGenericComponentType()
                : component;
        if (raw == byte[].class && v instanceof PyBytes) {
            return ((PyBytes) v).toByteArray();
        }
        if (raw.isInstance(v) && component.isPrimitive()) {
            return v;
        }
        List<Object> items;
        if (v instanceof Collection) {
            items = new ArrayList<>((Collection<?>) v);
        } else if (v instanceof PyArray) {
            Object a = ((PyArray) v).items();
            if (raw.isInstance(a)) {
                return a;
            }
            items = new ArrayList<>();
            for (int i = 0, n = Array.getLength(a); i < n; i++) {
                items.add(Array.get(a, i));
            }
        } else {
            throw mismatch(v, raw, site);
        }
        Object out = Array.newInstance(component, items.size());
        remember(v, type, out);
        for (int i = 0; i < items.size(); i++) {
            Array.set(out, i, convert(resolveNow(items.get(i)), componentType, site.element("[" + i + "]")));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Object collection(Object v, Type type, Class<?> raw, Site site) {
        if (!(v instanceof Collection)) {
            throw mismatch(v, raw, site);
        }
        Type element = typeArgument(type, 0);
        if (raw.isInstance(v) && rawClass(element) == Object.class && !(v instanceof PyTuple)
                && !(v instanceof PyFrozenSet)) {
            // Kept as is, so that sharing and cycles through it hold; bound nodes in it are replaced in place.
            return v;
        }
        Collection<Object> out;
        if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            if (raw.isAssignableFrom(ArrayList.class)) {
                out = new ArrayList<>();
            } else if (raw.isAssignableFrom(LinkedHashSet.class)) {
                out = new LinkedHashSet<>();
            } else if (raw.isAssignableFrom(TreeSet.class)) {
                out = new TreeSet<>();
            } else if (raw.isAssignableFrom(ArrayDeque.class) || raw == Queue.class) {
                out = new ArrayDeque<>();
            } else {
                throw fail("cannot bind " + site.where + ": no collection to make for " + site.member);
            }
        } else {
            out = (Collection<Object>) newInstance(raw, site);
        }
        remember(v, type, out);
        int i = 0;
        for (Object item : (Collection<?>) v) {
            out.add(convert(resolveNow(item), element, site.element("[" + i++ + "]")));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Object map(Object v, Type type, Class<?> raw, Site site) {
        if (!(v instanceof Map)) {
            throw mismatch(v, raw, site);
        }
        Type keyType = typeArgument(type, 0);
        Type valueType = typeArgument(type, 1);
        if (raw.isInstance(v) && rawClass(keyType) == Object.class && rawClass(valueType) == Object.class) {
            return v;
        }
        Map<Object, Object> out;
        if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            if (raw.isAssignableFrom(LinkedHashMap.class)) {
                out = new LinkedHashMap<>();
            } else if (raw.isAssignableFrom(TreeMap.class) || raw == SortedMap.class || raw == NavigableMap.class) {
                out = new TreeMap<>();
            } else {
                throw fail("cannot bind " + site.where + ": no map to make for " + site.member);
            }
        } else {
            out = (Map<Object, Object>) newInstance(raw, site);
        }
        remember(v, type, out);
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            Object key = convert(resolveNow(e.getKey()), keyType, site.element("[" + shortRepr(e.getKey()) + "]"));
            out.put(key, convert(resolveNow(e.getValue()), valueType,
                    site.element("[" + shortRepr(e.getKey()) + "]")));
        }
        return out;
    }

    private static Object newInstance(Class<?> raw, Site site) {
        try {
            Constructor<?> c = raw.getDeclaredConstructor();
            c.setAccessible(true);
            return c.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new PickleException("cannot bind " + site.where + ": cannot make a " + raw.getName() + " for "
                    + site.member + ": " + e, -1, null, null, e);
        }
    }

    private static boolean isOptional(Type type) {
        Class<?> raw = rawClass(type);
        return raw == Optional.class || raw == OptionalInt.class || raw == OptionalLong.class
                || raw == OptionalDouble.class;
    }

    private static Object emptyOptional(Type type) {
        Class<?> raw = rawClass(type);
        return raw == OptionalInt.class ? OptionalInt.empty() : raw == OptionalLong.class ? OptionalLong.empty()
                : raw == OptionalDouble.class ? OptionalDouble.empty() : Optional.empty();
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class) {
            return (Class<?>) type;
        }
        if (type instanceof ParameterizedType) {
            return rawClass(((ParameterizedType) type).getRawType());
        }
        if (type instanceof GenericArrayType) {
            return Array.newInstance(rawClass(((GenericArrayType) type).getGenericComponentType()), 0).getClass();
        }
        if (type instanceof WildcardType) {
            return rawClass(((WildcardType) type).getUpperBounds()[0]);
        }
        if (type instanceof TypeVariable) {
            return rawClass(((TypeVariable<?>) type).getBounds()[0]);
        }
        return Object.class;
    }

    /** The {@code index}th type argument of a parameterized type, or {@code Object} for a raw one. */
    private static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType) {
            Type[] args = ((ParameterizedType) type).getActualTypeArguments();
            if (index < args.length) {
                return args[index];
            }
        }
        return Object.class;
    }

    private static Class<?> box(Class<?> primitive) {
        if (primitive == int.class) {
            return Integer.class;
        } else if (primitive == long.class) {
            return Long.class;
        } else if (primitive == double.class) {
            return Double.class;
        } else if (primitive == float.class) {
            return Float.class;
        } else if (primitive == boolean.class) {
            return Boolean.class;
        } else if (primitive == char.class) {
            return Character.class;
        } else if (primitive == short.class) {
            return Short.class;
        } else if (primitive == byte.class) {
            return Byte.class;
        }
        return Void.class;
    }

    // ---- messages -------------------------------------------------------------------------------------------

    private static PickleException fail(String message) {
        return new PickleException(message, -1, null);
    }

    private static PickleException mismatch(Object v, Class<?> raw, Site site) {
        return fail("cannot bind " + site.where + ": expected " + expected(raw) + " for " + site.member
                + ", found " + pythonType(v) + (v == null || v instanceof PyObject ? "" : " " + shortRepr(v)));
    }

    /** What Python value a Java type takes, as messages say it. */
    private static String expected(Class<?> raw) {
        Class<?> t = raw.isPrimitive() ? box(raw) : raw;
        if (t == Long.class || t == Integer.class || t == Short.class || t == Byte.class || t == BigInteger.class) {
            return "int";
        } else if (t == Double.class || t == Float.class) {
            return "float";
        } else if (t == Boolean.class) {
            return "bool";
        } else if (t == Character.class) {
            return "str of length 1";
        } else if (t == String.class || t == CharSequence.class) {
            return "str";
        } else if (t == BigDecimal.class) {
            return "decimal.Decimal or int";
        } else if (t.isArray() || Collection.class.isAssignableFrom(t) || t == Iterable.class) {
            return "list, tuple or set";
        } else if (Map.class.isAssignableFrom(t)) {
            return "dict";
        } else if (t.isEnum()) {
            return "a bound enum member or its name";
        } else if (t.isRecord()) {
            return "an object bound to " + t.getSimpleName();
        }
        return "a value of " + t.getSimpleName();
    }

    /** The Python type of a loaded value, as {@code type(v).__name__} would say it. */
    /** {@link PyRepr#typeName}, with what binding adds about an inert object: which class it is and that it is not bound. */
    static String pythonType(Object v) {
        if (v instanceof PyObject) {
            PyObject n = (PyObject) v;
            Object c = n.callable();
            if (RECONSTRUCTOR.equals(c) && !n.args().isEmpty() && n.args().get(0) instanceof GlobalRef) {
                return n.args().get(0) + " object (not bound)";
            }
            if (c instanceof GlobalRef && n.kind() != PyObject.Kind.REDUCE) {
                return c + " object (not bound)";
            }
            return "an unbound object" + (c instanceof GlobalRef ? " made by " + c : "");
        }
        return PyRepr.typeName(v);
    }

    private static String shortRepr(Object v) {
        String s;
        if (v instanceof String) {
            s = PyRepr.strRepr((String) v);
        } else if (v instanceof Double) {
            s = PyRepr.floatRepr((Double) v);
        } else if (v instanceof Boolean) {
            s = (Boolean) v ? "True" : "False";
        } else if (v == null) {
            s = "None";
        } else if (v instanceof Long || v instanceof BigInteger || v instanceof PyBytes) {
            s = v.toString();
        } else if (v instanceof Collection || v instanceof Map) {
            s = "of " + (v instanceof Map ? ((Map<?, ?>) v).size() : ((Collection<?>) v).size()) + " items";
        } else {
            s = pythonType(v);
        }
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static String typeName(Type type) {
        return type.getTypeName().replaceAll("(?:[\\w]+[.$])+", "");
    }
}
