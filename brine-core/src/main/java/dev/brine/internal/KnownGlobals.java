package dev.brine.internal;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyTuple;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The globals Brine understands: calls of these, with the argument shapes CPython's picklers write, become natural
 * Java values instead of inert nodes. Any other call, or an unexpected argument shape, stays inert.
 *
 * <p>These are the forms CPython uses for builtin types at protocols that lack an opcode for them: bytes below
 * protocol 3 ({@code _codecs.encode(str, 'latin1')}, {@code bytes()}), set and frozenset below 4, bytearray below
 * 5, and complex at every protocol.
 */
final class KnownGlobals {
    private KnownGlobals() {
    }

    /** The result of a call this table does not understand. */
    static final Object NOT_HANDLED = new Object();

    private interface Call {
        Object apply(PyTuple args, PickleMachine machine);
    }

    private static final Map<GlobalRef, Call> CALLS = Map.of(
            new GlobalRef("builtins", "set"), KnownGlobals::set,
            new GlobalRef("builtins", "frozenset"), KnownGlobals::frozenset,
            new GlobalRef("builtins", "bytearray"), KnownGlobals::bytearray,
            new GlobalRef("builtins", "bytes"), KnownGlobals::bytes,
            new GlobalRef("_codecs", "encode"), KnownGlobals::encode,
            new GlobalRef("builtins", "complex"), KnownGlobals::complex);

    static boolean isKnown(GlobalRef ref) {
        return CALLS.containsKey(ref);
    }

    /** The value of {@code ref(*args)}, or {@link #NOT_HANDLED}. */
    static Object call(GlobalRef ref, PyTuple args, PickleMachine machine) {
        Call call = CALLS.get(ref);
        return call == null ? NOT_HANDLED : call.apply(args, machine);
    }

    private static Object set(PyTuple args, PickleMachine machine) {
        if (args.isEmpty()) {
            return new LinkedHashSet<>();
        }
        if (args.size() == 1 && args.get(0) instanceof Collection) {
            LinkedHashSet<Object> set = new LinkedHashSet<>();
            for (Object item : (Collection<?>) args.get(0)) {
                machine.checkHashable(item);
                set.add(item);
            }
            return set;
        }
        return NOT_HANDLED;
    }

    private static Object frozenset(PyTuple args, PickleMachine machine) {
        if (args.isEmpty()) {
            return PyFrozenSet.empty();
        }
        if (args.size() == 1 && args.get(0) instanceof Collection) {
            Collection<?> items = (Collection<?>) args.get(0);
            for (Object item : items) {
                machine.checkHashable(item);
            }
            return machine.checkNesting(PyFrozenSet.copyOf(items));
        }
        return NOT_HANDLED;
    }

    private static Object bytearray(PyTuple args, PickleMachine machine) {
        if (args.isEmpty()) {
            return PyByteArray.wrap(new byte[0]);
        }
        Object a = args.get(0);
        if (args.size() == 1 && a instanceof PyBytes) {
            return PyByteArray.wrap(((PyBytes) a).toByteArray());
        }
        // Protocols 0-2 in Python 3 write bytearray(str, 'latin-1').
        if (args.size() == 2 && a instanceof String && isLatin1Name(args.get(1))) {
            byte[] b = latin1((String) a);
            return b == null ? NOT_HANDLED : PyByteArray.wrap(b);
        }
        return NOT_HANDLED;
    }

    private static Object bytes(PyTuple args, PickleMachine machine) {
        if (args.isEmpty()) {
            return PyBytes.of();
        }
        return NOT_HANDLED;
    }

    private static Object encode(PyTuple args, PickleMachine machine) {
        if (args.size() == 2 && args.get(0) instanceof String && isLatin1Name(args.get(1))) {
            byte[] b = latin1((String) args.get(0));
            return b == null ? NOT_HANDLED : PyBytes.wrap(b);
        }
        return NOT_HANDLED;
    }

    private static Object complex(PyTuple args, PickleMachine machine) {
        if (args.size() == 2 && args.get(0) instanceof Double && args.get(1) instanceof Double) {
            return new PyComplex((Double) args.get(0), (Double) args.get(1));
        }
        return NOT_HANDLED;
    }

    private static boolean isLatin1Name(Object name) {
        return "latin1".equals(name) || "latin-1".equals(name);
    }

    private static byte[] latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return null;
            }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
