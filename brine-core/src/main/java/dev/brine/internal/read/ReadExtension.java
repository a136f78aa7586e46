package dev.brine.internal.read;

import dev.brine.internal.types.KnownGlobals;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.io.IOException;

/**
 * How a container format built on pickle (a torch checkpoint, a joblib file) takes part in a load without a fork of
 * the pickle machine: it may map calls of its own globals to Java values, read the raw data its writer puts between
 * opcodes, and narrow or widen which globals strict mode accepts. Every method has a default that changes nothing,
 * so a format implements only what it needs. Nothing here runs code named by the stream: an extension decides from
 * the global's name and its arguments, as {@link KnownGlobals} does.
 */
public interface ReadExtension {
    /** What {@link #call} and {@link #afterBuild} return when they leave the value as it is. */
    Object NOT_HANDLED = KnownGlobals.NOT_HANDLED;

    /**
     * Called for every global the stream names, after Python 2 renames. Returns why the global is refused (the load
     * then fails with that reason, naming the global), or {@code null} to accept it.
     */
    default String refuse(GlobalRef global) {
        return null;
    }

    /** Whether strict mode lets {@code global} through because this extension maps its calls. */
    default boolean knows(GlobalRef global) {
        return false;
    }

    /**
     * The value of {@code callable(*args)} at REDUCE, or {@link #NOT_HANDLED} to leave the call to Brine (which maps
     * it or keeps it as an inert node). May throw {@link dev.brine.PickleException} for arguments that are wrong for
     * a global it maps; the machine adds the offset.
     */
    default Object call(GlobalRef callable, PyTuple args) {
        return NOT_HANDLED;
    }

    /**
     * Called after BUILD set state on an inert node. Returns the value that replaces the node on the stack (the memo
     * keeps the node, as Python's memo keeps the object BUILD updated), or {@link #NOT_HANDLED}. The extension may
     * read raw bytes that follow the BUILD opcode in the stream from {@code raw}.
     */
    default Object afterBuild(PyObject node, RawInput raw) throws IOException {
        return NOT_HANDLED;
    }

    /** The bytes of the stream after the current opcode, for formats that put raw data between opcodes. */
    interface RawInput {
        /** The absolute offset of the next byte of the stream. */
        long offset();

        /**
         * The next {@code n} bytes. The declared {@code n} is checked against what the input holds before anything
         * is allocated for it; a stream grows the array with the bytes that arrive.
         *
         * @throws dev.brine.PickleException if the input ends first, or raw data would start inside a frame
         */
        byte[] read(long n) throws IOException;

        /**
         * Reads one whole pickle that follows in the stream, with this load's configuration, and returns its value.
         */
        Object loadPickle() throws IOException;
    }
}
