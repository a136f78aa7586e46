package dev.brine.security;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.PyFunction;
import dev.brine.Unpickler;
import dev.brine.internal.portable.PortableRuntime;
import dev.brine.internal.portable.PortableRuntime.Section;
import dev.brine.portable.AlteredHeaders;
import dev.brine.testing.ThrottledInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Strict mode and Brine's own portable streams: an unaltered header (as {@link PortableRuntime#recognize} says) is
 * skipped, and with bound classes the body's class nodes bind; an altered header is refused whole.
 */
@SuppressWarnings("unchecked")
class StrictPortableHeaderTest {
    record Reading(String sensor, double value) {
    }

    enum Unit { CELSIUS, KELVIN }

    record Sample(Reading first, Reading again, Unit unit) {
    }

    /** A bean in a cycle: stations link to each other. */
    static final class Station {
        String id;
        List<Station> links = new ArrayList<>();
        Reading last;
        Map<String, Object> notes;
    }

    private static final Reading R = new Reading("t1", 21.5);

    private static Map<String, Object> graph() {
        Station north = new Station();
        north.id = "north";
        north.last = R;
        Station south = new Station();
        south.id = "south";
        south.notes = new LinkedHashMap<>(Map.of("unit", Unit.KELVIN));
        north.links.add(south);
        north.links.add(north);
        south.links.add(north);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("sample", new Sample(R, R, Unit.CELSIUS));
        root.put("stations", List.of(north, south));
        root.put("numbers", List.of(1L, 2.5, "three"));
        return root;
    }

    private static byte[] portable(Object value, int protocol) {
        return Pickler.builder().portable(true).protocol(protocol).build().dumps(value);
    }

    private static final Unpickler STRICT = Unpickler.builder().strict(true)
            .bind(Reading.class).bind(Unit.class).bind(Sample.class).bind(Station.class).build();

    private static void assertGraph(Map<String, Object> root, String as) {
        Sample sample = (Sample) root.get("sample");
        assertThat(sample).as(as).isEqualTo(new Sample(R, R, Unit.CELSIUS));
        assertThat(sample.first()).as(as).isSameAs(sample.again());
        List<Object> stations = (List<Object>) root.get("stations");
        Station north = (Station) stations.get(0);
        Station south = (Station) stations.get(1);
        assertThat(north.links).as(as).containsExactly(south, north);
        assertThat(south.links.get(0)).as(as).isSameAs(north);
        assertThat(north.last).as(as).isSameAs(sample.first());
        assertThat(south.notes).as(as).containsExactly(Map.entry("unit", Unit.KELVIN));
        assertThat(root.get("numbers")).as(as).isEqualTo(List.of(1L, 2.5, "three"));
    }

    @Test
    void strictModeWithBoundClassesReadsPortableStreams() {
        for (int protocol = 2; protocol <= 5; protocol++) {
            assertGraph((Map<String, Object>) STRICT.loads(portable(graph(), protocol)), "protocol " + protocol);
        }
    }

