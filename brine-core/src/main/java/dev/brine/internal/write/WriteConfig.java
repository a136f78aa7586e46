package dev.brine.internal.write;

import dev.brine.value.GlobalRef;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A {@link dev.brine.Pickler}'s immutable configuration, as the writer reads it.
 *
 * @param protocol       the pickle protocol, 0 to 5
 * @param fixImports     write Python 3 names under their Python 2 names at protocols below 3
 * @param bufferCallback at protocol 5, decides whether a {@link ByteBuffer} goes out of band (returns true);
 *                       null writes every buffer in band
 * @param persistentId   the persistent-id hook, or null
 * @param extensions     the extension registry, global to code, for EXT1/2/4
 * @param adapters       Java types the caller taught Brine to convert, in registration order
 * @param portable       write records, enums, beans, functions and arrays as portable-runtime objects
 * @param bytecode       in portable mode, the CPython version {@code {major, minor}} whose code objects a dill or
 *                       cloudpickle stream holds, or null
 */
public record WriteConfig(int protocol, boolean fixImports, Predicate<? super ByteBuffer> bufferCallback,
                          Function<Object, Object> persistentId, Map<GlobalRef, Integer> extensions,
                          List<Adapter> adapters, boolean portable, int[] bytecode) {

    /** A configuration without a bytecode version. */
    public WriteConfig(int protocol, boolean fixImports, Predicate<? super ByteBuffer> bufferCallback,
                       Function<Object, Object> persistentId, Map<GlobalRef, Integer> extensions,
                       List<Adapter> adapters, boolean portable) {
        this(protocol, fixImports, bufferCallback, persistentId, extensions, adapters, portable, null);
    }

    /**
     * Converts values of {@code type} (and its subclasses) with {@code convert} before writing them.
     *
     * @param type    the Java type handled
     * @param convert the conversion to a value Brine can write
     */
    public record Adapter(Class<?> type, Function<Object, Object> convert) {
    }
}
