package dev.brine.internal.portable;

import dev.brine.internal.format.Opcode;
import dev.brine.value.GlobalRef;

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
        ARRAY("array", 1), ZONE("zone", 1),
        /** Version-checked code objects, for dill and cloudpickle streams (issue #20). */
        CODE("code", 1),
        /** dill 0.3/0.4's constructors. */
        DILL("dill", 1),
        /** cloudpickle 2.x/3.x's constructors. */
        CLOUDPICKLE("cloudpickle", 1);

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
        /** The bootstrap check every header starts with after PROTO, and the install call after it. */
        static final byte[] CORE_CHECK = check("core_v", CORE_VERSION, CORE_INSTALLER);
        static final byte[] INSTALL_CALL = new Bytes().global(MODULE, "_install").op(Opcode.MARK).toByteArray();
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
     * The header that installs {@code sections} (and BASE, see {@link #header(Set, int, int[])}) where missing, for a body at
     * {@code protocol}. It starts with PROTO and leaves the stack empty and the memo untouched.
     */
    public static byte[] header(Set<Section> sections, int protocol) {
        return header(sections, protocol, null);
    }

    /** The sections that need {@code base}: all but the ones for dill and cloudpickle streams. */
    private static final Set<Section> LIBRARY_SECTIONS = EnumSet.of(Section.CODE, Section.DILL, Section.CLOUDPICKLE);

    /**
     * As {@link #header(Set, int)}; BASE is added unless every section is one for dill and cloudpickle streams
     * (CODE, DILL, CLOUDPICKLE), and when {@code bytecode} ({@code {major, minor}}) is given, the header ends with
     * {@code _brine1.need(major, minor)}, POP: the loading interpreter must be that CPython version.
     */
    public static byte[] header(Set<Section> sections, int protocol, int[] bytecode) {
        EnumSet<Section> needed = EnumSet.noneOf(Section.class);
        needed.addAll(sections);
        if (!LIBRARY_SECTIONS.containsAll(needed)) {
            needed.add(Section.BASE);
        }
        if (bytecode != null) {
            needed.add(Section.CODE);
        }
        Bytes out = new Bytes();
        out.op(Opcode.PROTO).raw(protocol);
        out.raw(Sources.CORE_CHECK).raw(Sources.INSTALL_CALL);
        for (Section s : needed) {
            out.str(s.file).op(Opcode.BININT1).raw(s.version).op(Opcode.TUPLE2);
        }
        out.op(Opcode.TUPLE).bytes(bundle(needed)).op(Opcode.TUPLE2).op(Opcode.REDUCE).op(Opcode.POP);
        if (bytecode != null) {
            out.raw(needCall(bytecode[0], bytecode[1]));
        }
        return out.toByteArray();
    }

    /**
     * What a recognised header installs.
     *
     * @param length   the header's length in bytes, from the start of the stream
     * @param protocol the protocol its PROTO declares
     * @param sections the runtime sections it carries, in order
     * @param bytecode the CPython version {@code {major, minor}} its closing {@code _brine1.need(major, minor)}
     *                 requires of the loading interpreter (a rewritten dill or cloudpickle stream holding code
     *                 objects), or null when it has no such check
     */
    public record Header(int length, int protocol, Set<Section> sections, int[] bytecode) {
        /** A header without a version check. */
        public Header(int length, int protocol, Set<Section> sections) {
            this(length, protocol, sections, null);
        }
    }

    /** {@code _brine1.need(major, minor)}, POP: the version check a header holding code objects ends with. */
    private static byte[] needCall(int major, int minor) {
        return new Bytes().global(MODULE, "need").op(Opcode.BININT1).raw(major).op(Opcode.BININT1).raw(minor)
                .op(Opcode.TUPLE2).op(Opcode.REDUCE).op(Opcode.POP).toByteArray();
    }

    /**
     * Recognises a Brine portable header at the start of {@code data} by its exact content: the bootstrap check
     * byte for byte, then an install call that names its sections in the order {@link #header} writes them (BASE
     * first, where {@link #header(Set, int, int[])} puts it), then the version check if it writes one, and a bundle that decompresses to exactly this Brine's runtime sources for those sections. Anything
     * else, including a header that was altered in any way or one from a Brine with a different runtime, is not
     * recognised. The bundle's compressed bytes themselves are not compared: another zlib may compress the same
     * sources differently, and what Python runs is what they decompress to. Runs nothing, and decompresses no more
     * than the sources' length.
     */
    public static java.util.Optional<Header> recognize(byte[] data) {
        return recognize(data, 0, data.length);
    }

    /** As {@link #recognize(byte[])}, for a header starting at {@code start} in bytes that end at {@code limit}. */
    public static java.util.Optional<Header> recognize(byte[] data, int start, int limit) {
        if (start < 0 || start > limit || limit > data.length) {
            throw new IndexOutOfBoundsException("bytes " + start + " to " + limit + " of " + data.length);
        }
        try {
            return java.util.Optional.ofNullable(parse(new Lookahead() {
                @Override
                public boolean has(int n) {
                    return n <= limit - start;
                }

                @Override
                public byte[] buf() {
                    return data;
                }

                @Override
                public int start() {
                    return start;
                }
            }));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // byte arrays do no I/O
        }
    }

    /**
     * The header at the start of {@code in}, recognised as {@link #recognize(byte[])} does, or null. The reader
     * gives a view of its input that reads ahead without consuming, and never further than a header so far matched:
     * every byte it reads is one the pickle machine would read anyway, so a stream holding more after a short pickle
     * keeps it.
     */
    public static Header recognize(Lookahead in) throws IOException {
        return parse(in);
    }

    /**
     * Whether {@code in} starts as every portable header does, with PROTO and the GLOBAL {@code _pickle.loads}:
     * if {@link #recognize(Lookahead)} then says no, it is an altered header rather than some other pickle.
     */
    public static boolean startsLikeHeader(Lookahead in) throws IOException {
        return startsLikeHeader0(in);
    }

    /**
     * Bytes a header is recognised from, by index from its start. {@link #has} may read more from a stream and
     * move {@link #buf}, so {@link #at} and {@link #buf} are asked again after it. The reader implements it over its
     * input; {@link #recognize(byte[], int, int)} over an array.
     */
    public interface Lookahead {
        /** Whether the first {@code n} bytes are there, reading them if need be. */
        boolean has(int n) throws IOException;

        byte[] buf();

        /** Where byte 0 is in {@link #buf}. */
        int start();

        default int at(int i) {
            return buf()[start() + i] & 0xff;
        }

        /** Byte {@code i}, if there is one, is {@code value}: asked in order, so no byte is read past a mismatch. */
        default boolean is(int i, int value) throws IOException {
            return has(i + 1) && at(i) == value;
        }

        /** Bytes from {@code i} are {@code expected}, compared one by one as they arrive. */
        default boolean are(int i, byte[] expected) throws IOException {
            for (int k = 0; k < expected.length; k++) {
                if (!is(i + k, expected[k] & 0xff)) {
                    return false;
                }
            }
            return true;
        }

        default int le4(int i) {
            return at(i) | at(i + 1) << 8 | at(i + 2) << 16 | at(i + 3) << 24;
        }
    }

    /** The global every header calls first. */
    public static final GlobalRef PICKLE_LOADS = new GlobalRef("_pickle", "loads");

    /** The opcode every header starts with after PROTO: {@code _pickle.loads}'s GLOBAL. */
    private static final byte[] PICKLE_LOADS_GLOBAL = new Bytes().global(PICKLE_LOADS.module(), PICKLE_LOADS.name())
            .toByteArray();

    /**
     * The globals of a portable body that {@link Binder} turns into bound Java objects: the class node
     * {@code _brine1.cls(spec)}, and {@code builtins.getattr} that names an enum member of one. Strict mode allows
     * them after a recognised header when classes are bound; the runtime's other names (functions, zones, arrays)
     * stay refused.
     */
    public static boolean isBoundNodeGlobal(GlobalRef ref) {
        return ref.equals(CLASS_NODE) || ref.equals(ENUM_MEMBER);
    }

    /** The callable of a portable class node, {@code _brine1.cls(spec)}. */
    public static final GlobalRef CLASS_NODE = new GlobalRef(MODULE, "cls");
    /** The callable that names an enum member of a portable class, {@code getattr(cls, name)}. */
    public static final GlobalRef ENUM_MEMBER = new GlobalRef("builtins", "getattr");

    private static boolean startsLikeHeader0(Lookahead a) throws IOException {
        return a.is(0, Opcode.PROTO.code()) && a.has(2) && a.at(1) >= 2 && a.at(1) <= 5 && a.are(2, PICKLE_LOADS_GLOBAL);
    }

    private static Header parse(Lookahead a) throws IOException {
        // Cheap checks first: a stream that is no header costs no resource loading and reads nothing ahead.
        if (!startsLikeHeader0(a)) {
            return null;
        }
        int protocol = a.at(1);
        int pos = 2;
        if (!a.are(pos, Sources.CORE_CHECK)) {
            return null;
        }
        pos += Sources.CORE_CHECK.length;
        if (!a.are(pos, Sources.INSTALL_CALL)) {
            return null;
        }
        pos += Sources.INSTALL_CALL.length;
        // (name, version) pairs as BINUNICODE, BININT1, TUPLE2, in Section order from BASE, as header() writes them:
        // boot.py pairs the names with the bundle's sources by position, so another order would install one
        // section's source under another's name.
        EnumSet<Section> sections = EnumSet.noneOf(Section.class);
        Section last = null;
        while (a.is(pos, Opcode.BINUNICODE.code())) {
            if (!a.has(pos + 5)) {
                return null;
            }
            int n = a.le4(pos + 1);
            if (n <= 0 || n > 16 || !a.has(pos + 5 + n)) {
                return null;
            }
            String name = new String(a.buf(), a.start() + pos + 5, n, StandardCharsets.UTF_8);
            pos += 5 + n;
            if (!a.is(pos, Opcode.BININT1.code()) || !a.has(pos + 2)) {
                return null;
            }
            int version = a.at(pos + 1);
            Section section = null;
            for (Section s : Section.values()) {
                if (s.file.equals(name) && s.version == version) {
                    section = s;
                }
            }
            if (section == null || (last != null && section.ordinal() <= last.ordinal())
                    || !a.is(pos + 2, Opcode.TUPLE2.code())) {
                return null;
            }
            sections.add(section);
            last = section;
            pos += 3;
        }
        if (sections.isEmpty() || !a.is(pos, Opcode.TUPLE.code()) || !a.is(pos + 1, Opcode.BINBYTES.code())
                || !a.has(pos + 6)) {
            return null;
        }
        byte[] expected = joined(sections).getBytes(StandardCharsets.UTF_8);
        int zlen = a.le4(pos + 2);
        // zlib never needs more than a stored block's overhead beyond the data (RFC 1950/1951: 5 bytes per 64 KiB
        // block, plus header and checksum), so a longer bundle is not Brine's and is not read ahead.
        if (zlen <= 0 || zlen > expected.length + expected.length / 8192 + 64) {
            return null;
        }
        int zstart = pos + 6;
        pos = zstart + zlen;
        if (!a.has(pos) || !a.is(pos, Opcode.TUPLE2.code()) || !a.is(pos + 1, Opcode.REDUCE.code())
                || !a.is(pos + 2, Opcode.POP.code())) {
            return null;
        }
        if (!inflatesTo(a.buf(), a.start() + zstart, zlen, expected)) {
            return null;
        }
        // BASE is there unless every section is one of dill's and cloudpickle's streams, as header() writes it.
        if (sections.contains(Section.BASE) == LIBRARY_SECTIONS.containsAll(sections)) {
            return null;
        }
        pos += 3;
        int[] bytecode = null;
        byte[] need = needCall(0, 0);
        int needAt = need.length - 7;   // the GLOBAL, then BININT1 major BININT1 minor TUPLE2 REDUCE POP
        if (sections.contains(Section.CODE) && a.are(pos, java.util.Arrays.copyOf(need, needAt))
                && a.has(pos + need.length) && a.at(pos + needAt) == Opcode.BININT1.code()
                && a.at(pos + needAt + 2) == Opcode.BININT1.code()
                && a.are(pos + needAt + 4, java.util.Arrays.copyOfRange(need, needAt + 4, need.length))) {
            bytecode = new int[] {a.at(pos + needAt + 1), a.at(pos + needAt + 3)};
            pos += need.length;
        }
        return new Header(pos, protocol, java.util.Collections.unmodifiableSet(sections), bytecode);
    }

    /** Whether the zlib stream is complete, uses no preset dictionary and decompresses to exactly {@code expected}. */
    private static boolean inflatesTo(byte[] data, int offset, int length, byte[] expected) {
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        try {
            inflater.setInput(data, offset, length);
            byte[] out = new byte[expected.length + 1];
            int got = 0;
            while (got < out.length && !inflater.finished()) {
                int n = inflater.inflate(out, got, out.length - got);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                got += n;
            }
            return inflater.finished() && inflater.getRemaining() == 0 && got == expected.length
                    && java.util.Arrays.equals(out, 0, got, expected, 0, expected.length);
        } catch (java.util.zip.DataFormatException e) {
            return false;
        } finally {
            inflater.end();
        }
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
            // Each part written on its own: a string concatenation here (an invokedynamic since Java 9) made the
            // JVM bootstrap StringConcatFactory on every first load, about 10 ms (StartupPathTest).
            op(Opcode.GLOBAL);
            writeBytes(module.getBytes(StandardCharsets.US_ASCII));
            write('\n');
            writeBytes(name.getBytes(StandardCharsets.US_ASCII));
            write('\n');
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
