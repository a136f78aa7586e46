package dev.brine.internal.types;

import dev.brine.value.PyTuple;

import java.util.Objects;

/**
 * The reader's and writer's access to a {@link PyTuple}'s memo identity, the number a tuple the reader made carries
 * for the writer's memo (see {@link MemoIdentity} and {@link LoadedDict}). {@code PyTuple} is final, so the reader
 * cannot mark its tuples with a subclass as it does its lists and dicts; the tuple class grants this access to the
 * internal package instead, once, from its static initializer, and its public API stays as it was.
 *
 * <p>A tuple made any other way ({@link PyTuple#of}, {@link PyTuple#wrap}, Java deserialization) has the memo
 * identity 0, and the writer hashes it by {@link System#identityHashCode}.
 */
public final class LoadedTuples {
    /** What {@code PyTuple} grants. */
    public interface Access {
        /** As {@link PyTuple#wrap}, with a memo identity. */
        PyTuple wrap(Object[] items, int memoIdentity);

        /** The tuple's memo identity, or 0 if it has none. */
        int memoIdentity(PyTuple tuple);
    }

    private static volatile Access access;

    private LoadedTuples() {
    }

    /**
     * Called once, by {@code PyTuple}'s static initializer. This package is not exported, but on the class path
     * anyone can reach it, so the access is taken only from a class nested in {@code PyTuple}.
     */
    public static void grant(Access granted) {
        Objects.requireNonNull(granted);
        if (granted.getClass().getNestHost() != PyTuple.class) {
            throw new IllegalArgumentException("only PyTuple grants this access");
        }
        synchronized (LoadedTuples.class) {
            if (access != null) {
                throw new IllegalStateException("PyTuple's access is granted once");
            }
            access = granted;
        }
    }

    /** A tuple of {@code items}, which it takes without copying, carrying {@code memoIdentity}. */
    public static PyTuple wrap(Object[] items, int memoIdentity) {
        return access().wrap(items, memoIdentity);
    }

    /** The memo identity of {@code tuple}, or 0 if it has none. */
    public static int memoIdentity(PyTuple tuple) {
        return access().memoIdentity(tuple);
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            // Initializing PyTuple grants the access.
            PyTuple.empty();
            a = access;
        }
        return a;
    }
}
