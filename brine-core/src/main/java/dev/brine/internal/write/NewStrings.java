package dev.brine.internal.write;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The strs a speculating {@link IdentityMemo} took to be new to the dump, in the order it met them: each one's
 * hash (its content hash; the memo keeps a second log of crowded strs under their identity hash) and memo index.
 * At the end of the dump {@link #distinct} checks that no str was among them twice, that is, that none was
 * written anew where the memo held it, and so where CPython writes a memo fetch.
 *
 * <p>The check sorts the entries by hash (a radix sort, which reads and writes its arrays in sequence) and
 * compares the keys only of entries with the same hash: the strs of a large dump take no lookup in a table
 * larger than the processor's caches, where each one was a cache miss.
 */
final class NewStrings {
    private static final int PAGE_BITS = 13;
    private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;
    /** Entries: the content hash in the high half, the memo index in the low half. */
    private long[][] pages = {new long[64], null, null, null};
    /** The page {@link #add} writes to, and the count at which it is full. */
    private long[] last = pages[0];
    private int lastEnd = 64;
    private int count;

    int count() {
        return count;
    }

    void add(int hash, int index) {
        long[] p = count < lastEnd ? last : nextPage();
        p[count & PAGE_MASK] = ((long) hash << 32) | index;
        count++;
    }

    /** The page {@link #add} writes to next: the last one grown, or a new one. */
    private long[] nextPage() {
        int page = count >>> PAGE_BITS;
        if (page >= pages.length) {
            pages = Arrays.copyOf(pages, 2 * pages.length);
        }
        long[] p = pages[page];
        // As the keys' pages: the first starts short and doubles, later ones are whole.
        p = p == null ? new long[1 << PAGE_BITS] : Arrays.copyOf(p, Math.min(1 << PAGE_BITS, 2 * p.length));
        pages[page] = p;
        last = p;
        lastEnd = (page << PAGE_BITS) + p.length;
        return p;
    }

    /** The hash of entry {@code i}. */
    int hash(int i) {
        return (int) (pages[i >>> PAGE_BITS][i & PAGE_MASK] >>> 32);
    }

    /** The memo index of entry {@code i}. */
    int index(int i) {
        return (int) pages[i >>> PAGE_BITS][i & PAGE_MASK];
    }

    /**
     * Whether the entries are distinct strs; {@code key} gives the str of a memo index. Entries with the same
     * hash are compared by identity: a few pairwise, more (many equal strs) in a set by their identity hashes.
     * Consumes the log: no other call may follow.
     */
    boolean distinct(IntFunction<Object> key) {
        int n = count;
        long[] sorted = sortByHash(n);
        for (int i = 0; i < n; ) {
            long prefix = sorted[i] >>> SORTED_FROM;
            int j = i + 1;
            while (j < n && sorted[j] >>> SORTED_FROM == prefix) {
                j++;
            }
            if (j - i > 1 && !distinct(sorted, i, j, key)) {
                return false;
            }
            i = j;
        }
        return true;
    }

    /** Up to this many entries of the same sorted bits are compared pairwise. */
    private static final int PAIRWISE = 8;

    /**
     * Whether {@code sorted[from..to)}, entries that share the sorted bits of their hashes, are distinct strs. Few
     * are compared pairwise; more (many equal strs, all of one hash) go into a set by identity hash.
     */
    private static boolean distinct(long[] sorted, int from, int to, IntFunction<Object> key) {
        int n = to - from;
        if (n <= PAIRWISE) {
            for (int a = from; a < to; a++) {
                for (int b = a + 1; b < to; b++) {
                    if ((int) (sorted[a] >>> 32) == (int) (sorted[b] >>> 32)
                            && key.apply((int) sorted[a]) == key.apply((int) sorted[b])) {
                        return false;
                    }
                }
            }
            return true;
        }
        Object[] set = new Object[Integer.highestOneBit(n) << 2];
        int mask = set.length - 1;
        for (int k = from; k < to; k++) {
            Object s = key.apply((int) sorted[k]);
            int h = System.identityHashCode(s);
            for (int i = (h ^ (h >>> 16)) & mask; ; i = (i + 1) & mask) {
                Object there = set[i];
                if (there == null) {
                    set[i] = s;
                    break;
                }
                if (there == s) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The radix sort's digit: 11 bits, so that its counts (8 KiB) and the places it writes stay in cache. */
    private static final int DIGIT_BITS = 11;
    /**
     * The lowest bit of an entry the radix sort orders by: the top 22 bits of the hash, in two passes. Entries
     * that share them are few (with 200k strs, about one in twenty), unless they are equal strs.
     */
    private static final int SORTED_FROM = 64 - 2 * DIGIT_BITS;

    /** The entries in order of the top bits of their hashes (as unsigned numbers), by a two-pass radix sort. */
    private long[] sortByHash(int n) {
        int mask = (1 << DIGIT_BITS) - 1;
        int low = SORTED_FROM;
        int high = SORTED_FROM + DIGIT_BITS;
        // Both digits are counted in one pass over the pages, and the first pass sorts from them.
        int[] lowCounts = new int[1 << DIGIT_BITS];
        int[] highCounts = new int[1 << DIGIT_BITS];
        for (int page = 0, at = 0; at < n; page++) {
            long[] p = pages[page];
            int m = Math.min(n - at, 1 << PAGE_BITS);
            for (int i = 0; i < m; i++) {
                long e = p[i];
                lowCounts[(int) (e >>> low) & mask]++;
                highCounts[(int) (e >>> high) & mask]++;
            }
            at += m;
        }
        startsFromCounts(lowCounts);
        startsFromCounts(highCounts);
        long[] a = new long[n];
        for (int page = 0, at = 0; at < n; page++) {
            long[] p = pages[page];
            int m = Math.min(n - at, 1 << PAGE_BITS);
            for (int i = 0; i < m; i++) {
                long e = p[i];
                a[lowCounts[(int) (e >>> low) & mask]++] = e;
            }
            // Let go of each page once sorted, so that a large log, its copy and the copy's copy are not all held.
            pages[page] = null;
            at += m;
        }
        long[] b = new long[n];
        for (int i = 0; i < n; i++) {
            long e = a[i];
            b[highCounts[(int) (e >>> high) & mask]++] = e;
        }
        return b;
    }

    /** Turns digit counts into the position where each digit's entries start. */
    private static void startsFromCounts(int[] counts) {
        int sum = 0;
        for (int d = 0; d < counts.length; d++) {
            int c = counts[d];
            counts[d] = sum;
            sum += c;
        }
    }
}
