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

    /** How an unboxed list's form should change, tracked beside the model list. */
    private enum Form { BOXED, LONGS, DOUBLES }

    @Test
    void unboxedListsAgreeWithArrayListAndChangeFormOnlyWhenTheyMust() {
        for (long seed = 1; seed <= 60; seed++) {
            Random r = new Random(seed);
            int start = new int[] {0, 5, PAGE + 3, 3 * PAGE}[(int) (seed % 4)];
            boolean longs = seed % 2 == 0;
            List<Object> model = new ArrayList<>();
            PyList list;
            if (longs) {
                long[] values = r.longs(start).toArray();
                list = PyList.ofLongs(values);
                Arrays.stream(values).forEach(model::add);
            } else {
                double[] values = r.doubles(start).map(d -> d * 1e6).toArray();
                list = PyList.ofDoubles(values);
                Arrays.stream(values).forEach(model::add);
            }
            Form form = longs ? Form.LONGS : Form.DOUBLES;
            for (int step = 0; step < 400; step++) {
                form = applyNumbers(r, model, list, form);
                String where = "seed " + seed + ", step " + step;
                assertThat(list.isUnboxedLongs()).as(where + ": long[]").isEqualTo(form == Form.LONGS);
                assertThat(list.isUnboxedDoubles()).as(where + ": double[]").isEqualTo(form == Form.DOUBLES);
                if (step % 40 == 0) {
                    assertSame(model, list, seed, step);
                }
            }
            assertSame(model, list, seed, -1);
        }
    }

    /** A random number, sometimes a special one: NaN, -0.0, the extremes. */
    private static Object number(Random r, boolean asLong) {
        if (asLong) {
            return r.nextInt(10) == 0 ? new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1}[r.nextInt(4)]
                    : (long) r.nextInt(1_000);
        }
        return r.nextInt(10) == 0 ? new double[] {Double.NaN, -0.0, Double.NEGATIVE_INFINITY, Double.MIN_VALUE}[r.nextInt(4)]
                : r.nextInt(1_000) / 8.0;
    }

    private static Form applyNumbers(Random r, List<Object> model, PyList list, Form form) {
        int size = model.size();
        boolean asLong = form == Form.LONGS || form == Form.BOXED && r.nextBoolean() || r.nextInt(8) == 0;
        Object item = r.nextInt(40) == 0 ? (r.nextBoolean() ? "s" : null) : number(r, asLong);
        boolean fits = form == Form.LONGS && item instanceof Long || form == Form.DOUBLES && item instanceof Double;
        Form kept = fits ? form : Form.BOXED;
        switch (r.nextInt(13)) {
            case 0, 1 -> {
                model.add(item);
                list.add(item);
                return kept;
            }
            case 2 -> {
                int n = r.nextInt(r.nextBoolean() ? 5 : 3_000);
                long[] values = r.longs(n + 4, -1_000, 1_000).toArray();
                int from = r.nextInt(3);
                list.appendLongs(values, from, from + n);
                for (int i = from; i < from + n; i++) {
                    model.add(values[i]);
                }
                return n == 0 ? form : size == 0 || form == Form.LONGS ? Form.LONGS : Form.BOXED;
            }
            case 3 -> {
                int n = r.nextInt(r.nextBoolean() ? 5 : 3_000);
                double[] values = r.doubles(n).toArray();
                list.appendDoubles(values, 0, n);
                Arrays.stream(values).forEach(model::add);
                return n == 0 ? form : size == 0 || form == Form.DOUBLES ? Form.DOUBLES : Form.BOXED;
            }
            case 4 -> {
                Object[] batch = {number(r, asLong), number(r, asLong), item};
                list.appendAll(batch, 0, 3);
                model.addAll(Arrays.asList(batch));
                boolean all = Arrays.stream(batch).allMatch(o -> form == Form.LONGS && o instanceof Long
                        || form == Form.DOUBLES && o instanceof Double);
                return all ? form : Form.BOXED;
            }
            case 5 -> {
                if (size == 0) {
                    return form;
                }
                int at = r.nextInt(size);
                assertThat(list.set(at, item)).isEqualTo(model.set(at, item));
                return kept;
            }
            case 6 -> {
                int at = r.nextInt(size + 1);
                model.add(at, item);
                list.add(at, item);
                return kept;
            }
            case 7 -> {
                if (size > 0) {
                    int at = r.nextInt(size);
                    assertThat(list.remove(at)).isEqualTo(model.remove(at));
                }
                return form;
            }
            case 8 -> {
                int from = r.nextInt(size + 1);
                int to = from + r.nextInt(Math.min(size - from, 2_000) + 1);
                model.subList(from, to).clear();
                list.subList(from, to).clear();
                return form;
            }
            case 9 -> {
                if (form == Form.BOXED) {
                    return form;                                // mixed items need not be mutually comparable
                }
                model.sort(null);
                list.sort(null);
                return form;
            }
            case 10 -> {
                if (size > 0) {
                    int at = r.nextInt(size);
                    Object expected = model.get(at);
                    if (form == Form.LONGS) {
                        assertThat(list.getLong(at)).isEqualTo(expected);
                    } else if (form == Form.DOUBLES) {
                        assertThat(Double.valueOf(list.getDouble(at))).isEqualTo(expected);
                    }
                }
                return form;
            }
            case 11 -> {
                list.ensureCapacity(size + r.nextInt(100));
                return form;
            }
            default -> {
                if (r.nextInt(10) == 0) {
                    model.clear();
                    list.clear();
                    return Form.BOXED;
                }
                PyList copy = list.clone();
                assertThat(copy.isUnboxedLongs()).isEqualTo(form == Form.LONGS);
                assertThat(copy.isUnboxedDoubles()).isEqualTo(form == Form.DOUBLES);
                assertThat(copy.equals(model)).isTrue();
                if (size > 0) {
                    copy.set(0, "changed");
                    assertThat(list.get(0)).isEqualTo(model.get(0));
                }
                return form;
            }
        }
    }

    @Test
    void getLongAndGetDoubleReadEveryFormAndRefuseOtherItems() throws Exception {
        PyList longs = PyList.ofLongs(1, Long.MIN_VALUE);
        PyList doubles = PyList.ofDoubles(0.5, Double.NaN);
        PyList boxed = PyList.of(1L, 0.5, 1, null, "x");
        assertThat(longs.getLong(1)).isEqualTo(Long.MIN_VALUE);
        assertThat(doubles.getDouble(1)).isNaN();
        assertThat(boxed.getLong(0)).isEqualTo(1L);
        assertThat(boxed.getDouble(1)).isEqualTo(0.5);
        assertThatThrownBy(() -> boxed.getLong(2)).isInstanceOf(ClassCastException.class)
                .hasMessageContaining("item 2 is a java.lang.Integer");
        assertThatThrownBy(() -> boxed.getDouble(3)).isInstanceOf(ClassCastException.class)
                .hasMessageContaining("item 3 is null");
        assertThatThrownBy(() -> longs.getDouble(0)).isInstanceOf(ClassCastException.class);
        assertThatThrownBy(() -> doubles.getLong(0)).isInstanceOf(ClassCastException.class);
        assertThatThrownBy(() -> longs.getLong(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> doubles.getDouble(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> longs.appendLongs(new long[2], 1, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(longs).containsExactly(1L, Long.MIN_VALUE);

        // Bulk copies across the pages of a long unboxed list, and out of a boxed one.
        long[] many = new Random(5).longs(3 * 32_768 + 7).toArray();
        PyList paged = PyList.ofLongs(many);
        long[] copied = new long[40_000];
        paged.getLongs(30_000, 70_000, copied, 0);
        assertThat(copied).isEqualTo(Arrays.copyOfRange(many, 30_000, 70_000));
        PyList pagedDoubles = PyList.ofDoubles(Arrays.stream(many).asDoubleStream().toArray());
        double[] outDoubles = new double[3];
        pagedDoubles.getDoubles(32_767, 32_770, outDoubles, 0);
        assertThat(outDoubles).containsExactly(many[32_767], many[32_768], many[32_769]);
        long[] fromBoxed = new long[2];
        PyList.of(7L, 8L).getLongs(0, 2, fromBoxed, 0);
        assertThat(fromBoxed).containsExactly(7L, 8L);
        assertThatThrownBy(() -> boxed.getLongs(0, 3, new long[3], 0)).isInstanceOf(ClassCastException.class);
        assertThatThrownBy(() -> paged.getLongs(0, 10, new long[9], 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> paged.getLongs(5, 4, copied, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> paged.getDoubles(0, 1, new double[1], 0)).isInstanceOf(ClassCastException.class);

        // Java serialization keeps the items (boxed: the serialized form is the items, one object each).
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(doubles);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(List.of(0.5, Double.NaN));
        }

        // An iterator sees a set() that boxes the list, as an ArrayList's iterator sees a set().
        Iterator<Object> it = longs.iterator();
        it.next();
        longs.set(1, "boxed");
        assertThat(it.next()).isEqualTo("boxed");
        assertThat(longs.isUnboxedLongs()).isFalse();
    }

    @Test
    void unboxedListsAreWrittenAsTheBoxedListsOfTheSameItems() {
        long[] ints = new Random(3).longs(5_000, -70_000, 70_000).toArray();
        ints[17] = 1L << 40;                                    // beyond BININT: LONG1
        ints[18] = Long.MIN_VALUE;
        double[] floats = new Random(4).doubles(5_000).toArray();
        floats[9] = Double.NaN;
        for (int proto = 0; proto <= 5; proto++) {
            List<Object> boxedInts = new ArrayList<>();
            Arrays.stream(ints).forEach(boxedInts::add);
            List<Object> boxedFloats = new ArrayList<>();
            Arrays.stream(floats).forEach(boxedFloats::add);
            assertThat(Pickle.dumps(PyList.ofLongs(ints), proto)).as("ints, protocol %d", proto)
                    .isEqualTo(Pickle.dumps(boxedInts, proto));
            assertThat(Pickle.dumps(PyList.ofDoubles(floats), proto)).as("floats, protocol %d", proto)
                    .isEqualTo(Pickle.dumps(boxedFloats, proto));
            assertThat(Pickle.dumps(PyList.ofLongs(1, 2), proto)).isEqualTo(Pickle.dumps(List.of(1L, 2L), proto));
        }
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
