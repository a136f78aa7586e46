package dev.brine.binding;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.Unpickler;
import dev.brine.cpython.CPython;
import dev.brine.testing.Fixtures;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Python objects pickled by every CPython on the machine (dataclasses, plain classes, {@code __slots__} classes,
 * namedtuples, {@code Enum} members, Python 2 old-style instances), at every protocol, bound to Java records, enums
 * and beans with {@code Unpickler.builder().bind(module, name, type)}.
 */
@SuppressWarnings("unchecked")
@Tag("cross-interpreter")
class BindingTest {
    static final Path CASES = Fixtures.script("binding_cases.py");
    static final Path OLD_STYLE = Fixtures.script("binding_oldstyle.py");

    record Point(int x, int y) {
    }

    record Line(Point start, Point end, String label) {
    }

    enum Color {
        RED(1), GREEN(2);

        final long value;

        Color(long value) {
            this.value = value;
        }
    }

    enum Mood { HAPPY, SAD }

    static final class Polygon {
        String name;
        List<Point> points;
        Map<String, Point> tags;
        Color color;
    }

    record Slotted(long a, String b) {
    }

    static final class Mixed {
        int a;
        String b;
    }

    record NT(long a, String b) {
    }

    static final class TreeNode {
        String name;
        TreeNode parent;
        List<TreeNode> children;
    }

    static final class Numbers {
        int i;
        short s;
        byte b;
        long l;
        BigInteger big;
        float f;
        double d;
        char c;
        boolean flag;
        Optional<String> maybe;
        Optional<String> present;
        int[] ints;
        List<Long> tup;
        Set<String> names;
        Set<Integer> frozen;
        List<List<Point>> nested;
        TreeMap<String, Point> byName;
        String firstName;
    }

    record Link(long value, Link next) {
    }

    static final class Old {
        final long a;
        final String b;

        Old(long a, String b) {
            this.a = a;
            this.b = b;
        }
    }

    static final Unpickler BOUND = Unpickler.builder()
            .bind("geometry", "Point", Point.class)
            .bind("geometry", "Frozen", Point.class)
            .bind("geometry", "Keywords", Point.class)
            .bind("geometry", "Line", Line.class)
            .bind("geometry", "Color", Color.class)
            .bind("geometry", "Mood", Mood.class)
            .bind("geometry", "Polygon", Polygon.class)
            .bind("geometry", "Slotted", Slotted.class)
            .bind("geometry", "Mixed", Mixed.class)
            .bind("geometry", "NT", NT.class)
            .bind("geometry", "TreeNode", TreeNode.class)
            .bind("geometry", "Numbers", Numbers.class)
            .bind("geometry", "Link", Link.class)
            .bind("geometry", "Old", Old.class)
            .build();

    record Case(String python, String name, int protocol, byte[] pickle) {
        String where() {
            return python + " " + name + " protocol " + protocol;
        }
    }

