package dev.brine.internal;

import dev.brine.value.GlobalRef;

import java.nio.charset.Charset;
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
 */
public record ReadConfig(Charset charset, boolean fixImports, boolean strict, Set<GlobalRef> allowed,
                         Map<Integer, GlobalRef> extensions, Function<Object, Object> persistentLoad,
                         int maxStackDepth, int maxNesting, long maxMemoEntries, long maxBytes,
                         boolean zeroCopy, Binder.Bindings bindings) {
}
