package dev.brine.tools;

import dev.brine.internal.format.ArgKind;
import dev.brine.internal.format.Opcode;
import dev.brine.internal.format.PyRepr;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A symbolic listing of a pickle, character for character what CPython 3.13's {@code pickletools.dis} prints
 * (and so what {@code python -m pickletools [-a] FILE} prints): each opcode's position, code, name and argument,
 * memo and mark annotations, indentation by mark depth, optional one-line descriptions, and the footer naming the
 * highest protocol among the opcodes.
 *
 * <p>Like {@code pickletools} it also checks the stream as it goes: a memo key read before it is stored or stored
 * twice, a missing MARK, a pop from too short a stack, items left after STOP. For such a stream the listing stops
 * where {@code pickletools}' does and a {@link DisassemblyException} carries the error Python raises.
 *
 * <p>It runs no Python and builds no values: it reads the pickle itself, with the argument layouts of Brine's
 * single opcode table. Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * String listing = Disassembler.builder().annotate(true).build().disassemble(pickleBytes);
 * //     0: \x80 PROTO      4              Protocol version indicator.
 * //     2: \x95 FRAME      12             Indicate the beginning of a new frame.
 * //    ...
 * // highest protocol among opcodes = 4
 * }</pre>
 */
public final class Disassembler {
    /** The annotation column {@code python -m pickletools -a} asks for. */
    public static final int DEFAULT_ANNOTATION_COLUMN = 30;

    private static final String MARK = "mark";

    private final int indentLevel;
    private final int annotate;

    private Disassembler(Builder builder) {
        this.indentLevel = builder.indentLevel;
        this.annotate = builder.annotate;
    }

    /** A disassembler with {@code pickletools}' defaults: indent 4, no annotations. */
    public static Disassembler create() {
        return builder().build();
    }

    /** Starts a builder with {@code pickletools}' defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The memo {@code pickletools.dis} keeps between pickles ({@code -m}): pass the same one to several calls to
     * disassemble pickles written by one pickler with one memo. Not thread-safe.
     */
    public static final class Memo {
        private final Map<BigInteger, String> entries = new HashMap<>();
    }

