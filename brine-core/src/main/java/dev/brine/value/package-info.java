/**
 * Java types for Python values that have no natural Java equivalent: {@link dev.brine.value.PyTuple},
 * {@link dev.brine.value.PyBytes}, {@link dev.brine.value.PyFrozenSet}, {@link dev.brine.value.PyComplex}, and the
 * inert nodes {@link dev.brine.value.GlobalRef}, {@link dev.brine.value.PyObject} and
 * {@link dev.brine.value.PersistentRef} that stand for everything else without running any code.
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
