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
 * <h2>Unboxed lists of numbers</h2>
 * A list of Python ints ({@code Long}) or floats ({@code Double}) may hold its items <em>unboxed</em>, in a
 * {@code long[]} or {@code double[]} (in pages of 32,768, 256 KiB, once longer), as PyPy's list strategies do:
 * 8 bytes an item instead of a reference and a 16-byte box, and nothing for a young collection to trace. The reader makes a list unboxed when its items arrive
 * as a run of ints or of floats (see {@link #appendLongs}); {@link #ofLongs} and {@link #ofDoubles} make one from
 * Java. Such a list behaves as any other: {@link #get} returns a box ({@code Long.valueOf}, so a new one each call
 * for ints outside -128 to 127, and for floats), and storing anything but a {@code Long} (or a {@code Double}) boxes
 * every item, after which the list stays boxed. Python does not give ints and floats an identity that pickling
 * keeps (the pickler never memoizes them), so nothing a pickle says is lost. {@link #getLong} and {@link #getDouble}
 * read an item without a box, and {@link #isUnboxedLongs} and {@link #isUnboxedDoubles} tell how a list holds its
 * items now.
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
    /** Items per page of an unboxed list: as many bytes as a page of references. */
    private static final int UNBOXED_SHIFT = 15;
    private static final int UNBOXED_PAGE = 1 << UNBOXED_SHIFT;
    private static final int UNBOXED_MASK = UNBOXED_PAGE - 1;

    /** The items while they are in one array of references; null while {@link #store} holds them. */
    private transient Object[] items;
    /**
     * Null while {@link #items} holds the list. Otherwise where its items are: an {@code Object[][]} of full-length
     * pages once the list needed room for more than {@link #PAGE} items; while it is unboxed, a {@code long[]} or
     * {@code double[]}, or once it needed room for more than {@link #UNBOXED_PAGE}, a {@code long[][]} or
     * {@code double[][]} of full-length pages. One field for every form, so that a list is no larger for them: one
     * more reference would make the list the reader makes 40 bytes instead of 32.
     */
    private transient Object store;
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

    /** An unboxed list of Python ints (unboxed even when empty): a copy of {@code values}. */
    public static PyList ofLongs(long... values) {
        PyList list = new PyList();
        list.items = null;
        list.store = new long[0];
        list.appendLongs(values, 0, values.length);
        return list;
    }

    /** An unboxed list of Python floats (unboxed even when empty): a copy of {@code values}. */
    public static PyList ofDoubles(double... values) {
        PyList list = new PyList();
        list.items = null;
        list.store = new double[0];
        list.appendDoubles(values, 0, values.length);
        return list;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object get(int index) {
        Objects.checkIndex(index, size);
        Object s = store;
        return s == null ? items[index] : at(s, index);
    }

    /** Item {@code index} of a list whose items are in {@code store}; the index is checked. */
    private static Object at(Object store, int index) {
        if (store instanceof Object[][]) {
            return ((Object[][]) store)[index >>> PAGE_SHIFT][index & PAGE_MASK];
        }
        if (store instanceof long[]) {
            return ((long[]) store)[index];
        }
        if (store instanceof double[]) {
            return ((double[]) store)[index];
        }
        if (store instanceof long[][]) {
            return ((long[][]) store)[index >>> UNBOXED_SHIFT][index & UNBOXED_MASK];
        }
        return ((double[][]) store)[index >>> UNBOXED_SHIFT][index & UNBOXED_MASK];
    }

    /**
     * The int at {@code index}, without a box when the list is unboxed.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not below {@link #size()}
     * @throws ClassCastException if the item is not a {@code Long} (a Python int of 64 bits or fewer)
     */
    public long getLong(int index) {
        Objects.checkIndex(index, size);
        Object st = store;
        if (st instanceof long[]) {
            return ((long[]) st)[index];
        }
        if (st instanceof long[][]) {
            return ((long[][]) st)[index >>> UNBOXED_SHIFT][index & UNBOXED_MASK];
        }
        Object item = get(index);
        if (item instanceof Long) {
            return (Long) item;
        }
        throw new ClassCastException("item " + index + " is " + describe(item) + ", not a Long");
    }

    /**
     * The float at {@code index}, without a box when the list is unboxed.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not below {@link #size()}
     * @throws ClassCastException if the item is not a {@code Double} (a Python float)
     */
    public double getDouble(int index) {
        Objects.checkIndex(index, size);
        Object st = store;
        if (st instanceof double[]) {
            return ((double[]) st)[index];
        }
        if (st instanceof double[][]) {
            return ((double[][]) st)[index >>> UNBOXED_SHIFT][index & UNBOXED_MASK];
        }
        Object item = get(index);
        if (item instanceof Double) {
            return (Double) item;
        }
        throw new ClassCastException("item " + index + " is " + describe(item) + ", not a Double");
    }

    /**
     * Copies the ints at {@code [from, to)} into {@code dest} from {@code destFrom}: for an unboxed list, as
     * {@code System.arraycopy} copies, without a box each.
     *
     * @throws IndexOutOfBoundsException if the range is not within the list, or the items do not fit {@code dest}
     * @throws ClassCastException if an item is not a {@code Long}; {@code dest} then holds the items before it
     */
    public void getLongs(int from, int to, long[] dest, int destFrom) {
        Objects.checkFromToIndex(from, to, size);
        Objects.checkFromIndexSize(destFrom, to - from, dest.length);
        if (longs(store)) {
            copyOut(from, to, dest, destFrom);
            return;
        }
        for (int i = from; i < to; i++) {
            dest[destFrom + i - from] = getLong(i);
        }
    }

    /**
     * Copies the floats at {@code [from, to)} into {@code dest} from {@code destFrom}: for an unboxed list, as
     * {@code System.arraycopy} copies, without a box each.
     *
     * @throws IndexOutOfBoundsException if the range is not within the list, or the items do not fit {@code dest}
     * @throws ClassCastException if an item is not a {@code Double}; {@code dest} then holds the items before it
     */
    public void getDoubles(int from, int to, double[] dest, int destFrom) {
        Objects.checkFromToIndex(from, to, size);
        Objects.checkFromIndexSize(destFrom, to - from, dest.length);
        if (isUnboxedDoubles()) {
            copyOut(from, to, dest, destFrom);
            return;
        }
        for (int i = from; i < to; i++) {
            dest[destFrom + i - from] = getDouble(i);
        }
    }

    /** Copies items {@code [from, to)} of an unboxed list into {@code dest}, an array of its kind. */
    private void copyOut(int from, int to, Object dest, int destFrom) {
        Object st = store;
        if (!(st instanceof Object[])) {
            System.arraycopy(st, from, dest, destFrom, to - from);
            return;
        }
        Object[] pages = (Object[]) st;
        while (from < to) {
            int at = from & UNBOXED_MASK;
            int n = Math.min(UNBOXED_PAGE - at, to - from);
            System.arraycopy(pages[from >>> UNBOXED_SHIFT], at, dest, destFrom, n);
            from += n;
            destFrom += n;
        }
    }

    private static String describe(Object item) {
        return item == null ? "null" : "a " + item.getClass().getName();
    }

    /** Whether the list holds its items unboxed as {@code long}s now (see the class comment). */
    public boolean isUnboxedLongs() {
        return longs(store);
    }

    /** Whether the list holds its items unboxed as {@code double}s now (see the class comment). */
    public boolean isUnboxedDoubles() {
        Object st = store;
        return st instanceof double[] || st instanceof double[][];
    }

    private static boolean longs(Object store) {
        return store instanceof long[] || store instanceof long[][];
    }

    private boolean unboxed() {
        Object st = store;
        return st instanceof long[] || st instanceof double[] || st instanceof long[][] || st instanceof double[][];
    }

    /** Whether an unboxed list's items are in pages: a {@code long[][]} or {@code double[][]}. */
    private boolean unboxedPaged() {
        Object st = store;
        return st instanceof long[][] || st instanceof double[][];
    }

    /** Whether {@code item} can be stored in the unboxed {@code store} as it is. */
    private static boolean fits(Object store, Object item) {
        Class<?> c = item == null ? null : item.getClass();
        return longs(store) ? c == Long.class : c == Double.class;
    }

    @Override
    public Object set(int index, Object item) {
        Objects.checkIndex(index, size);
        Object s = store;
        Object old;
        if (s == null) {
            old = items[index];
            items[index] = item;
            return old;
        }
        old = at(s, index);
        if (s instanceof Object[][]) {
            ((Object[][]) s)[index >>> PAGE_SHIFT][index & PAGE_MASK] = item;
            return old;
        }
        if (fits(s, item)) {
            putUnboxed(s, index, item);
        } else {
            box();
            set(index, item);
        }
        return old;
    }

    /** Stores {@code item}, which {@link #fits}, at {@code index} of the unboxed {@code store}. */
    private static void putUnboxed(Object store, int index, Object item) {
        if (store instanceof long[]) {
            ((long[]) store)[index] = (Long) item;
        } else if (store instanceof double[]) {
            ((double[]) store)[index] = (Double) item;
        } else if (store instanceof long[][]) {
            ((long[][]) store)[index >>> UNBOXED_SHIFT][index & UNBOXED_MASK] = (Long) item;
        } else {
            ((double[][]) store)[index >>> UNBOXED_SHIFT][index & UNBOXED_MASK] = (Double) item;
        }
    }

    @Override
    public boolean add(Object item) {
        modCount++;
        int s = size;
        if (store == null && s < items.length) {
            items[s] = item;
        } else if (unboxed() && fits(store, item)) {
            reserveUnboxed(s + 1L, true);
            putUnboxed(store, s, item);
        } else {
            box();
            reserve(s + 1L, true);
            if (store == null) {
                items[s] = item;
            } else {
                pages()[s >>> PAGE_SHIFT][s & PAGE_MASK] = item;
            }
        }
        size = s + 1;
        return true;
    }

    @Override
    public void add(int index, Object item) {
        Objects.checkIndex(index, size + 1);
        int s = size;
        boolean stayUnboxed = unboxed() && fits(store, item);
        add(stayUnboxed ? item : null);                 // room for one more, at the end (boxes what must be)
        move(index, index + 1, s - index);
        if (stayUnboxed) {
            putUnboxed(store, index, item);
        } else if (store == null) {
            items[index] = item;
        } else {
            pages()[index >>> PAGE_SHIFT][index & PAGE_MASK] = item;
        }
    }

    @Override
    public Object remove(int index) {
        Objects.checkIndex(index, size);
        modCount++;
        Object old = get(index);
        int s = size;
        move(index + 1, index, s - 1 - index);
        clearFrom(s - 1);
        size = s - 1;
        return old;
    }

    /**
     * Moves the {@code n} items at {@code from} to {@code to}, as {@code System.arraycopy} within one array does
     * (the ranges may overlap), in whichever form the list is: one array, or pages of either kind.
     */
    private void move(int from, int to, int n) {
        if (n <= 0 || from == to) {
            return;
        }
        Object st = store;
        if (st == null) {
            System.arraycopy(items, from, items, to, n);
            return;
        }
        if (!(st instanceof Object[])) {
            System.arraycopy(st, from, st, to, n);      // an unboxed list's one array
            return;
        }
        Object[] pages = (Object[]) st;
        int shift = st instanceof Object[][] ? PAGE_SHIFT : UNBOXED_SHIFT;
        int mask = (1 << shift) - 1;
        if (to < from) {
            // Down: chunk by chunk from the first, each within one source page and one target page.
            for (int done = 0; done < n; ) {
                int src = from + done;
                int dst = to + done;
                int k = Math.min(n - done, Math.min(mask + 1 - (src & mask), mask + 1 - (dst & mask)));
                System.arraycopy(pages[src >>> shift], src & mask, pages[dst >>> shift], dst & mask, k);
                done += k;
            }
        } else {
            // Up: from the last, so that nothing is overwritten before it is moved.
            for (int left = n; left > 0; ) {
                int srcEnd = from + left - 1;
                int dstEnd = to + left - 1;
                int k = Math.min(left, Math.min((srcEnd & mask) + 1, (dstEnd & mask) + 1));
                System.arraycopy(pages[srcEnd >>> shift], (srcEnd & mask) - k + 1,
                        pages[dstEnd >>> shift], (dstEnd & mask) - k + 1, k);
                left -= k;
            }
        }
    }

    /** Drops the references of a boxed list from {@code index} to its size; an unboxed list holds none. */
    private void clearFrom(int index) {
        Object st = store;
        if (st == null) {
            Arrays.fill(items, index, size, null);
        } else if (st instanceof Object[][]) {
            Object[][] pages = (Object[][]) st;
            for (int i = index; i < size; i++) {
                pages[i >>> PAGE_SHIFT][i & PAGE_MASK] = null;
            }
        }
    }

    @Override
    public void clear() {
        modCount++;
        if (store == null) {
            Arrays.fill(items, 0, size, null);
        } else {
            items = NONE;
            store = null;
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
        move(to, from, s - to);
        clearFrom(s - (to - from));
        size = s - (to - from);
    }

    @Override
    public boolean addAll(Collection<?> c) {
        Object[] more = c.toArray();
        if (more.length == 0) {
            return false;
        }
        appendAll(more, 0, more.length);
        return true;
    }

    /**
     * Appends {@code source[from, to)}: what the reader's APPENDS does with the items on its stack, one copy per
     * page instead of one {@code add} per item. An unboxed list stays unboxed if every item fits it.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code source}
     */
    public void appendAll(Object[] source, int from, int to) {
        Objects.checkFromToIndex(from, to, source.length);
        if (from == to) {
            return;
        }
        modCount++;
        if (unboxed()) {
            int s = size;
            if (allFit(source, from, to)) {
                reserveUnboxed((long) s + (to - from), false);
                for (int i = from; i < to; i++) {
                    putUnboxed(store, s++, source[i]);
                }
                size = s;
                return;
            }
            box();
        }
        reserve((long) size + (to - from), false);
        int s = size;
        if (store == null) {
            System.arraycopy(source, from, items, s, to - from);
            size = s + (to - from);
            return;
        }
        Object[][] pages = pages();
        while (from < to) {
            int at = s & PAGE_MASK;
            int n = Math.min(PAGE - at, to - from);
            System.arraycopy(source, from, pages[s >>> PAGE_SHIFT], at, n);
            from += n;
            s += n;
        }
        size = s;
    }

    private boolean allFit(Object[] source, int from, int to) {
        Object st = store;
        for (int i = from; i < to; i++) {
            if (!fits(st, source[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Appends {@code values[from, to)} as Python ints. An empty list, or one that holds unboxed ints, keeps them
     * unboxed; any other list appends them boxed. This is how the reader fills a list whose items are a run of ints.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code values}
     */
    public void appendLongs(long[] values, int from, int to) {
        Objects.checkFromToIndex(from, to, values.length);
        appendUnboxed(values, from, to, true);
    }

    /**
     * Appends {@code values[from, to)} as Python floats. An empty list, or one that holds unboxed floats, keeps them
     * unboxed; any other list appends them boxed. This is how the reader fills a list whose items are a run of
     * floats.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code values}
     */
    public void appendDoubles(double[] values, int from, int to) {
        Objects.checkFromToIndex(from, to, values.length);
        appendUnboxed(values, from, to, false);
    }

    /** {@link #appendLongs} ({@code asLongs}, {@code values} a {@code long[]}) or {@link #appendDoubles}. */
    private void appendUnboxed(Object values, int from, int to, boolean asLongs) {
        if (from == to) {
            return;
        }
        modCount++;
        boolean sameKind = unboxed() && longs(store) == asLongs;
        if (size == 0 && !sameKind) {
            // An empty list of any form takes the kind of what is appended.
            sameKind = true;
            items = null;
            store = asLongs ? new long[0] : new double[0];
        }
        if (sameKind) {
            reserveUnboxed((long) size + (to - from), false);
            copyIn(values, from, to);
            return;
        }
        for (int i = from; i < to; i++) {
            add(asLongs ? (Object) ((long[]) values)[i] : (Object) ((double[]) values)[i]);
        }
    }

    /** Copies {@code values[from, to)} (an array of the list's kind) after the items of an unboxed list with room. */
    private void copyIn(Object values, int from, int to) {
        int s = size;
        Object st = store;
        if (!(st instanceof Object[])) {
            System.arraycopy(values, from, st, s, to - from);
            size = s + (to - from);
            return;
        }
        Object[] pages = (Object[]) st;
        while (from < to) {
            int at = s & UNBOXED_MASK;
            int n = Math.min(UNBOXED_PAGE - at, to - from);
            System.arraycopy(values, from, pages[s >>> UNBOXED_SHIFT], at, n);
            from += n;
            s += n;
        }
        size = s;
    }

    /** The items of an unboxed list in one new {@code long[]} or {@code double[]} of its size. */
    private Object flatten() {
        Object flat = longs(store) ? new long[size] : new double[size];
        copyOut(0, size, flat, 0);
        return flat;
    }

    /**
     * Makes room for {@code capacity} items without further allocation. A list not yet paged grows its one array
     * (an empty list to exactly {@code capacity}, a longer one by half or more); past 65,536 items the list is
     * paged, and the pages up to {@code capacity} are allocated. An unboxed list grows its array.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public void ensureCapacity(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative capacity: " + capacity);
        }
        if (unboxed()) {
            reserveUnboxed(capacity, false);
            return;
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
        if (store == null) {
            if (need <= items.length) {
                return;
            }
            if (need <= PAGE) {
                items = Arrays.copyOf(items, Math.min(grown(items.length, need, oneMore), PAGE));
                return;
            }
            Object[] first = items.length == PAGE ? items : Arrays.copyOf(items, PAGE);
            Object[][] pages = new Object[Math.max(4, ((need - 1) >>> PAGE_SHIFT) + 1)][];
            pages[0] = first;
            store = pages;
            items = null;
        }
        Object[][] pages = pages();
        int needed = ((need - 1) >>> PAGE_SHIFT) + 1;
        if (needed > pages.length) {
            pages = Arrays.copyOf(pages, (int) Math.min(Math.max(needed, 2L * pages.length),
                    (MAX_SIZE >>> PAGE_SHIFT) + 1));
            store = pages;
        }
        for (int pi = needed - 1; pi >= 0 && pages[pi] == null; pi--) {
            pages[pi] = new Object[PAGE];
        }
    }

    /**
     * The length to grow an array of {@code length} to, for {@code need} items. An empty list gets exactly what was
     * asked: most lists are filled by one APPENDS or LIST. One that grows again grows by half (an item at a time,
     * as ArrayList does) or doubles (a batch at a time, so that a list of many batches is not copied once per
     * batch).
     */
    private int grown(int length, int need, boolean oneMore) {
        return size == 0 ? need : (int) Math.max(need, oneMore ? length + (length >> 1) : 2L * length);
    }

    /**
     * {@link #reserve} for an unboxed list: its one array grows as {@link #items} does, and past
     * {@link #UNBOXED_PAGE} items the list is paged and the pages up to {@code capacity} are allocated.
     */
    private void reserveUnboxed(long capacity, boolean oneMore) {
        if (capacity > MAX_SIZE) {
            throw new IllegalStateException("a list holds at most " + MAX_SIZE + " items; room for " + capacity
                    + " was asked for");
        }
        int need = (int) capacity;
        Object st = store;
        boolean asLongs = longs(st);
        if (!(st instanceof Object[])) {
            int length = asLongs ? ((long[]) st).length : ((double[]) st).length;
            if (need <= length) {
                return;
            }
            if (need <= UNBOXED_PAGE) {
                store = resized(st, Math.min(grown(length, need, oneMore), UNBOXED_PAGE));
                return;
            }
            Object[] pages = asLongs ? new long[Math.max(4, ((need - 1) >>> UNBOXED_SHIFT) + 1)][]
                    : new double[Math.max(4, ((need - 1) >>> UNBOXED_SHIFT) + 1)][];
            pages[0] = length == UNBOXED_PAGE ? st : resized(st, UNBOXED_PAGE);
            store = pages;
        }
        Object[] pages = (Object[]) store;
        int needed = ((need - 1) >>> UNBOXED_SHIFT) + 1;
        if (needed > pages.length) {
            pages = Arrays.copyOf(pages, (int) Math.min(Math.max(needed, 2L * pages.length),
                    (MAX_SIZE >>> UNBOXED_SHIFT) + 1));
            store = pages;
        }
        for (int pi = needed - 1; pi >= 0 && pages[pi] == null; pi--) {
            pages[pi] = asLongs ? new long[UNBOXED_PAGE] : new double[UNBOXED_PAGE];
        }
    }

    private static Object resized(Object array, int length) {
        return array instanceof long[] ? Arrays.copyOf((long[]) array, length) : Arrays.copyOf((double[]) array, length);
    }

    /** Turns an unboxed list into one of boxes; nothing for a list that is not unboxed. */
    private void box() {
        if (!unboxed()) {
            return;
        }
        Object st = store;
        int n = size;
        store = null;
        items = NONE;
        size = 0;
        reserve(n, false);
        for (int i = 0; i < n; i++) {
            Object item = at(st, i);
            if (store == null) {
                items[i] = item;
            } else {
                pages()[i >>> PAGE_SHIFT][i & PAGE_MASK] = item;
            }
        }
        size = n;
    }

    private Object[][] pages() {
        return (Object[][]) store;
    }

    @Override
    public void forEach(Consumer<? super Object> action) {
        Objects.requireNonNull(action);
        int expected = modCount;
        int s = size;
        for (int i = 0; i < s; i++) {
            Object st = store;
            action.accept(st == null ? items[i] : at(st, i));
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
        Object st = store;
        if (st == null) {
            System.arraycopy(items, 0, out, 0, size);
        } else if (st instanceof Object[][]) {
            for (int at = 0; at < size; at += PAGE) {
                System.arraycopy(((Object[][]) st)[at >>> PAGE_SHIFT], 0, out, at, Math.min(PAGE, size - at));
            }
        } else {
            for (int i = 0; i < size; i++) {
                out[i] = at(st, i);
            }
        }
    }

    /**
     * Sorts the list. An unboxed list sorted by natural order ({@code c} null) is sorted as its array, which orders
     * as {@code Long.compareTo} and {@code Double.compareTo} do, and stays unboxed.
     */
    @Override
    public void sort(Comparator<? super Object> c) {
        if (c == null && unboxed()) {
            modCount++;
            Object flat = unboxedPaged() ? flatten() : store;
            if (flat instanceof long[]) {
                Arrays.sort((long[]) flat, 0, size);
            } else {
                Arrays.sort((double[]) flat, 0, size);
            }
            if (flat != store) {
                int n = size;
                size = 0;
                copyIn(flat, 0, n);
            }
            return;
        }
        Object[] a = toArray();
        Arrays.sort(a, c);
        modCount++;
        box();
        if (store == null) {
            System.arraycopy(a, 0, items, 0, a.length);
        } else {
            for (int at = 0; at < a.length; at += PAGE) {
                System.arraycopy(a, at, pages()[at >>> PAGE_SHIFT], 0, Math.min(PAGE, a.length - at));
            }
        }
    }

    /**
     * A shallow copy: a new list of the same items, unboxed if this one is (a list the reader made copies to a plain
     * {@code PyList}).
     */
    @Override
    public PyList clone() {
        if (unboxed()) {
            PyList copy = new PyList();
            copy.items = null;
            copy.store = longs(store) ? new long[0] : new double[0];
            copy.reserveUnboxed(size, false);
            copy.copyIn(flatten(), 0, size);
            return copy;
        }
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
