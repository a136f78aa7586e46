package dev.brine.internal.format;

import java.util.List;

/**
 * Every pickle opcode CPython 3.13 knows (68), with what the reader, the writer, the disassembler and the
 * scanner need to know about each: its byte, its inline argument, the protocol that introduced it, its stack
 * effect and a one-line description. This is the only opcode table in Brine; adding an opcode means adding a row.
 *
 * <p>Stack effects use {@code pickletools}' vocabulary: {@code mark} is a MARK object, {@code stackslice} the
 * items above the topmost mark.
 */
public enum Opcode {
    // Integers
    INT('I', ArgKind.DECIMALNL_SHORT, 0, "", "int_or_bool", "Push an integer or bool written in decimal.",
            "Push an integer or bool."),
    BININT('J', ArgKind.INT4, 1, "", "int", "Push a signed 4-byte little-endian integer.",
            "Push a four-byte signed integer."),
    BININT1('K', ArgKind.UINT1, 1, "", "int", "Push an unsigned 1-byte integer.",
            "Push a one-byte unsigned integer."),
    BININT2('M', ArgKind.UINT2, 1, "", "int", "Push an unsigned 2-byte little-endian integer.",
            "Push a two-byte unsigned integer."),
    LONG('L', ArgKind.DECIMALNL_LONG, 0, "", "int", "Push an integer written in decimal, with an optional L suffix.",
            "Push a long integer."),
    LONG1('\u008a', ArgKind.LONG1, 2, "", "int", "Push a two's complement integer of up to 255 bytes.",
            "Long integer using one-byte length."),
    LONG4('\u008b', ArgKind.LONG4, 2, "", "int", "Push a two's complement integer with a 4-byte length.",
            "Long integer using four-byte length."),

    // Python 2 strings and bytes
    STRING('S', ArgKind.STRINGNL, 0, "", "bytes_or_str", "Push a quoted, escaped Python 2 string.",
            "Push a Python string object."),
    BINSTRING('T', ArgKind.STRING4, 1, "", "bytes_or_str", "Push a Python 2 string with a 4-byte length.",
            "Push a Python string object."),
    SHORT_BINSTRING('U', ArgKind.STRING1, 1, "", "bytes_or_str", "Push a Python 2 string with a 1-byte length.",
            "Push a Python string object."),
    BINBYTES('B', ArgKind.BYTES4, 3, "", "bytes", "Push bytes with a 4-byte length.",
            "Push a Python bytes object."),
    SHORT_BINBYTES('C', ArgKind.BYTES1, 3, "", "bytes", "Push bytes with a 1-byte length.",
            "Push a Python bytes object."),
    BINBYTES8('\u008e', ArgKind.BYTES8, 4, "", "bytes", "Push bytes with an 8-byte length.",
            "Push a Python bytes object."),
    BYTEARRAY8('\u0096', ArgKind.BYTEARRAY8, 5, "", "bytearray", "Push a bytearray with an 8-byte length.",
            "Push a Python bytearray object."),
    NEXT_BUFFER('\u0097', ArgKind.NONE, 5, "", "buffer", "Push the next out-of-band buffer.",
            "Push an out-of-band buffer object."),
    READONLY_BUFFER('\u0098', ArgKind.NONE, 5, "buffer", "buffer", "Make the buffer on top of the stack read-only.",
            "Make an out-of-band buffer object read-only."),

    // Constants
    NONE('N', ArgKind.NONE, 0, "", "None", "Push None.",
            "Push None on the stack."),
    NEWTRUE('\u0088', ArgKind.NONE, 2, "", "bool", "Push True.",
            "Push True onto the stack."),
    NEWFALSE('\u0089', ArgKind.NONE, 2, "", "bool", "Push False.",
            "Push False onto the stack."),

    // Unicode strings
    UNICODE('V', ArgKind.UNICODESTRINGNL, 0, "", "str", "Push a raw-unicode-escape encoded string.",
            "Push a Python Unicode string object."),
    SHORT_BINUNICODE('\u008c', ArgKind.UNICODESTRING1, 4, "", "str", "Push a UTF-8 string with a 1-byte length.",
            "Push a Python Unicode string object."),
    BINUNICODE('X', ArgKind.UNICODESTRING4, 1, "", "str", "Push a UTF-8 string with a 4-byte length.",
            "Push a Python Unicode string object."),
    BINUNICODE8('\u008d', ArgKind.UNICODESTRING8, 4, "", "str", "Push a UTF-8 string with an 8-byte length.",
            "Push a Python Unicode string object."),

    // Floats
    FLOAT('F', ArgKind.FLOATNL, 0, "", "float", "Push a float written as text.",
            "Newline-terminated decimal float literal."),
    BINFLOAT('G', ArgKind.FLOAT8, 1, "", "float", "Push a big-endian 8-byte float.",
            "Float stored in binary form, with 8 bytes of data."),

