package dev.brine.binding;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.Unpickler;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Brine reads its own portable streams back into the Java records, enums and beans they were written from, with
 * {@code Unpickler.builder().bind(Type.class)}: equal values, and the same identity structure (shared records
 * shared, cycles through beans real cycles).
 */
@SuppressWarnings("unchecked")
class PortableBindingTest {
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

    /** A class with the same simple name as {@link Point}, to show binding goes by the full Java name. */
    static final class Elsewhere {
        record Point(int x, int y) {
        }
    }

    static final Point P = new Point(1, 2);

    static Map<String, Object> graph() {
        Person alice = new Person("alice", P);
        Person bob = new Person("bob", new Point(5, 6));
        alice.self = alice;
        alice.friends.add(bob);
        alice.friends.add(alice);
        bob.friends.add(alice);
        bob.extra = new LinkedHashMap<>(Map.of("likes", Color.GREEN));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("segment", new Segment(P, P, Color.RED));
        root.put("points", List.of(P, P));
        root.put("people", List.of(alice, bob));
        root.put("color", Color.GREEN);
        return root;
    }

    static byte[] portable(Object value, int protocol) {
        return Pickler.builder().portable(true).protocol(protocol).build().dumps(value);
    }

    static final Unpickler BOUND = Unpickler.builder()
            .bind(Point.class).bind(Color.class).bind(Segment.class).bind(Person.class).build();

    @Test
    void readsTheOriginalRecordsEnumsAndBeansBack() {
        for (int protocol = 2; protocol <= 5; protocol++) {
            Map<String, Object> root = (Map<String, Object>) BOUND.loads(portable(graph(), protocol));
            Segment segment = (Segment) root.get("segment");
            assertThat(segment).as("protocol " + protocol).isEqualTo(new Segment(P, P, Color.RED));
            assertThat(segment.a()).isSameAs(segment.b());
            List<Object> points = (List<Object>) root.get("points");
            assertThat(points).containsExactly(P, P);
            assertThat(points.get(0)).isSameAs(points.get(1)).isSameAs(segment.a());
            assertThat(root.get("color")).isSameAs(Color.GREEN);

            List<Object> people = (List<Object>) root.get("people");
            Person alice = (Person) people.get(0);
            Person bob = (Person) people.get(1);
            assertThat(alice.name).isEqualTo("alice");
            assertThat(alice.self).isSameAs(alice);
            assertThat(alice.friends).containsExactly(bob, alice);
            assertThat(alice.friends.get(1)).isSameAs(alice);
            assertThat(alice.home).isSameAs(segment.a());
            assertThat(bob.friends.get(0)).isSameAs(alice);
            assertThat(bob.home).isEqualTo(new Point(5, 6));
            assertThat(bob.extra).containsExactly(Map.entry("likes", Color.GREEN));
            assertThat(alice.extra).isNull();
        }
    }

    @Test
    void aDictKeyedByRecordsIsRefilledWithItsNoneValues() {
        // The keys become new objects, so the dict is refilled in its order; a None value must survive that.
        Map<Object, Object> byPoint = new LinkedHashMap<>();
        byPoint.put(new Point(1, 2), null);
        byPoint.put(new Point(3, 4), "b");
        for (int protocol = 2; protocol <= 5; protocol++) {
            Map<Object, Object> read = (Map<Object, Object>) BOUND.loads(portable(byPoint, protocol));
            assertThat(read).as("protocol " + protocol).isEqualTo(byPoint);
            assertThat(new ArrayList<>(read.keySet())).containsExactly(new Point(1, 2), new Point(3, 4));
        }
    }

    @Test
    void unregisteredClassesStayInertNodesWithTheirFields() {
        byte[] pickle = portable(graph(), 4);
        Map<String, Object> plain = (Map<String, Object>) Pickle.loads(pickle);
        PyObject segment = (PyObject) plain.get("segment");
        PyObject cls = (PyObject) segment.callable();
        assertThat(cls.args().get(0)).isEqualTo(PyTuple.of("record", Segment.class.getName(), "Segment",
                PyTuple.of("a", "b", "color")));

        Map<String, Object> partly = (Map<String, Object>) Unpickler.builder().bind(Point.class).build()
                .loads(pickle);
        PyObject segmentNode = (PyObject) partly.get("segment");
        PyTuple state = (PyTuple) segmentNode.state();
        assertThat(state.get(0)).isEqualTo(P).isSameAs(state.get(1));
        assertThat(state.get(2)).isInstanceOf(PyObject.class);
        assertThat(((List<Object>) partly.get("people")).get(0)).isInstanceOf(PyObject.class);
    }

    @Test
    void bindsByFullJavaNameOnly() {
        byte[] pickle = portable(List.of(P), 4);
        List<Object> read = (List<Object>) Unpickler.builder().bind(Elsewhere.Point.class).build().loads(pickle);
        assertThat(read.get(0)).isInstanceOf(PyObject.class);
    }

    /** A portable record node as Brine writes it, built by hand so its spec can disagree with the Java record. */
    static PyObject recordNode(String javaName, PyTuple names, Object... values) {
        PyObject cls = PyObject.reduce(new GlobalRef("_brine1", "cls"), PyTuple.of("record", javaName, "Point", names));
        PyObject node = PyObject.newObj(cls);
        node.addState(PyTuple.of(values));
        return node;
    }

    @Test
    void aRecordWhoseComponentsChangedFailsByComponent() {
        byte[] pickle = Pickle.dumps(recordNode(Point.class.getName(), PyTuple.of("x", "z"), 1L, 2L));
        assertThatThrownBy(() -> BOUND.loads(pickle)).isInstanceOf(PickleException.class)
                .hasMessageContaining("no field y").hasMessageContaining("Point.y (int)");
        byte[] same = Pickle.dumps(recordNode(Point.class.getName(), PyTuple.of("x", "y"), 1L, 2L));
        assertThat(BOUND.loads(same)).isEqualTo(P);
    }

    @Test
    void aRecordStreamBoundToABeanClassFails() {
        byte[] pickle = Pickle.dumps(recordNode(Person.class.getName(), PyTuple.of("name"), "x"));
        assertThatThrownBy(() -> BOUND.loads(pickle)).isInstanceOf(PickleException.class)
                .hasMessageContaining("record").hasMessageContaining(Person.class.getName());
    }
}