    /** A stream that cannot mark, so every byte the reader takes is gone: it must take exactly the pickle. */
    private static final class UnmarkableStream extends FilterInputStream {
        UnmarkableStream(byte[] data) {
            super(new ByteArrayInputStream(data));
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    @Test
    void fromStreamsTheHeaderIsReadAheadNoFurtherThanThePickle() throws IOException {
        byte[] first = portable(graph(), 4);
        // A short non-portable pickle that starts like a header (PROTO, _pickle.loads) but ends early: reading
        // ahead to recognise a header must not swallow what follows it.
        byte[] shortOne = ("\u0080\u0002c_pickle\nloads\n.").getBytes(StandardCharsets.ISO_8859_1);
        byte[] trailer = "TRAILER".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(first);
        all.writeBytes(first);
        all.writeBytes(trailer);
        for (InputStream in : List.of(new UnmarkableStream(all.toByteArray()),
                new ByteArrayInputStream(all.toByteArray()), new ThrottledInputStream(all.toByteArray(), 1, false),
                new ThrottledInputStream(all.toByteArray(), 3, true))) {
            assertGraph((Map<String, Object>) STRICT.load(in), "first of two");
            assertGraph((Map<String, Object>) STRICT.load(in), "second of two");
            assertThat(in.readAllBytes()).isEqualTo(trailer);
        }
        Unpickler allowing = Unpickler.builder().strict(true).allowGlobal("_pickle", "loads").build();
        InputStream in = new UnmarkableStream(concat(shortOne, trailer));
        assertThat(allowing.load(in)).hasToString("_pickle.loads");
        assertThat(in.readAllBytes()).isEqualTo(trailer);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void withoutBoundClassesThePortableClassNodeIsStillRefused() {
        byte[] stream = portable(List.of(R), 4);
        assertThatThrownBy(() -> Unpickler.builder().strict(true).build().loads(stream))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("_brine1.cls").hasMessageContaining("not allowed in strict mode");
    }

    @Test
    void runtimeNamesTheBinderDoesNotBindStayRefused() {
        byte[] stream = portable(List.of(R, PyFunction.lambda("lambda: 1")), 4);
        assertThatThrownBy(() -> STRICT.loads(stream)).isInstanceOf(PickleException.class)
                .hasMessageContaining("_brine1.function").hasMessageContaining("not allowed in strict mode");
    }

    @Test
    void anAlteredHeaderFailsInStrictModeWithAClearError() {
        byte[] stream = portable(List.of(R), 4);
        int length = PortableRuntime.recognize(stream).orElseThrow().length();
        byte[] body = java.util.Arrays.copyOfRange(stream, length, stream.length);
        // One byte of the boot source the header execs; the section list reordered; a section missing from the
        // list but its source still in the bundle.
        byte[] bootChanged = stream.clone();
        int at = new String(stream, StandardCharsets.ISO_8859_1).indexOf("core_v = 1");
        bootChanged[at + "core_v = ".length()] = '2';
        Set<Section> sections = EnumSet.of(Section.BASE, Section.RECORD);
        byte[] reordered = concat(AlteredHeaders.assemble(4, List.of(Section.RECORD, Section.BASE),
                PortableRuntime.bundle(sections)), body);
        byte[] truncatedList = concat(AlteredHeaders.assemble(4, List.of(Section.BASE),
                PortableRuntime.bundle(sections)), body);
        for (byte[] altered : List.of(bootChanged, reordered, truncatedList)) {
            assertThat(PortableRuntime.recognize(altered)).isEmpty();
            assertThatThrownBy(() -> STRICT.loads(altered)).isInstanceOfSatisfying(PickleException.class, e -> {
                assertThat(e.getMessage()).contains("portable header").contains("altered");
                assertThat(e.offset()).isZero();
                assertThat(e.opcode()).isEqualTo("PROTO");
            });
            // Outside strict mode the altered header is read as any pickle is: inert nodes, nothing run.
            assertThat(Unpickler.builder().bind(Reading.class).build().loads(altered)).isEqualTo(List.of(R));
        }
        // The unaltered parts reassembled are accepted, so the failures above are the alterations'.
        assertThat(STRICT.loads(concat(AlteredHeaders.assemble(4, List.copyOf(sections),
                PortableRuntime.bundle(sections)), body))).isEqualTo(List.of(R));
    }

    @Test
    void ordinaryPicklesReadInStrictModeAsBefore() {
        assertThat(STRICT.loads(Pickle.dumps(Map.of("a", 1L)))).isEqualTo(Map.of("a", 1L));
        byte[] evil = ("\u0080\u0002cos\nsystem\nX\u0002\u0000\u0000\u0000id\u0085R.")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> STRICT.loads(evil)).isInstanceOf(PickleException.class)
                .hasMessageContaining("os.system");
    }
}
