package dev.brine.value;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.Consumer;

/**
 * A Python {@code list}: what the reader makes of every pickled list; the writer writes it as a list, byte for byte
 * as it writes an {@code ArrayList} of the same items. It is a mutable, random-access list of any values,
 * {@code null} included, equal to any other {@code List} with the same items in the same order.
 *
 * <p>Why not {@link java.util.ArrayList}: a list keeps up to 65,536 items in one array, as {@code ArrayList} does, and
 * a longer one in pages of 65,536 (256 KiB, below the size G1 treats as humongous for any heap). An
 * {@code ArrayList} of a million items needs one 4 MB array; G1, the JVM's default
 * collector, allocates an array that large outside its young generation (a "humongous" object), and JDK 17 frees
 * such an array of references only after a concurrent marking cycle. Until then every young collection treats the
 * items it refers to as live, even after the list itself is garbage: loading a list of a million numbers under G1
 * was several times slower than under the parallel collector. Pages stay young and die young.
 *
 * <p>{@link #get} and {@link #set} cost one more array load than {@code ArrayList}'s once a list is paged; inserting
 * or removing in the middle moves the later items, as {@code ArrayList} does. Not thread-safe; iterators fail fast.
 * A list the reader made is a subclass of this one (it carries a number for the writer's memo); treat it as a
 * {@code PyList}.
 */
public class PyList extends AbstractList<Object> implements RandomAccess, Cloneable, Serializable {
    private static final long serialVersionUID = 1L;

    private static final int PAGE_SHIFT = 16;
    /** Items per page, and the most a list keeps in one array. */
    private static final int PAGE = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE - 1;
    private static final Object[] NONE = {};
    /** The largest size; one below {@code Integer.MAX_VALUE} so that {@code size + 1} never overflows. */
    private static final int MAX_SIZE = Integer.MAX_VALUE - 1;

    /** The items while the list has not been paged (then {@code pages} is null); null once it is. */
    private transient Object[] items;
    /** Once room for more than {@link #PAGE} items was needed: full-length pages up to that room, null after. */
    private transient Object[][] pages;
    private transient int size;

    /** An empty list. */
    public PyList() {
        items = NONE;
    }

