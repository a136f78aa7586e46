package dev.brine.value;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A pickled Python builtin exception, such as {@code ValueError('bad', 1)} or
 * {@code FileNotFoundError(2, 'No such file or directory', 'f.txt')}: a plain value to inspect, never thrown.
 *
 * <p>{@code BaseException.__reduce__} pickles the class and {@code args}, plus the instance {@code __dict__} when it
 * is not empty (attributes set on the exception, or the {@code name}/{@code path} of an {@code ImportError}); that
 * dict is the {@link #state()}. A traceback, {@code __cause__}, {@code __context__} and {@code __notes__} outside
 * the dict are never pickled, so they are not here either.
 *
 * <p>{@code OSError} and its subclasses keep their {@code errno}, {@code strerror} and {@code filename} in
 * {@code args} ({@code OSError.__reduce__}); {@link #errno()}, {@link #strerror()} and {@link #filename()} read them.
 *
 * <pre>{@code
 * PyException e = (PyException) Pickle.loads(bytes);
 * e.typeName();   // "FileNotFoundError"
 * e.errno();      // Optional[2]
 * }</pre>
 *
 * Equality is identity, as for Python exceptions.
 */
public final class PyException implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final GlobalRef pythonClass;
    private final PyTuple args;
    private Object state;

    /** {@code cls(*args)}, for a builtin exception class {@code cls} (see {@link #isBuiltin}). */
    public PyException(GlobalRef pythonClass, PyTuple args) {
        this.pythonClass = Objects.requireNonNull(pythonClass, "pythonClass");
        this.args = Objects.requireNonNull(args, "args");
        if (!isBuiltin(pythonClass)) {
            throw new IllegalArgumentException("not a builtin exception class: " + pythonClass);
        }
    }

    /** {@code builtins.<typeName>(*args)}. */
    public static PyException of(String typeName, Object... args) {
        return new PyException(new GlobalRef("builtins", typeName), PyTuple.of(args));
    }

    /** The class as the pickle named it, such as {@code builtins.KeyError}. */
    public GlobalRef pythonClass() {
        return pythonClass;
    }

    /**
     * The name of the class Python creates, such as {@code KeyError}. That is the pickled class's name, except for
     * {@code OSError} itself: {@code OSError.__new__} picks a subclass by errno ({@code OSError(2, ...)} is a
     * {@code FileNotFoundError}), and below protocol 3 CPython pickles every subclass as {@code exceptions.OSError},
     * Python 2's name. The errno numbers are Linux's, as on the machine that would load the pickle.
     */
    public String typeName() {
        String name = pythonClass.name();
        if (!name.equals("OSError") && !name.equals("EnvironmentError") && !name.equals("IOError")) {
            return name;
        }
        Optional<Long> errno = errno();
        return errno.isPresent() ? osErrorSubclass(errno.get()) : "OSError";
    }

    /** Modules/errnomap of exceptions.c (_PyExc_InitState), with Linux's errno values. */
    private static String osErrorSubclass(long errno) {
        switch ((int) Math.max(Math.min(errno, Integer.MAX_VALUE), Integer.MIN_VALUE)) {
            case 11: case 114: case 115:
                return "BlockingIOError"; // EAGAIN (= EWOULDBLOCK), EALREADY, EINPROGRESS
            case 10:
                return "ChildProcessError"; // ECHILD
            case 32: case 108:
                return "BrokenPipeError"; // EPIPE, ESHUTDOWN
            case 103:
                return "ConnectionAbortedError";
            case 111:
                return "ConnectionRefusedError";
            case 104:
                return "ConnectionResetError";
            case 17:
                return "FileExistsError";
            case 2:
                return "FileNotFoundError";
            case 21:
                return "IsADirectoryError";
            case 20:
                return "NotADirectoryError";
            case 4:
                return "InterruptedError";
            case 13: case 1:
                return "PermissionError"; // EACCES, EPERM
            case 3:
                return "ProcessLookupError"; // ESRCH
            case 110:
                return "TimeoutError";
            default:
                return "OSError";
        }
    }

    /** The exception's {@code args}. */
    public PyTuple args() {
        return args;
    }

    /** The pickled {@code __dict__} (usually a {@code Map}), or null when the exception had none. */
    public Object state() {
        return state;
    }

    /**
     * Sets the pickled {@code __dict__}, as BUILD does; it may be set once.
     *
     * @throws IllegalStateException when the state is already set
     */
    public void setState(Object state) {
        if (this.state != null) {
            throw new IllegalStateException(typeName() + " already has state");
        }
        this.state = Objects.requireNonNull(state, "state");
    }

    /** An attribute from the pickled {@code __dict__}, such as {@code name} of an {@code ImportError}. */
    public Optional<Object> attribute(String name) {
        return state instanceof Map ? Optional.ofNullable(((Map<?, ?>) state).get(name)) : Optional.empty();
    }

    /** An {@code OSError}'s {@code errno}: the first of at least two args, when it is an int. */
    public Optional<Long> errno() {
        return osArg(0).filter(Long.class::isInstance).map(Long.class::cast);
    }

    /** An {@code OSError}'s {@code strerror}: the second of at least two args, when it is a str. */
    public Optional<String> strerror() {
        return osArg(1).filter(String.class::isInstance).map(String.class::cast);
    }

    /** An {@code OSError}'s {@code filename}: the third arg, when there is one. */
    public Optional<Object> filename() {
        return args.size() >= 3 ? osArg(2) : Optional.empty();
    }

    /** As OSError.__init__: errno, strerror and filename come from args only when there are 2 to 5 of them. */
    private Optional<Object> osArg(int i) {
        if (!isOSError(pythonClass.name()) || args.size() < 2 || args.size() > 5) {
            return Optional.empty();
        }
        return Optional.ofNullable(args.get(i));
    }

    /** Whether {@code cls} is a builtin exception class, in {@code builtins} of some CPython 3. */
    public static boolean isBuiltin(GlobalRef cls) {
        return cls.module().equals("builtins") && isBuiltinName(cls.name());
    }

    private static boolean isOSError(String name) {
        switch (name) {
            case "OSError": case "EnvironmentError": case "IOError": case "BlockingIOError":
            case "ChildProcessError": case "ConnectionError": case "BrokenPipeError": case "ConnectionAbortedError":
            case "ConnectionRefusedError": case "ConnectionResetError": case "FileExistsError":
            case "FileNotFoundError": case "InterruptedError": case "IsADirectoryError": case "NotADirectoryError":
            case "PermissionError": case "ProcessLookupError": case "TimeoutError":
                return true;
            default:
                return false;
        }
    }

    /** The exception classes of {@code builtins} in CPython 3.6 to 3.13 (a switch: no table to build at start-up). */
    static boolean isBuiltinName(String name) {
        if (isOSError(name)) {
            return true;
        }
        switch (name) {
            case "ArithmeticError": case "AssertionError": case "AttributeError": case "BaseException":
            case "BaseExceptionGroup": case "BufferError": case "BytesWarning": case "DeprecationWarning":
            case "EOFError": case "EncodingWarning": case "Exception": case "ExceptionGroup":
            case "FloatingPointError": case "FutureWarning": case "GeneratorExit": case "ImportError":
            case "ImportWarning": case "IndentationError": case "IndexError": case "KeyError": case "KeyboardInterrupt":
            case "LookupError": case "MemoryError": case "ModuleNotFoundError": case "NameError":
            case "NotImplementedError": case "OverflowError": case "PendingDeprecationWarning":
            case "PythonFinalizationError": case "RecursionError": case "ReferenceError": case "ResourceWarning":
            case "RuntimeError": case "RuntimeWarning": case "StopAsyncIteration": case "StopIteration":
            case "SyntaxError": case "SyntaxWarning": case "SystemError": case "SystemExit": case "TabError":
            case "TypeError": case "UnboundLocalError": case "UnicodeDecodeError": case "UnicodeEncodeError":
            case "UnicodeError": case "UnicodeTranslateError": case "UnicodeWarning": case "UserWarning":
            case "ValueError": case "Warning": case "ZeroDivisionError":
                return true;
            default:
                return false;
        }
    }

    /** A short form like Python's repr, {@code ValueError(2 args)}; it does not recurse into the args. */
    @Override
    public String toString() {
        return typeName() + "(" + args.size() + (args.size() == 1 ? " arg" : " args")
                + (state != null ? ", with state" : "") + ")";
    }
}
