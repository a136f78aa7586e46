/**
 * Portable mode: {@link dev.brine.internal.portable.PortableRuntime} carries the small Python runtime (the sources
 * under {@code resources/dev/brine/portable/}, in sections carried only when used) in a header the stock
 * {@code pickle.load} runs, and recognises that header byte for byte;
 * {@link dev.brine.internal.portable.PortableEncoder} turns records, enums, beans, arrays and
 * {@link dev.brine.PyFunction}s into calls of that runtime.
 *
 * <p>Uses {@code format} and {@code types}; the reader reaches the header through
 * {@link dev.brine.internal.portable.PortableRuntime.Lookahead}, so this package never sees the reader.
 */
package dev.brine.internal.portable;