    // Lists
    EMPTY_LIST(']', ArgKind.NONE, 1, "", "list", "Push an empty list.",
            "Push an empty list."),
    APPEND('a', ArgKind.NONE, 0, "list any", "list", "Append the top item to the list below it.",
            "Append an object to a list."),
    APPENDS('e', ArgKind.NONE, 1, "list mark stackslice", "list", "Extend the list below the mark with the items above it.",
            "Extend a list by a slice of stack objects."),
    LIST('l', ArgKind.NONE, 0, "mark stackslice", "list", "Build a list from the items above the mark.",
            "Build a list out of the topmost stack slice, after markobject."),

    // Tuples
    EMPTY_TUPLE(')', ArgKind.NONE, 1, "", "tuple", "Push an empty tuple.",
            "Push an empty tuple."),
    TUPLE('t', ArgKind.NONE, 0, "mark stackslice", "tuple", "Build a tuple from the items above the mark.",
            "Build a tuple out of the topmost stack slice, after markobject."),
    TUPLE1('\u0085', ArgKind.NONE, 2, "any", "tuple", "Build a 1-tuple from the top item.",
            "Build a one-tuple out of the topmost item on the stack."),
    TUPLE2('\u0086', ArgKind.NONE, 2, "any any", "tuple", "Build a 2-tuple from the top two items.",
            "Build a two-tuple out of the top two items on the stack."),
    TUPLE3('\u0087', ArgKind.NONE, 2, "any any any", "tuple", "Build a 3-tuple from the top three items.",
            "Build a three-tuple out of the top three items on the stack."),

    // Dicts
    EMPTY_DICT('}', ArgKind.NONE, 1, "", "dict", "Push an empty dict.",
            "Push an empty dict."),
    DICT('d', ArgKind.NONE, 0, "mark stackslice", "dict", "Build a dict from key, value pairs above the mark.",
            "Build a dict out of the topmost stack slice, after markobject."),
    SETITEM('s', ArgKind.NONE, 0, "dict any any", "dict", "Set one key to a value in the dict below them.",
            "Add a key+value pair to an existing dict."),
    SETITEMS('u', ArgKind.NONE, 1, "dict mark stackslice", "dict", "Set the key, value pairs above the mark in the dict below it.",
            "Add an arbitrary number of key+value pairs to an existing dict."),

    // Sets
    EMPTY_SET('\u008f', ArgKind.NONE, 4, "", "set", "Push an empty set.",
            "Push an empty set."),
    ADDITEMS('\u0090', ArgKind.NONE, 4, "set mark stackslice", "set", "Add the items above the mark to the set below it.",
            "Add an arbitrary number of items to an existing set."),
    FROZENSET('\u0091', ArgKind.NONE, 4, "mark stackslice", "frozenset", "Build a frozenset from the items above the mark.",
            "Build a frozenset out of the topmost slice, after markobject."),

    // Stack manipulation
    POP('0', ArgKind.NONE, 0, "any", "", "Discard the top item.",
            "Discard the top stack item, shrinking the stack by one item."),
    DUP('2', ArgKind.NONE, 0, "any", "any any", "Push a second reference to the top item.",
            "Push the top stack item onto the stack again, duplicating it."),
    MARK('(', ArgKind.NONE, 0, "", "mark", "Push a mark.",
            "Push markobject onto the stack."),
    POP_MARK('1', ArgKind.NONE, 1, "mark stackslice", "", "Discard everything down to and including the topmost mark.",
            "Pop all the stack objects at and above the topmost markobject."),

    // Memo
    GET('g', ArgKind.DECIMALNL_SHORT, 0, "", "any", "Push the memo entry whose index is written in decimal.",
            "Read an object from the memo and push it on the stack."),
    BINGET('h', ArgKind.UINT1, 1, "", "any", "Push the memo entry with a 1-byte index.",
            "Read an object from the memo and push it on the stack."),
    LONG_BINGET('j', ArgKind.UINT4, 1, "", "any", "Push the memo entry with a 4-byte index.",
            "Read an object from the memo and push it on the stack."),
    PUT('p', ArgKind.DECIMALNL_SHORT, 0, "", "", "Store the top item in the memo at an index written in decimal.",
            "Store the stack top into the memo.  The stack is not popped."),
    BINPUT('q', ArgKind.UINT1, 1, "", "", "Store the top item in the memo at a 1-byte index.",
            "Store the stack top into the memo.  The stack is not popped."),
    LONG_BINPUT('r', ArgKind.UINT4, 1, "", "", "Store the top item in the memo at a 4-byte index.",
            "Store the stack top into the memo.  The stack is not popped."),
    MEMOIZE('\u0094', ArgKind.NONE, 4, "any", "any", "Store the top item in the memo at the next free index.",
            "Store the stack top into the memo.  The stack is not popped."),

