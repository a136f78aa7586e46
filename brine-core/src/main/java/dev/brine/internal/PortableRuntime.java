package dev.brine.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;

/**
 * The Python runtime that portable streams carry, and the header that installs it.
 *
 * <p>The runtime is Python source (never bytecode, so one stream loads on CPython 3.6 to 3.13) in sections, and a
 * stream carries only the sections its body uses. The header is a run of opcodes that, for the bootstrap and
 * then for each section, does the equivalent of
 * <pre>
 * _pickle.loads((INSTALLER, b'N.')[sys.modules.get('_brine1').SECTION_v >= VERSION])
 * </pre>
 * with {@code getattr(..., 0)} defaults, then POPs the result. That installs the bootstrap (boot.py, a few hundred
 * bytes of plain source) into the module {@value #MODULE}, the one entry the runtime adds to {@code sys.modules}.
 * The header then calls {@code _brine1._install(((section, version), ...), zlib_bundle)} and POPs the result: the
 * bootstrap decompresses and executes only the sections this interpreter lacks at that version or newer, so a
 * second stream in the same process runs nothing and classes keep their identity. The header leaves the stack
 * empty and uses no memo, so the body's memo indices are those of a stream without a header.
 *
 * <p>{@code base.py} builds the same header in Python ({@code _header()}) when a rebuilt object is pickled again;
 * the two must stay byte-identical, which a test checks.
 */
public final class PortableRuntime {
    /** The module the runtime lives in; its suffix is the compatibility major version. */
    public static final String MODULE = "_brine1";

    /** The bootstrap's version ({@code core_v} in boot.py). */
    static final int CORE_VERSION = 1;

    /** A runtime section, in the order the header installs them. */
    public enum Section {
        BASE("base", 1), RECORD("record", 1), ENUM("enum", 1), BEAN("bean", 1), FUNCTION("function", 1),
        ARRAY("array", 1), ZONE("zone", 1);

        final String file;
        final int version;

        Section(String file, int version) {
            this.file = file;
            this.version = version;
        }

        /** The section's name in the runtime, as in {@code <name>_v}. */
        public String pythonName() {
            return file;
        }

        public int version() {
            return version;
        }
    }

    private PortableRuntime() {
    }

    /** Loaded on first use, so readers that never write portable streams pay nothing. */
    private static final class Sources {
        static final String BOOT = read("boot");
        static final Map<Section, String> SOURCE = readAll();
        static final byte[] CORE_INSTALLER = coreInstaller();
        /** Bundles by section set; there are at most 2^7 of them and each is built once. */
        static final Map<Set<Section>, byte[]> BUNDLES = new java.util.concurrent.ConcurrentHashMap<>();

        private static Map<Section, String> readAll() {
            Map<Section, String> map = new EnumMap<>(Section.class);
            for (Section s : Section.values()) {
                map.put(s, read(s.file));
            }
            return map;
        }

