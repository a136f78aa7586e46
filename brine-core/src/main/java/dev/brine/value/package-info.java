/**
 * Java types for Python values that have no natural Java equivalent. Values with one are read as plain JDK types
 * ({@code str} as {@link java.lang.String}, {@code int} as {@link java.lang.Long} or
 * {@link java.math.BigInteger}, {@code dict} as {@link java.util.LinkedHashMap}, {@code datetime} as
 * {@code java.time}...; the README's type table lists them all). The types here, by group:
 *
 * <ul>
 *   <li><b>Builtins:</b> {@link dev.brine.value.PyTuple}, {@link dev.brine.value.PyBytes},
 *       {@link dev.brine.value.PyByteArray}, {@link dev.brine.value.PyFrozenSet}, {@link dev.brine.value.PyComplex},
 *       {@link dev.brine.value.PyRange}, {@link dev.brine.value.PySlice}, {@link dev.brine.value.PyException}.</li>
 *   <li><b>Standard library:</b> {@link dev.brine.value.PyOrderedDict}, {@link dev.brine.value.PyDefaultDict},
 *       {@link dev.brine.value.PyCounter}, {@link dev.brine.value.PyDeque}, {@link dev.brine.value.PyNamedTuple}
 *       and their common type {@link dev.brine.value.PyDictSubtype}; {@link dev.brine.value.PyDecimal} (what
 *       {@link java.math.BigDecimal} cannot hold), {@link dev.brine.value.PyFraction},
 *       {@link dev.brine.value.PyPath}, {@link dev.brine.value.PyArray} ({@code array.array}).</li>
 *   <li><b>numpy:</b> {@link dev.brine.value.NDArray}, {@link dev.brine.value.DType},
 *       {@link dev.brine.value.NDScalar}.</li>
 *   <li><b>Inert nodes</b>, which stand for everything else without running any code:
 *       {@link dev.brine.value.GlobalRef} (a class or function by name), {@link dev.brine.value.PyObject} (a call,
 *       with its state, items and the calls the stream discarded on it), {@link dev.brine.value.PersistentRef}, and
 *       {@link dev.brine.value.PyDiscarding} (a result with the calls the stream discarded where no node was under
 *       them: at the top level, after another value, or unplaced).</li>
 *   <li><b>Views</b> of code pickled by value (read-only, over the nodes): {@link dev.brine.value.CloudpickleView},
 *       {@link dev.brine.value.PyFunctionView}, {@link dev.brine.value.PyCode},
 *       {@link dev.brine.value.PyDynamicClass}.</li>
 *   <li><b>Support:</b> {@link dev.brine.value.SharedForm} (a mapped value that keeps the call it was read from,
 *       so writing it back shares what the pickle shared) and {@link dev.brine.value.NodeEquality} (value equality
 *       of node graphs that share nodes).</li>
 * </ul>
 *
 * <h2>Java serialization</h2>
 * Every plain value type here is {@link java.io.Serializable}, so engines that ship values between machines (Spark,
 * Flink, a cache) can carry what a pickle holds. A value serialized and deserialized writes, with
 * {@link dev.brine.Pickle#dumps}, the same bytes as before: the Python class a type was read as
 * ({@code pythonClass()}), a {@code defaultdict}'s factory, instance state, the reconstructor names of arrays and the
 * call a mapped value was read from ({@link dev.brine.value.SharedForm}) are ordinary serialized fields, and
 * identity within one serialized graph is kept by Java serialization itself, so memo sharing survives too.
 * {@link dev.brine.value.PyBytes} serializes only its own bytes (never the larger array it may view), and
 * {@link dev.brine.value.NDArray} its data as bytes (a {@link java.nio.ByteBuffer} is not serializable), through
 * small serial forms; cached hashes are recomputed after deserialization, as items may hash by identity.
 *
 * <p>Not serializable: the views {@link dev.brine.value.PyFunctionView}, {@link dev.brine.value.PyCode} and
 * {@link dev.brine.value.PyDynamicClass} (serialize the {@link dev.brine.value.PyObject} they view and view it
 * again), the static helpers of {@link dev.brine.value.CloudpickleView}, and a protocol 5
 * {@link java.nio.ByteBuffer} held directly in a graph. Deserialize only data you trust, as with any Java
 * serialization.
 */
package dev.brine.value;
