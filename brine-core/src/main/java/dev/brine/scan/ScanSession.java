package dev.brine.scan;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The findings and budgets of scanning one file: every pickle emulated in it, top-level or nested, reports here.
 * The budget bounds the work a hostile file can cause: opcodes are counted across all its pickles, nested pickles
 * are followed only a few levels deep, and each blob is looked at once.
 */
final class ScanSession {
    /** Bytes inside bytes inside bytes: deeper than this is not followed (and said so). */
    static final int MAX_NESTING = 3;

    /** Findings kept per pickle and per file; past that they are counted, not listed. */
    static final int MAX_FINDINGS = 10_000;

    private final List<Finding> findings = new ArrayList<>();
    private long omitted;
    private Verdict omittedWorst = Verdict.SAFE;
    private final long maxSteps;
    private long steps;
    private int pickles;

    private final Policy policy;

    ScanSession(long maxSteps, Policy policy) {
        this.maxSteps = maxSteps;
        this.policy = policy;
    }

    /** Bytes all decompression in this file may still produce; see {@link Scanner#decompressionBudget}. */
    private long decompressionLeft = Long.MAX_VALUE;

    void decompressionBudget(long bytes) {
        decompressionLeft = bytes;
    }

    /** Takes {@code n} bytes from the decompression budget; false, taking nothing, if fewer are left. */
    boolean decompress(long n) {
        if (n > decompressionLeft) {
            return false;
        }
        decompressionLeft -= n;
        return true;
    }

    /** The policy names are judged by. */
    Policy policy() {
        return policy;
    }

    /** Every finding kept, then one that counts those left out, if any. */
    List<Finding> findings() {
        if (omitted == 0) {
            return findings;
        }
        List<Finding> all = new ArrayList<>(findings);
        all.add(new Finding(omittedWorst, "omitted", "", -1, "", omitted + " more findings not listed (the worst "
                + "is " + omittedWorst + "): more than " + MAX_FINDINGS + " is no ordinary file"));
        return all;
    }

    void omitted(Finding f) {
        omitted++;
        omittedWorst = omittedWorst.worst(f.verdict());
    }

    int pickles() {
        return pickles;
    }

    void add(List<Finding> more) {
        for (Finding f : more) {
            add(f);
        }
    }