        private static String read(String name) {
            String path = "/dev/brine/portable/" + name + ".py";
            try (InputStream in = PortableRuntime.class.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("missing runtime resource " + path);
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static byte[] zlib(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
            byte[] chunk = new byte[4096];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** The bootstrap source (boot.py). */
    public static String bootSource() {
        return Sources.BOOT;
    }

    /** The sections' sources joined by NUL and zlib-compressed, as one bundle travels. */
    public static byte[] bundle(Set<Section> sections) {
        return Sources.BUNDLES.computeIfAbsent(EnumSet.copyOf(sections),
                set -> zlib(joined(set).getBytes(StandardCharsets.UTF_8))).clone();
    }

    /**
     * The header that installs {@code sections} (BASE is always added) where missing, for a body at
     * {@code protocol}. It starts with PROTO and leaves the stack empty and the memo untouched.
     */
    public static byte[] header(Set<Section> sections, int protocol) {
        EnumSet<Section> needed = EnumSet.of(Section.BASE);
        needed.addAll(sections);
        Bytes out = new Bytes();
        out.op(Opcode.PROTO).raw(protocol);
        out.raw(check("core_v", CORE_VERSION, Sources.CORE_INSTALLER));
        out.global(MODULE, "_install").op(Opcode.MARK);
        for (Section s : needed) {
            out.str(s.file).op(Opcode.BININT1).raw(s.version).op(Opcode.TUPLE2);
        }
        out.op(Opcode.TUPLE).bytes(bundle(needed)).op(Opcode.TUPLE2).op(Opcode.REDUCE).op(Opcode.POP);
        return out.toByteArray();
    }

    /**
     * What a recognised header installs.
     *
     * @param length   the header's length in bytes, from the start of the stream
     * @param protocol the protocol its PROTO declares
     * @param sections the runtime sections it carries, in order
     */
    public record Header(int length, int protocol, Set<Section> sections) {
    }

    /**
     * Recognises a Brine portable header at the start of {@code data} by its exact content: the bootstrap check
     * byte for byte, then an install call whose bundle decompresses to exactly this Brine's runtime sources for
     * the sections it names. Anything else, including a header that was altered in any way or one from a Brine
     * with a different runtime, is not recognised. Runs nothing and decompresses at most 256 KiB.
     */
    public static java.util.Optional<Header> recognize(byte[] data) {
        try {
            return java.util.Optional.ofNullable(parse(data));
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static Header parse(byte[] data) {
        if (data.length < 2 || (data[0] & 0xff) != Opcode.PROTO.code() || data[1] < 2 || data[1] > 5) {
            return null;
        }
        int protocol = data[1];
        byte[] core = check("core_v", CORE_VERSION, Sources.CORE_INSTALLER);
        int pos = 2;
        if (!java.util.Arrays.equals(data, pos, Math.min(data.length, pos + core.length), core, 0, core.length)) {
            return null;
        }
        pos += core.length;
        byte[] call = new Bytes().global(MODULE, "_install").op(Opcode.MARK).toByteArray();
        if (!java.util.Arrays.equals(data, pos, Math.min(data.length, pos + call.length), call, 0, call.length)) {
            return null;
        }
        pos += call.length;
        EnumSet<Section> sections = EnumSet.noneOf(Section.class);
        while (pos < data.length && (data[pos] & 0xff) == Opcode.BINUNICODE.code()) {
            int n = le4(data, pos + 1);
            String name = new String(data, pos + 5, n, StandardCharsets.UTF_8);
            pos += 5 + n;
            if ((data[pos] & 0xff) != Opcode.BININT1.code() || (data[pos + 2] & 0xff) != Opcode.TUPLE2.code()) {
                return null;
            }
            int version = data[pos + 1] & 0xff;
            Section section = null;
            for (Section s : Section.values()) {
                if (s.file.equals(name) && s.version == version) {
                    section = s;
                }
            }
            if (section == null || !sections.add(section)) {
                return null;
            }
            pos += 3;
        }
        if (sections.isEmpty() || (data[pos] & 0xff) != Opcode.TUPLE.code()
                || (data[pos + 1] & 0xff) != Opcode.BINBYTES.code()) {
            return null;
        }
        int zlen = le4(data, pos + 2);
        int zstart = pos + 6;
        pos = zstart + zlen;
        if (zlen < 0 || pos + 3 > data.length || (data[pos] & 0xff) != Opcode.TUPLE2.code()
                || (data[pos + 1] & 0xff) != Opcode.REDUCE.code() || (data[pos + 2] & 0xff) != Opcode.POP.code()) {
            return null;
        }
        byte[] expected = joined(sections).getBytes(StandardCharsets.UTF_8);
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        try {
            inflater.setInput(data, zstart, zlen);
            byte[] out = new byte[expected.length + 1];
            int got = 0;
            while (got < out.length && !inflater.finished()) {
                int n = inflater.inflate(out, got, out.length - got);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                got += n;
            }
            if (!inflater.finished() || inflater.getRemaining() != 0 || got != expected.length
                    || !java.util.Arrays.equals(out, 0, got, expected, 0, expected.length)) {
                return null;
            }
        } catch (java.util.zip.DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
        return new Header(pos + 3, protocol, java.util.Collections.unmodifiableSet(sections));
    }

    private static int le4(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static String joined(Set<Section> sections) {
        StringBuilder joined = new StringBuilder();
        for (Section s : EnumSet.copyOf(sections)) {
            if (joined.length() > 0) {
                joined.append('\0');
            }
            joined.append(Sources.SOURCE.get(s));
        }
        return joined.toString();
    }

    /** Runs boot.py in the runtime module, creating the module and registering it when absent. */
    private static byte[] coreInstaller() {
        Bytes b = new Bytes();
        b.op(Opcode.PROTO).raw(2)
                .global("builtins", "exec").str(Sources.BOOT).op(Opcode.BINPUT).raw(0)
                .global("builtins", "getattr")
                .global("builtins", "getattr").global("sys", "modules").str("setdefault").op(Opcode.TUPLE2).op(Opcode.REDUCE)
                .str(MODULE).global("types", "ModuleType").str(MODULE).op(Opcode.TUPLE1).op(Opcode.REDUCE)
                .op(Opcode.TUPLE2).op(Opcode.REDUCE)
                .str("__dict__").op(Opcode.TUPLE2).op(Opcode.REDUCE).op(Opcode.BINPUT).raw(1)
                .op(Opcode.TUPLE2).op(Opcode.REDUCE).op(Opcode.POP)
                .global("operator", "setitem").op(Opcode.BINGET).raw(1).str("_BOOT").op(Opcode.BINGET).raw(0)
                .op(Opcode.TUPLE3).op(Opcode.REDUCE).op(Opcode.STOP);
        return b.toByteArray();
    }

    /** {@code _pickle.loads((installer, b'N.')[getattr(sys.modules.get(MODULE), attr, 0) >= version])}; POP. */
    private static byte[] check(String attr, int version, byte[] installer) {
        Bytes b = new Bytes();
        b.global("_pickle", "loads").global("operator", "getitem")
                .bytes(installer).bytes(new byte[] {(byte) Opcode.NONE.code(), (byte) Opcode.STOP.code()})
                .op(Opcode.TUPLE2)
                .global("operator", "ge").global("builtins", "getattr")
                .global("builtins", "getattr").global("sys", "modules").str("get").op(Opcode.TUPLE2).op(Opcode.REDUCE)
                .str(MODULE).op(Opcode.TUPLE1).op(Opcode.REDUCE)
                .str(attr).op(Opcode.BININT1).raw(0).op(Opcode.TUPLE3).op(Opcode.REDUCE)
                .op(Opcode.BININT1).raw(version).op(Opcode.TUPLE2).op(Opcode.REDUCE)
                .op(Opcode.TUPLE2).op(Opcode.REDUCE)
                .op(Opcode.TUPLE1).op(Opcode.REDUCE)
                .op(Opcode.POP);
        return b.toByteArray();
    }

    /**
     * Opcode bytes in the fixed forms the header uses at every protocol: GLOBAL, BINUNICODE and BINBYTES. BINBYTES
     * is a protocol 3 opcode; every Python 3 unpickler reads it whatever the stream's PROTO says, and the runtime
     * needs Python 3 anyway.
     */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes op(Opcode op) {
            write(op.code());
            return this;
        }

        Bytes raw(int b) {
            write(b);
            return this;
        }

        Bytes raw(byte[] b) {
            writeBytes(b);
            return this;
        }

        Bytes global(String module, String name) {
            op(Opcode.GLOBAL);
            writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Bytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(Opcode.BINUNICODE).le4(b.length);
            writeBytes(b);
            return this;
        }

        Bytes bytes(byte[] b) {
            op(Opcode.BINBYTES).le4(b.length);
            writeBytes(b);
            return this;
        }

        private Bytes le4(int n) {
            for (int i = 0; i < 4; i++) {
                write(n >>> (8 * i));
            }
            return this;
        }
    }
}