    static List<Case> cases(CPython python, Path script) {
        CPython.require(Files.isRegularFile(script), "test script " + script + " is missing");
        String out = new String(python.check(new byte[0], script.toString()), StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                String[] f = line.split("\t");
                cases.add(new Case(python.version(), f[0], Integer.parseInt(f[1]), HexFormat.of().parseHex(f[2])));
            }
        }
        assertThat(cases).as("cases from " + python).isNotEmpty();
        return cases;
    }

    static Map<String, List<Case>> byName(List<Case> cases) {
        Map<String, List<Case>> map = new LinkedHashMap<>();
        for (Case c : cases) {
            map.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c);
        }
        return map;
    }

    @Test
    void bindsEveryKindOfObjectFromEveryPython3AtEveryProtocol() {
        int checked = 0;
        for (CPython python : CPython.python3s()) {
            Map<String, List<Case>> cases = byName(cases(python, CASES));
            for (Case c : cases.get("point")) {
                assertThat(BOUND.loads(c.pickle())).as(c.where()).isEqualTo(new Point(1, 2));
                checked++;
            }
            for (Case c : cases.get("line")) {
                assertThat(BOUND.loads(c.pickle())).as(c.where())
                        .isEqualTo(new Line(new Point(0, 0), new Point(3, 4), "diagonal"));
                checked++;
            }
            for (Case c : cases.get("shared")) {
                List<?> list = (List<?>) BOUND.loads(c.pickle());
                Line line = (Line) list.get(2);
                assertThat(list.get(0)).as(c.where()).isEqualTo(new Point(1, 2))
                        .isSameAs(list.get(1)).isSameAs(line.start()).isSameAs(line.end());
                checked++;
            }
            for (Case c : cases.get("polygon")) {
                Polygon p = (Polygon) BOUND.loads(c.pickle());
                assertThat(p.name).as(c.where()).isEqualTo("tri");
                assertThat(p.points).as(c.where()).containsExactly(new Point(0, 0), new Point(1, 0), new Point(0, 1));
                assertThat(p.tags).as(c.where()).containsExactly(Map.entry("apex", new Point(0, 1)));
                assertThat(p.color).as(c.where()).isSameAs(Color.GREEN);
                checked++;
            }
            for (Case c : cases.get("color")) {
                assertThat((List<Object>) BOUND.loads(c.pickle())).as(c.where())
                        .containsExactly(Color.RED, Color.GREEN, Color.RED);
                checked++;
            }
            for (Case c : cases.get("mood")) {
                assertThat(BOUND.loads(c.pickle())).as(c.where()).isEqualTo(PyTuple.of(Mood.SAD, Mood.HAPPY));
                checked++;
            }
            for (Case c : cases.getOrDefault("frozen_slots", List.of())) {
                assertThat(BOUND.loads(c.pickle())).as(c.where()).isEqualTo(new Point(7, 8));
                checked++;
            }
            for (Case c : cases.get("keywords")) {
                assertThat(BOUND.loads(c.pickle())).as(c.where()).isEqualTo(new Point(1, 2));
                checked++;
            }
            for (Case c : cases.get("slotted")) {
                assertThat(BOUND.loads(c.pickle())).as(c.where()).isEqualTo(new Slotted(1, "one"));
                checked++;
            }
            for (Case c : cases.get("mixed")) {
                Mixed m = (Mixed) BOUND.loads(c.pickle());
                assertThat(m.a).as(c.where()).isEqualTo(1);
                assertThat(m.b).as(c.where()).isEqualTo("one");
                checked++;
            }
            for (Case c : cases.get("namedtuple")) {
                assertThat((List<Object>) BOUND.loads(c.pickle())).as(c.where())
                        .containsExactly(new NT(1, "x"), new NT(2, "y"));
                checked++;
            }
            for (Case c : cases.get("tree")) {
                TreeNode root = (TreeNode) BOUND.loads(c.pickle());
                assertThat(root.name).as(c.where()).isEqualTo("root");
                assertThat(root.parent).as(c.where()).isSameAs(root);
                assertThat(root.children).as(c.where()).hasSize(2);
                assertThat(root.children.get(1).name).as(c.where()).isEqualTo("b");
                assertThat(root.children.get(0).parent).as(c.where()).isSameAs(root);
                checked++;
            }
            for (Case c : cases.get("numbers")) {
                Numbers n = (Numbers) BOUND.loads(c.pickle());
                assertThat(n.i).as(c.where()).isEqualTo(-5);
                assertThat(n.s).as(c.where()).isEqualTo((short) 300);
                assertThat(n.b).as(c.where()).isEqualTo((byte) -100);
                assertThat(n.l).as(c.where()).isEqualTo(1L << 62);
                assertThat(n.big).as(c.where()).isEqualTo(BigInteger.TWO.pow(70));
                assertThat(n.f).as(c.where()).isEqualTo(1.5f);
                assertThat(n.d).as(c.where()).isEqualTo(3.0);
                assertThat(n.c).as(c.where()).isEqualTo('x');
                assertThat(n.flag).as(c.where()).isTrue();
                assertThat(n.maybe).as(c.where()).isEmpty();
                assertThat(n.present).as(c.where()).contains("here");
                assertThat(n.ints).as(c.where()).containsExactly(1, 2, 3);
                assertThat(n.tup).as(c.where()).containsExactly(4L, 5L);
                assertThat(n.names).as(c.where()).containsExactlyInAnyOrder("a", "b");
                assertThat(n.frozen).as(c.where()).containsExactly(7);
                assertThat(n.nested).as(c.where()).containsExactly(List.of(new Point(1, 2)),
                        List.of(new Point(3, 4), new Point(5, 6)));
                assertThat(n.byName).as(c.where()).isInstanceOf(TreeMap.class)
                        .containsExactly(Map.entry("origin", new Point(0, 0)));
                assertThat(n.firstName).as(c.where()).isEqualTo("Ada");
                checked++;
            }
            for (Case c : cases.get("in_containers")) {
                Map<?, ?> map = (Map<?, ?>) BOUND.loads(c.pickle());
                PyTuple key = (PyTuple) map.get("key");
                assertThat(key.get(0)).as(c.where()).isEqualTo(new Point(1, 2));
                assertThat(((List<?>) key.get(1)).get(0)).as(c.where()).isSameAs(key.get(0));
                assertThat((Set<Object>) map.get("set")).as(c.where()).containsExactly(Color.RED);
                checked++;
            }
            for (Case c : cases.get("chain")) {
                assertThat(BOUND.loads(c.pickle())).as(c.where())
                        .isEqualTo(new Link(1, new Link(2, new Link(3, null))));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void bindsPython2OldStyleInstancesMadeByInstAndObj() {
        CPython python = CPython.version(2, 7);
        int checked = 0;
        for (Case c : cases(python, OLD_STYLE)) {
            Object value = BOUND.loads(c.pickle());
            if (c.name().equals("oldstyle_point")) {
                assertThat((List<Object>) value).as(c.where()).containsExactly(new Point(1, 2), new Point(3, 4));
            } else {
                Old old = (Old) value;
                assertThat(old.a).as(c.where()).isEqualTo(5);
                assertThat(old.b).as(c.where()).isEqualTo("five");
            }
            checked++;
        }
        assertThat(checked).isEqualTo(6);
    }

    @Test
    void unboundObjectsStayInertAndUnboundLoadsAreUnchanged() {
        Map<String, List<Case>> cases = byName(cases(CPython.python3(), CASES));
        for (Case c : cases.get("polygon")) {
            Object plain = Pickle.loads(c.pickle());
            assertThat(plain).as(c.where()).isInstanceOf(PyObject.class);
            // Only Point bound: the polygon stays inert, but the points in its state are records.
            Object partly = Unpickler.builder().bind("geometry", "Point", Point.class).build().loads(c.pickle());
            PyObject node = (PyObject) partly;
            // Below protocol 2, object.__reduce_ex__ writes copyreg._reconstructor(cls, object, None).
            Object cls = c.protocol() < 2 ? node.args().get(0) : node.global();
            assertThat(cls).as(c.where()).isEqualTo(new GlobalRef("geometry", "Polygon"));
            Map<?, ?> state = (Map<?, ?>) node.state();
            assertThat((List<Object>) state.get("points")).as(c.where()).first().isEqualTo(new Point(0, 0));
            assertThat(state.get("color")).as(c.where()).isInstanceOf(PyObject.class);
        }
    }

    /** Every protocol's pickle of the case {@code name}, from python3. */
    static List<Case> all(String name) {
        return byName(cases(CPython.python3(), CASES)).get(name);
    }

    @Test
    void wrongTypeNamesThePythonFieldAndTheJavaMember() {
        for (Case c : byName(cases(CPython.python3(), CASES)).get("bad_type")) {
            Unpickler u = Unpickler.builder().bind("geometry", "Bad", Point.class).build();
            assertThatThrownBy(() -> u.loads(c.pickle())).as(c.where()).isInstanceOf(PickleException.class)
                    .hasMessage("cannot bind geometry.Bad.x: expected int for Point.x (int), found str 'a'");
        }
    }

    @Test
    void missingRecordComponentFails() {
        Unpickler u = Unpickler.builder().bind("geometry", "Bad", Point.class).build();
        for (Case c : all("bad_missing")) {
            assertThatThrownBy(() -> u.loads(c.pickle())).as(c.where()).isInstanceOf(PickleException.class)
                    .hasMessageContaining("geometry.Bad").hasMessageContaining("no field y")
                    .hasMessageContaining("Point.y (int)");
        }
    }

    static final class PointBean {
        int x = -1;
        int y = -1;
    }

    @Test
    void missingBeanFieldKeepsItsDefault() {
        Unpickler u = Unpickler.builder().bind("geometry", "Bad", PointBean.class).build();
        for (Case c : all("bad_missing")) {
            PointBean p = (PointBean) u.loads(c.pickle());
            assertThat(p.x).as(c.where()).isEqualTo(1);
            assertThat(p.y).as(c.where()).isEqualTo(-1);
        }
    }

    @Test
    void unknownFieldFailsOnlyInStrictMode() {
        // No allowGlobal("builtins", "object"): the base of copyreg._reconstructor below protocol 2 is let through.
        Unpickler strict = Unpickler.builder().strict(true).bind("geometry", "Bad", Point.class).build();
        Unpickler strictBean = Unpickler.builder().strict(true).bind("geometry", "Bad", PointBean.class).build();
        for (Case c : all("bad_extra")) {
            assertThat(Unpickler.builder().bind("geometry", "Bad", Point.class).build().loads(c.pickle()))
                    .as(c.where()).isEqualTo(new Point(1, 2));
            assertThatThrownBy(() -> strict.loads(c.pickle())).as(c.where()).isInstanceOf(PickleException.class)
                    .hasMessageContaining("geometry.Bad.z").hasMessageContaining("Point has no field z");
            assertThatThrownBy(() -> strictBean.loads(c.pickle())).as(c.where())
                    .isInstanceOf(PickleException.class)
                    .hasMessageContaining("geometry.Bad.z").hasMessageContaining("PointBean has no field z");
        }
    }

    @Test
    void integerOutOfRangeFails() {
        Unpickler u = Unpickler.builder().bind("geometry", "Bad", Point.class).build();
        for (Case c : all("bad_range")) {
            assertThatThrownBy(() -> u.loads(c.pickle())).as(c.where()).isInstanceOf(PickleException.class)
                    .hasMessage("cannot bind geometry.Bad.x: 1099511627776 is out of range for Point.x (int)");
        }
    }

    @Test
    void stateThatIsNotADictFails() {
        Unpickler u = Unpickler.builder().bind("geometry", "Custom", PointBean.class).build();
        for (Case c : all("bad_state")) {
            assertThatThrownBy(() -> u.loads(c.pickle())).as(c.where()).isInstanceOf(PickleException.class)
                    .hasMessageContaining("geometry.Custom").hasMessageContaining("state is list");
        }
    }

    enum Shade { LIGHT, DARK }

    @Test
    void enumMemberWithNoMatchingConstantFails() {
        Unpickler u = Unpickler.builder().bind("geometry", "Color", Shade.class).build();
        for (Case c : all("bad_enum")) {
            assertThatThrownBy(() -> u.loads(c.pickle())).as(c.where()).isInstanceOf(PickleException.class)
                    .hasMessageContaining("geometry.Color").hasMessageContaining("value 2")
                    .hasMessageContaining("Shade");
        }
    }

    @Test
    void cycleThroughRecordsOnlyFailsClearly() {
        for (Case c : all("record_cycle")) {
            assertThatThrownBy(() -> BOUND.loads(c.pickle())).as(c.where()).isInstanceOf(PickleException.class)
                    .hasMessageContaining("geometry.Link").hasMessageContaining("cycle");
        }
    }

    @Test
    void wrongNestedElementNamesItsIndex() {
        Unpickler u = Unpickler.builder().bind("geometry", "Polygon", Polygon.class).build();
        for (Case c : all("polygon")) {
            assertThatThrownBy(() -> u.loads(c.pickle())).as(c.where()).isInstanceOf(PickleException.class)
                    .hasMessageContaining("geometry.Polygon.points[0]")
                    .hasMessageContaining("Polygon.points (List<Point>)")
                    .hasMessageContaining("geometry.Point object (not bound)");
        }
    }

    @Test
    void rejectsClassesItCannotBindAtRegistration() {
        assertThatThrownBy(() -> Unpickler.builder().bind("m", "n", Runnable.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Runnable");
        assertThatThrownBy(() -> Unpickler.builder().bind("m", "n", int.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A chain far deeper than the Java stack could recurse, written by Brine and bound back. */
    @Test
    void deepGraphsDoNotUseTheJavaStack() {
        int depth = 200_000;
        Object next = null;
        for (int i = depth; i >= 1; i--) {
            PyObject node = PyObject.newObj(new GlobalRef("geometry", "Link"));
            Map<Object, Object> state = new LinkedHashMap<>();
            state.put("value", (long) i);
            state.put("next", next);
            node.addState(state);
            next = List.of(node).get(0);
        }
        byte[] pickle = Pickle.dumps(next);
        Link link = (Link) BOUND.loads(pickle);
        long count = 0;
        for (Link l = link; l != null; l = l.next()) {
            count++;
            assertThat(l.value()).isEqualTo(count);
        }
        assertThat(count).isEqualTo(depth);
    }
}
