package dev.brine.internal.read;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The unpickler's memo: a sparse map from unsigned 32-bit indices to objects, as in CPython. Dense low indices,
 * which is what picklers write, live in pages of {@value #PAGE} entries; an index far beyond the entries so far
 * (such as 2^32-1) goes to a hash map instead of growing the pages to it.
 *
 * <p>Pages rather than one array, for the JVM's default collector: G1 allocates an array of half a region or more
 * (512 KiB with 1 MiB regions) as a "humongous" object outside the young generation, and in JDK 17 it frees a
 * humongous array of references only after a full marking cycle. Until then every young collection treats the
 * array as live and copies everything it references: the memo of 100k records (about 400k entries) kept each
 * finished load's whole result alive through young collection after young collection, and loads took 150-350 ms
 * instead of 25 ms. A page is 16 KiB (32 KiB without compressed references), young and short-lived like the rest.
 */
final class Memo {
    /** Stands for Python's None in a page, where null means "no entry". */
    private static final Object NONE = new Object();
    private static final int PAGE_BITS = 12;
    static final int PAGE = 1 << PAGE_BITS;
    private static final int MASK = PAGE - 1;

    /** The first page's length when a reader starts: most pickles are small, and a full page is 16 KiB. */
    private static final int FIRST = 32;

    /**
     * Page {@code i} holds indices {@code i * PAGE} to {@code (i + 1) * PAGE - 1}; null until one is stored. While
     * the table has one page, that page may be shorter, and doubles up to {@link #PAGE} as the memo grows.
     */
    private Object[][] pages = {new Object[FIRST]};
    private HashMap<Long, Object> sparse;
    private long size;

    /** The number of entries, which is the index MEMOIZE uses next. */
    long size() {
        return size;
    }

    private long capacity() {
        return pages.length == 1 ? pages[0].length : (long) pages.length << PAGE_BITS;
    }

    boolean contains(long index) {
        if (index < capacity()) {
            Object[] page = pages[(int) (index >>> PAGE_BITS)];
            return page != null && page[(int) index & MASK] != null;
        }
        return sparse != null && sparse.containsKey(index);
    }

    /** The entry at {@code index}; call only after {@link #contains(long)}. */
    Object get(long index) {
        Object v = index < capacity() ? pages[(int) (index >>> PAGE_BITS)][(int) index & MASK] : sparse.get(index);
        return v == NONE ? null : v;
    }

    /**
     * Stores {@code value} at {@code index} if that is the next index ({@link #size()}), below {@code limit}
     * entries and not taken, as MEMOIZE and a pickler's PUTs always are; false, storing nothing, otherwise.
     */
    boolean append(long index, Object value, long limit) {
        if (index != size || size >= limit) {
            return false;
        }
        if (index >= capacity()) {
            if (index >= Integer.MAX_VALUE - 8) {
                return false;
            }
            grow(index);
        }
        Object[] page = page((int) (index >>> PAGE_BITS));
        int slot = (int) index & MASK;
        if (page[slot] != null) {
            return false;
        }
        page[slot] = value == null ? NONE : value;
        size++;
        return true;
    }

    void put(long index, Object value) {
        Object stored = value == null ? NONE : value;
        if (index >= capacity() && index < Math.max(1024, 2L * size) && index < Integer.MAX_VALUE - 8) {
            grow(index);
        }
        if (index < capacity()) {
            Object[] page = page((int) (index >>> PAGE_BITS));
            int slot = (int) index & MASK;
            if (page[slot] == null) {
                size++;
            }
            page[slot] = stored;
            return;
        }
        if (sparse == null) {
            sparse = new HashMap<>();
        }
        if (sparse.put(index, stored) == null) {
            size++;
        }
    }

    private Object[] page(int i) {
        Object[] page = pages[i];
        if (page == null) {
            page = pages[i] = new Object[PAGE];
        }
        return page;
    }

    /** Grows the pages to cover {@code index}, moving the sparse entries they now cover into pages. */
    private void grow(long index) {
        if (pages[0].length < PAGE) {
            // The short first page doubles, to a full page at most.
            pages[0] = Arrays.copyOf(pages[0], (int) Math.min(PAGE, Math.max(index + 1, 2L * pages[0].length)));
        }
        if (index >= capacity()) {
            long need = (index >>> PAGE_BITS) + 1;
            Object[][] grown = new Object[(int) Math.max(need, 2L * pages.length)][];
            System.arraycopy(pages, 0, grown, 0, pages.length);
            pages = grown;
        }
        if (sparse != null) {
            long capacity = capacity();
            for (Iterator<Map.Entry<Long, Object>> it = sparse.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Object> e = it.next();
                if (e.getKey() < capacity) {
                    page((int) (e.getKey() >>> PAGE_BITS))[(int) (long) e.getKey() & MASK] = e.getValue();
                    it.remove();
                }
            }
        }
    }
}
