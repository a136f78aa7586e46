/**
 * The Python types Brine maps to Java and back, by family. {@link dev.brine.internal.types.KnownGlobals} is the one
 * table of the globals the reader evaluates (each known global listed once, with the family that builds it);
 * {@link dev.brine.internal.types.DatetimeModule}, {@link dev.brine.internal.types.NumpyModule} and
 * {@link dev.brine.internal.types.ArrayModule} build a family's values from the calls CPython writes;
 * {@link dev.brine.internal.types.JavaEquivalents} turns JDK values (java.time, BigDecimal, UUID, primitive arrays)
 * into the calls CPython writes for their Python equivalents, and
 * {@link dev.brine.internal.types.TypedEquivalents} does the same for Brine's own value types;
 * {@link dev.brine.internal.types.SharedForms} keeps what a mapped value was read from so writing it back shares
 * what the pickle shared; {@link dev.brine.internal.types.JavaState} is the one model of a Java class's state
 * (record components, bean fields), cached per class, used by the writer, the binder and portable mode.
 *
 * <p>A family never calls the reader: what it needs from it (limits, hashability) comes through
 * {@link dev.brine.internal.types.ReadChecks}. Depends on {@code dev.brine.value} only. docs/ARCHITECTURE.md says how
 * to add a family.
 */
package dev.brine.internal.types;
