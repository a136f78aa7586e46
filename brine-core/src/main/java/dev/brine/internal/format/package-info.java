/**
 * The wire format shared by every job: the one opcode table ({@link dev.brine.internal.format.Opcode},
 * {@link dev.brine.internal.format.ArgKind}) that the reader, the writer, the disassembler and the scanner all use;
 * the codecs of text ({@link dev.brine.internal.format.PyText}: raw-unicode-escape, Python 2 string escapes),
 * Python's reprs ({@link dev.brine.internal.format.PyRepr}), ints ({@link dev.brine.internal.format.Wire}:
 * little-endian fixed widths and {@code decode_long}/{@code encode_long}), and Python 2 names
 * ({@link dev.brine.internal.format.CompatNames}, {@code _compat_pickle}'s tables both ways).
 *
 * <p>Depends on nothing else in Brine but {@code dev.brine.value}; every other internal package may use it.
 */
package dev.brine.internal.format;
