package dev.brine.reader;

import dev.brine.internal.format.Opcode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds pickle streams opcode by opcode, for tests that need streams no pickler writes: malformed, hostile or
 * unusual ones. Bytes come from the opcode table, so a test reads as a pickle listing.
 */
final class Ops {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Ops start() {
        return new Ops();
    }

    Ops op(Opcode op) {
        out.write(op.code());
        return this;
    }

    Ops op(Opcode op, int... argBytes) {
        out.write(op.code());
        for (int b : argBytes) {
            out.write(b);
        }
        return this;
    }

    Ops proto(int p) {
        return op(Opcode.PROTO, p);
    }

    /** An opcode with a newline-terminated text argument. */
    Ops line(Opcode op, String... lines) {
        out.write(op.code());
        for (String l : lines) {
            text(l + "\n");
        }
        return this;
    }

    Ops text(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    Ops raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    /** Bytes as they are, such as another stream's body. */
    Ops raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    Ops le4(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    Ops le8(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    Ops shortUnicode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(Opcode.SHORT_BINUNICODE.code());
        out.write(b.length);
        out.writeBytes(b);
        return this;
    }

    Ops stop() {
        return op(Opcode.STOP);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
