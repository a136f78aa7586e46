package dev.brine.value;

import dev.brine.Pickle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PyDict} against {@link LinkedHashMap} as the model: random sequences of every mutating operation, on dicts
 * that stay under the eight entries it scans without a table, cross into a table and grow, and empty out again,
 * compared (contents and insertion order) every 25 steps.
 */
class PyDictTest {

    /** A key whose hash is one of a few values, so that probe sequences collide and run into each other. */
    private record Crowded(int id) {
        @Override
        public int hashCode() {
            return id % 3;
        }
    }

    @Test
    void randomOperationsAgreeWithLinkedHashMap() {
        for (long seed = 1; seed <= 60; seed++) {
            Random r = new Random(seed);
            Map<Object, Object> model = new LinkedHashMap<>();
            PyDict dict = new PyDict();
            // Key spaces around the scan limit, a small table and a large one; removals make holes throughout.
            int keys = new int[] {6, 12, 100, 5_000}[(int) (seed % 4)];
            int largest = 0;
            for (int step = 0; step < 2_000; step++) {
                apply(r, keys, model, dict);
                largest = Math.max(largest, model.size());
                if (step % 25 == 0) {
                    assertSame(model, dict, seed, step);
                }
            }
            assertSame(model, dict, seed, -1);
            assertThat(largest).as("seed %d filled its key space", seed).isGreaterThanOrEqualTo(Math.min(keys, 6));
        }
    }

    private static Object key(Random r, int keys) {
        int k = r.nextInt(keys);
        return switch (k % 5) {
            case 0 -> k == 0 ? null : (Object) (long) k;
            case 1 -> new Crowded(k);
            case 2 -> PyTuple.of("t", (long) k);
            default -> "k" + k;                    // a new String each time: equal, not identical
        };
    }

    private static void apply(Random r, int keys, Map<Object, Object> model, PyDict dict) {
        switch (r.nextInt(12)) {
            case 0, 1, 2, 3 -> {
                Object k = key(r, keys);
                Object v = r.nextInt(10) == 0 ? null : (Object) r.nextInt();
                assertThat(dict.put(k, v)).isEqualTo(model.put(k, v));
            }
            case 4 -> {
                Object[] pairs = new Object[2 * (r.nextInt(r.nextBoolean() ? 4 : 400) + 1)];
                for (int i = 0; i < pairs.length; i += 2) {
                    pairs[i] = key(r, keys);
                    pairs[i + 1] = "v" + r.nextInt(50);
                    model.put(pairs[i], pairs[i + 1]);
                }
                dict.putPairs(pairs, 0, pairs.length);
            }
            case 5, 6 -> {
                Object k = key(r, keys);
                assertThat(dict.remove(k)).isEqualTo(model.remove(k));
            }
            case 7 -> {
                // Removal through each view's iterator, every third entry.
                int which = r.nextInt(3);
                Iterator<?> mi = which == 0 ? model.keySet().iterator()
                        : which == 1 ? model.values().iterator() : model.entrySet().iterator();
                Iterator<?> di = which == 0 ? dict.keySet().iterator()
                        : which == 1 ? dict.values().iterator() : dict.entrySet().iterator();
                int i = 0;
                while (mi.hasNext()) {
                    assertThat(di.hasNext()).isTrue();
                    assertThat(di.next()).isEqualTo(mi.next());
                    if (i++ % 3 == 1) {
                        mi.remove();
                        di.remove();
                    }
                }
                assertThat(di.hasNext()).isFalse();
            }
            case 8 -> {
                for (Map.Entry<Object, Object> e : dict.entrySet()) {
                    if (r.nextInt(4) == 0) {
                        e.setValue("set");
                        model.put(e.getKey(), "set");
                    }
                }
            }
            case 9 -> {
                Object k = key(r, keys);
                assertThat(dict.containsKey(k)).isEqualTo(model.containsKey(k));
                assertThat(dict.get(k)).isEqualTo(model.get(k));
                assertThat(dict.getOrDefault(k, "d")).isEqualTo(model.getOrDefault(k, "d"));
            }
            case 10 -> {
                if (r.nextInt(20) == 0) {
                    model.clear();
                    dict.clear();
                } else {
                    dict.replaceAll((k, v) -> v instanceof Integer ? (Integer) v + 1 : v);
                    model.replaceAll((k, v) -> v instanceof Integer ? (Integer) v + 1 : v);
                }
            }
            default -> {
                Object k = key(r, keys);
                assertThat(dict.keySet().remove(k)).isEqualTo(model.keySet().remove(k));
            }
        }
    }

    private static void assertSame(Map<Object, Object> model, PyDict dict, long seed, int step) {
        String where = "seed " + seed + ", step " + step;
        assertThat(dict.size()).as(where).isEqualTo(model.size());
        assertThat(dict.isEmpty()).as(where).isEqualTo(model.isEmpty());
        assertThat(new ArrayList<>(dict.entrySet())).as(where).containsExactlyElementsOf(model.entrySet());
        assertThat(new ArrayList<>(dict.keySet())).as(where).containsExactlyElementsOf(model.keySet());
        assertThat(new ArrayList<>(dict.values())).as(where).containsExactlyElementsOf(model.values());
        assertThat(dict).as(where).isEqualTo(model);
        assertThat(model).as(where).isEqualTo(dict);
        assertThat(dict.hashCode()).as(where).isEqualTo(model.hashCode());
        for (Object k : model.keySet()) {
            assertThat(dict.containsKey(k)).as(where).isTrue();
            assertThat(dict.get(k)).as(where).isEqualTo(model.get(k));
        }
        List<Object> walked = new ArrayList<>();
        dict.forEach((k, v) -> {
            walked.add(k);
            walked.add(v);
        });
        List<Object> expected = new ArrayList<>();
        model.forEach((k, v) -> {
            expected.add(k);
            expected.add(v);
        });
        assertThat(walked).as(where).isEqualTo(expected);
    }

