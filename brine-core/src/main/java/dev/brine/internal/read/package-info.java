/**
 * The reader: {@link dev.brine.internal.read.PickleMachine} runs a pickle's opcodes over a
 * {@link dev.brine.internal.read.PickleInput} (an array, a buffer or a stream, every read bounds-checked) with its
 * stack and {@link dev.brine.internal.read.Memo}, configured by an immutable
 * {@link dev.brine.internal.read.ReadConfig}. Container formats that put raw bytes between pickles (legacy torch,
 * joblib) plug in through {@link dev.brine.internal.read.ReadExtension}.
 *
 * <p>Uses {@code format} (opcodes, codecs), {@code types} (known globals), {@code portable} (recognising Brine's
 * header) and {@code bind} (binding to Java types); nothing below it depends on it.
 */
package dev.brine.internal.read;
