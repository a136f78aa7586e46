package dev.brine.tools;

import dev.brine.cpython.CPython;
import dev.brine.testing.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * {@link Disassembler} against CPython's own {@code pickletools}: every pickle that {@code dis_cases.py} (and the
 * conformance catalogue, when present) writes with every interpreter on the machine, plain and annotated, must
 * list character for character as Python 3.13's {@code pickletools} lists it, and fail with the same error after
 * the same partial listing.
 */
@Tag("cross-interpreter")
class DisassemblerTest {
    /** The generators of the cases, whose bytes key the cached cases and listings. */
    private static final List<String> GENERATORS = List.of("dis_cases.py", "catalogue.py", "pickletester_corpus.py");
    private static final Map<String, Path> CACHE = new ConcurrentHashMap<>();
    /** How long one interpreter may take to list every case: minutes on a busy 2-core machine; a hang guard. */
    private static final Duration CORPUS_WIDE = Duration.ofMinutes(30);

    private static final Disassembler PLAIN = Disassembler.create();
    private static final Disassembler ANNOTATED = Disassembler.builder().annotate(true).build();

    /**
     * Every case pickle, written by every interpreter found (2.7 and 3.x), kept in the fixture cache (about 180 MB)
     * so that later runs on the machine reuse it.
     */
    private static synchronized Path cases() {
        return CACHE.computeIfAbsent("cases", k -> Fixtures.cached("dis-cases", GENERATORS, CPython.all(), "",
                DisassemblerTest::writeCases));
    }

    private static String writeCases(Path dir) {
        for (CPython python : CPython.all()) {
            python.check(new byte[0], Fixtures.script("dis_cases.py").toString(), "generate", dir.toString());
        }
        for (CPython python : CPython.all()) {
            Path out = dir.resolve("catalogue-" + python.version());
            python.check(new byte[0], Fixtures.script("catalogue.py").toString(), out.toString());
        }
        // CPython's own unpickling tests, positive and negative, as one .pkl file per distinct pickle.
        for (CPython python : CPython.python3s()) {
            Path corpus = dir.resolve("pickletester-" + python.version());
            CPython.Result r = python.run(new byte[0], Fixtures.script("pickletester_corpus.py").toString(),
                    corpus.toString());
            if (r.exitCode() != 0) {
                continue;
            }
            python.check(new byte[0], "-c", "import binascii, json, os, sys\n"
                    + "d = sys.argv[1]\n"
                    + "for i, e in enumerate(json.load(open(os.path.join(d, 'corpus.json')))['entries']):\n"
                    + "    open(os.path.join(d, 'case%04d.pkl' % i), 'wb').write(binascii.unhexlify(e['data']))\n",
                    corpus.toString());
        }
        return "";
    }

    /** What {@code python} prints for every case, via {@code dis_cases.py expect} (about 400 MB), cached. */
    private static synchronized Path expected(CPython python) {
        return CACHE.computeIfAbsent("expected-" + python.version(), k -> Fixtures.cached(
                "dis-expected-" + python.version(), GENERATORS, List.of(python), cases().toString(), dir -> {
                    python.check(CORPUS_WIDE, new byte[0], Fixtures.script("dis_cases.py").toString(), "expect",
                            dir.toString(),
                            cases().toString());
                    return "";
                }));
    }

