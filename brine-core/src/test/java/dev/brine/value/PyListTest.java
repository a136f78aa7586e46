package dev.brine.value;

import dev.brine.Pickle;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PyList} against {@link ArrayList} as the model: random sequences of every mutating operation, on lists that
 * stay in one array and lists that cross into pages (65,536 items a page) and back, compared every 50 steps.
 */
class PyListTest {
    private static final int PAGE = 65_536;

    @Test
    void randomOperationsAgreeWithArrayList() {
        for (long seed = 1; seed <= 40; seed++) {
            Random r = new Random(seed);
            List<Object> model = new ArrayList<>();
            PyList list = new PyList();
            // Sizes around 0, one page and a few pages: the page edges are where an off-by-one would hide.
            int around = new int[] {3, PAGE - 2, PAGE + 2, 3 * PAGE + 1}[(int) (seed % 4)];
            int largest = 0;
            for (int step = 0; step < 1_000; step++) {
                apply(r, around, model, list);
                largest = Math.max(largest, model.size());
                if (step % 50 == 0 || step == 999) {
                    assertSame(model, list, seed, step);
                }
            }
            assertSame(model, list, seed, -1);
            assertThat(largest).as("seed %d reached its size", seed).isGreaterThanOrEqualTo(around);
        }
    }

    private static void apply(Random r, int around, List<Object> model, PyList list) {
        int size = model.size();
        switch (r.nextInt(size < around ? 6 : 9)) {
            case 0, 1 -> {
                Object item = r.nextInt(100) == 0 ? null : (Object) r.nextInt();
                model.add(item);
                list.add(item);
            }
            case 2 -> {
                Object[] batch = new Object[r.nextInt(r.nextBoolean() ? 50 : 30_000) + 2];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = "s" + r.nextInt(1000);
                }
                int from = r.nextInt(batch.length);
                int to = from + r.nextInt(batch.length - from + 1);
                model.addAll(Arrays.asList(batch).subList(from, to));
                list.appendAll(batch, from, to);
            }
            case 3 -> {
                int at = r.nextInt(size + 1);
                model.add(at, at);
                list.add(at, at);
            }
            case 4 -> {
                List<Object> more = List.of(1L, 2.5, "x");
                int at = r.nextInt(size + 1);
                model.addAll(at, more);
                list.addAll(at, more);
            }
            case 5 -> {
                if (size > 0) {
                    int at = r.nextInt(size);
                    assertThat(list.set(at, -at)).isEqualTo(model.set(at, -at));
                }
            }
            case 6 -> {
                if (size > 0) {
                    int at = r.nextInt(size);
                    assertThat(list.remove(at)).isEqualTo(model.remove(at));
                }
            }
            case 7 -> {
                int from = r.nextInt(size + 1);
                int to = from + r.nextInt(Math.min(size - from, 7_000) + 1);
                model.subList(from, to).clear();
                list.subList(from, to).clear();
            }
            default -> {
                if (r.nextInt(20) == 0) {
                    model.clear();
                    list.clear();
                } else if (size > 0) {
                    Object item = model.get(r.nextInt(size));
                    assertThat(list.remove(item)).isEqualTo(model.remove(item));
                }
            }
        }
    }

    private static void assertSame(List<Object> model, PyList list, long seed, int step) {
        String where = "seed " + seed + ", step " + step;
        // Plain equality checks: AssertJ's element-by-element assertions are too slow on lists of 200k items.
        assertThat(list.size()).as(where).isEqualTo(model.size());
        assertThat(Arrays.equals(list.toArray(), model.toArray())).as(where + ": toArray()").isTrue();
        assertThat(Arrays.equals(list.toArray(new Object[0]), model.toArray())).as(where + ": toArray(T[])").isTrue();
        for (int i = 0; i < model.size(); i += 97) {
            assertThat(list.get(i)).as(where + ", item " + i).isEqualTo(model.get(i));
        }
        assertThat(list.equals(model)).as(where + ": PyList.equals").isTrue();
        assertThat(model.equals(list)).as(where + ": ArrayList.equals").isTrue();
        assertThat(list.hashCode()).as(where).isEqualTo(model.hashCode());
        List<Object> seen = new ArrayList<>();
        list.forEach(seen::add);
        assertThat(seen.equals(model)).as(where + ": forEach").isTrue();
    }

    @Test
    void sortCopyAndJavaSerializationKeepEveryItem() throws Exception {
        PyList list = new PyList();
        Random r = new Random(7);
        for (int i = 0; i < 3 * PAGE + 5; i++) {
            list.add((long) r.nextInt(50_000));
        }
        List<Object> model = new ArrayList<>(list);

        PyList copy = list.clone();
        assertThat(copy).isEqualTo(model).isNotSameAs(list);
        copy.set(0, "changed");
        assertThat(list.get(0)).isEqualTo(model.get(0));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(list);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isInstanceOf(PyList.class).isEqualTo(model);
        }

        list.sort(null);
        model.sort(null);
        assertThat(list).isEqualTo(model);
    }

    @Test
    void badIndexesAndConcurrentChangesAreRefusedAsListsRefuseThem() {
        PyList list = PyList.of(1, 2, 3);
        assertThatThrownBy(() -> list.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.add(5, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.appendAll(new Object[2], 1, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new PyList(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(list).containsExactly(1, 2, 3);

        Iterator<Object> it = list.iterator();
        it.next();
        list.add(4);
        assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
    }

    @Test
    void theReaderMakesPyListsOfEverySizeAndTheWriterWritesThemBack() {
        for (int n : new int[] {0, 1, PAGE - 1, PAGE, PAGE + 1, 5 * PAGE + 17}) {
            List<Object> items = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                items.add(i % 3 == 0 ? "s" + i : i);
            }
            byte[] pickled = Pickle.dumps(items);
            Object read = Pickle.loads(pickled);
            assertThat(read).as("%d items", n).isInstanceOf(PyList.class).isEqualTo(items);
            assertThat(Pickle.dumps(read)).as("%d items written back", n).isEqualTo(pickled);
            assertThat(Pickle.dumps(new PyList(items))).as("%d items, a PyList made in Java", n).isEqualTo(pickled);
        }
    }
}
