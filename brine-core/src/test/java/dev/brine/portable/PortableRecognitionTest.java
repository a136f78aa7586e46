package dev.brine.portable;

import dev.brine.Pickler;
import dev.brine.cpython.CPython;
import dev.brine.internal.portable.PortableRuntime;
import dev.brine.internal.portable.PortableRuntime.Section;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one recogniser of Brine's portable header ({@link PortableRuntime#recognize}), which the scanner, the
 * disassembler and strict reading share, on headers altered one part at a time.
 */
class PortableRecognitionTest {
    private static final Set<Section> SECTIONS = EnumSet.of(Section.BASE, Section.RECORD, Section.ENUM);

    @Test
    void theAssembledHeaderIsTheRealOne() {
        // Without this, every "altered" header below could be wrong for a reason other than the alteration.
        for (int protocol = 2; protocol <= 5; protocol++) {
            assertThat(AlteredHeaders.assemble(protocol, List.copyOf(SECTIONS), PortableRuntime.bundle(SECTIONS)))
                    .isEqualTo(PortableRuntime.header(SECTIONS, protocol));
        }
    }

    @Test
    void recognisesAHeaderInsideLargerBytes() {
        byte[] header = PortableRuntime.header(SECTIONS, 4);
        byte[] data = new byte[header.length + 20];
        System.arraycopy(header, 0, data, 7, header.length);
        PortableRuntime.Header h = PortableRuntime.recognize(data, 7, data.length).orElseThrow();
        assertThat(h.length()).isEqualTo(header.length);
        assertThat(h.sections()).containsExactlyElementsOf(SECTIONS);
        assertThat(PortableRuntime.recognize(data, 7, 7 + header.length - 1)).isEmpty();
        assertThat(PortableRuntime.recognize(data, 6, data.length)).isEmpty();
    }

    /**
     * The section names in another order, the bundle unchanged. boot.py pairs names and sources by position, so this
     * header installs base.py's source under the name {@code record} and the other way round. A recogniser that
     * compares the set of names (as this one once did) passes it; regenerating the header's bytes catches it; the
     * recogniser now requires the order {@code header()} writes.
     */
    @Test
    void aReorderedSectionListIsNotRecognised() {
        byte[] reordered = AlteredHeaders.assemble(4, List.of(Section.RECORD, Section.BASE, Section.ENUM),
                PortableRuntime.bundle(SECTIONS));
        assertThat(PortableRuntime.recognize(reordered)).isEmpty();
    }

    @Test
    void aHeaderWithoutBaseOrWithASectionTwiceIsNotRecognised() {
        Set<Section> record = EnumSet.of(Section.RECORD);
        assertThat(PortableRuntime.recognize(AlteredHeaders.assemble(4, List.of(Section.RECORD),
                PortableRuntime.bundle(record)))).isEmpty();
        assertThat(PortableRuntime.recognize(AlteredHeaders.assemble(4, List.of(Section.BASE, Section.BASE),
                PortableRuntime.bundle(EnumSet.of(Section.BASE))))).isEmpty();
    }

    @Test
    void aBundleForOtherSectionsIsNotRecognised() {
        assertThat(PortableRuntime.recognize(AlteredHeaders.assemble(4, List.copyOf(SECTIONS),
                PortableRuntime.bundle(EnumSet.of(Section.BASE, Section.RECORD))))).isEmpty();
    }

    /**
     * The same sources compressed at another zlib level: different bytes, the same code. Regenerating the header's
     * bytes would refuse it (and so would refuse a header from a Brine on a JDK whose zlib compresses differently);
     * the recogniser compares what Python will run.
     */
    @Test
    void aRecompressedBundleIsRecognised() {
        for (int level : new int[] {0, 1, 6}) {
            byte[] bundle = AlteredHeaders.recompressed(SECTIONS, level);
            assertThat(bundle).isNotEqualTo(PortableRuntime.bundle(SECTIONS));
            byte[] header = AlteredHeaders.assemble(3, List.copyOf(SECTIONS), bundle);
            PortableRuntime.Header h = PortableRuntime.recognize(header).orElseThrow();
            assertThat(h.length()).isEqualTo(header.length);
            assertThat(h.sections()).containsExactlyElementsOf(SECTIONS);
        }
    }

    /**
     * What the two alterations do in real CPython: the recompressed header installs the runtime exactly as the
     * original does; the reordered one installs base.py's source as the {@code record} section.
     */
    @Test
    void inCPythonTheRecompressedHeaderInstallsTheSameRuntimeAndTheReorderedOneDoesNot() {
        CPython python = CPython.python3();
        byte[] body = Pickler.builder().portable(false).protocol(3).build().dumps(1L);
        byte[] original = PortableRuntime.header(SECTIONS, 3);
        byte[] recompressed = AlteredHeaders.assemble(3, List.copyOf(SECTIONS),
                AlteredHeaders.recompressed(SECTIONS, 1));
        byte[] reordered = AlteredHeaders.assemble(3, List.of(Section.RECORD, Section.BASE, Section.ENUM),
                PortableRuntime.bundle(SECTIONS));
        // Prints the runtime's names and, for its functions, the section name their code was compiled under.
        String script = String.join("\n",
                "import pickle, sys",
                "data = sys.stdin.buffer.read()",
                "assert pickle.loads(data) == 1",
                "m = sys.modules['_brine1']",
                "print(sorted((k, getattr(getattr(v, '__code__', None), 'co_filename', ''))",
                "             for k, v in vars(m).items() if not k.startswith('__')))");
        String expected = run(python, original, body, script);
        assertThat(run(python, recompressed, body, script)).isEqualTo(expected);
        assertThat(run(python, reordered, body, script)).isNotEqualTo(expected);
    }

    private static String run(CPython python, byte[] header, byte[] body, String script) {
        byte[] stream = new byte[header.length + body.length];
        System.arraycopy(header, 0, stream, 0, header.length);
        System.arraycopy(body, 0, stream, header.length, body.length);
        CPython.Result r = python.run(stream, "-c", script);
        return r.exitCode() + ":" + r.stdoutText() + r.stderrText().lines().reduce((a, b) -> b).orElse("");
    }
}