    /**
     * Disassembles the first pickle in {@code pickle} and returns the listing.
     *
     * @throws DisassemblyException where {@code pickletools} raises; its {@link DisassemblyException#partialListing()}
     *                              holds what was printed before
     */
    public String disassemble(byte[] pickle) {
        Objects.requireNonNull(pickle, "pickle");
        StringBuilder out = new StringBuilder(pickle.length * 4 + 64);
        try {
            run(new ByteArrayInputStream(pickle), out, new Memo(), 0, null);
        } catch (DisassemblyException e) {
            throw new DisassemblyException(e.pythonType(), e.pythonMessage(), e.offset(), e.opcode(), out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Disassembles one pickle from {@code in}, reading through its STOP opcode and no further, and appends the
     * listing to {@code out}, line by line, as {@code pickletools} prints it. Positions count from where
     * {@code in} stood. Lines are read a byte at a time: wrap an unbuffered stream in a
     * {@link java.io.BufferedInputStream}.
     *
     * @param memo the memo to use and update, shared between pickles as {@code -m} does; null for a fresh one
     * @throws DisassemblyException where {@code pickletools} raises; {@code out} already holds the partial listing
     * @throws IOException          if reading {@code in} or appending to {@code out} fails
     */
    public void disassemble(InputStream in, Appendable out, Memo memo) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        run(in, out, memo == null ? new Memo() : memo, 0, null);
    }

    /**
     * Raw data between opcodes (the arrays of a joblib file): asked before each opcode is read, it may read bytes
     * from the stream (and append lines of its own) and returns how many it read.
     */
    interface Gap {
        long at(long position, InputStream in, Appendable out) throws IOException;
    }

    /** As {@link #disassemble(InputStream, Appendable, Memo)}, positions counting from {@code start}, with gaps. */
    void disassemble(InputStream in, Appendable out, Memo memo, long start, Gap gap) throws IOException {
        run(in, out, memo == null ? new Memo() : memo, start, gap);
    }

    /** As {@link #disassemble(InputStream, Appendable, Memo)} with a fresh memo. */
    public void disassemble(InputStream in, Appendable out) throws IOException {
        disassemble(in, out, null);
    }

    /** The loop of {@code pickletools.dis}: the same checks, in the same order, with the same messages. */
    private void run(InputStream in, Appendable out, Memo memoHolder, long start, Gap gap) throws IOException {
        ArgumentReader reader = new ArgumentReader(in, start);
        Map<BigInteger, String> memo = memoHolder.entries;
        List<String> stack = new ArrayList<>();
        List<Long> markStack = new ArrayList<>();
        String indentChunk = " ".repeat(indentLevel);
        int maxProto = -1;
        int annoCol = annotate;
        while (true) {
            if (gap != null) {
                reader.advance(gap.at(reader.position(), in, out));
            }
            long pos = reader.position();
            Opcode opcode;
            Object arg;
            try {
                int code = reader.readByte();
                if (code < 0) {
                    throw PythonError.valueError("pickle exhausted before seeing STOP");
                }
                opcode = Opcode.of(code);
                if (opcode == null) {
                    throw PythonError.valueError("at position " + pos + ", opcode "
                            + PyRepr.bytesRepr(new byte[] {(byte) code}) + " unknown");
                }
                arg = opcode.arg() == ArgKind.NONE ? null : reader.read(opcode.arg());
            } catch (PythonError e) {
                throw failure(e, pos, null);
            }
            // pickletools prints the position before it formats the line, so an error while formatting leaves
            // the position on its own, without a newline.
            out.append(String.format("%5d: ", pos));
            String errorMessage = null;
            StringBuilder line = new StringBuilder(80);
            try {
                String codeRepr = opcode.codeRepr();
                String code = codeRepr.substring(1, codeRepr.length() - 1);
                line.append(code).append(" ".repeat(Math.max(0, 4 - code.length()))).append(' ');
                line.append(indentChunk.repeat(markStack.size())).append(opcode.name());
                maxProto = Math.max(maxProto, opcode.protocol());
                List<String> before = opcode.stackBefore();
                List<String> after = opcode.stackAfter();
                int numToPop = before.size();

                String markMsg = null;
                if (before.contains(MARK)
                        || (opcode == Opcode.POP && !stack.isEmpty() && MARK.equals(stack.get(stack.size() - 1)))) {
                    if (!markStack.isEmpty()) {
                        long markPos = markStack.remove(markStack.size() - 1);
                        markMsg = "(MARK at " + markPos + ")";
                        // Pop everything at and after the topmost mark. A mark consumed as an ordinary item
                        // (TUPLE1 right after MARK, say) leaves none, and pickletools then fails on stack[-1].
                        while (true) {
                            if (stack.isEmpty()) {
                                throw new PythonError("IndexError", "list index out of range");
                            }
                            if (MARK.equals(stack.remove(stack.size() - 1))) {
                                break;
                            }
                        }
                        numToPop = Math.max(0, before.indexOf(MARK));
                    } else {
                        errorMessage = "no MARK exists on stack";
                        markMsg = errorMessage;
                    }
                }

                switch (opcode) {
                    case PUT, BINPUT, LONG_BINPUT, MEMOIZE -> {
                        BigInteger index;
                        if (opcode == Opcode.MEMOIZE) {
                            index = BigInteger.valueOf(memo.size());
                            markMsg = "(as " + index + ")";
                        } else {
                            index = memoKey(arg);
                        }
                        if (memo.containsKey(index)) {
                            errorMessage = "memo key " + (arg == null ? "None" : repr(arg)) + " already defined";
                        } else if (stack.isEmpty()) {
                            errorMessage = "stack is empty -- can't store into memo";
                        } else if (MARK.equals(stack.get(stack.size() - 1))) {
                            errorMessage = "can't store markobject in the memo";
                        } else {
                            memo.put(index, stack.get(stack.size() - 1));
                        }
                    }
                    case GET, BINGET, LONG_BINGET -> {
                        String stored = memo.get(memoKey(arg));
                        if (stored != null) {
                            after = List.of(stored);
                        } else {
                            errorMessage = "memo key " + repr(arg) + " has never been stored into";
                        }
                    }
                    default -> {
                    }
                }

                if (arg != null || markMsg != null) {
                    // "make a mild effort to align arguments", as pickletools says
                    line.append(" ".repeat(Math.max(0, 10 - opcode.name().length())));
                    if (arg != null) {
                        line.append(' ').append(repr(arg));
                    }
                    if (markMsg != null) {
                        line.append(' ').append(markMsg);
                    }
                }
                if (annotate != 0) {
                    int length = PyRepr.pyLength(line);
                    line.append(" ".repeat(Math.max(0, annoCol - length)));
                    annoCol = Math.max(length, annoCol);
                    if (annoCol > 50) {
                        annoCol = annotate;
                    }
                    line.append(' ').append(opcode.pickletoolsDoc());
                }
                out.append(line).append('\n');

                if (errorMessage != null) {
                    throw PythonError.valueError(errorMessage);
                }
                if (stack.size() < numToPop) {
                    throw PythonError.valueError("tries to pop " + numToPop + " items from stack with only "
                            + stack.size() + " items");
                }
                stack.subList(stack.size() - numToPop, stack.size()).clear();
                if (after.contains(MARK)) {
                    markStack.add(pos);
                }
                stack.addAll(after);
            } catch (PythonError e) {
                throw failure(e, pos, opcode);
            }
            if (opcode == Opcode.STOP) {
                break;
            }
        }
        out.append("highest protocol among opcodes = ").append(String.valueOf(maxProto)).append('\n');
        if (!stack.isEmpty()) {
            throw failure(PythonError.valueError("stack not empty after STOP: [" + String.join(", ", stack) + "]"),
                    reader.position() - 1, Opcode.STOP);
        }
    }

    private static DisassemblyException failure(PythonError e, long pos, Opcode opcode) {
        return new DisassemblyException(e.type(), e.getMessage(), pos, opcode == null ? null : opcode.name(), "");
    }

    /** A memo index as Python compares dict keys: {@code True == 1}, {@code False == 0}. */
    private static BigInteger memoKey(Object arg) {
        if (arg instanceof Boolean b) {
            return b ? BigInteger.ONE : BigInteger.ZERO;
        }
        if (arg instanceof Long l) {
            return BigInteger.valueOf(l);
        }
        return (BigInteger) arg;
    }

    /** {@code repr(arg)} for a decoded argument; a huge int fails as Python's digit limit makes it. */
    private static String repr(Object arg) {
        if (arg instanceof String s) {
            return PyRepr.strRepr(s);
        }
        if (arg instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (arg instanceof Long l) {
            return Long.toString(l);
        }
        if (arg instanceof BigInteger big) {
            // CPython refuses to print ints of more than 4300 digits (sys.get_int_max_str_digits()).
            String text = big.toString();
            if (big.bitLength() > 14000 && text.length() - (big.signum() < 0 ? 1 : 0)
                    > ArgumentReader.INT_MAX_STR_DIGITS) {
                throw PythonError.valueError("Exceeds the limit (" + ArgumentReader.INT_MAX_STR_DIGITS
                        + " digits) for integer string conversion; use sys.set_int_max_str_digits() to "
                        + "increase the limit");
            }
            return text;
        }
        if (arg instanceof Double d) {
            return PyRepr.floatRepr(d);
        }
        if (arg instanceof ArgumentReader.Bytes b) {
            return PyRepr.bytesRepr(b.value());
        }
        if (arg instanceof ArgumentReader.ByteArray b) {
            return PyRepr.bytearrayRepr(b.value());
        }
        throw new AssertionError("unexpected argument " + arg.getClass());
    }

    /** Options for a {@link Disassembler}, as {@code pickletools.dis} takes them. */
    public static final class Builder {
        private int indentLevel = 4;
        private int annotate;

        private Builder() {
        }

        /** Blanks per MARK level ({@code -l}); 4 by default. */
        public Builder indentLevel(int indentLevel) {
            if (indentLevel < 0) {
                throw new IllegalArgumentException("indentLevel must be >= 0, got " + indentLevel);
            }
            this.indentLevel = indentLevel;
            return this;
        }

        /** Adds each opcode's one-line description, from column 30 as {@code -a} does. */
        public Builder annotate(boolean annotate) {
            this.annotate = annotate ? DEFAULT_ANNOTATION_COLUMN : 0;
            return this;
        }

        /**
         * Adds descriptions with {@code column} as the hint for where they start, as {@code pickletools.dis}'s
         * {@code annotate} argument; 0 means none.
         */
        public Builder annotationColumn(int column) {
            if (column < 0) {
                throw new IllegalArgumentException("column must be >= 0, got " + column);
            }
            this.annotate = column;
            return this;
        }

        public Disassembler build() {
            return new Disassembler(this);
        }
    }
}
