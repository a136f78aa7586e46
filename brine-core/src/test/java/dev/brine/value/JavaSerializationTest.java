package dev.brine.value;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.testing.MlPython;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java serialization of the value types (the decision is in this package's {@code package-info}): every value
 * read from a real pickle survives {@link ObjectOutputStream} and then writes, with {@link Pickle#dumps}, the very
 * bytes it wrote before, at every protocol it can be written at. The types are enumerated from the package's class
 * files, so a new value type is either serializable and sampled here, or listed with a reason.
 */
class JavaSerializationTest {
    /** The public types of this package that are not serializable, each with the reason. */
    static final Map<Class<?>, String> NOT_SERIALIZABLE = Map.of(
            CloudpickleView.class, "static helpers only: it has no instances",
            PyFunctionView.class, "a view of a PyObject: serialize the node and view it again",
            PyCode.class, "a view of a PyObject: serialize the node and view it again",
            PyDynamicClass.class, "a view of a PyObject: serialize the node and view it again");

    static MlPython python;
    /** (file, protocol, original bytes) of every real pickle. */
    static List<Object[]> files = new ArrayList<>();

    @BeforeAll
    static void generate() throws IOException {
        python = MlPython.require("pandas", "sklearn", "scipy", "numpy");
        for (String script : List.of("serial_values.py", "rewrite_corpus.py")) {
            Path dir = python.fixtures(script);
            for (String line : Files.readAllLines(dir.resolve("manifest.txt"))) {
                if (!line.isBlank()) {
                    String[] e = line.split(" ");
                    files.add(new Object[] {e[0], Integer.parseInt(e[2]), Files.readAllBytes(dir.resolve(e[0]))});
                }
            }
        }
        assertThat(files).hasSizeGreaterThan(300);
    }

    /** The public top-level classes of dev.brine.value, from its class files. */
    static List<Class<?>> valueTypes() throws Exception {
        Path dir = Path.of(PyTuple.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/brine/value");
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String f = p.getFileName().toString();
                if (f.endsWith(".class") && !f.contains("$") && !f.equals("package-info.class")) {
                    Class<?> c = Class.forName("dev.brine.value." + f.substring(0, f.length() - 6));
                    if (Modifier.isPublic(c.getModifiers()) && !c.isInterface()) {
                        types.add(c);
                    }
                }
            }
        }
        assertThat(types).contains(PyTuple.class, NDArray.class, PyCounter.class);
        return types;
    }

    @Test
    void everyValueTypeIsSerializableOrListedWithAReason() throws Exception {
        List<String> unlisted = new ArrayList<>();
        for (Class<?> c : valueTypes()) {
            boolean serializable = Serializable.class.isAssignableFrom(c);
            if (serializable == NOT_SERIALIZABLE.containsKey(c)) {
                unlisted.add(c.getSimpleName() + (serializable ? " is serializable but listed as not"
                        : " is neither serializable nor listed in NOT_SERIALIZABLE"));
            }
        }
        assertThat(unlisted).isEmpty();
        assertThat(valueTypes()).containsAll(NOT_SERIALIZABLE.keySet());
    }

    @Test
    void serializedValuesFromRealPicklesWriteTheSameBytes() throws Exception {
        Map<Class<?>, Integer> samples = new LinkedHashMap<>();
        List<String> differ = new ArrayList<>();
        int checks = 0;
        for (Object[] f : files) {
            String name = (String) f[0];
            int protocol = (Integer) f[1];
            Object root = Pickle.loads((byte[]) f[2]);
            byte[] before = Pickle.dumps(root, protocol);
            Object copy = roundTrip(root);
            // The whole graph: sharing between values (one b'b' for many arrays) survives with it.
            if (!Arrays.equals(before, Pickle.dumps(copy, protocol))) {
                differ.add(name);
            }
            checks++;
            // Each value on its own, at every protocol it can be written at.
            for (Object v : walk(root)) {
                Class<?> type = valueType(v.getClass());
                if (!(v instanceof Serializable) || type == null) {
                    continue;
                }
                samples.merge(type, 1, Integer::sum);
                if (samples.get(type) > 40) {
                    continue;                               // enough of this type
                }
                Object c = roundTrip(v);
                for (int p = 0; p <= 5; p++) {
                    byte[] expected;
                    try {
                        expected = Pickle.dumps(v, p);
                    } catch (PickleException e) {
                        continue;                           // not writable at this protocol (out-of-band data, ...)
                    }
                    checks++;
                    if (!Arrays.equals(expected, Pickle.dumps(c, p))) {
                        differ.add(name + ": a " + v.getClass().getSimpleName() + " at protocol " + p);
                    }
                }
            }
            for (Object v : walk(root)) {
                PyNamedTuple.from(v).ifPresent(t -> samples.merge(PyNamedTuple.class, 1, Integer::sum));
            }
        }
        System.out.println("Java serialization: " + checks + " pickles compared, samples per type " + samples);
        assertThat(differ).isEmpty();
        Set<String> unsampled = new TreeSet<>();
        for (Class<?> c : valueTypes()) {
            if (Serializable.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())
                    && c != PyList.class && !samples.containsKey(c)) {
                unsampled.add(c.getSimpleName());
            }
        }
        assertThat(unsampled).as("serializable value types no real pickle gave a sample of").isEmpty();
    }

    /**
     * {@code c}, or its nearest superclass, when that is a value type of {@code dev.brine.value}; null for anything
     * else. {@link PyList} is not one here: it is a Java collection, serialized item by item as {@code ArrayList}
     * is, and the value types among its items each serialize as their own pickle, so a name string two of them
     * shared is two strings after the round trip (and {@code dumps} at protocol 4 writes it twice). The whole-graph
     * check above covers lists as it covers every other container.
     */
    private static Class<?> valueType(Class<?> c) {
        if (PyList.class.isAssignableFrom(c)) {
            return null;
        }
        for (; c != null; c = c.getSuperclass()) {
            if (c.getPackageName().equals("dev.brine.value")) {
                return c;
            }
        }
        return null;
    }

    @Test
    void namedTuplesFromRealPicklesSurviveSerialization() throws Exception {
        int n = 0;
        for (Object[] f : files) {
            for (Object v : walk(Pickle.loads((byte[]) f[2]))) {
                if (PyNamedTuple.from(v).isPresent()) {
                    PyNamedTuple t = PyNamedTuple.from(v).get();
                    for (int p = 0; p <= 5; p++) {
                        assertThat(Pickle.dumps(roundTrip(t), p)).isEqualTo(Pickle.dumps(t, p));
                    }
                    n++;
                }
            }
        }
        assertThat(n).isGreaterThan(0);
    }

    @Test
    void aCounterAndADefaultDictKeepTheirClassAndFactory() throws Exception {
        PyDefaultDict d = new PyDefaultDict(GlobalRef.of("builtins", "list"));
        d.put("k", new ArrayList<>(List.of(1L)));
        PyCounter c = new PyCounter(Map.of("a", 2L));
        PyDefaultDict d2 = (PyDefaultDict) roundTrip(d);
        assertThat(d2.defaultFactory()).isEqualTo(GlobalRef.of("builtins", "list"));
        assertThat(((PyCounter) roundTrip(c)).pythonClass()).isEqualTo(PyCounter.CLASS);
        for (int p = 0; p <= 5; p++) {
            assertThat(Pickle.dumps(roundTrip(c), p)).isEqualTo(Pickle.dumps(c, p));
            assertThat(Pickle.dumps(d2, p)).isEqualTo(Pickle.dumps(d, p));
        }
    }

    static Object roundTrip(Object v) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(v);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return in.readObject();
        }
    }

    /** Every object reachable from {@code root} through containers and nodes, each once. */
    static List<Object> walk(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Object> all = new ArrayList<>();
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (o == null || !seen.add(o)) {
                continue;
            }
            all.add(o);
            List<Object> next = new ArrayList<>();
            if (o instanceof Map<?, ?> m) {
                next.addAll(m.keySet());
                next.addAll(m.values());
            }
            if (o instanceof Collection<?> c) {
                next.addAll(c);
            }
            if (o instanceof PyDictSubtype d) {
                next.add(d.state());
            }
            if (o instanceof PyDefaultDict d) {
                next.add(d.defaultFactory());
            }
            if (o instanceof PyObject n) {
                next.add(n.callable());
                next.add(n.args());
                next.addAll(n.states());
                next.addAll(n.listItems());
                next.addAll(n.dictItems().keySet());
                next.addAll(n.dictItems().values());
                next.addAll(n.setItems());
                if (n.kwargs() != null) {
                    next.addAll(n.kwargs().values());
                }
            }
            if (o instanceof PyException e) {
                next.add(e.args());
                next.add(e.state());
            }
            if (o instanceof NDArray a) {
                next.add(a.dtype());
            }
            if (o instanceof NDScalar s) {
                next.add(s.dtype());
            }
            next.stream().filter(x -> x != null).forEach(todo::push);
        }
        return all;
    }
}
