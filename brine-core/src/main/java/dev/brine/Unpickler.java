package dev.brine;

import dev.brine.internal.bind.Binder;
import dev.brine.internal.read.PickleInput;
import dev.brine.internal.read.PickleMachine;
import dev.brine.internal.read.ReadConfig;
import dev.brine.internal.read.StrictPolicy;
import dev.brine.scan.Policy;
import dev.brine.scan.Verdict;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyTuple;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads pickles of every protocol (0 to 5) into Java values, without running code or loading classes named by
 * the stream.
 *
 * <pre>{@code
 * Unpickler unpickler = Unpickler.builder()
 *         .encoding("latin1")          // how to decode Python 2 str
 *         .maxMemoEntries(1_000_000)
 *         .build();
 * Object value = unpickler.loads(bytes);
 * }</pre>
 *
 * <p>A built {@code Unpickler} is immutable and thread-safe; each load has its own stack and memo, so one
 * instance can serve any number of threads.
 *
 * <p>Python values map to Java as {@code null}, {@code Boolean}, {@code Long} or {@code BigInteger},
 * {@code Double}, {@code String}, {@link dev.brine.value.PyBytes}, {@link dev.brine.value.PyByteArray},
 * {@link dev.brine.value.PyTuple}, {@link dev.brine.value.PyList}, {@link dev.brine.value.PyDict}, {@code LinkedHashSet},
 * {@link dev.brine.value.PyFrozenSet} and {@link dev.brine.value.PyComplex}. Everything else becomes an inert
 * {@link dev.brine.value.PyObject} or {@link dev.brine.value.GlobalRef} that keeps all the stream said.
 */
public final class Unpickler {
    private final ReadConfig config;

    private Unpickler(ReadConfig config) {
        this.config = config;
    }

    /** A builder with safe defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Reads one pickle from {@code data}; bytes after its STOP are ignored. */
    public Object loads(byte[] data) {
        return loads(data, null);
    }

    /**
     * Reads one pickle from {@code data}, taking out-of-band buffers for NEXT_BUFFER from {@code buffers} in
     * order, as {@code pickle.loads(data, buffers=...)} does.
     */
    public Object loads(byte[] data, Iterable<?> buffers) {
        Objects.requireNonNull(data, "data");
        try {
            return bound(new PickleMachine(config, PickleInput.of(data, 0, data.length), buffers).load());
        } catch (IOException e) {
            throw new AssertionError("no I/O on an array", e);
        }
    }

    /**
     * Reads one pickle from the buffer's position, and advances the position past its STOP opcode, so
     * concatenated pickles can be read one after another.
     */
    public Object load(ByteBuffer data) {
        return load(data, null);
    }

    /** As {@link #load(ByteBuffer)}, with out-of-band buffers. */
    public Object load(ByteBuffer data, Iterable<?> buffers) {
        Objects.requireNonNull(data, "data");
        PickleInput input = PickleInput.of(data);
        try {
            Object value = new PickleMachine(config, input, buffers).load();
            input.finish();
            return bound(value);
        } catch (IOException e) {
            throw new AssertionError("no I/O on a buffer", e);
        }
    }

    /**
     * Reads exactly one pickle from {@code in}, leaving the stream just after its STOP opcode (and after the rest
     * of the frame that holds the STOP, as CPython does), so concatenated pickles can be read one after another,
     * as {@code pickle.load} does on a file.
     *
     * <p>A stream that supports {@link InputStream#mark(int)} is read in large chunks and given back what was
     * read ahead. Any other stream is read exactly: whole frames at once at protocol 4 and up, argument by
     * argument otherwise. Wrap such a stream in a {@link java.io.BufferedInputStream} for speed.
     *
     * @throws IOException     if reading {@code in} fails
     * @throws PickleException if the pickle is malformed or exceeds a limit
     */
    public Object load(InputStream in) throws IOException {
        return load(in, null);
    }

    /** As {@link #load(InputStream)}, with out-of-band buffers. */
    public Object load(InputStream in, Iterable<?> buffers) throws IOException {
        Objects.requireNonNull(in, "in");
        PickleInput input = PickleInput.of(in);
        Object value = new PickleMachine(config, input, buffers).load();
        input.finish();
        return bound(value);
    }

    /** The loaded value with its bound objects replaced; an unpickler without bindings returns it as is. */
    private Object bound(Object value) {
        return config.bindings() == null ? value : Binder.bind(value, config.bindings(), config.strict());
    }

