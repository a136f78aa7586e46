package dev.brine;

import dev.brine.internal.types.JavaState;
import dev.brine.internal.write.PickleWriter;
import dev.brine.internal.write.WriteConfig;
import dev.brine.value.GlobalRef;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Writes Java values as pickles, protocols 0 to 5, with the bytes CPython's C pickler writes.
 *
 * <pre>{@code
 * Pickler pickler = Pickler.builder()
 *         .protocol(5)
 *         .build();                          // immutable and thread-safe
 * byte[] pickle = pickler.dumps(Map.of("ids", List.of(1, 2, 3)));
 * }</pre>
 *
 * <p>Java values map to Python as follows (the README has the full table): {@code null} to None, {@code Boolean}
 * to bool, {@code Byte}/{@code Short}/{@code Integer}/{@code Long}/{@code BigInteger} to int, {@code Float} and
 * {@code Double} to float, {@code String} and {@code Character} to str, {@code byte[]} to bytes, {@code List} to
 * list, {@code Set} to set, {@code Map} to dict (in iteration order), primitive arrays to {@code array.array},
 * {@code BigDecimal} to {@code decimal.Decimal}, {@code java.time} values to {@code datetime} values,
 * {@code UUID} to {@code uuid.UUID}, {@code Optional} to its value or None. Brine's own value types
 * ({@link dev.brine.value.PyTuple}, {@link dev.brine.value.PyBytes}, {@link dev.brine.value.PyByteArray},
 * {@link dev.brine.value.PyFrozenSet}, {@link dev.brine.value.PyComplex} and the inert nodes) go back to what
 * they came from, so {@code dumps(loads(p))} gives back {@code p} byte for byte for what CPython writes.
 * Anything else fails with a {@link PickleException} naming the class and its path in the object graph, unless an
 * {@linkplain Builder#adapter adapter} converts it.
 *
 * <p>Objects are memoized by identity, never by equality: equal but distinct Java objects stay distinct in
 * Python, and shared ones (including cycles) stay shared. Each dump has its own memo.
 */
public final class Pickler {
    /** The protocol {@link #builder()} starts with: 4, CPython 3.8 to 3.13's {@code DEFAULT_PROTOCOL}. */
    public static final int DEFAULT_PROTOCOL = 4;
    /** The highest protocol Brine writes. */
    public static final int HIGHEST_PROTOCOL = 5;

    private static final Pickler[] DEFAULTS = new Pickler[HIGHEST_PROTOCOL + 1];

    static {
        for (int p = 0; p <= HIGHEST_PROTOCOL; p++) {
            DEFAULTS[p] = builder().protocol(p).build();
        }
    }

    private final WriteConfig config;

    private Pickler(WriteConfig config) {
        this.config = config;
    }

    /** A builder with the defaults: protocol 4, Python 2 names fixed below protocol 3, no hooks. */
    public static Builder builder() {
        return new Builder();
    }

    /** The default pickler for {@code protocol}, as {@link Pickle#dumps(Object, int)} uses it. */
    static Pickler forProtocol(int protocol) {
        checkProtocol(protocol);
        return DEFAULTS[protocol];
    }

    /** The protocol this pickler writes. */
    public int protocol() {
        return config.protocol();
    }

    /**
     * Pickles {@code value} into a new array.
     *
     * @throws PickleException if the value, or something it contains, cannot be pickled
     */
    public byte[] dumps(Object value) {
        return PickleWriter.dumps(config, value);
    }

    /**
     * Pickles {@code value} onto {@code out}. Output is buffered: the stream gets large writes, about one frame at
     * a time, and is neither flushed nor closed.
     *
     * @throws IOException     if writing to {@code out} fails
     * @throws PickleException if the value, or something it contains, cannot be pickled; part of the pickle may
     *                         have been written already
     */
    public void dump(Object value, OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        PickleWriter.dump(config, value, out);
    }

    private static int checkProtocol(int protocol) {
        if (protocol < 0 || protocol > HIGHEST_PROTOCOL) {
            throw new IllegalArgumentException("pickle protocol must be 0 to " + HIGHEST_PROTOCOL + ": " + protocol);
        }
        return protocol;
    }

    /** Builds a {@link Pickler}. Not thread-safe; the {@code Pickler} it builds is. */
    public static final class Builder {
        private int protocol = DEFAULT_PROTOCOL;
        private boolean fixImports = true;
        private Predicate<? super ByteBuffer> bufferCallback;
        private Function<Object, Object> persistentId;
        private final Map<GlobalRef, Integer> extensions = new HashMap<>();
        /** Adapters and registrations in registration order, each made for the protocol at {@link #build()}. */
        private final List<IntFunction<WriteConfig.Adapter>> adapters = new ArrayList<>();
        private boolean portable;
        private int[] bytecode;

        private Builder() {
        }

        /** The protocol, 0 to 5; the default is 4. */
        public Builder protocol(int protocol) {
            this.protocol = checkProtocol(protocol);
            return this;
        }

        /**
         * Whether to write Python 3 names under their Python 2 names at protocols below 3 (for example
         * {@code builtins} as {@code __builtin__}), as CPython's {@code fix_imports}. On by default.
         */
        public Builder fixImports(boolean fixImports) {
            this.fixImports = fixImports;
            return this;
        }

        /**
         * At protocol 5, decides for each {@link ByteBuffer} in the value (a Python {@code PickleBuffer}) whether
         * it travels out of band: the callback gets a read-only view of the buffer and returns true to take it,
         * in which case the pickle holds only NEXT_BUFFER (and READONLY_BUFFER if the buffer is read-only), and
         * the caller passes the buffers to {@code pickle.loads(data, buffers=...)} in the order the callback saw
         * them. Returning false, or giving no callback, writes the buffer into the pickle. So
         * {@code buffers::add} takes every buffer, as Python's {@code buffer_callback=buffers.append} does.
         */
        public Builder bufferCallback(Predicate<? super ByteBuffer> bufferCallback) {
            this.bufferCallback = bufferCallback;
            return this;
        }

        /**
         * The persistent-id hook, as Python's {@code Pickler.persistent_id}: called with every value before it is
         * written (including {@code null}); a non-null result is written as that value's persistent id
         * (BINPERSID, or PERSID text at protocol 0, which needs an ASCII string or an integer) instead of the value.
         */
        public Builder persistentId(Function<Object, Object> persistentId) {
            this.persistentId = persistentId;
            return this;
        }

        /**
         * Registers an extension code, as {@code copyreg.add_extension}: at protocol 2 and up the global
         * {@code module.name} is written as EXT1, EXT2 or EXT4 with that code.
         */
        public Builder extension(int code, String module, String name) {
            if (code <= 0 || code > 0x7fffffff) {
                throw new IllegalArgumentException("extension codes are 1 to 2**31-1: " + code);
            }
            extensions.put(new GlobalRef(module, name), code);
            return this;
        }

        /**
         * Teaches the pickler a Java type: values of {@code type} (or a subtype) are converted by
         * {@code toPython} into something Brine can write, such as a {@code Map}, a {@code PyTuple} or a
         * {@link dev.brine.value.PyObject} node. Adapters are tried in registration order, after Brine's own
         * Python types and before its built-in Java mappings, so an adapter can override how, say,
         * {@code LocalDate} is written.
         *
         * <pre>{@code
         * Pickler.builder().adapter(Money.class, m -> Map.of("amount", m.amount(), "currency", m.currency()))
         * }</pre>
         */
        public <T> Builder adapter(Class<T> type, Function<? super T, ?> toPython) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(toPython, "toPython");
            adapters.add(p -> new WriteConfig.Adapter(type, v -> toPython.apply(type.cast(v))));
            return this;
        }

        /**
         * Writes instances of {@code type} (a record, or any other class: a bean) as instances of the Python class
         * {@code module.name}, with the record's components, or the object's non-static, non-transient fields
         * (superclass fields first), as the instance's {@code __dict__}. This is the reverse of reading's
         * binding, and the form CPython writes for a plain Python instance at the same protocol
         * ({@code object.__reduce_ex__}): the class, NEWOBJ and the state dict by BUILD from protocol 2,
         * {@code copyreg._reconstructor} below it. So a Python program that defines {@code module.name} (a plain
         * class or a dataclass) loads Java-written objects as real instances of it. Field values are written as
         * any value is: nested registered objects, collections, sharing and cycles work. A subclass of
         * {@code type} is written as {@code module.name} too, with its own fields. Registrations and
         * {@linkplain #adapter adapters} are tried in the order they were made.
         *
         * <pre>{@code
         * record Point(int x, int y) {}
         * byte[] p = Pickler.builder().register(Point.class, "geometry", "Point").build().dumps(new Point(1, 2));
         * // Python: pickle.loads(p) is a geometry.Point with p.x == 1 and p.y == 2
         * }</pre>
         *
         * @throws IllegalArgumentException if {@code type} is a primitive, array, enum, {@code Object},
         *                                  collection or map type (those have their own Python forms), or a name is
         *                                  empty
         */
        public Builder register(Class<?> type, String module, String name) {
            Objects.requireNonNull(type, "type");
            if (type.isPrimitive() || type.isArray() || type.isEnum() || type == Object.class
                    || java.util.Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException("cannot register " + type.getName() + " as a Python class: "
                        + "only records and beans can be; use adapter(...) to convert anything else");
            }
            if (module.isEmpty() || name.isEmpty()) {
                throw new IllegalArgumentException("the Python module and class name must not be empty");
            }
            GlobalRef cls = new GlobalRef(module, name);
            adapters.add(p -> new WriteConfig.Adapter(type, v -> JavaState.instance(cls, v, p)));
            return this;
        }

        /**
         * Portable mode: Java records, enums, other objects (beans), {@link PyFunction}s, primitive arrays and
         * region time zones are written so that the stock {@code pickle.load} of any CPython 3.6 to 3.13 rebuilds
         * them with nothing installed. When the value holds any of them, the stream starts with a header that
         * installs Brine's small Python runtime where that interpreter lacks it; a value that holds none gets no
         * header and the same bytes as without portable mode. Needs protocol 2 or higher. See
         * {@code docs/PORTABLE.md}.
         *
         * <p>Loading a portable stream runs the runtime's Python code, as loading any pickle can run code. The
         * header is plain and recognisable: {@code brine dis}, {@code brine json} and {@code brine scan} show it.
         */
        public Builder portable(boolean portable) {
            this.portable = portable;
            return this;
        }

        /**
         * In portable mode, the CPython version that wrote the dill or cloudpickle stream being rewritten, which its
         * code objects need. Code objects hold bytecode that only that minor version runs (another crashes or
         * computes wrong results), so a portable stream holding them checks the loading interpreter's version
         * before its body and at every code object, failing with an exception that names both versions. Writing
         * such a stream without this version, or with one whose code-object layout differs from the stream's (15
         * fields for 3.6-3.7, 16 for 3.8-3.10, 18 for 3.11 and later), is refused with a
         * {@link PickleException}. Unused for values without code objects. See {@code docs/PORTABLE.md}.
         *
         * @param major the CPython major version, 3
         * @param minor the CPython minor version, 6 to 99
         */
        public Builder bytecode(int major, int minor) {
            if (major != 3 || minor < 6 || minor > 99) {
                throw new IllegalArgumentException("bytecode version must be 3.6 or later, not " + major + "." + minor);
            }
            this.bytecode = new int[] {major, minor};
            return this;
        }

        /** An immutable, thread-safe {@link Pickler} with this configuration. */
        public Pickler build() {
            if (portable && protocol < 2) {
                throw new IllegalArgumentException("portable mode needs protocol 2 or higher, not " + protocol);
            }
            // A loop, not a stream and a lambda: this runs in Pickler's initializer, before a fresh JVM's first dump,
            // which loading the stream classes and spinning the lambda's made about 3 ms slower (StartupPathTest).
            List<WriteConfig.Adapter> made = new ArrayList<>(adapters.size());
            for (IntFunction<WriteConfig.Adapter> adapter : adapters) {
                made.add(adapter.apply(protocol));
            }
            return new Pickler(new WriteConfig(protocol, fixImports, bufferCallback, persistentId,
                    Map.copyOf(extensions), List.copyOf(made), portable, bytecode == null ? null : bytecode.clone()));
        }
    }
}
