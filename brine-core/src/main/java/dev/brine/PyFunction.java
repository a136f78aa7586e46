package dev.brine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Python function written from Java as source code, for portable streams: the stock {@code pickle.load} of
 * any CPython 3.6 to 3.13 rebuilds it as a callable, compiling the source where it loads. No bytecode travels.
 *
 * <pre>{@code
 * PyFunction square = PyFunction.of("square", "def square(x):\n    return x * x\n");
 * byte[] pickle = Pickler.builder().portable(true).build().dumps(square);
 * // python3 -I -S -c 'import pickle,sys; print(pickle.loads(sys.stdin.buffer.read())(17))'  prints 289
 *
 * PyFunction inc = PyFunction.lambda("lambda x: x + step").global("step", 2);
 * }</pre>
 *
 * <p>A function has a name, its source (a {@code def} that defines that name, or a {@code lambda} expression),
 * optional default values for its last parameters, globals it reads, and closure values (free variables bound
 * when it is built). Defaults, globals and closure values may be any value Brine can pickle, including other
 * functions, so functions that call each other work: give each the other as a global. The globals map is mutable
 * for that reason; everything else is fixed at construction.
 *
 * <p>In Python the function is a callable wrapper around the real function (its {@code __wrapped__}), with the
 * function's {@code __name__}, {@code __qualname__} and {@code __doc__}. It is a wrapper because stock pickle
 * writes plain functions by module and name, which a fresh interpreter could not resolve; the wrapper pickles
 * itself as its source again, so Python can pass it on.
 */
public final class PyFunction {
    private static final String LAMBDA = "<lambda>";

    private final String name;
    private final String source;
    private final List<Object> defaults;
    private final Map<String, Object> globals = new LinkedHashMap<>();
    private final Map<String, Object> closure;

    private PyFunction(String name, String source, List<Object> defaults, Map<String, Object> closure) {
        this.name = Objects.requireNonNull(name, "name");
        this.source = Objects.requireNonNull(source, "source");
        this.defaults = defaults == null ? null : Collections.unmodifiableList(new ArrayList<>(defaults));
        this.closure = Collections.unmodifiableMap(new LinkedHashMap<>(closure));
        for (String variable : this.closure.keySet()) {
            requireIdentifier(variable, "closure variable");
        }
        if (!name.equals(LAMBDA)) {
            requireIdentifier(name, "function name");
        }
    }

    /** A function named {@code name}, defined by {@code source} ({@code def name(...): ...}). */
    public static PyFunction of(String name, String source) {
        return new PyFunction(name, source, null, Map.of());
    }

    /** A lambda, from its expression source, such as {@code "lambda x: x * x"}. */
    public static PyFunction lambda(String source) {
        if (!source.strip().startsWith("lambda")) {
            throw new IllegalArgumentException("a lambda's source starts with 'lambda': " + source);
        }
        return new PyFunction(LAMBDA, source.strip(), null, Map.of());
    }

    /** A copy with these default values for the last parameters (Python's {@code __defaults__}). */
    public PyFunction withDefaults(Object... defaults) {
        PyFunction f = new PyFunction(name, source, java.util.Arrays.asList(defaults), closure);
        f.globals.putAll(globals);
        return f;
    }

    /** A copy whose source runs inside a scope binding these free variables, as a closure does. */
    public PyFunction withClosure(Map<String, ?> closure) {
        PyFunction f = new PyFunction(name, source, defaults, new LinkedHashMap<>(closure));
        f.globals.putAll(globals);
        return f;
    }

    /** Sets a global the function reads, and returns this function. */
    public PyFunction global(String name, Object value) {
        requireIdentifier(name, "global name");
        globals.put(name, value);
        return this;
    }

    /** The function's name; {@code <lambda>} for a lambda. */
    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    /** The default values, or null when none were given. */
    public List<Object> defaults() {
        return defaults;
    }

    /** The globals, live: changes show in later writes. */
    public Map<String, Object> globals() {
        return globals;
    }

    /** The closure variables and their values, in order. */
    public Map<String, Object> closure() {
        return closure;
    }

    private static void requireIdentifier(String s, String what) {
        boolean ok = !s.isEmpty() && (Character.isLetter(s.charAt(0)) || s.charAt(0) == '_');
        for (int i = 1; ok && i < s.length(); i++) {
            char c = s.charAt(i);
            ok = Character.isLetterOrDigit(c) || c == '_';
        }
        if (!ok) {
            throw new IllegalArgumentException("not a Python identifier for a " + what + ": " + s);
        }
    }

    @Override
    public String toString() {
        return "PyFunction[" + name + "]";
    }
}