    /** Builds an {@link Unpickler}. Not thread-safe; the {@code Unpickler} it builds is. */
    public static final class Builder {
        private Charset charset = java.nio.charset.StandardCharsets.US_ASCII;
        private boolean fixImports = true;
        private boolean strict;
        private Policy policy;
        private final Set<GlobalRef> allowed = new HashSet<>();
        private final Map<Integer, GlobalRef> extensions = new HashMap<>();
        private Function<Object, Object> persistentLoad;
        private int maxStackDepth = ReadConfig.MAX_STACK_DEPTH;
        private int maxNesting = ReadConfig.MAX_NESTING;
        private long maxMemoEntries = ReadConfig.MAX_MEMO_ENTRIES;
        private long maxBytes = ReadConfig.MAX_BYTES;
        private boolean zeroCopy;
        private final Binder.Bindings.Builder bindings = new Binder.Bindings.Builder();

        private Builder() {
        }

        /**
         * How to decode Python 2 {@code str} (STRING, BINSTRING, SHORT_BINSTRING): a Java charset name such as
         * {@code "ASCII"} (the default, as in CPython), {@code "latin1"} or {@code "utf-8"}, or {@code "bytes"} to
         * keep them as {@link dev.brine.value.PyBytes}.
         */
        public Builder encoding(String encoding) {
            Objects.requireNonNull(encoding, "encoding");
            if (encoding.equals("bytes")) {
                this.charset = null;
                return this;
            }
            try {
                this.charset = Charset.forName(encoding);
            } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                throw new IllegalArgumentException("unknown encoding " + encoding, e);
            }
            return this;
        }

        /**
         * Whether to rename Python 2 modules and names to their Python 3 equivalents (for example
         * {@code __builtin__} to {@code builtins}) at protocols below 3, as CPython's {@code fix_imports}. On by
         * default.
         */
        public Builder fixImports(boolean fixImports) {
            this.fixImports = fixImports;
            return this;
        }

