package dev.brine.internal.write;

import dev.brine.internal.format.Opcode;
import dev.brine.internal.types.NotPicklable;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * How an inert node is written, planned apart from the writing: the values and opcodes, in order, that make
 * {@code node} at a protocol, as CPython's {@code save_reduce} orders them. The call by its kind and the protocol
 * (REDUCE; NEWOBJ, or {@code copyreg.__newobj__} below protocol 2; NEWOBJ_EX, or {@code functools.partial} of
 * {@code cls.__new__}, or {@code copyreg.__newobj_ex__}; INST; OBJ), then memoizing it, then its list, dict and set
 * items, its states by BUILD (or its state setter), and the calls the stream discarded after each, at their places.
 *
 * <p>A plan holds values to save and {@link Step}s; the {@link PickleWriter} saves the one and performs the other,
 * so this class never touches the output, the memo or the writer's task stack.
 */
final class ReducePlan {
    private static final int MARK = Opcode.MARK.code();
    private static final int POP = Opcode.POP.code();
    private static final int REDUCE = Opcode.REDUCE.code();
    private static final int BUILD = Opcode.BUILD.code();
    private static final GlobalRef GETATTR = GlobalRef.of("builtins", "getattr");
    private static final GlobalRef COPYREG_NEWOBJ = GlobalRef.of("copyreg", "__newobj__");
    private static final GlobalRef COPYREG_NEWOBJ_EX = GlobalRef.of("copyreg", "__newobj_ex__");
    private static final GlobalRef PARTIAL = GlobalRef.of("functools", "partial");

    /** An action of a plan, between the values it saves. */
    sealed interface Step permits Op, Inst, Memoize, ListItems, DictItems, SetItems, Raw, DiscardedCall {
    }

    /** These opcodes, argument-free. */
    record Op(int... opcodes) implements Step {
    }

    /** INST with the class's module and name lines. */
    record Inst(GlobalRef cls) implements Step {
    }

    /** Memoize the object made so far under {@code key}; if it is already memoized, POP it and GET that (the end). */
    record Memoize(Object key) implements Step {
    }

    /** The node's list items, by APPEND or APPENDS. */
    record ListItems(List<Object> items) implements Step {
    }

    /** The node's dict items, by SETITEM or SETITEMS. */
    record DictItems(Map<Object, Object> items) implements Step {
    }

    /** The node's set items, by ADDITEMS (protocol 4 and up). */
    record SetItems(List<Object> items) implements Step {
    }

    /** Bytes written as they are after the node (a container format's trailer). */
    record Raw(LongFunction<ByteBuffer> data) implements Step {
    }

    /** A call the stream made and discarded here, written as a node of its own (then POP). */
    record DiscardedCall(PyObject call) implements Step {
    }

    /** Values to save and {@link Step}s, in order. */
    final List<Object> steps;
    /** For each step, its path below the node for error messages ({@code .args[0]}), or null. */
    final List<String> labels;

    private ReducePlan(List<Object> steps, List<String> labels) {
        this.steps = steps;
        this.labels = labels;
    }

