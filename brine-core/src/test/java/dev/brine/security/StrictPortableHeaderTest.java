package dev.brine.security;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.PyFunction;
import dev.brine.Unpickler;
import dev.brine.internal.PortableRuntime;
import dev.brine.internal.PortableRuntime.Section;
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
    record Point(int x, int y) {
    }

    enum Color { RED, GREEN }

    record Segment(Point a, Point b, Color color) {
    }

    static final class Person {
        String name;
        Person self;
        List<Person> friends = new ArrayList<>();
        Point home;
        Map<String, Object> extra;

        Person() {
        }

        Person(String name, Point home) {
            this.name = name;
            this.home = home;
        }
    }

    private static final Point P = new Point(1, 2);

    private static Map<String, Object> graph() {
        Person alice = new Person("alice", P);
        Person bob = new Person("bob", new Point(5, 6));
        alice.self = alice;
        alice.friends.add(bob);
        bob.friends.add(alice);
        bob.extra = new LinkedHashMap<>(Map.of("likes", Color.GREEN));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("segment", new Segment(P, P, Color.RED));
        root.put("people", List.of(alice, bob));
        root.put("numbers", List.of(1L, 2.5, "three"));
        return root;
    }

    private static byte[] portable(Object value, int protocol) {
        return Pickler.builder().portable(true).protocol(protocol).build().dumps(value);
    }

    private static final Unpickler STRICT = Unpickler.builder().strict(true)
            .bind(Point.class).bind(Color.class).bind(Segment.class).bind(Person.class).build();

    private static void assertGraph(Map<String, Object> root, String as) {
        Segment segment = (Segment) root.get("segment");
        assertThat(segment).as(as).isEqualTo(new Segment(P, P, Color.RED));
        assertThat(segment.a()).as(as).isSameAs(segment.b());
        List<Object> people = (List<Object>) root.get("people");
        Person alice = (Person) people.get(0);
        Person bob = (Person) people.get(1);
        assertThat(alice.self).as(as).isSameAs(alice);
        assertThat(alice.friends).as(as).containsExactly(bob);
        assertThat(bob.friends.get(0)).as(as).isSameAs(alice);
        assertThat(alice.home).as(as).isSameAs(segment.a());
        assertThat(bob.extra).as(as).containsExactly(Map.entry("likes", Color.GREEN));
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
        byte[] stream = portable(List.of(P), 4);
        assertThatThrownBy(() -> Unpickler.builder().strict(true).build().loads(stream))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("_brine1.cls").hasMessageContaining("not allowed in strict mode");
    }

    @Test
    void runtimeNamesTheBinderDoesNotBindStayRefused() {
        byte[] stream = portable(List.of(P, PyFunction.lambda("lambda: 1")), 4);
        assertThatThrownBy(() -> STRICT.loads(stream)).isInstanceOf(PickleException.class)
                .hasMessageContaining("_brine1.function").hasMessageContaining("not allowed in strict mode");
    }

    @Test
    void anAlteredHeaderFailsInStrictModeWithAClearError() {
        byte[] stream = portable(List.of(P), 4);
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
            assertThat(Unpickler.builder().bind(Point.class).build().loads(altered)).isEqualTo(List.of(P));
        }
        // The unaltered parts reassembled are accepted, so the failures above are the alterations'.
        assertThat(STRICT.loads(concat(AlteredHeaders.assemble(4, List.copyOf(sections),
                PortableRuntime.bundle(sections)), body))).isEqualTo(List.of(P));
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
