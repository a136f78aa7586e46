package dev.brine.internal.read;

import dev.brine.internal.bind.Binder;
import dev.brine.value.GlobalRef;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * An {@link dev.brine.Unpickler}'s immutable configuration, as the pickle machine reads it.
 *
 * @param charset        how to decode Python 2 str, or null to keep them as bytes
 * @param fixImports     apply the Python 2 renames at protocols below 3
 * @param strict         reject globals that are neither mapped nor allowed
 * @param allowed        globals allowed in strict mode
 * @param extensions     the extension registry for EXT1/2/4
 * @param persistentLoad the persistent-load hook, or null
 * @param zeroCopy       bytes read from an array are views of it rather than copies
 * @param bindings       the classes objects are bound to after loading, or null when none are registered
 * @param format         the container format taking part in the load (torch, joblib), or null for a plain pickle
 * @param policy         in strict mode, the further globals a scanner policy judges data, or null
 */
public record ReadConfig(Charset charset, boolean fixImports, boolean strict, Set<GlobalRef> allowed,
                         Map<Integer, GlobalRef> extensions, Function<Object, Object> persistentLoad,
                         int maxStackDepth, int maxNesting, long maxMemoEntries, long maxBytes,
                         boolean zeroCopy, Binder.Bindings bindings, ReadExtension format, StrictPolicy policy) {
    /** The default stack depth limit (items and marks). */
    public static final int MAX_STACK_DEPTH = 10_000_000;
    /** The default nesting limit of tuples and frozensets. */
    public static final int MAX_NESTING = 5_000;
    /** The default limit on memo entries. */
    public static final long MAX_MEMO_ENTRIES = 10_000_000;
    /** The default limit on bytes a load allocates. */
    public static final long MAX_BYTES = Integer.MAX_VALUE;

    /** The configuration of {@code Unpickler.builder().build()}. */
    public static ReadConfig defaults() {
        return new ReadConfig(StandardCharsets.US_ASCII, true, false, Set.of(), Map.of(), null, MAX_STACK_DEPTH,
                MAX_NESTING, MAX_MEMO_ENTRIES, MAX_BYTES, false, null, null, null);
    }

    /** This configuration with strict mode set and {@code allowed} as the allowed globals. */
    public ReadConfig withStrict(boolean strict, Set<GlobalRef> allowed) {
        return new ReadConfig(charset, fixImports, strict, Set.copyOf(allowed), extensions, persistentLoad,
                maxStackDepth, maxNesting, maxMemoEntries, maxBytes, zeroCopy, bindings, format, policy);
    }

    /** This configuration with another persistent-load hook and container format. */
    public ReadConfig withFormat(Function<Object, Object> persistentLoad, ReadExtension format) {
        return new ReadConfig(charset, fixImports, strict, allowed, extensions, persistentLoad, maxStackDepth,
                maxNesting, maxMemoEntries, maxBytes, zeroCopy, bindings, format, policy);
    }
}
