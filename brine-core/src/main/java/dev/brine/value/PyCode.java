package dev.brine.value;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of a Python code object as cloudpickle writes it: a call of {@code types.CodeType} (named in
 * the pickle as {@code cloudpickle.cloudpickle._builtin_type('CodeType')}) with the code constructor's arguments.
 * Get one with {@link CloudpickleView#code(Object)} or {@link PyFunctionView#code()}.
 *
 * <p>The constructor's parameters depend on the Python version that wrote the pickle, and the view tells them
 * apart by their number, as cloudpickle's {@code _code_reduce} writes them:
 * <ul>
 *   <li>18 (3.11 and later): {@code argcount, posonlyargcount, kwonlyargcount, nlocals, stacksize, flags, code,
 *       consts, names, varnames, filename, name, qualname, firstlineno, linetable, exceptiontable, freevars,
 *       cellvars};</li>
 *   <li>16 (3.8 to 3.10): the same without {@code qualname} and {@code exceptiontable}, with {@code lnotab} or
 *       {@code linetable};</li>
 *   <li>15 (3.0 to 3.7): without {@code posonlyargcount} either;</li>
 *   <li>14 (Python 2): without {@code kwonlyargcount} either.</li>
 * </ul>
 * Nothing is run or disassembled: {@link #bytecode()} is the raw {@code co_code}.
 */
public final class PyCode {
    /** {@code CO_VARARGS}: the code takes {@code *args}. */
    public static final int CO_VARARGS = 0x04;
    /** {@code CO_VARKEYWORDS}: the code takes {@code **kwargs}. */
    public static final int CO_VARKEYWORDS = 0x08;

    private final PyObject node;
    private final PyTuple a;
    // Positions of the fields in the constructor's arguments; -1 where this version has no such field.
    private final int posOnly;
    private final int kwOnly;
    private final int first;
    private final int qualname;

    private PyCode(PyObject node, int posOnly, int kwOnly, int qualname) {
        this.node = node;
        this.a = node.args();
        this.posOnly = posOnly;
        this.kwOnly = kwOnly;
        this.qualname = qualname;
        // argcount, [posonly], [kwonly], then nlocals, stacksize, flags, code, consts, names, varnames, filename,
        // name, [qualname], firstlineno: everything after argcount shifts by the optional fields present.
        this.first = 1 + (posOnly < 0 ? 0 : 1) + (kwOnly < 0 ? 0 : 1);
    }

    /** The view of {@code o}, or null if it is not a code object as cloudpickle writes one. */
    static PyCode view(Object o) {
        if (!(o instanceof PyObject)) {
            return null;
        }
        PyObject node = (PyObject) o;
        if (node.kind() != PyObject.Kind.REDUCE || !isCodeType(node.callable())) {
            return null;
        }
        PyCode code;
        switch (node.args().size()) {
            case 18:
                code = new PyCode(node, 1, 2, 12);
                break;
            case 16:
                code = new PyCode(node, 1, 2, -1);
                break;
            case 15:
                code = new PyCode(node, -1, 1, -1);
                break;
            case 14:
                code = new PyCode(node, -1, -1, -1);
                break;
            default:
                return null;
        }
        return code.wellFormed() ? code : null;
    }

    /**
     * {@code _builtin_type('CodeType')} as cloudpickle writes it, or {@code types.CodeType} named directly as old
     * pickles may (its {@code __module__}/{@code __qualname__} is {@code builtins.code}, {@code __builtin__.code}
     * in Python 2).
     */
    private static boolean isCodeType(Object callable) {
        PyObject builtinType = CloudpickleView.helperCall(callable, "_builtin_type");
        if (builtinType != null) {
            return builtinType.args().size() == 1 && "CodeType".equals(builtinType.args().get(0));
        }
        if (callable instanceof GlobalRef) {
            GlobalRef g = (GlobalRef) callable;
            return g.equals(GlobalRef.of("types", "CodeType")) || g.equals(GlobalRef.of("builtins", "code"))
                    || g.equals(GlobalRef.of("__builtin__", "code"));
        }
        return false;
    }

    /** Whether the fields the view reads have the types a code object's have, so the accessors cannot fail. */
    private boolean wellFormed() {
        boolean ints = a.get(0) instanceof Long && (posOnly < 0 || a.get(posOnly) instanceof Long)
                && (kwOnly < 0 || a.get(kwOnly) instanceof Long) && a.get(first + 2) instanceof Long
                && a.get(firstLineIndex()) instanceof Long;
        return ints && a.get(first + 4) instanceof PyTuple && a.get(first + 5) instanceof PyTuple
                && a.get(first + 6) instanceof PyTuple && CloudpickleView.text(a.get(first + 7)) != null
                && CloudpickleView.text(a.get(first + 8)) != null
                && (qualname < 0 || CloudpickleView.text(a.get(qualname)) != null)
                && a.get(a.size() - 2) instanceof PyTuple && a.get(a.size() - 1) instanceof PyTuple
                && allText((PyTuple) a.get(first + 5)) && allText((PyTuple) a.get(first + 6))
                && allText((PyTuple) a.get(a.size() - 2)) && allText((PyTuple) a.get(a.size() - 1));
    }

    private static boolean allText(PyTuple t) {
        for (Object o : t) {
            if (CloudpickleView.text(o) == null) {
                return false;
            }
        }
        return true;
    }

    private int firstLineIndex() {
        return first + 9 + (qualname < 0 ? 0 : 1);
    }

    /** The inert node this view reads. */
    public PyObject node() {
        return node;
    }

    /** {@code co_name}: the function's name, {@code <lambda>} for a lambda. */
    public String name() {
        return CloudpickleView.text(a.get(first + 8));
    }

    /** {@code co_qualname} (Python 3.11 and later, which pickle it); empty for pickles of earlier versions. */
    public Optional<String> qualname() {
        return qualname < 0 ? Optional.empty() : Optional.of(CloudpickleView.text(a.get(qualname)));
    }

    /** {@code co_argcount}: positional parameters, positional-only ones included. */
    public int argCount() {
        return (int) (long) (Long) a.get(0);
    }

    /** {@code co_posonlyargcount}: 0 for pickles of Python before 3.8, which had none. */
    public int posOnlyArgCount() {
        return posOnly < 0 ? 0 : (int) (long) (Long) a.get(posOnly);
    }

    /** {@code co_kwonlyargcount}: 0 for pickles of Python 2, which had none. */
    public int kwOnlyArgCount() {
        return kwOnly < 0 ? 0 : (int) (long) (Long) a.get(kwOnly);
    }

    /** {@code co_flags}; see {@link #CO_VARARGS} and {@link #CO_VARKEYWORDS}. */
    public int flags() {
        return (int) (long) (Long) a.get(first + 2);
    }

    /**
     * The names of the parameters, positional then keyword-only, without {@code *args} and {@code **kwargs}:
     * {@code co_varnames[:co_argcount + co_kwonlyargcount]}, as {@code inspect} reads them.
     */
    public List<String> argumentNames() {
        return varNames().subList(0, Math.min(argCount() + kwOnlyArgCount(), varNames().size()));
    }

    /** The name of the {@code *args} parameter, if the code takes one. */
    public Optional<String> varArgsName() {
        return (flags() & CO_VARARGS) == 0 ? Optional.empty() : varName(argCount() + kwOnlyArgCount());
    }

    /** The name of the {@code **kwargs} parameter, if the code takes one. */
    public Optional<String> varKeywordsName() {
        int i = argCount() + kwOnlyArgCount() + ((flags() & CO_VARARGS) == 0 ? 0 : 1);
        return (flags() & CO_VARKEYWORDS) == 0 ? Optional.empty() : varName(i);
    }

    private Optional<String> varName(int i) {
        List<String> names = varNames();
        return i < names.size() ? Optional.of(names.get(i)) : Optional.empty();
    }

    /** {@code co_varnames}: the parameters, then the other local variables. */
    public List<String> varNames() {
        return texts((PyTuple) a.get(first + 6));
    }

    /**
     * {@code co_consts}, as read: numbers, strings, None, tuples, and the code objects of nested functions and
     * lambdas (inert nodes; {@link CloudpickleView#code(Object)} views them).
     */
    public PyTuple constants() {
        return (PyTuple) a.get(first + 4);
    }

    /** {@code co_names}: the global and attribute names the code uses. */
    public List<String> names() {
        return texts((PyTuple) a.get(first + 5));
    }

    /** {@code co_filename}: the file the code was compiled from. */
    public String fileName() {
        return CloudpickleView.text(a.get(first + 7));
    }

    /** {@code co_firstlineno}: the line of the {@code def} or {@code lambda} (or of its first decorator). */
    public int firstLineNumber() {
        return (int) (long) (Long) a.get(firstLineIndex());
    }

    /** {@code co_freevars}: the names of the closure's variables, in the order of its cells. */
    public List<String> freeVars() {
        return texts((PyTuple) a.get(a.size() - 2));
    }

    /** {@code co_cellvars}: the local variables that nested functions close over. */
    public List<String> cellVars() {
        return texts((PyTuple) a.get(a.size() - 1));
    }

    /** {@code co_code}: the raw bytecode of the Python version that wrote the pickle, or null if it is not bytes. */
    public PyBytes bytecode() {
        Object code = a.get(first + 3);
        return code instanceof PyBytes ? (PyBytes) code : null;
    }

    private static List<String> texts(PyTuple t) {
        List<String> names = new ArrayList<>(t.size());
        for (Object o : t) {
            names.add(CloudpickleView.text(o));
        }
        return Collections.unmodifiableList(names);
    }

    /** Equal when viewing the same node. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PyCode && ((PyCode) o).node == node;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(node);
    }

    @Override
    public String toString() {
        return "<code object " + name() + ", file " + fileName() + ", line " + firstLineNumber() + ">";
    }
}
