package dev.brine.value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An inert Python object: what a pickle builds by calling something Brine does not map to a Java type. It keeps
 * everything the stream said about the object, so it can be inspected, and written back to the same bytes:
 * <ul>
 *   <li>how it was made ({@link #kind()}): a call ({@code REDUCE}), {@code cls.__new__} ({@code NEWOBJ},
 *       {@code NEWOBJ_EX}), or an old-style instantiation ({@code INST}, {@code OBJ});</li>
 *   <li>the callable or class, usually a {@link GlobalRef}, the positional arguments and keyword arguments;</li>
 *   <li>the state given by {@code BUILD}, and items added by {@code APPEND(S)}, {@code SETITEM(S)} and
 *       {@code ADDITEMS}.</li>
 * </ul>
 * Nothing is ever executed. Equality is identity, as for a Python object without {@code __eq__}.
 *
 * <p>The reader fills state and items after it creates the node, because a pickle does so: the node must exist
 * (and may already be referenced, even by itself) before its state is read.
 */
public final class PyObject implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** How the stream created the object. */
    public enum Kind {
        /** {@code callable(*args)}: the REDUCE opcode. */
        REDUCE,
        /** {@code cls.__new__(cls, *args)}: NEWOBJ. */
        NEWOBJ,
        /** {@code cls.__new__(cls, *args, **kwargs)}: NEWOBJ_EX. */
        NEWOBJ_EX,
        /** {@code module.name(*args)} with the class named inline: INST. */
        INST,
        /** {@code cls(*args)} with the class on the stack: OBJ. */
        OBJ
    }

    private final Kind kind;
    private final Object callable;
    private final PyTuple args;
    private final Map<Object, Object> kwargs;
    private final List<Object> states = new ArrayList<>(1);
    private List<Object> listItems;
    private Map<Object, Object> dictItems;
    private List<Object> setItems;
    private Object stateSetter;
    private List<Discarded> discarded;

    /**
     * A value the stream made and then discarded with POP right after this node, usually a call run for its side
     * effect (dill's {@code _setattr(cell, 'cell_contents', value)}, cloudpickle's {@code _function_setstate}).
     * Python ran the call, so it is kept, and the writer emits {@code value POP} at the same place: after this
     * node's creation and its first {@code statesBefore} states, or, when {@code occurrence} is n &gt; 0, right
     * after the n-th time the stream fetches this node from the memo (GET).
     *
     * @param value        the discarded value; a {@link PyObject} call in dill's and cloudpickle's streams
     * @param statesBefore how many of this node's {@link #states()} BUILD had applied when the value was discarded
     * @param memoized     whether the stream memoized the value before discarding it (then the writer does too)
     * @param occurrence   0 when the value followed the node's creation, n when it followed its n-th memo fetch
     */
    public record Discarded(Object value, int statesBefore, boolean memoized, int occurrence)
            implements java.io.Serializable {
    }

    /**
     * A node made by {@code kind} from {@code callable} and {@code args}; {@code kwargs} is only for
     * {@link Kind#NEWOBJ_EX} and may otherwise be null.
     */
    public PyObject(Kind kind, Object callable, PyTuple args, Map<Object, Object> kwargs) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.callable = callable;
        this.args = Objects.requireNonNull(args, "args");
        this.kwargs = kwargs == null ? null : Collections.unmodifiableMap(kwargs);
    }

    /** {@code callable(*args)}, as REDUCE builds it. */
    public static PyObject reduce(Object callable, Object... args) {
        return new PyObject(Kind.REDUCE, callable, PyTuple.of(args), null);
    }

    /** {@code cls.__new__(cls, *args)}, as NEWOBJ builds it. */
    public static PyObject newObj(Object cls, Object... args) {
        return new PyObject(Kind.NEWOBJ, cls, PyTuple.of(args), null);
    }

    public Kind kind() {
        return kind;
    }

    /** The callable (REDUCE) or class (the others), usually a {@link GlobalRef}. */
    public Object callable() {
        return callable;
    }

    /** The callable as a global reference, or null when it is something else. */
    public GlobalRef global() {
        return callable instanceof GlobalRef ? (GlobalRef) callable : null;
    }

    /** The positional arguments. */
    public PyTuple args() {
        return args;
    }

    /** The keyword arguments of NEWOBJ_EX, or null for the other kinds. */
    public Map<Object, Object> kwargs() {
        return kwargs;
    }

    /** Whether BUILD gave this object state. */
    public boolean hasState() {
        return !states.isEmpty();
    }

    /** The state BUILD gave, or null; if BUILD ran more than once, the last one. */
    public Object state() {
        return states.isEmpty() ? null : states.get(states.size() - 1);
    }

    /** Every state BUILD gave, in order; usually zero or one. */
    public List<Object> states() {
        return Collections.unmodifiableList(states);
    }

    /** Records a BUILD. */
    public void addState(Object state) {
        states.add(state);
    }

    /**
     * The callable that applied the last state instead of BUILD ({@code setter(obj, state)}, the protocol 5
     * state-setter form of {@code __reduce__}), or null if BUILD applied it.
     */
    public Object stateSetter() {
        return stateSetter;
    }

    /** Records a state applied by calling {@code setter(this, state)}, as the state-setter form does. */
    public void setStateWithSetter(Object setter, Object state) {
        states.add(state);
        stateSetter = setter;
    }

    /**
     * The values the stream discarded right after this node, in stream order (see {@link Discarded}); empty if
     * none. Nodes made in Java have none.
     */
    public List<Discarded> discarded() {
        return discarded == null ? List.of() : Collections.unmodifiableList(discarded);
    }

    /** Records a value the stream discarded (POP) while this node was the value below it, after its current states. */
    public void addDiscarded(Object value, boolean memoized) {
        addDiscarded(value, memoized, 0);
    }

    /**
     * Records a value the stream discarded (POP) while this node was the value below it: after its creation and
     * current states if {@code occurrence} is 0, else after its {@code occurrence}-th memo fetch.
     */
    public void addDiscarded(Object value, boolean memoized, int occurrence) {
        if (discarded == null) {
            discarded = new ArrayList<>(1);
        }
        discarded.add(new Discarded(value, occurrence == 0 ? states.size() : 0, memoized, occurrence));
    }

    /** Items added by APPEND or APPENDS, as for a list subclass; empty if none. */
    public List<Object> listItems() {
        return listItems == null ? List.of() : Collections.unmodifiableList(listItems);
    }

    /** Records an APPEND. */
    public void appendItem(Object item) {
        if (listItems == null) {
            listItems = new ArrayList<>();
        }
        listItems.add(item);
    }

    /** Items set by SETITEM or SETITEMS, as for a dict subclass; empty if none. */
    public Map<Object, Object> dictItems() {
        return dictItems == null ? Map.of() : Collections.unmodifiableMap(dictItems);
    }

    /** Records a SETITEM. */
    public void putItem(Object key, Object value) {
        if (dictItems == null) {
            dictItems = new LinkedHashMap<>();
        }
        dictItems.put(key, value);
    }

    /** Items added by ADDITEMS, as for a set subclass; empty if none. */
    public List<Object> setItems() {
        return setItems == null ? List.of() : Collections.unmodifiableList(setItems);
    }

    /** Records an ADDITEMS item. */
    public void addSetItem(Object item) {
        if (setItems == null) {
            setItems = new ArrayList<>();
        }
        setItems.add(item);
    }

    /** A short description that does not recurse into state, so it is safe on cyclic graphs. */
    @Override
    public String toString() {
        return "PyObject[" + kind + " " + (callable instanceof GlobalRef ? callable : "<callable>")
                + ", " + args.size() + " args" + (hasState() ? ", with state" : "") + "]";
    }
}
