package dev.brine.internal.write;

import dev.brine.value.PyObject;

import java.nio.ByteBuffer;
import java.util.function.LongFunction;

/**
 * An object followed by raw bytes outside the pickle's opcodes, as joblib writes each numpy array: the node (its
 * wrapper) is written and never memoized, the open frame is committed, then the bytes {@link #data} returns for the
 * absolute position they start at (joblib pads to an alignment computed from that position).
 *
 * @param node the object written before the data
 * @param data the bytes that follow, given their starting position in the stream
 */
public record TrailingData(PyObject node, LongFunction<ByteBuffer> data) {
}