    void add(Finding f) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(f);
        } else {
            omitted(f);
        }
    }

    /** Counts one opcode; true once the file has used up its budget. */
    boolean exhausted() {
        return ++steps > maxSteps;
    }

    /** Emulates one pickle at {@code start}; its findings land here. */
    PickleEmulator.Result emulate(byte[] data, int start, int limit, String location, int depth, boolean joblib) {
        pickles++;
        return new PickleEmulator(this, data, start, limit, location, depth, joblib).run();
    }

    // ---- Nested pickles -------------------------------------------------------------------------------------

    /** A str whose code points are all below 256, as {@code pickle.loads(s.encode('latin1'))} would see it. */
    void maybeNested(PickleEmulator outer, String s, int offset) {
        if (s.length() < 4 || !plausibleStart(s.charAt(0), s.charAt(1))) {
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return;
            }
        }
        maybeNested(outer, s.getBytes(StandardCharsets.ISO_8859_1), offset);
    }

    /**
     * Bytes that look like a pickle are emulated as one, wherever they sit: as the argument of a nested loader
     * ({@code pickle.loads}, {@code torch.load}), or hidden in data for a later stage. A nested pickle that runs
     * anything makes the outer one at least as bad.
     */
    void maybeNested(PickleEmulator outer, byte[] b, int offset) {
        if (b.length < 4 || !plausibleStart((char) (b[0] & 0xff), (char) (b[1] & 0xff))) {
            return;
        }
        if (!importableOpening(b)) {
            return;
        }
        String where = outer.location() + ">bytes@" + offset;
        if (outer.depth() + 1 > MAX_NESTING) {
            outer.report(new Finding(Verdict.SUSPICIOUS, "nested-pickle", outer.location(), offset, "",
                    "bytes that look like a pickle, nested more than " + MAX_NESTING + " deep: not followed"));
            return;
        }
        int before = findings.size();
        int picklesBefore = pickles;
        PickleEmulator.Result r = emulate(b, 0, b.length, where, outer.depth() + 1, false);
        if (r.error() == null && LEGACY_TORCH_MAGIC.equals(r.value())) {
            // A legacy torch.save stream (torch.storage._load_from_bytes holds one): five pickles, then raw data.
            int pos = r.end();
            for (int k = 2; k <= 5 && pos < b.length; k++) {
                PickleEmulator.Result next = emulate(b, pos, b.length, where + "#" + k, outer.depth() + 1, false);
                if (next.error() != null) {
                    break;
                }
                pos = next.end();
            }
        }
        Verdict worst = Verdict.SAFE;
        String rule = "";
        for (Finding f : findings.subList(before, findings.size())) {
            if (!f.kind().equals("parse-error") && f.verdict().worst(worst) != worst) {
                worst = f.verdict();
                rule = f.rule();   // the nested finding's rule decides the outer one's verdict
            }
        }
        if (r.error() != null && worst == Verdict.SAFE) {
            // Bytes that merely start like a pickle: not one, and nothing in them runs. Drop the attempt.
            findings.subList(before, findings.size()).clear();
            pickles = picklesBefore;
            return;
        }
        if (worst != Verdict.SAFE) {
            outer.report(new Finding(worst, "nested-pickle", outer.location(), offset, "",
                    "bytes holding a pickle that imports or calls code (see " + where + "): a nested loader such as "
                            + "pickle.loads or torch.load would run it", rule));
        }
    }

    /** The legacy torch.save magic number, which the first of its five pickles holds. */
    static final java.math.BigInteger LEGACY_TORCH_MAGIC = new java.math.BigInteger("1950a86a20f9469cfc6c", 16);

    /**
     * A protocol 0 opening GLOBAL or INST ({@code c} or {@code i}, module, newline) names a module Python's import
     * system could find: dotted identifiers. Text such as a class's source ({@code class Linear(Module):...}, which
     * a legacy torch module save holds) starts with {@code c} too, but {@code lass Linear(Module):} is no module
     * name: CPython's find_class would fail right there, so those bytes are no pickle that runs anything.
     */
    private static boolean importableOpening(byte[] b) {
        if (b[0] != 'c' && b[0] != 'i') {
            return true;
        }
        int end = 1;
        while (end < b.length && b[end] != '\n') {
            end++;
        }
        if (end == b.length || end == 1) {
            return false;
        }
        boolean partStart = true;
        for (int i = 1; i < end; i++) {
            int ch = b[i] & 0xff;
            if (ch == '.') {
                if (partStart) {
                    return false;
                }
                partStart = true;
                continue;
            }
            boolean letter = ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
            if (!letter && !(!partStart && ch >= '0' && ch <= '9')) {
                return false;
            }
            partStart = false;
        }
        return !partStart;
    }

    /** PROTO 0 to 5, or the protocol 0/1 openings of a payload: GLOBAL, MARK. */
    private static boolean plausibleStart(char first, char second) {
        return (first == 0x80 && second <= 5) || ((first == 'c' || first == '(' || first == 'i') && second > 0x20
                && second < 0x7f);
    }

    // ---- joblib ----------------------------------------------------------------------------------------------

    /**
     * joblib writes a NumpyArrayWrapper's array right after the wrapper's BUILD opcode, and its unpickler reads it
     * from there: an alignment pad when the wrapper says so, then the raw bytes, or for an object array a whole
     * nested pickle, which joblib loads with the stock unpickler.
     */
    void joblibArray(PickleEmulator emu, Object state) {
        int pos = emu.position();
        Object dtype = field(state, "dtype");
        Object shape = field(state, "shape");
        Object alignment = field(state, "numpy_array_alignment_bytes");
        String code = dtypeCode(dtype);
        if (holdsObjects(dtype, 0)) {
            if (emu.depth() >= MAX_NESTING) {
                emu.report(new Finding(Verdict.SUSPICIOUS, "layout", emu.location(), pos, "",
                        "joblib object arrays nested more than " + MAX_NESTING + " deep: not followed"));
                emu.skipTo(emu.limit());
                return;
            }
            PickleEmulator.Result r = emulate(emu.data(), pos, emu.limit(), emu.location() + ">array@" + pos,
                    emu.depth() + 1, true);
            emu.skipTo(r.error() == null ? r.end() : emu.limit());
            return;
        }
        long itemsize = itemsize(code, dtype);
        long count = 1;
        if (shape instanceof Sym.Container) {
            for (Object d : ((Sym.Container) shape).items()) {
                if (!(d instanceof Long) || (Long) d < 0) {
                    count = -1;
                    break;
                }
                count = multiply(count, (Long) d);
            }
        } else {
            count = -1;
        }
        if (itemsize < 0 || count < 0) {
            emu.report(new Finding(Verdict.SUSPICIOUS, "layout", emu.location(), pos, "",
                    "a joblib array whose size the scanner cannot tell (dtype " + Sym.render(dtype) + ", shape "
                            + Sym.render(shape) + "): the rest of the stream cannot be scanned"));
            emu.skipTo(emu.limit());
            return;
        }
        long end = pos;
        if (alignment != null && alignment != Sym.NONE) {
            if (pos >= emu.limit()) {
                emu.skipTo(emu.limit());
                return;
            }
            end += 1 + (emu.data()[pos] & 0xff);
        }
        end += multiply(count, itemsize);
        if (end < 0 || end > emu.limit()) {
            emu.report(new Finding(Verdict.SUSPICIOUS, "layout", emu.location(), pos, "",
                    "a joblib array of " + count + " items of " + itemsize + " bytes runs past the end of the data"));
            emu.skipTo(emu.limit());
            return;
        }
        emu.skipTo((int) end);
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }

    private static Object field(Object dict, String key) {
        if (!(dict instanceof Sym.Container) || !((Sym.Container) dict).type().equals("dict")) {
            return null;
        }
        List<Object> items = ((Sym.Container) dict).items();
        for (int i = 0; i + 1 < items.size(); i += 2) {
            if (items.get(i) instanceof Sym.Text && ((Sym.Text) items.get(i)).value().equals(key)) {
                return items.get(i + 1);
            }
        }
        return null;
    }

    /** The type code a pickled {@code numpy.dtype('f8', False, True)} was made from. */
    private static String dtypeCode(Object dtype) {
        if (dtype instanceof Sym.Call) {
            Object args = ((Sym.Call) dtype).args();
            if (args instanceof Sym.Container && !((Sym.Container) args).items().isEmpty()
                    && ((Sym.Container) args).items().get(0) instanceof Sym.Text) {
                return ((Sym.Text) ((Sym.Container) args).items().get(0)).value();
            }
        }
        return null;
    }

    /**
     * Whether a pickled dtype holds Python objects as numpy's {@code dtype.hasobject} says, which is what joblib asks:
     * type code {@code O}, the object flag in its pickled state (numpy restores the flags from the state), or a
     * field or subarray base that holds objects (structured dtypes). Errs towards yes: an array wrongly taken for
     * a pickle fails to parse and is reported, while one wrongly skipped would hide a payload.
     */
    private static boolean holdsObjects(Object dtype, int depth) {
        String code = dtypeCode(dtype);
        if (code != null && code.startsWith("O")) {
            return true;
        }
        if (depth > 16 || !(dtype instanceof Sym.Call)) {
            return false;
        }
        for (Object state : ((Sym.Call) dtype).states()) {
            if (!(state instanceof Sym.Container)) {
                continue;
            }
            List<Object> items = ((Sym.Container) state).items();
            // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
            if (items.size() > 7 && items.get(7) instanceof Long && ((Long) items.get(7) & 1) != 0) {
                return true;
            }
            if (items.size() > 2 && items.get(2) instanceof Sym.Container sub && !sub.items().isEmpty()
                    && holdsObjects(sub.items().get(0), depth + 1)) {
                return true;
            }
            if (items.size() > 4 && items.get(4) instanceof Sym.Container fields) {
                List<Object> f = fields.items();
                for (int i = 1; i < f.size(); i += 2) {
                    if (f.get(i) instanceof Sym.Container entry && !entry.items().isEmpty()
                            && holdsObjects(entry.items().get(0), depth + 1)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Bytes per item, as numpy sizes the dtype it unpickles: for a flexible type ({@code V}, {@code S},
     * {@code U}: structured and string dtypes) the element size in its pickled state (the sixth field) when
     * positive; for every other type the size its type code fixes ({@code f8}, {@code i4}, {@code c16},
     * {@code M8}), since numpy ignores a pickled element size there.
     */
    private static long itemsize(String code, Object dtype) {
        boolean flexible = code != null && !code.isEmpty() && "VSUa".indexOf(code.charAt(0)) >= 0;
        if (flexible && dtype instanceof Sym.Call && !((Sym.Call) dtype).states().isEmpty()) {
            Object state = ((Sym.Call) dtype).states().get(0);
            if (state instanceof Sym.Container && ((Sym.Container) state).items().size() > 5
                    && ((Sym.Container) state).items().get(5) instanceof Long
                    && (Long) ((Sym.Container) state).items().get(5) > 0) {
                return (Long) ((Sym.Container) state).items().get(5);
            }
        }
        if (code == null) {
            return -1;
        }
        String digits = code.replaceAll("^[a-zA-Z?]+", "").replaceAll("\\[.*$", "");
        if (digits.isEmpty()) {
            return code.equals("?") || code.equals("b") || code.equals("B") ? 1 : -1;
        }
        try {
            long n = Long.parseLong(digits);
            return code.startsWith("U") ? 4 * n : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