    // Extension registry
    EXT1('\u0082', ArgKind.UINT1, 2, "", "any", "Push the global registered under a 1-byte extension code.",
            "Extension code."),
    EXT2('\u0083', ArgKind.UINT2, 2, "", "any", "Push the global registered under a 2-byte extension code.",
            "Extension code."),
    EXT4('\u0084', ArgKind.INT4, 2, "", "any", "Push the global registered under a 4-byte extension code.",
            "Extension code."),

    // Globals and object building
    GLOBAL('c', ArgKind.STRINGNL_NOESCAPE_PAIR, 0, "", "any", "Push the global named by a module line and a name line.",
            "Push a global object (module.attr) on the stack."),
    STACK_GLOBAL('\u0093', ArgKind.NONE, 4, "str str", "any", "Push the global named by the module and name strings on the stack.",
            "Push a global object (module.attr) on the stack."),
    REDUCE('R', ArgKind.NONE, 0, "any any", "any", "Call the callable below the top item with the top tuple as arguments.",
            "Push an object built from a callable and an argument tuple."),
    BUILD('b', ArgKind.NONE, 0, "any any", "any", "Apply the top item as state to the object below it.",
            "Finish building an object, via __setstate__ or dict update."),
    INST('i', ArgKind.STRINGNL_NOESCAPE_PAIR, 0, "mark stackslice", "any", "Instantiate the named class with the items above the mark.",
            "Build a class instance."),
    OBJ('o', ArgKind.NONE, 1, "mark any stackslice", "any", "Instantiate the first item above the mark with the rest as arguments.",
            "Build a class instance."),
    NEWOBJ('\u0081', ArgKind.NONE, 2, "any any", "any", "Create cls.__new__(cls, *args).",
            "Build an object instance."),
    NEWOBJ_EX('\u0092', ArgKind.NONE, 4, "any any any", "any", "Create cls.__new__(cls, *args, **kwargs).",
            "Build an object instance."),

    // Machine control
    PROTO('\u0080', ArgKind.UINT1, 2, "", "", "Declare the protocol version.",
            "Protocol version indicator."),
    STOP('.', ArgKind.NONE, 0, "any", "", "End the pickle; the top item is the result.",
            "Stop the unpickling machine."),
    FRAME('\u0095', ArgKind.UINT8, 4, "", "", "Start a frame of the given length.",
            "Indicate the beginning of a new frame."),

    // Persistent ids
    PERSID('P', ArgKind.STRINGNL_NOESCAPE, 0, "", "any", "Push the object for a persistent id written as text.",
            "Push an object identified by a persistent ID."),
    BINPERSID('Q', ArgKind.NONE, 1, "any", "any", "Push the object for the persistent id on top of the stack.",
            "Push an object identified by a persistent ID.");

    private static final Opcode[] BY_CODE = new Opcode[256];

    static {
        for (Opcode op : values()) {
            if (BY_CODE[op.code] != null) {
                throw new AssertionError("duplicate opcode byte for " + op);
            }
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final ArgKind arg;
    private final int protocol;
    private final List<String> stackBefore;
    private final List<String> stackAfter;
    private final String doc;
    private final String pickletoolsDoc;

    Opcode(char code, ArgKind arg, int protocol, String before, String after, String doc, String pickletoolsDoc) {
        this.code = code;
        this.arg = arg;
        this.protocol = protocol;
        this.stackBefore = words(before);
        this.stackAfter = words(after);
        this.doc = doc;
        this.pickletoolsDoc = pickletoolsDoc;
    }

    private static List<String> words(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split(" "));
    }

    /** The opcode for a byte, or {@code null} if no opcode has that byte. */
    public static Opcode of(int b) {
        return BY_CODE[b & 0xff];
    }

    /** The opcode's byte, 0 to 255. */
    public int code() {
        return code;
    }

    /** The byte as {@code pickletools} prints it: the character in single quotes, escaped as Python's repr. */
    public String codeRepr() {
        if (code == '\'') {
            return "\"'\"";
        }
        if (code >= 0x20 && code < 0x7f) {
            return code == '\\' ? "'\\\\'" : "'" + (char) code + "'";
        }
        return String.format("'\\x%02x'", code);
    }

    public ArgKind arg() {
        return arg;
    }

    /** The protocol that introduced this opcode. */
    public int protocol() {
        return protocol;
    }

    public List<String> stackBefore() {
        return stackBefore;
    }

    public List<String> stackAfter() {
        return stackAfter;
    }

    /** A one-line description. */
    public String doc() {
        return doc;
    }

    /**
     * The first line of {@code pickletools}' own documentation of this opcode, verbatim: {@code pickletools.dis}
     * prints it as the annotation ({@code -a}), so {@code brine dis -a} must print the same text.
     */
    public String pickletoolsDoc() {
        return pickletoolsDoc;
    }
}
