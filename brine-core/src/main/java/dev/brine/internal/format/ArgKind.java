package dev.brine.internal.format;

/**
 * How an opcode's inline argument is laid out in the stream, named as in CPython's {@code pickletools}
 * ({@code ArgumentDescriptor}). The reader, the writer and the disassembler all decide how many bytes an
 * argument takes from this one place.
 */
public enum ArgKind {
    /** No inline argument. */
    NONE("none", Layout.FIXED, 0),
    UINT1("uint1", Layout.FIXED, 1),
    UINT2("uint2", Layout.FIXED, 2),
    INT4("int4", Layout.FIXED, 4),
    UINT4("uint4", Layout.FIXED, 4),
    UINT8("uint8", Layout.FIXED, 8),
    /** A big-endian IEEE-754 double. */
    FLOAT8("float8", Layout.FIXED, 8),

    /** A decimal integer ending in a newline; {@code 00}/{@code 01} mean False/True for INT. */
    DECIMALNL_SHORT("decimalnl_short", Layout.LINE, 0),
    /** A decimal integer with an optional trailing {@code L}, ending in a newline. */
    DECIMALNL_LONG("decimalnl_long", Layout.LINE, 0),
    /** A float in Python's {@code repr} syntax, ending in a newline. */
    FLOATNL("floatnl", Layout.LINE, 0),
    /** A quoted Python 2 string literal with escapes, ending in a newline. */
    STRINGNL("stringnl", Layout.LINE, 0),
    /** An unquoted, unescaped line (persistent ids). */
    STRINGNL_NOESCAPE("stringnl_noescape", Layout.LINE, 0),
    /** Two unquoted lines: module and name. */
    STRINGNL_NOESCAPE_PAIR("stringnl_noescape_pair", Layout.LINE_PAIR, 0),
    /** A raw-unicode-escape encoded line. */
    UNICODESTRINGNL("unicodestringnl", Layout.LINE, 0),

    /** A two's complement little-endian integer with a 1-byte length. */
    LONG1("long1", Layout.COUNTED, 1),
    /** A two's complement little-endian integer with a signed 4-byte length. */
    LONG4("long4", Layout.COUNTED, 4),
    STRING1("string1", Layout.COUNTED, 1),
    /** Signed 4-byte length: a negative one is an error. */
    STRING4("string4", Layout.COUNTED, 4),
    BYTES1("bytes1", Layout.COUNTED, 1),
    BYTES4("bytes4", Layout.COUNTED, 4),
    BYTES8("bytes8", Layout.COUNTED, 8),
    BYTEARRAY8("bytearray8", Layout.COUNTED, 8),
    UNICODESTRING1("unicodestring1", Layout.COUNTED, 1),
    UNICODESTRING4("unicodestring4", Layout.COUNTED, 4),
    UNICODESTRING8("unicodestring8", Layout.COUNTED, 8);

    /** The broad shape of an argument. */
    public enum Layout {
        /** {@link #size()} bytes. */
        FIXED,
        /** Bytes up to and including a newline. */
        LINE,
        /** Two newline-terminated lines. */
        LINE_PAIR,
        /** A little-endian length of {@link #size()} bytes, then that many bytes. */
        COUNTED
    }

    private final String pickletoolsName;
    private final Layout layout;
    private final int size;

    ArgKind(String pickletoolsName, Layout layout, int size) {
        this.pickletoolsName = pickletoolsName;
        this.layout = layout;
        this.size = size;
    }

    /** The name {@code pickletools} gives this argument kind. */
    public String pickletoolsName() {
        return pickletoolsName;
    }

    public Layout layout() {
        return layout;
    }

    /** For FIXED, the argument's size; for COUNTED, the size of its length prefix; else 0. */
    public int size() {
        return size;
    }

    /** True for COUNTED kinds whose length prefix is read as a signed 32-bit value, as CPython does. */
    public boolean signedLength() {
        return this == LONG4 || this == STRING4;
    }
}
