/**
 * The writer: {@link dev.brine.internal.write.PickleWriter} walks a value with an explicit stack and writes CPython's
 * bytes for Python's types (opcodes, memo and framing through {@link dev.brine.internal.write.PickleOutput}, identity
 * through {@link dev.brine.internal.write.IdentityMemo}), configured by an immutable
 * {@link dev.brine.internal.write.WriteConfig}.
 *
 * <p>Uses {@code format}, {@code types} (Java values converted to Python's calls) and {@code portable} (records,
 * enums, beans and functions in portable mode); nothing below it depends on it.
 */
package dev.brine.internal.write;