        /**
         * In strict mode, a global that is not one Brine maps to a Java type and was not allowed with
         * {@link #allowGlobal} fails the load instead of becoming an inert node. With {@link #bind bindings}, an
         * attribute of a bound object that has no Java field fails the load too.
         */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /**
         * In strict mode, also accepts the globals {@code policy} judges data, so that strict reading and the scanner
         * ({@link dev.brine.scan.Scanner#builder()}{@code .policy(...)}) agree: a name the policy says is SAFE is
         * read as an inert {@link GlobalRef}, a class it lets only be instantiated (scikit-learn estimators, torch
         * modules...) may be made by {@code NEWOBJ} or {@code copyreg._reconstructor} but not called, and anything
         * else, DANGEROUS or unknown to the policy, still fails the load. {@code Policy.defaults()} is the
         * scanner's data-only policy of numpy, pandas, scipy.sparse, scikit-learn, torch and joblib.
         */
        public Builder policy(Policy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Allows a global in strict mode; it is read as an inert {@link GlobalRef}. */
        public Builder allowGlobal(String module, String name) {
            allowed.add(new GlobalRef(module, name));
            return this;
        }

        /** Registers an extension code for EXT1, EXT2 and EXT4, as {@code copyreg.add_extension}. */
        public Builder extension(int code, String module, String name) {
            if (code <= 0) {
                throw new IllegalArgumentException("extension codes are positive: " + code);
            }
            extensions.put(code, new GlobalRef(module, name));
            return this;
        }

        /**
         * The hook for PERSID and BINPERSID: it gets the persistent id (a {@code String} for PERSID) and returns
         * the object to use. Without a hook, a persistent id is read as an inert
         * {@link dev.brine.value.PersistentRef}.
         */
        public Builder persistentLoad(Function<Object, Object> persistentLoad) {
            this.persistentLoad = persistentLoad;
            return this;
        }

        /**
         * With zero copy, a {@code bytes} read from a {@code byte[]} or an array-backed {@link ByteBuffer} is a
         * {@link dev.brine.value.PyBytes#wrap(byte[], int, int) view} of the caller's array instead of a copy, so
         * loading a large bytes object costs no copy and no extra heap. The loaded values then share the input:
         * do not change the input array while they are in use, and know that a small bytes value keeps the whole
         * input reachable. Reading from an {@link InputStream} always copies. Default off.
         *
         * <pre>{@code
         * Unpickler fast = Unpickler.builder().zeroCopy(true).build();
         * PyBytes blob = (PyBytes) fast.loads(data);   // blob.asByteBuffer() reads data's bytes in place
         * }</pre>
         */
        public Builder zeroCopy(boolean zeroCopy) {
            this.zeroCopy = zeroCopy;
            return this;
        }

        /**
         * Reads objects of the Python class {@code module.name} into {@code type}: a record (through its canonical
         * constructor), an enum (members matched by name, or by an instance field named {@code value}), or a
         * bean (made with its no-argument constructor, then its fields set), by field name. The fields come from
         * the object's {@code __dict__}, its {@code __slots__} state, or the positional arguments it was made
         * with (a namedtuple's values, an {@code Enum} member's value), converted to the Java field types,
         * including generic element types ({@code List<Point>}, {@code Map<String, Point>}). The class is also
         * allowed in strict mode.
         *
         * <pre>{@code
         * record Point(int x, int y) {}
         * Unpickler u = Unpickler.builder().bind("geometry", "Point", Point.class).build();
         * Point p = (Point) u.loads(bytes);
         * }</pre>
         *
         * <p>A missing record component (unless it is an {@code Optional}), an attribute with no Java field in
         * {@link #strict strict} mode, or a value of the wrong type fails the load with a
         * {@link PickleException} naming the Python class and field and the Java member and type. A missing bean
         * field keeps its default. Shared objects stay shared and cycles through beans are kept; a cycle that runs
         * only through records cannot be built and fails.
         *
         * @throws IllegalArgumentException if {@code type} is not a record, enum or concrete class Brine can
         *                                  instantiate
         */
        public Builder bind(String module, String name, Class<?> type) {
            Objects.requireNonNull(module, "module");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            bindings.python(module, name, type);
            allowed.add(new GlobalRef(module, name));
            return this;
        }

        /**
         * Reads the records, enums and beans of Brine's own portable streams (see
         * {@code Pickler.builder().portable(true)}) that were written from {@code type} back into {@code type}.
         * Objects of classes not registered stay inert nodes that keep their field names and values; Brine never
         * loads a class by a name the stream gives.
         *
         * @throws IllegalArgumentException if {@code type} is not a record, enum or concrete class Brine can
         *                                  instantiate
         */
        public Builder bind(Class<?> type) {
            Objects.requireNonNull(type, "type");
            bindings.portable(type);
            return this;
        }

        /** The most items (including marks) the unpickling stack may hold. Default 10,000,000. */
        public Builder maxStackDepth(int maxStackDepth) {
            this.maxStackDepth = positive(maxStackDepth, "maxStackDepth");
            return this;
        }

        /**
         * How deeply tuples and frozensets may nest in one another. Hashing and comparing them recurses that
         * deep, so this bounds the Java stack they need. Default 5,000; CPython cannot pickle much deeper. Below
         * {@link PyTuple#MAX_DEPTH} (65,535), which a tuple reports for that depth or more, so that any deeper
         * nesting is still refused.
         *
         * @throws IllegalArgumentException if {@code maxNesting} is not positive or is not below
         *     {@link PyTuple#MAX_DEPTH}
         */
        public Builder maxNesting(int maxNesting) {
            positive(maxNesting, "maxNesting");
            if (maxNesting >= PyTuple.MAX_DEPTH) {
                throw new IllegalArgumentException("maxNesting must be below " + PyTuple.MAX_DEPTH
                        + " (a tuple reports that depth for any nesting as deep or deeper), got " + maxNesting);
            }
            this.maxNesting = maxNesting;
            return this;
        }

        /** The most memo entries a pickle may create. Default 10,000,000. */
        public Builder maxMemoEntries(long maxMemoEntries) {
            this.maxMemoEntries = positive(maxMemoEntries, "maxMemoEntries");
            return this;
        }

        /**
         * Roughly how many bytes a load may allocate: string and bytes payloads, plus eight bytes per container
         * slot. Default {@code Integer.MAX_VALUE}.
         */
        public Builder maxBytes(long maxBytes) {
            this.maxBytes = positive(maxBytes, "maxBytes");
            return this;
        }

        private static <N extends Number> N positive(N n, String name) {
            if (n.longValue() <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + n);
            }
            return n;
        }

        private static StrictPolicy strictPolicy(Policy policy) {
            if (policy == null) {
                return null;
            }
            return new StrictPolicy() {
                @Override
                public boolean allows(GlobalRef g) {
                    return policy.judge(g.module(), g.name()).verdict() == Verdict.SAFE;
                }

                @Override
                public boolean instantiableOnly(GlobalRef g) {
                    Policy.Decision d = policy.judge(g.module(), g.name());
                    return d.verdict() == Verdict.SAFE && d.instantiableOnly();
                }
            };
        }

        /** An immutable, thread-safe {@link Unpickler} with this configuration. */
        public Unpickler build() {
            return new Unpickler(new ReadConfig(charset, fixImports, strict, Set.copyOf(allowed),
                    Map.copyOf(extensions), persistentLoad, maxStackDepth, maxNesting, maxMemoEntries, maxBytes,
                    zeroCopy, bindings.isEmpty() ? null : bindings.build(), null, strictPolicy(policy)));
        }
    }

    /** The default configuration, as used by {@link Pickle#loads(byte[])}. */
    static final Unpickler DEFAULT = builder().build();
}
