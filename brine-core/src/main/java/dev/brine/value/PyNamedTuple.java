package dev.brine.value;

import java.util.Objects;
import java.util.Optional;

/**
 * A {@code collections.namedtuple} (or {@code typing.NamedTuple}) instance: its class and its values in field order.
 *
 * <p>A pickle does not name the fields. At protocol 2 and up a namedtuple is {@code cls.__new__(cls, *values)}
 * (NEWOBJ, from {@code __getnewargs__}); at protocols 0 and 1 it is
 * {@code copyreg._reconstructor(cls, tuple, values)}. Nothing in either form tells a namedtuple from another class
 * made from positional arguments, so the reader keeps the inert {@link PyObject}, and {@link #from} reads it as a
 * namedtuple on request. To get a Java record, bind the class:
 * {@code Unpickler.builder().bind("geometry", "Point", Point.class)} fills the record's components in order.
 *
 * <p>Written by the {@link dev.brine.Pickler}, a {@code PyNamedTuple} gives the bytes CPython writes for the
 * namedtuple at each protocol.
 *
 * @param pythonClass the namedtuple class
 * @param values      the values, in field order
 */
public record PyNamedTuple(GlobalRef pythonClass, PyTuple values) implements java.io.Serializable {
    /** {@code copyreg._reconstructor}, the protocol 0 and 1 form's callable. */
    public static final GlobalRef RECONSTRUCTOR = new GlobalRef("copyreg", "_reconstructor");
    /** {@code builtins.tuple}, the protocol 0 and 1 form's base class. */
    public static final GlobalRef TUPLE = new GlobalRef("builtins", "tuple");

    public PyNamedTuple {
        Objects.requireNonNull(pythonClass, "pythonClass");
        Objects.requireNonNull(values, "values");
    }

    /**
     * {@code node} read as a namedtuple: a NEWOBJ of a global class with positional arguments, or a reconstructor
     * call with base {@code tuple}, in either case with no state and no items. Empty for anything else.
     */
    public static Optional<PyNamedTuple> from(Object node) {
        if (!(node instanceof PyObject)) {
            return Optional.empty();
        }
        PyObject o = (PyObject) node;
        if (o.hasState() || !o.listItems().isEmpty() || !o.dictItems().isEmpty() || !o.setItems().isEmpty()) {
            return Optional.empty();
        }
        if (o.kind() == PyObject.Kind.NEWOBJ && o.global() != null) {
            return Optional.of(new PyNamedTuple(o.global(), o.args()));
        }
        PyTuple a = o.args();
        if (o.kind() == PyObject.Kind.REDUCE && RECONSTRUCTOR.equals(o.global()) && a.size() == 3
                && a.get(0) instanceof GlobalRef && TUPLE.equals(a.get(1)) && a.get(2) instanceof PyTuple) {
            return Optional.of(new PyNamedTuple((GlobalRef) a.get(0), (PyTuple) a.get(2)));
        }
        return Optional.empty();
    }

    /** The value at {@code index}, in field order. */
    public Object get(int index) {
        return values.get(index);
    }

    /** As Python's repr without the field names: {@code Point(1, 2)}, not recursing into the values. */
    @Override
    public String toString() {
        return pythonClass.name() + "(" + values.size() + " values)";
    }
}
