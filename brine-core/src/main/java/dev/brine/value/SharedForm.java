package dev.brine.value;

/**
 * A value the reader makes from a pickled call ({@code numpy}'s {@code _reconstruct} and its state,
 * {@code array._array_reconstructor}, {@code _codecs.encode}, ...) that keeps that call as it was read, so that the
 * {@link dev.brine.Pickler} writes the value back with the very objects the pickle held there.
 *
 * <p>Why: CPython's pickler memoizes by identity. numpy passes one {@code b'b'} object to every
 * {@code _reconstruct(ndarray, (0,), b'b')}, so from the second array on the pickle holds a {@code BINGET} where a
 * Java value rebuilt from scratch would write the bytes again. The kept call is consulted only for its objects:
 * where the form the writer derives from the value holds an equal object at the same place, it writes the kept one
 * instead, and the writer's identity memo then gives the same {@code BINGET}s the pickle had. Objects that were
 * equal but distinct in the pickle stay distinct; a value made in Java keeps nothing and is written as CPython
 * writes a fresh value.
 */
public interface SharedForm {
    /** The call this value was read from (callable, arguments and BUILD state as read), or null. */
    PyObject readForm();

    /**
     * Keeps {@code form} as {@link #readForm()}; called by the reader once, when it maps the call. A value that
     * already keeps a form, or cannot keep one (a shared constant such as empty bytes), ignores it.
     */
    void keepReadForm(PyObject form);
}