    /**
     * {@code python}'s listings of every case by digest, via {@code dis_cases.py digest}: name + suffix to
     * {SHA-256 of the listing, the error or null}. As {@link #expected} without writing the listings out.
     */
    private static Map<String, String[]> digests(CPython python) {
        Path dir = Fixtures.cached("dis-digest-" + python.version(), GENERATORS, List.of(python),
                cases().toString(), d -> {
                    python.check(CORPUS_WIDE, new byte[0], Fixtures.script("dis_cases.py").toString(), "digest",
                            d.resolve("digests.tsv").toString(), cases().toString());
                    return "";
                });
        Map<String, String[]> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(dir.resolve("digests.tsv"), StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", -1);
                String error = f[3].equals("-") ? null
                        : new String(HexFormat.of().parseHex(f[3]), StandardCharsets.UTF_8);
                out.put(f[0] + (f[1].equals("-") ? "" : f[1]), new String[] {f[2], error});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<Path> pickles() {
        try (Stream<Path> files = Files.walk(cases())) {
            return files.filter(p -> p.toString().endsWith(".pkl")).sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> listsEveryCaseAsPython313PickletoolsDoes() {
        CPython reference = CPython.version(3, 13);
        Path expected = expected(reference);
        return pickles().stream().map(p -> dynamicTest(cases().relativize(p).toString(), () -> {
            byte[] data = Files.readAllBytes(p);
            assertSameAsPython(PLAIN, data, expected, uniqueName(p), "");
            assertSameAsPython(ANNOTATED, data, expected, uniqueName(p), "-a");
        }));
    }

    /**
     * Every other Python 3 as a further peer. Older {@code pickletools} differ from 3.13's in known ways (older
     * Unicode databases, so fewer printable characters; a typo in LONG4's description before 3.12), so a listing
     * is compared only where that interpreter agrees with 3.13; the counts are printed per interpreter. The peers
     * list the cases two at a time (this machine has two cores) and report digests, compared with the digests of
     * Brine's own listings.
     */
    @Test
    void agreesWithEveryOtherPython3WhereverItAgreesWith313() throws Exception {
        CPython reference = CPython.version(3, 13);
        List<CPython> peers = CPython.python3s().stream().filter(p -> !p.version().equals(reference.version()))
                .toList();
        Map<CPython, Future<Map<String, String[]>>> pending = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (CPython peer : peers) {
                pending.put(peer, pool.submit(() -> digests(peer)));
            }
            Path listings = expected(reference);
            Map<String, String[]> theirs = new HashMap<>();
            Map<String, String[]> mine = new HashMap<>();
            Map<String, String[]> brineByContent = new HashMap<>();
            for (Path p : pickles()) {
                byte[] data = Files.readAllBytes(p);
                String content = sha256(data);
                for (String suffix : List.of("", "-a")) {
                    String name = uniqueName(p);
                    Path err = listings.resolve(name + ".err" + suffix);
                    theirs.put(name + suffix, new String[] {sha256(Files.readAllBytes(listings.resolve(name + ".dis"
                            + suffix))), Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : null});
                    mine.put(name + suffix, brineByContent.computeIfAbsent(content + suffix, k -> {
                        try {
                            return brineDigest(suffix.isEmpty() ? PLAIN : ANNOTATED, data);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }));
                }
            }
            assertThat(theirs.keySet()).isEqualTo(mine.keySet());
            List<String> failures = new ArrayList<>();
            for (Map.Entry<CPython, Future<Map<String, String[]>>> e : pending.entrySet()) {
                CPython peer = e.getKey();
                Map<String, String[]> peerDigests = e.getValue().get();
                int compared = 0;
                int peerDiffers = 0;
                for (Map.Entry<String, String[]> c : mine.entrySet()) {
                    String[] ref = theirs.get(c.getKey());
                    String[] his = peerDigests.get(c.getKey());
                    if (his == null || !Arrays.equals(his, ref)) {
                        peerDiffers++;
                        continue;
                    }
                    compared++;
                    String[] brine = c.getValue();
                    boolean sameListing = brine[0].equals(his[0]);
                    boolean sameError = his[1] != null && his[1].startsWith("MemoryError")
                            ? brine[1] != null && brine[1].matches(SHORT_READ)
                            : java.util.Objects.equals(brine[1], his[1]);
                    if (!sameListing || !sameError) {
                        failures.add(peer + " " + c.getKey() + (sameListing ? "" : ": listing differs")
                                + (sameError ? "" : ": error " + brine[1] + " != " + his[1]));
                    }
                }
                System.out.printf("brine dis vs %s pickletools: %d listings compared, %d skipped where %s differs "
                        + "from %s%n", peer, compared, peerDiffers, peer, reference);
                assertThat(compared).as(peer.toString()).isGreaterThan(100);
            }
            assertThat(failures).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Python's MemoryError for a declared length it cannot allocate is Brine's short-read error. */
    private static final String SHORT_READ = "ValueError: expected \\d+ bytes in a \\w+, but only \\d+ remain";

    /** {SHA-256 of Brine's listing, its error or null}, as {@code dis_cases.py digest} reports Python's. */
    private static String[] brineDigest(Disassembler dis, byte[] data) throws Exception {
        String out;
        String error = null;
        try {
            out = dis.disassemble(data);
        } catch (DisassemblyException e) {
            out = e.partialListing();
            error = e.pythonError();
        }
        return new String[] {sha256(out.getBytes(StandardCharsets.UTF_8)), error};
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /**
     * {@code dis_cases.py expect} stands in for the real command line to save an interpreter start per file;
     * here the real {@code python -m pickletools [-a] FILE} runs on a sample, to show the two print the same.
     */
    @Test
    void expectScriptPrintsWhatTheCommandLinePrints() throws IOException {
        CPython reference = CPython.version(3, 13);
        Path expected = expected(reference);
        List<Path> all = pickles();
        List<Path> sample = new ArrayList<>();
        for (int i = 0; i < all.size(); i += Math.max(1, all.size() / 25)) {
            sample.add(all.get(i));
        }
        all.stream().filter(p -> p.getFileName().toString().startsWith("bad_")).limit(25).forEach(sample::add);
        for (Path p : sample) {
            for (String flag : List.of("", "-a")) {
                List<String> args = new ArrayList<>(List.of("-m", "pickletools"));
                if (!flag.isEmpty()) {
                    args.add(flag);
                }
                args.add(p.toString());
                CPython.Result r = reference.run(new byte[0], args.toArray(String[]::new));
                String name = uniqueName(p);
                assertThat(r.stdoutText()).as("stdout of pickletools %s %s", flag, name)
                        .isEqualTo(Files.readString(expected.resolve(name + ".dis" + flag)));
                Path err = expected.resolve(name + ".err" + flag);
                if (Files.exists(err)) {
                    List<String> lines = r.stderrText().lines().toList();
                    assertThat(r.exitCode()).isNotZero();
                    assertThat(lines.get(lines.size() - 1)).isEqualTo(Files.readString(err));
                } else {
                    assertThat(r.exitCode()).as("exit code for %s: %s", name, r.stderrText()).isZero();
                }
            }
        }
    }

    /** Reading a stream a byte at a time gives the same listing, and leaves the stream right after STOP. */
    @Test
    void streamsListTheSameAndStopAtStop() throws Exception {
        Path expected = expected(CPython.version(3, 13));
        Set<String> contents = new HashSet<>();
        for (Path p : pickles()) {
            String name = p.getFileName().toString();
            if (!name.contains(".p0.") && !name.contains(".p4.") && !name.startsWith("bad_")) {
                continue;
            }
            byte[] data = Files.readAllBytes(p);
            if (!contents.add(sha256(data))) {
                continue; // the same bytes another interpreter wrote: the same listing, already checked
            }
            StringBuilder out = new StringBuilder();
            String error = null;
            try {
                PLAIN.disassemble(new OneByteStream(data), out);
            } catch (DisassemblyException e) {
                error = e.pythonError();
            }
            String want = Files.readString(expected.resolve(uniqueName(p) + ".dis"));
            assertThat(out.toString()).as(name).isEqualTo(want);
            String viaBytes;
            try {
                viaBytes = PLAIN.disassemble(data);
                assertThat(error).as(name).isNull();
            } catch (DisassemblyException e) {
                viaBytes = e.partialListing();
                assertThat(error).as(name).isEqualTo(e.pythonError());
            }
            assertThat(out.toString()).as(name).isEqualTo(viaBytes);
        }
    }

    @Test
    void consumesExactlyOnePickleAndSharesTheMemoWhenAsked() throws IOException {
        // BINPUT 0 in the first pickle, BINGET 0 in the second: only a shared memo knows the key.
        byte[] two = {'K', 1, 'q', 0, '.', 'h', 0, '.'};
        InputStream in = new ByteArrayInputStream(two);
        Disassembler.Memo memo = new Disassembler.Memo();
        StringBuilder first = new StringBuilder();
        PLAIN.disassemble(in, first, memo);
        assertThat(first.toString()).endsWith("highest protocol among opcodes = 1\n");
        assertThat(in.available()).isEqualTo(3);
        StringBuilder second = new StringBuilder();
        PLAIN.disassemble(in, second, memo);
        assertThat(second.toString()).startsWith("    0: h    BINGET     0\n");

        assertThatThrownBy(() -> PLAIN.disassemble(new ByteArrayInputStream(two, 5, 3), new StringBuilder()))
                .isInstanceOf(DisassemblyException.class)
                .hasMessageContaining("memo key 0 has never been stored into")
                .hasMessageContaining("BINGET");
    }

    @Test
    void errorsCarryOffsetOpcodeAndPartialListing() {
        byte[] data = {'K', 1, 'h', 5, '.'};
        assertThatThrownBy(() -> PLAIN.disassemble(data))
                .isInstanceOfSatisfying(DisassemblyException.class, e -> {
                    assertThat(e.offset()).isEqualTo(2);
                    assertThat(e.opcode()).isEqualTo("BINGET");
                    assertThat(e.pythonError()).isEqualTo("ValueError: memo key 5 has never been stored into");
                    assertThat(e.partialListing()).isEqualTo("    0: K    BININT1    1\n    2: h    BINGET     5\n");
                });
    }

    private static void assertSameAsPython(Disassembler dis, byte[] data, Path expected, String name, String suffix)
            throws IOException {
        String out;
        String error = null;
        try {
            out = dis.disassemble(data);
        } catch (DisassemblyException e) {
            out = e.partialListing();
            error = e.pythonError();
        }
        String want = Files.readString(expected.resolve(name + ".dis" + suffix), StandardCharsets.UTF_8);
        Path err = expected.resolve(name + ".err" + suffix);
        String wantError = Files.exists(err) ? Files.readString(err, StandardCharsets.UTF_8) : null;
        assertThat(out).as("listing of %s%s", name, suffix).isEqualTo(want);
        if (wantError != null && wantError.startsWith("MemoryError")) {
            // Python's f.read(n) allocates the declared length first and may run out of memory; Brine reads
            // what is there and reports the short read, as pickletools does when the allocation succeeds.
            assertThat(error).as("error for %s%s", name, suffix).matches(SHORT_READ);
            return;
        }
        assertThat(error).as("error for %s%s", name, suffix).isEqualTo(wantError);
    }

    /** The expected-output file name: the case's path below the cases directory, flattened. */
    private static String uniqueName(Path p) {
        return cases().relativize(p).toString().replace(java.io.File.separator, "__");
    }

    /** Delivers one byte per read, to reach every boundary of the reader. */
    private static final class OneByteStream extends FilterInputStream {
        OneByteStream(byte[] data) {
            super(new ByteArrayInputStream(data));
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1));
        }
    }
}