    @Test
    void aLargeDictKeepsInsertionOrderThroughGrowthAndHoles() {
        PyDict dict = new PyDict();
        Map<Object, Object> model = new LinkedHashMap<>();
        for (long i = 0; i < 300_000; i++) {
            dict.put(i, i * 2);
            model.put(i, i * 2);
            if (i % 3 == 0) {
                dict.remove(i / 2);
                model.remove(i / 2);
            }
        }
        assertThat(dict).hasSameSizeAs(model);
        assertThat(new ArrayList<>(dict.keySet())).isEqualTo(new ArrayList<>(model.keySet()));
        for (long i = 0; i < 300_000; i++) {
            assertThat(dict.get(i)).isEqualTo(model.get(i));
        }
    }

    @Test
    void nullKeysAndValuesAreEntriesLikeAnyOther() {
        PyDict dict = PyDict.of(null, "none", "a", null);
        assertThat(dict.get(null)).isEqualTo("none");
        assertThat(dict.containsKey("a")).isTrue();
        assertThat(dict.get("a")).isNull();
        assertThat(dict.containsValue(null)).isTrue();
        assertThat(dict.containsKey("b")).isFalse();
        assertThat(dict.remove(null)).isEqualTo("none");
        assertThat(dict.containsKey(null)).isFalse();
        assertThat(dict).isNotEqualTo(Map.of("a", "x")).isEqualTo(java.util.Collections.singletonMap("a", null));
        assertThat(dict.hashCode()).isEqualTo(java.util.Collections.singletonMap("a", null).hashCode());
    }

    @Test
    void iteratorsFailFastAndRefuseASecondRemove() {
        PyDict dict = PyDict.of("a", 1, "b", 2, "c", 3);
        Iterator<Object> keys = dict.keySet().iterator();
        keys.next();
        dict.put("d", 4);
        assertThatThrownBy(keys::next).isInstanceOf(ConcurrentModificationException.class);
        Iterator<Object> again = dict.keySet().iterator();
        assertThatThrownBy(again::remove).isInstanceOf(IllegalStateException.class);
        again.next();
        again.remove();
        assertThatThrownBy(again::remove).isInstanceOf(IllegalStateException.class);
        assertThat(dict.keySet()).containsExactly("b", "c", "d");
        Iterator<Object> done = dict.values().iterator();
        done.next();
        done.next();
        done.next();
        assertThatThrownBy(done::next).isInstanceOf(java.util.NoSuchElementException.class);
        assertThatThrownBy(() -> dict.forEach((k, v) -> dict.remove("d")))
                .isInstanceOf(ConcurrentModificationException.class);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new PyDict(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PyDict.of("a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PyDict().putPairs(new Object[3], 0, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PyDict().putPairs(new Object[2], 1, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new PyDict().ensureCapacity((1 << 29) + 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("at most");
    }

    @Test
    void aCloneIsAPlainCopyWithoutHoles() {
        PyDict dict = new PyDict();
        for (int i = 0; i < 20; i++) {
            dict.put("k" + i, i);
        }
        for (int i = 0; i < 20; i += 2) {
            dict.remove("k" + i);
        }
        PyDict copy = dict.clone();
        assertThat(copy).isEqualTo(dict).isNotSameAs(dict);
        assertThat(new ArrayList<>(copy.keySet())).isEqualTo(new ArrayList<>(dict.keySet()));
        copy.put("k1", "changed");
        assertThat(dict.get("k1")).isEqualTo(1);
    }

    @Test
    void javaSerializationKeepsEntriesAndOrder() throws Exception {
        PyDict dict = PyDict.of("b", 2L, null, "none", PyTuple.of(1L, 2L), List.of("x"));
        dict.remove("b");
        dict.put("b", 3L);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(dict);
        }
        Object back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = in.readObject();
        }
        assertThat(back).isInstanceOf(PyDict.class).isEqualTo(dict);
        assertThat(new ArrayList<>(((PyDict) back).keySet())).isEqualTo(new ArrayList<>(dict.keySet()));
    }

    @Test
    void theReaderMakesPyDictsAndTheWriterWritesThemAsLinkedHashMaps() {
        for (int n : new int[] {0, 1, 5, 8, 9, 1_000, 1_001, 70_000}) {
            Map<Object, Object> model = new LinkedHashMap<>();
            PyDict dict = new PyDict();
            for (int i = 0; i < n; i++) {
                model.put("key" + i, (long) i);
                dict.put("key" + i, (long) i);
            }
            for (int protocol = 0; protocol <= 5; protocol++) {
                byte[] fromModel = Pickle.dumps(model, protocol);
                assertThat(Pickle.dumps(dict, protocol)).as("n=%d p%d", n, protocol).isEqualTo(fromModel);
                Object back = Pickle.loads(fromModel);
                assertThat(back).isInstanceOf(PyDict.class).isEqualTo(model);
                assertThat(new ArrayList<>(((PyDict) back).keySet())).isEqualTo(new ArrayList<>(model.keySet()));
                assertThat(Pickle.dumps(back, protocol)).isEqualTo(fromModel);
            }
        }
    }
}
