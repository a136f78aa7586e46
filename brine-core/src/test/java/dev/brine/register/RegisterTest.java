package dev.brine.register;

import dev.brine.Pickle;
import dev.brine.Pickler;
import dev.brine.cpython.CPython;
import dev.brine.testing.Fixtures;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code Pickler.builder().register(JavaType.class, module, name)}: Java records and beans written as instances of
 * a Python class. register_check.py defines the classes (a plain class and a dataclass), loads Brine's pickles at
 * protocols 0 to 5 with the stock {@code pickle.load}, checks {@code type(obj) is Cls}, the fields, sharing and
 * cycles; and Brine's bytes equal {@code pickle.dumps} of the equivalent Python objects.
 */
class RegisterTest {
    static final Path SCRIPT = Fixtures.script("register_check.py");

    record Point(int x, int y) {
    }

    static class Person {
        String name;
        int age;
        List<String> tags;
        Point home;
        double score;
        String nickname;
        static int population = 8;          // static: not state
        transient Object cache = new Object(); // transient: not state

        Person(String name, int age, List<String> tags, Point home, double score, String nickname) {
            this.name = name;
            this.age = age;
            this.tags = tags;
            this.home = home;
            this.score = score;
            this.nickname = nickname;
        }
    }

    static class Empty {
    }

    static class Node {
        String name;
        Node next;
    }

    static Pickler pickler(int protocol) {
        return Pickler.builder().protocol(protocol)
                .register(Point.class, "__main__", "Point")
                .register(Person.class, "__main__", "Person")
                .register(Empty.class, "__main__", "Empty")
                .register(Node.class, "__main__", "Node")
                .build();
    }

    static Map<String, Object> cases() {
        Map<String, Object> cases = new LinkedHashMap<>();
        cases.put("point", new Point(3, -4));
        cases.put("person", new Person("Ada", 36, List.of("math", "engines"), new Point(1, 2), 1.5, null));
        Person ada = new Person("Ada", 36, List.of("math", "engines"), new Point(1, 2), 1.5, null);
        Person bob = new Person("Bob", 7, List.of(), new Point(0, 0), -0.25, "bobby");
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("origin", new Point(0, 0));
        where.put("points", List.of(new Point(1, 1), new Point(2, 2)));
        cases.put("people", List.of(ada, ada, bob, where));
        cases.put("empty", new Empty());
        Node loop = new Node();
        loop.name = "loop";
        loop.next = loop;
        cases.put("cycle", loop);
        return cases;
    }

    @Test
    void pythonLoadsRealInstancesAndTheBytesAreCPythons(@TempDir Path dir) throws IOException {
        CPython python = CPython.python3();
        CPython.require(Files.isRegularFile(SCRIPT), "test script " + SCRIPT + " is missing");
        Map<String, byte[]> written = new LinkedHashMap<>();
        for (int protocol = 0; protocol <= Pickler.HIGHEST_PROTOCOL; protocol++) {
            Pickler pickler = pickler(protocol);
            for (Map.Entry<String, Object> c : cases().entrySet()) {
                byte[] bytes = pickler.dumps(c.getValue());
                String file = c.getKey() + "." + protocol + ".pkl";
                Files.write(dir.resolve(file), bytes);
                written.put(c.getKey() + "\t" + protocol, bytes);
            }
        }
        // The script fails (and check throws) unless every object is an instance of exactly its Python class.
        String out = new String(python.check(new byte[0], SCRIPT.toString(), dir.toString()), StandardCharsets.UTF_8);
        List<String> failures = new ArrayList<>();
        int lines = 0;
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            lines++;
            byte[] cpython = HexFormat.of().parseHex(f[2]);
            byte[] brine = written.get(f[0] + "\t" + f[1]);
            if (!Arrays.equals(cpython, brine)) {
                failures.add(f[0] + " p" + f[1] + ":\n  CPython " + f[2] + "\n  Brine   " + HexFormat.of().formatHex(brine));
            }
        }
        assertThat(failures).isEmpty();
        assertThat(lines).isEqualTo(written.size());
    }

    @Test
    void javaReadsItsOwnRegisteredObjectsAsInertInstances() {
        for (int protocol = 0; protocol <= Pickler.HIGHEST_PROTOCOL; protocol++) {
            Object read = Pickle.loads(pickler(protocol).dumps(new Point(5, 6)));
            PyObject node = (PyObject) read;
            Object cls = protocol >= 2 ? node.callable() : node.args().get(0);
            assertThat(cls).as("p" + protocol).isEqualTo(GlobalRef.of("__main__", "Point"));
            assertThat(node.state()).as("p" + protocol).isEqualTo(Map.of("x", 5L, "y", 6L));
        }
    }

    @Test
    void onlyRecordsAndBeansCanBeRegistered() {
        for (Class<?> type : List.of(int.class, int[].class, Thread.State.class, Object.class, List.class,
                LinkedHashMap.class)) {
            assertThatThrownBy(() -> Pickler.builder().register(type, "m", "C"))
                    .as(type.getName()).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Pickler.builder().register(Point.class, "", "Point"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
