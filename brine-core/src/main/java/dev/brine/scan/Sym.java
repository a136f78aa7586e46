package dev.brine.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * The values the scanner's stack machine pushes: just enough of each Python object to resolve names, render the
 * calls a pickle makes, and find pickles nested in bytes. Scalars are plain Java values (Long, BigInteger, Double,
 * Boolean, and {@link #NONE}); everything else is one of these records.
 */
final class Sym {
    private Sym() {
    }

    /** Python's None, distinct from "nothing" in the memo. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A MARK on the stack. */
    static final Object MARK = new Object();

    /** A str; {@code fromPython2} for STRING, BINSTRING and SHORT_BINSTRING, which Python 3 reads as str too. */
    record Text(String value, boolean fromPython2) {
    }

    /** bytes or bytearray, with where their payload starts in the pickle (for nested pickles). */
    record Blob(byte[] value, long offset, boolean bytearray) {
    }

    /** A list, tuple, dict (keys and values alternating), set or frozenset; mutable while the pickle builds it. */
    record Container(String type, List<Object> items) {
        Container(String type) {
            this(type, new ArrayList<>());
        }
    }

    /**
     * A global as {@code find_class} would import it, with its verdict and the opcode that named it.
     *
     * @param module  the module imported, after the {@code _compat_pickle} renames
     * @param name    the (possibly dotted) name looked up in it
     * @param verdict the {@link Policy} verdict
     * @param rule    the policy rule that decided it
     */
    record Global(String module, String name, Verdict verdict, long offset, Policy.Rule rule) {
        String qualified() {
            return module + "." + name;
        }
    }

    /**
     * The result of calling {@code callable}: REDUCE, NEWOBJ, NEWOBJ_EX, OBJ or INST; {@code states} collects what
     * BUILD later applies to it.
     */
    record Call(Object callable, Object args, long offset, List<Object> states) {
        Call(Object callable, Object args, long offset) {
            this(callable, args, offset, new ArrayList<>(1));
        }
    }

    /** What a persistent id resolves to: whatever the application's persistent_load returns. */
    record Persistent(Object pid) {
    }

    /** A value the scanner does not track: an out-of-band buffer, an extension code, a stack the pickle misused. */
    record Unknown(String what) {
    }

    /** The value as Python source, shortened: deep or long values end in {@code ...}. */
    static String render(Object v) {
        StringBuilder sb = new StringBuilder();
        render(v, sb, 0);
        return sb.length() > 400 ? sb.substring(0, 397) + "..." : sb.toString();
    }

    private static void render(Object v, StringBuilder sb, int depth) {
        if (sb.length() > 400) {
            return;
        }
        if (depth > 6) {
            sb.append("...");
        } else if (v instanceof Text) {
            String s = ((Text) v).value();
            sb.append(dev.brine.internal.format.PyRepr.strRepr(s.length() > 200 ? s.substring(0, 200) + "..." : s));
        } else if (v instanceof Blob) {
            byte[] b = ((Blob) v).value();
            String r = dev.brine.internal.format.PyRepr.bytesRepr(b, 0, Math.min(b.length, 64)) + (b.length > 64 ? "..." : "");
            sb.append(((Blob) v).bytearray() ? "bytearray(" + r + ")" : r);
        } else if (v instanceof Global) {
            sb.append(((Global) v).qualified());
        } else if (v instanceof Call) {
            Call c = (Call) v;
            render(c.callable(), sb, depth + 1);
            renderArgs(c.args(), sb, depth + 1);
        } else if (v instanceof Container) {
            Container c = (Container) v;
            String open = c.type().equals("list") ? "[" : c.type().equals("tuple") ? "(" : c.type().equals("dict") ? "{"
                    : c.type() + "({";
            String close = c.type().equals("list") ? "]" : c.type().equals("tuple") ? (c.items().size() == 1 ? ",)" : ")")
                    : c.type().equals("dict") ? "}" : "})";
            sb.append(open);
            boolean dict = c.type().equals("dict");
            for (int i = 0; i < c.items().size() && sb.length() <= 400; i++) {
                if (i > 0) {
                    sb.append(dict && (i & 1) == 1 ? ": " : ", ");
                }
                render(c.items().get(i), sb, depth + 1);
            }
            sb.append(close);
        } else if (v instanceof Persistent) {
            sb.append("persistent_load(");
            render(((Persistent) v).pid(), sb, depth + 1);
            sb.append(')');
        } else if (v instanceof Unknown) {
            sb.append('<').append(((Unknown) v).what()).append('>');
        } else if (v instanceof Double) {
            sb.append(dev.brine.internal.format.PyRepr.floatRepr((Double) v));
        } else if (v instanceof Boolean) {
            sb.append((Boolean) v ? "True" : "False");
        } else {
            sb.append(v);
        }
    }

    /** Arguments in call syntax: a tuple's items, or {@code *args} for anything else. */
    static void renderArgs(Object args, StringBuilder sb, int depth) {
        if (args instanceof Container && ((Container) args).type().equals("tuple")) {
            sb.append('(');
            List<Object> items = ((Container) args).items();
            for (int i = 0; i < items.size() && sb.length() <= 400; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                render(items.get(i), sb, depth + 1);
            }
            sb.append(')');
        } else {
            sb.append("(*");
            render(args, sb, depth + 1);
            sb.append(')');
        }
    }
}