    /**
     * The plan of {@code node}, memoized under {@code memoKey} (null: not memoized), followed by {@code trailer}'s
     * bytes when it is not null.
     *
     * @throws NotPicklable when the node cannot be written (an INST node whose class is not a global)
     */
    static ReducePlan of(PyObject node, Object memoKey, TrailingData trailer, int proto) {
        List<Object> steps = new ArrayList<>(8);
        List<String> labels = new ArrayList<>(8);
        Object callable = node.callable();
        PyTuple args = node.args();
        switch (node.kind()) {
            case REDUCE:
                addCall(steps, labels, callable, args, REDUCE);
                break;
            case NEWOBJ:
                if (proto >= 2) {
                    addCall(steps, labels, callable, args, Opcode.NEWOBJ.code());
                } else {
                    // Below protocol 2 the C pickler calls copyreg.__newobj__(cls, *args) with REDUCE.
                    Object[] full = new Object[args.size() + 1];
                    full[0] = callable;
                    for (int i = 0; i < args.size(); i++) {
                        full[i + 1] = args.get(i);
                    }
                    addCall(steps, labels, COPYREG_NEWOBJ, PyTuple.wrap(full), REDUCE);
                }
                break;
            case NEWOBJ_EX: {
                Map<Object, Object> kwargs = node.kwargs() == null ? Map.of() : node.kwargs();
                if (proto >= 4) {
                    steps.add(callable);
                    labels.add(".callable");
                    steps.add(args);
                    labels.add(".args");
                    steps.add(kwargs);
                    labels.add(".kwargs");
                    steps.add(new Op(Opcode.NEWOBJ_EX.code()));
                    labels.add(null);
                } else if (proto >= 2) {
                    // As save_reduce: functools.partial(cls.__new__, cls, *args, **kwargs)() with REDUCE.
                    PyObject newMethod = PyObject.reduce(GETATTR, callable, "__new__");
                    Object[] partialArgs = new Object[args.size() + 1];
                    partialArgs[0] = callable;
                    for (int i = 0; i < args.size(); i++) {
                        partialArgs[i + 1] = args.get(i);
                    }
                    PyObject partial = PyObject.reduce(PARTIAL, newMethod);
                    partial.addState(PyTuple.of(newMethod, PyTuple.wrap(partialArgs),
                            kwargs.isEmpty() ? null : kwargs, null));
                    addCall(steps, labels, partial, PyTuple.empty(), REDUCE);
                } else {
                    addCall(steps, labels, COPYREG_NEWOBJ_EX, PyTuple.of(callable, args, kwargs), REDUCE);
                }
                break;
            }
            case INST: {
                if (!(callable instanceof GlobalRef)) {
                    throw new NotPicklable("an INST node needs a GlobalRef class, not " + describe(callable));
                }
                GlobalRef cls = (GlobalRef) callable;
                steps.add(new Op(MARK));
                labels.add(null);
                for (int i = 0; i < args.size(); i++) {
                    steps.add(args.get(i));
                    labels.add(".args[" + i + "]");
                }
                steps.add(new Inst(cls));
                labels.add(null);
                break;
            }
            case OBJ:
                if (proto >= 1) {
                    steps.add(new Op(MARK));
                    labels.add(null);
                    steps.add(callable);
                    labels.add(".callable");
                    for (int i = 0; i < args.size(); i++) {
                        steps.add(args.get(i));
                        labels.add(".args[" + i + "]");
                    }
                    steps.add(new Op(Opcode.OBJ.code()));
                    labels.add(null);
                } else {
                    addCall(steps, labels, callable, args, REDUCE);
                }
                break;
            default:
                throw new AssertionError(node.kind());
        }
        steps.add(new Memoize(memoKey));
        labels.add(null);
        List<Object> listItems = node.listItems();
        if (!listItems.isEmpty()) {
            steps.add(new ListItems(listItems));
            labels.add(null);
        }
        Map<Object, Object> dictItems = node.dictItems();
        if (!dictItems.isEmpty()) {
            steps.add(new DictItems(dictItems));
            labels.add(null);
        }
        List<Object> setItems = node.setItems();
        if (!setItems.isEmpty()) {
            steps.add(new SetItems(setItems));
            labels.add(null);
        }
        List<Object> states = node.states();
        Object setter = node.stateSetter();
        List<PyObject.Discarded> discarded = node.discarded();
        addDiscarded(steps, labels, discarded, 0);
        for (int i = 0; i < states.size(); i++) {
            String label = states.size() == 1 ? ".state" : ".states[" + i + "]";
            if (setter != null && i == states.size() - 1) {
                // save_reduce's state-setter form: setter(obj, state) by REDUCE, then POP. CPython writes TUPLE2
                // here at every protocol, even 0 and 1.
                steps.add(setter);
                labels.add(".stateSetter");
                steps.add(node);
                labels.add(null);
                steps.add(states.get(i));
                labels.add(label);
                steps.add(new Op(Opcode.TUPLE2.code(), REDUCE, POP));
                labels.add(null);
                break;
            }
            steps.add(states.get(i));
            labels.add(label);
            steps.add(new Op(BUILD));
            labels.add(null);
            addDiscarded(steps, labels, discarded, i + 1);
        }
        if (trailer != null) {
            steps.add(new Raw(trailer.data()));
            labels.add(null);
        }
        return new ReducePlan(steps, labels);
    }

    /**
     * The values the stream discarded after a node's first {@code statesBefore} states (issue #20): each written
     * as it was read, then POP. A call the stream did not memoize is written without a memo entry.
     */

    private static void addCall(List<Object> steps, List<String> labels, Object callable, PyTuple args, int op) {
        steps.add(callable);
        labels.add(".callable");
        steps.add(args);
        labels.add(".args");
        steps.add(new Op(op));
        labels.add(null);
    }

    /**
     * Adds the calls of {@code discarded} that the stream made after {@code statesBefore} states and the
     * {@code occurrence}-th memo fetch of the node (0: its creation), each followed by POP: two steps a call.
     */
    static void addDiscarded(List<Object> steps, List<String> labels, List<PyObject.Discarded> discarded,
            int statesBefore) {
        addDiscarded(steps, labels, discarded, statesBefore, 0);
    }

    /** As above, for the values that follow the {@code occurrence}-th memo fetch of the node (0: its creation). */
    static void addDiscarded(List<Object> steps, List<String> labels, List<PyObject.Discarded> discarded,
            int statesBefore, int occurrence) {
        for (int i = 0; i < discarded.size(); i++) {
            PyObject.Discarded d = discarded.get(i);
            if (d.statesBefore() != statesBefore || d.occurrence() != occurrence) {
                continue;
            }
            Object value = d.value();
            if (value instanceof PyObject && !d.memoized()) {
                steps.add(new DiscardedCall((PyObject) value));
            } else {
                steps.add(value);
            }
            labels.add(".discarded[" + i + "]");
            steps.add(new Op(POP));
            labels.add(null);
        }
    }

    private static String describe(Object o) {
        return o == null ? "None" : o.getClass().getName();
    }
}
