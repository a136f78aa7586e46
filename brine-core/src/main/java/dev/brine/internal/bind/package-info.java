/**
 * Binding: {@link dev.brine.internal.bind.Binder} converts the inert value tree the reader built into the Java types
 * a caller asked for ({@code Unpickler.builder().bind(...)}, {@code Unpickler.loads(bytes, Type)}), through
 * {@link dev.brine.internal.bind.BinderTarget}. No class is loaded by a name from the stream: only the types the
 * caller gave are instantiated.
 *
 * <p>Uses {@code format}, {@code types} and {@code portable} (the class nodes of a portable body).
 */
package dev.brine.internal.bind;