    /** An empty list with room for {@code capacity} items. */
    public PyList(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative capacity: " + capacity);
        }
        items = NONE;
        ensureCapacity(capacity);
    }

    /** A list of {@code items}, in their iteration order. */
    public PyList(Collection<?> items) {
        this(items.size());
        addAll(items);
    }

    /** A list of {@code items}. */
    public static PyList of(Object... items) {
        PyList list = new PyList(items.length);
        for (Object item : items) {
            list.add(item);
        }
        return list;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object get(int index) {
        Objects.checkIndex(index, size);
        Object[][] p = pages;
        return p == null ? items[index] : p[index >>> PAGE_SHIFT][index & PAGE_MASK];
    }

    @Override
    public Object set(int index, Object item) {
        Objects.checkIndex(index, size);
        Object[] a = arrayOf(index);
        int i = pages == null ? index : index & PAGE_MASK;
        Object old = a[i];
        a[i] = item;
        return old;
    }

    @Override
    public boolean add(Object item) {
        modCount++;
        int s = size;
        Object[][] p = pages;
        if (p == null && s < items.length) {
            items[s] = item;
        } else {
            reserve(s + 1L, true);
            if (pages == null) {
                items[s] = item;
            } else {
                pages[s >>> PAGE_SHIFT][s & PAGE_MASK] = item;
            }
        }
        size = s + 1;
        return true;
    }

    @Override
    public void add(int index, Object item) {
        Objects.checkIndex(index, size + 1);
        add(null);                                      // room for one more, at the end
        int s = size;
        if (pages == null) {
            System.arraycopy(items, index, items, index + 1, s - 1 - index);
            items[index] = item;
            return;
        }
        // Move [index, s - 1) one place up, page by page from the last, carrying each page's last item over.
        int first = index >>> PAGE_SHIFT;
        for (int pi = (s - 1) >>> PAGE_SHIFT; pi > first; pi--) {
            Object[] page = pages[pi];
            int used = Math.min(PAGE, s - (pi << PAGE_SHIFT));
            System.arraycopy(page, 0, page, 1, used - 1);
            page[0] = pages[pi - 1][PAGE - 1];
        }
        Object[] page = pages[first];
        int at = index & PAGE_MASK;
        int used = Math.min(PAGE, s - (first << PAGE_SHIFT));
        System.arraycopy(page, at, page, at + 1, used - 1 - at);
        page[at] = item;
    }

    @Override
    public Object remove(int index) {
        Objects.checkIndex(index, size);
        modCount++;
        int s = size;
        Object old;
        if (pages == null) {
            old = items[index];
            System.arraycopy(items, index + 1, items, index, s - 1 - index);
            items[s - 1] = null;
        } else {
            // Move (index, s) one place down, page by page from the first, carrying each next page's first item.
            int first = index >>> PAGE_SHIFT;
            int last = (s - 1) >>> PAGE_SHIFT;
            Object[] page = pages[first];
            int at = index & PAGE_MASK;
            old = page[at];
            for (int pi = first; pi <= last; pi++) {
                page = pages[pi];
                int used = Math.min(PAGE, s - (pi << PAGE_SHIFT));
                System.arraycopy(page, at + 1, page, at, used - 1 - at);
                page[used - 1] = pi < last ? pages[pi + 1][0] : null;
                at = 0;
            }
        }
        size = s - 1;
        return old;
    }

    @Override
    public void clear() {
        modCount++;
        if (pages == null) {
            Arrays.fill(items, 0, size, null);
        } else {
            items = NONE;
            pages = null;
        }
        size = 0;
    }

    @Override
    protected void removeRange(int from, int to) {
        Objects.checkFromToIndex(from, to, size);
        if (from == to) {
            return;
        }
        modCount++;
        int s = size;
        int gap = to - from;
        if (pages == null) {
            System.arraycopy(items, to, items, from, s - to);
            Arrays.fill(items, s - gap, s, null);
        } else {
            for (int i = from; i + gap < s; i++) {
                pages[i >>> PAGE_SHIFT][i & PAGE_MASK] = pages[(i + gap) >>> PAGE_SHIFT][(i + gap) & PAGE_MASK];
            }
            for (int i = s - gap; i < s; i++) {
                pages[i >>> PAGE_SHIFT][i & PAGE_MASK] = null;
            }
        }
        size = s - gap;
    }

    @Override
    public boolean addAll(Collection<?> c) {
        Object[] more = c.toArray();
        if (more.length == 0) {
            return false;
        }
        reserve((long) size + more.length, false);
        appendAll(more, 0, more.length);
        return true;
    }

    /**
     * Appends {@code source[from, to)}: what the reader's APPENDS does with the items on its stack, one copy per
     * page instead of one {@code add} per item.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code source}
     */
    public void appendAll(Object[] source, int from, int to) {
        Objects.checkFromToIndex(from, to, source.length);
        if (from == to) {
            return;
        }
        modCount++;
        reserve((long) size + (to - from), false);
        int s = size;
        if (pages == null) {
            System.arraycopy(source, from, items, s, to - from);
            size = s + (to - from);
            return;
        }
        while (from < to) {
            int at = s & PAGE_MASK;
            int n = Math.min(PAGE - at, to - from);
            System.arraycopy(source, from, pages[s >>> PAGE_SHIFT], at, n);
            from += n;
            s += n;
        }
        size = s;
    }

    /**
     * Makes room for {@code capacity} items without further allocation. A list not yet paged grows its one array
     * (an empty list to exactly {@code capacity}, a longer one by half or more); past 65,536 items the list is
     * paged, and the pages up to {@code capacity} are allocated.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public void ensureCapacity(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative capacity: " + capacity);
        }
        reserve(capacity, false);
    }

    /** Makes room for {@code capacity} items; {@code oneMore} when they are the current ones and one more. */
    private void reserve(long capacity, boolean oneMore) {
        if (capacity > MAX_SIZE) {
            throw new IllegalStateException("a list holds at most " + MAX_SIZE + " items; room for " + capacity
                    + " was asked for");
        }
        int need = (int) capacity;
        if (pages == null) {
            if (need <= items.length) {
                return;
            }
            if (need <= PAGE) {
                // An empty list gets exactly what was asked: most lists are filled by one APPENDS or LIST. One
                // that grows again grows by half (an item at a time, as ArrayList does) or doubles (a batch at a
                // time, so that a list of many batches is not copied once per batch).
                int length = items.length;
                int grown = size == 0 ? need
                        : Math.max(need, oneMore ? length + (length >> 1) : 2 * length);
                items = Arrays.copyOf(items, Math.min(grown, PAGE));
                return;
            }
            Object[] first = items.length == PAGE ? items : Arrays.copyOf(items, PAGE);
            pages = new Object[Math.max(4, ((need - 1) >>> PAGE_SHIFT) + 1)][];
            pages[0] = first;
            items = null;
        }
        int needed = ((need - 1) >>> PAGE_SHIFT) + 1;
        if (needed > pages.length) {
            pages = Arrays.copyOf(pages, (int) Math.min(Math.max(needed, 2L * pages.length),
                    (MAX_SIZE >>> PAGE_SHIFT) + 1));
        }
        for (int pi = needed - 1; pi >= 0 && pages[pi] == null; pi--) {
            pages[pi] = new Object[PAGE];
        }
    }

    /** The array that holds item {@code index}. */
    private Object[] arrayOf(int index) {
        return pages == null ? items : pages[index >>> PAGE_SHIFT];
    }

    @Override
    public void forEach(Consumer<? super Object> action) {
        Objects.requireNonNull(action);
        int expected = modCount;
        int s = size;
        for (int i = 0; i < s; i++) {
            action.accept(pages == null ? items[i] : pages[i >>> PAGE_SHIFT][i & PAGE_MASK]);
            if (modCount != expected) {
                throw new ConcurrentModificationException();
            }
        }
    }

    @Override
    public Object[] toArray() {
        Object[] out = new Object[size];
        copyTo(out);
        return out;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T[] toArray(T[] a) {
        T[] out = a.length >= size ? a : (T[]) java.lang.reflect.Array.newInstance(a.getClass().getComponentType(),
                size);
        copyTo(out);
        if (out.length > size) {
            out[size] = null;
        }
        return out;
    }

    private void copyTo(Object[] out) {
        if (pages == null) {
            System.arraycopy(items, 0, out, 0, size);
            return;
        }
        for (int at = 0; at < size; at += PAGE) {
            System.arraycopy(pages[at >>> PAGE_SHIFT], 0, out, at, Math.min(PAGE, size - at));
        }
    }

    @Override
    public void sort(Comparator<? super Object> c) {
        Object[] a = toArray();
        Arrays.sort(a, c);
        modCount++;
        if (pages == null) {
            System.arraycopy(a, 0, items, 0, a.length);
        } else {
            for (int at = 0; at < a.length; at += PAGE) {
                System.arraycopy(a, at, pages[at >>> PAGE_SHIFT], 0, Math.min(PAGE, a.length - at));
            }
        }
    }

    /** A shallow copy: a new list of the same items (a list the reader made copies to a plain {@code PyList}). */
    @Override
    public PyList clone() {
        PyList copy = new PyList(size);
        copy.appendAll(toArray(), 0, size);
        return copy;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeObject(get(i));
        }
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        int n = in.readInt();
        if (n < 0) {
            throw new java.io.InvalidObjectException("negative size: " + n);
        }
        items = NONE;
        // Grown as items arrive, never from the declared size alone.
        for (int i = 0; i < n; i++) {
            add(in.readObject());
        }
    }
}
