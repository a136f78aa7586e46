package dev.brine.internal.write;

import dev.brine.internal.types.LoadedDict;
import dev.brine.internal.types.LoadedList;
import dev.brine.internal.types.LoadedTuples;
import dev.brine.internal.types.MemoIdentity;
import dev.brine.value.PyTuple;

import java.util.Arrays;

/**
 * The pickler's memo: object identity to memo index, as {@code _pickle.c}'s {@code PyMemoTable}, open-addressing
 * tables keyed by the object itself, with the index stored unboxed.
 *
 * <p>CPython hashes a key by its address, so objects allocated one after another land in neighbouring slots and a
 * dump walks its memo almost in order. Java's identity hashes are random, so in a large table every probe is a
 * cache miss. The layout therefore keeps the misses to one a new object, and to none for the reader's containers:
 * <ul>
 *   <li>a dict, list or tuple the reader made is kept in a table of its own ({@link #loaded}) at the slot its
 *       memo identity gives (see {@link MemoIdentity}): the reader numbers its containers one after another, so
 *       a dump of a loaded value meets them in almost the order of their slots, as CPython meets its memo. A slot
 *       already taken (containers of two loads with overlapping numbers, or a part of a large value) sends the
 *       container to the main table, and marks the slot so that lookups look there too. With them in the main
 *       table, as before, the 349k-node tree took 24.8-27.0 ms a first dump (medians of three rounds in a side
 *       harness); in their own, 22.6-23.0 ms;</li>
 *   <li>in the main table ({@link #slots}) a slot is one {@code long}, the key's hash beside its memo index, so a
 *       probe reads both with one miss;</li>
 *   <li>the keys themselves sit in a second array in memo order, which is written in sequence and read only when
 *       a slot's hash matches: for a hit, or for the rare other object with the same hash;</li>
 *   <li>growing rehashes from the stored hashes and touches no key;</li>
 *   <li>the writer announces container sizes ({@link #expect}), and the main table's first growth goes straight
 *       to what has been announced, instead of doubling from small: a large list of strs is one growth. Later
 *       growths double. An announcement alone allocates nothing, so a list of a million ints, which memoizes
 *       nothing, costs no table;</li>
 *   <li>a {@code str} is placed by its content hash, which {@link String} computes once and keeps, not by its
 *       identity hash: the JVM makes an object's identity hash the first time it is asked for, with a call into
 *       the VM that writes it into the object's header, and a first dump of freshly loaded strings and records
 *       spent a third of its time there (records at p5: 73 ms, 46.5 ms by content hash). Keys are still compared by
 *       identity, so equal strings stay distinct entries, as in CPython. So that many equal strings cannot make a
 *       probe sequence long, a content hash that already places {@value #CROWD} strings is marked crowded, and
 *       further strings with it are placed by identity hash; a lookup of such a string checks both places;</li>
 *   <li>in an in-memory dump the memo speculates ({@link #speculate}): past its first thousand entries, a str
 *       met for the first time is only logged ({@link NewStrings}), not put in the main table, and the log is
 *       checked at the end of the dump, in order of hash, for a str written twice. It never is in the benchmark
 *       payloads; when it is, the writer dumps the value again without speculating.</li>
 * </ul>
 */
final class IdentityMemo {
    /** Absent from the memo. */
    static final int NONE = -1;
    private static final int MIN_CAPACITY = 64;
    /** The largest power-of-two table a Java array can hold. */
    private static final int MAX_CAPACITY = 1 << 30;

    /**
     * The main table: empty (0), or the key's hash (a str's content hash, a container's {@link #spread} number, any
     * other key's identity hash) in the high half and its memo index + 1 in the low half.
     */
    private long[] slots = new long[MIN_CAPACITY];
    /** The key of each memo index. */
    private Object[][] keys = {new Object[MIN_CAPACITY / 2]};
    /**
     * Keys per page. Pages rather than one array, for G1: an array of references of half a region or more is
     * humongous, and JDK 17 frees it only after a marking cycle, so each dump of 200k strings left a 1 MB array of
     * keys in the old generation, and the next dumps' large allocations started marking cycle after cycle.
     */
    private static final int KEY_PAGE_BITS = 14;
    private static final int KEY_MASK = (1 << KEY_PAGE_BITS) - 1;
    /** Entries in {@link #slots}; with {@link #loadedCount}, the memo's distinct keys. */
    private int used;
    /**
     * The reader's dicts, lists and tuples, at their memo identity modulo the length; null until one is put. A slot
     * is 0, or the memo identity in the high half and the memo index + 1 in the low 31 bits, and bit 31 is
     * {@link #OVERFLOW}.
     */
    private long[] loaded;
    private int loadedCount;
    /**
     * In a slot of {@link #loaded}: a container whose number gives this slot is in {@link #slots}, because another held
     * the slot when it was put.
     */
    private static final long OVERFLOW = 1L << 31;
    private static final long INDEX_BITS = OVERFLOW - 1;
    /** The memo identities of the containers in {@link #slots}, to mark their places again when the table grows. */
    private int[] overflowIds;
    private int overflowCount;
    /** Strings placed by content hash before this many others with the same hash go by identity hash instead. */
    static final int CROWD = 2;
    /**
     * A bit for each crowded content hash (a content hash that already places {@link #CROWD} strings), by the hash's
     * top 16 bits; null until one is. A bit shared with another hash only costs that hash's strings a second probe.
     */
    private long[] crowded;
    /** The strs in {@link #slots} placed by identity hash. */
    private int byIdentity;
    /** Set by {@link #probe}: the other keys it passed with the same stored hash. */
    private int sameHash;
    /** Whether a growth of the main table has been sized to the announcements (see {@link #expect}). */
    private boolean announcementsUsed;
    /** The entries the writer has announced (the sum of container sizes); a floor for the main table's first growth. */
    private long expected;

    int size() {
        return used + loadedCount + logged - promoted;
    }

    // ------------------------------------------------------------------------------------------------ speculation

    /** Whether the memo may speculate (see {@link #speculate}), until {@link #settle} or {@link #verify}. */
    private boolean armed;
    /**
     * Main-table entries before an armed memo starts speculating (unless a crowded str starts it earlier): a table
     * this small stays in the processor's caches, and a small dump pays nothing for the log and the check.
     */
    static final int SPECULATE_AFTER = 1024;
    /**
     * The top bits of a str's content hash pick its slot of {@link #recentKeys}: {@value #MIN_RECENT_BITS} of them
     * at first (a small dump allocates 3 KiB), two more each time as many strs have been logged as there are
     * slots, up to {@value #MAX_RECENT_BITS} (4096 slots, 48 KiB in all). A recent table of 1024 slots measured no
     * different from one of 4096 on the benchmark payloads.
     */
    private static final int MIN_RECENT_BITS = 8;
    private static final int MAX_RECENT_BITS = 12;
    /** 32 less the bits that pick a slot of {@link #recentKeys}. */
    private int recentShift;
    /** While speculating, the str last logged at each slot (by its content hash's top bits), or null. */
    private Object[] recentKeys;
    /** The memo index of each of {@link #recentKeys}. */
    private int[] recentIndex;
    /** The content hash of each of {@link #recentKeys}. */
    private int[] recentHash;
    /** While speculating, the strs logged under their content hash; in {@link #slots} only if met again. */
    private NewStrings newByContent;
    /**
     * While speculating, the strs of crowded content hashes (many equal strs), logged under their identity hash,
     * which each is asked for while it is in cache.
     */
    private NewStrings newByIdentity;
    /** The strs logged, until {@link #settle} puts them in the main table. */
    private int logged;
    /** Of the logged strs, those met again, and so put in {@link #slots} as well. */
    private int promoted;
    /**
     * While armed, the strs of the last {@link #touch(Object[], int)}, and the first of them not yet put. They go
     * to the main table (see {@link #wasBatched}); once any str has been logged, such a str is logged as well,
     * since it may have been logged before and missed since, and the check at the end must find it twice.
     */
    private final Object[] batched = new Object[MAX_TOUCH];
    private int batchedCount;
    private int batchedCursor;

    /**
     * Lets the memo speculate, once it holds {@link #SPECULATE_AFTER} entries, or from the first str it would
     * otherwise place by identity hash (a crowded one, which a lookup must then ask for its identity hash, a call
     * into the VM: with none placed so, no lookup asks). It then takes a str it is asked to
     * put to be new to the dump, and logs it ({@link #newByContent}) instead of putting it in the main table. A
     * lookup of a str looks in the main table and at the str last logged under the same top bits of the content
     * hash ({@link #recentKeys}): that finds a str met again soon (a dict key, a repeated value), which then goes to
     * the main table too. So the main table stays small, and looking up a new str is no cache miss, where in a
     * table larger than the caches each was one (the records' and the tree's first dumps waited a third of their
     * time there). The strs of a long list, whose lookups a batched {@link #touch(Object[], int)} overlaps, still
     * go to the main table.
     *
     * <p>A str met again later, after another str took its recent slot, is missed, and written anew: {@link #verify}
     * finds it logged twice at the end, and the caller dumps the value again without speculating. So the caller
     * must {@link #settle} before it runs code that could observe a second dump.
     */
    void speculate() {
        armed = true;
    }

    /** For tests: whether the memo is logging new strs now. */
    boolean speculating() {
        return recentKeys != null;
    }

    /**
     * Ends speculation for the rest of the dump: puts the logged strs in the main table. Returns false if one of
     * them was there already, or logged twice, with another index: a str was written anew that the memo held.
     */
    boolean settle() {
        armed = false;
        if (recentKeys == null) {
            return true;
        }
        NewStrings[] logs = endSpeculation();
        ensure(used + logged - promoted);
        logged = 0;
        promoted = 0;
        Object[] batch = new Object[MAX_TOUCH];
        int[] batchIndex = new int[MAX_TOUCH];
        for (NewStrings log : logs) {
            int n = log.count();
            for (int from = 0; from < n; from += MAX_TOUCH) {
                int m = Math.min(MAX_TOUCH, n - from);
                for (int j = 0; j < m; j++) {
                    batchIndex[j] = log.index(from + j);
                    batch[j] = key(batchIndex[j]);
                }
                touch(batch, m);
                for (int j = 0; j < m; j++) {
                    int found = get(batch[j]);
                    if (found == batchIndex[j]) {
                        continue;
                    }
                    if (found != NONE) {
                        return false;
                    }
                    put(batch[j], batchIndex[j]);
                }
            }
        }
        return true;
    }

    /**
     * Ends speculation at the end of the dump, and returns whether it held: no str was logged twice. Leaves the
     * logged strs out of the main table, which no lookup asks again.
     */
    boolean verify() {
        armed = false;
        if (recentKeys == null) {
            return true;
        }
        NewStrings[] logs = endSpeculation();
        NewStrings byContent = logs[0];
        NewStrings byIdentity = logs[1];
        if (crowded != null) {
            // A str logged by content hash before its hash was crowded may have been logged again by identity.
            for (int i = 0, n = byContent.count(); i < n; i++) {
                if (crowded(byContent.hash(i))) {
                    int index = byContent.index(i);
                    byIdentity.add(identity(key(index)), index);
                }
            }
        }
        return byContent.distinct(this::key) && byIdentity.distinct(this::key);
    }

    /** Ends speculation; returns the strs logged by content hash and those logged by identity hash. */
    private NewStrings[] endSpeculation() {
        NewStrings[] logs = {newByContent, newByIdentity};
        recentKeys = null;
        recentIndex = null;
        recentHash = null;
        newByContent = null;
        newByIdentity = null;
        return logs;
    }

    /**
     * Announces up to {@code more} entries to come. The announcements add up over the dump (the items of every
     * container started), and the first growth of the main table makes room for all that has been announced by
     * then. Only the first: an announcement counts every item, and most items of a large value go elsewhere (its
     * numbers nowhere, the reader's containers to {@link #loaded}), so growing to the sum later sized the table of
     * 100k records for 428k entries (8 MB) when it came to hold 200k, and the tree's for twice its strs. Doubling
     * after the first growth made first dumps of records about 10% faster and of the tree 0-19% (paired A/B runs).
     * An armed memo (see {@link #speculate}) keeps most strs out of the main table; it sizes the table to the
     * announcements at the first growth a str of a batch (a long list's) makes, and never if none does.
     */
    void expect(int more) {
        expected += more;
    }

    /** The memo index of {@code key}, or {@link #NONE}. */
    int get(Object key) {
        if (key instanceof String) {
            int hash = contentHash(key);
            if (recentKeys != null) {
                int r = hash >>> recentShift;
                if (recentKeys[r] == key) {
                    // Met again soon after it was put: into the main table, where later lookups find it.
                    int index = recentIndex[r];
                    recentKeys[r] = null;
                    putMain(key, index, false);
                    promoted++;
                    return index;
                }
            }
            if (!crowded(hash)) {
                return find(key, hash);
            }
            if (recentKeys != null) {
                // No str goes by identity hash until speculation starts, and few after: ask for one only then.
                int index = find(key, hash);
                return index != NONE || byIdentity == 0 ? index : find(key, identity(key));
            }
            // Most strings of a crowded content hash are placed by identity; the first few by content.
            int index = find(key, identity(key));
            return index != NONE ? index : find(key, hash);
        }
        int id = loadedIdentity(key);
        if (id != 0) {
            return getLoaded(key, id);
        }
        return find(key, identity(key));
    }

    private int getLoaded(Object key, int id) {
        long[] t = loaded;
        if (t == null) {
            return NONE;
        }
        long e = t[id & (t.length - 1)];
        int index = (int) (e & INDEX_BITS) - 1;
        if (index >= 0 && (int) (e >>> 32) == id && key(index) == key) {
            return index;
        }
        return (e & OVERFLOW) == 0 ? NONE : find(key, spread(id));
    }

    private int find(Object key, int hash) {
        long[] t = slots;
        int mask = t.length - 1;
        for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
            long entry = t[i];
            if (entry == 0) {
                return NONE;
            }
            if ((int) (entry >>> 32) == hash && key((int) entry - 1) == key) {
                return (int) entry - 1;
            }
        }
    }

    /** Loads the slot a lookup of {@code key} starts at, so that a later lookup finds it in cache. */
    void touch(Object key) {
        int i = startSlot(key);
        touched ^= i >= 0 ? slots[i] : loaded[~i];
    }

    /** The most keys one {@link #touch(Object[], int)} call takes. */
    static final int MAX_TOUCH = 32;
    /** The slots {@link #touch(Object[], int)} loads, as {@link #startSlot} gives them. */
    private final int[] touchSlots = new int[MAX_TOUCH];

    /**
     * Loads the slots at which lookups of {@code keys[0..n)} start, so that the lookups find them in cache; at most
     * {@link #MAX_TOUCH} keys. A new object's slot is a cache miss, and the misses of several keys overlap only
     * when the processor meets their loads close together: all the slots are computed first, which reads each key
     * (and hashes a fresh str's content, a loop over its characters), and then loaded in a short loop. Computing
     * and loading one key after another, the hashing between two loads left about two misses in flight, and
     * waiting for them was half of a first dump of 200k strs (JFR); loading them together made that dump 18-27%
     * faster (a paired A/B in one JVM).
     */
    void touch(Object[] keys, int n) {
        int[] at = touchSlots;
        if (armed) {
            batchedCount = 0;
            batchedCursor = 0;
        }
        for (int j = 0; j < n; j++) {
            Object key = keys[j];
            if (armed && key instanceof String) {
                batched[batchedCount++] = key;
                at[j] = slot(mainHash(key), slots.length - 1);
            } else {
                at[j] = startSlot(key);
            }
        }
        long[] t = slots;
        long[] l = loaded;
        long x = touched;
        for (int j = 0; j < n; j++) {
            int i = at[j];
            x ^= i >= 0 ? t[i] : l[~i];
        }
        touched = x;
    }

    /**
     * The slot where a lookup of {@code key} starts: a slot of {@link #slots}, or the complement (below 0) of one of
     * {@link #loaded} for a container the reader made; slot 0 of {@link #slots} for one with no table yet.
     */
    private int startSlot(Object key) {
        int hash;
        if (key instanceof String) {
            if (recentKeys != null) {
                // Its lookup reads no slot of a large table; hashing it now still reads its characters early.
                contentHash(key);
                return 0;
            }
            hash = mainHash(key);
        } else {
            int id = loadedIdentity(key);
            if (id != 0) {
                long[] l = loaded;
                return l == null ? 0 : ~(id & (l.length - 1));
            }
            hash = identity(key);
        }
        return slot(hash, slots.length - 1);
    }

    /** The hash under which a lookup of str {@code key} in {@link #slots} starts. */
    private int mainHash(Object key) {
        int hash = contentHash(key);
        // A crowded hash's lookup starts where the str's identity hash places it.
        return crowded(hash) ? identity(key) : hash;
    }

    /** Keeps {@link #touch} loads alive. */
    private long touched;

    boolean contains(Object key) {
        return get(key) != NONE;
    }

    /**
     * Sets the memo index of {@code key}, which must not be null; {@code index} is below
     * {@code Integer.MAX_VALUE}. The main table stays at most half full, so linear probing averages under two
     * probes for a miss; the containers' table has no probing (see {@link #putLoaded}).
     */
    void put(Object key, int index) {
        if (armed && key instanceof String) {
            if (wasBatched(key)) {
                putMain(key, index, true);
                if (logged > 0) {
                    // It may have been logged before and missed since: logged too, the check at the end finds it.
                    newByContent.add(contentHash(key), index);
                }
                return;
            }
            if (recentKeys == null && used >= SPECULATE_AFTER) {
                startSpeculating();
            }
            if (recentKeys != null) {
                logNew(key, contentHash(key), index);
                return;
            }
        }
        putMain(key, index, false);
    }

    /**
     * Whether {@code key} is one of the strs the last {@link #touch(Object[], int)} loaded the main slots of (the
     * writer puts them in order, with other puts between): such a str goes to the main table, where its miss is
     * already overlapped with the batch's and it costs no log entry and no check. Logging them made a first dump
     * of 200k strs 5-17% slower.
     */
    private boolean wasBatched(Object key) {
        for (int j = batchedCursor; j < batchedCount; j++) {
            if (batched[j] == key) {
                batchedCursor = j + 1;
                return true;
            }
        }
        return false;
    }

    private void startSpeculating() {
        recentShift = 32 - MIN_RECENT_BITS;
        recentKeys = new Object[1 << MIN_RECENT_BITS];
        recentIndex = new int[1 << MIN_RECENT_BITS];
        recentHash = new int[1 << MIN_RECENT_BITS];
        newByContent = new NewStrings();
        newByIdentity = new NewStrings();
    }

    /**
     * Makes {@link #recentKeys} four times larger, up to {@value #MAX_RECENT_BITS} bits. An entry's new slot keeps
     * the bits of its old one, so no two entries meet.
     */
    private void growRecent() {
        int shift = recentShift - 2;
        Object[] keys = new Object[1 << (32 - shift)];
        int[] index = new int[keys.length];
        int[] hash = new int[keys.length];
        for (int i = 0; i < recentKeys.length; i++) {
            if (recentKeys[i] != null) {
                int r = recentHash[i] >>> shift;
                keys[r] = recentKeys[i];
                index[r] = recentIndex[i];
                hash[r] = recentHash[i];
            }
        }
        recentKeys = keys;
        recentIndex = index;
        recentHash = hash;
        recentShift = shift;
    }

    /**
     * Logs a str taken to be new (see {@link #speculate}). A str whose content hash the last str at its recent
     * slot has too (an equal str, most often) marks that hash crowded, and later strs with it are logged by
     * identity hash, which they are asked for now, while they are in cache, rather than at the end.
     */
    private void logNew(Object key, int hash, int index) {
        setKey(index, key);
        if (++logged >= recentKeys.length && recentShift > 32 - MAX_RECENT_BITS) {
            growRecent();
        }
        int r = hash >>> recentShift;
        if (crowded(hash)) {
            newByIdentity.add(identity(key), index);
        } else {
            if (recentKeys[r] != null && recentHash[r] == hash) {
                markCrowded(hash);
            }
            newByContent.add(hash, index);
        }
        recentKeys[r] = key;
        recentIndex[r] = index;
        recentHash[r] = hash;
    }

    /**
     * Puts {@code key} in the main table, or a container of the reader's in {@link #loaded}. {@code batched}: a str
     * of a batch (see {@link #wasBatched}), which an armed memo puts here in any case.
     */
    private void putMain(Object key, int index, boolean batched) {
        if (!(key instanceof String)) {
            int id = loadedIdentity(key);
            if (id != 0) {
                putLoaded(key, id, index);
                return;
            }
        }
        if (2 * (used + 1) > slots.length) {
            grow(used + 1, batched);
        }
        int hash;
        if (key instanceof String) {
            hash = contentHash(key);
            int at = probe(key, hash);
            boolean crowd = crowded(hash);
            if (slots[at] != 0 || (!crowd && sameHash < CROWD)) {
                store(at, key, hash, index);
                return;
            }
            if (armed && recentKeys == null && !batched) {
                // Rather than ask it for its identity hash, as a lookup of it then must: see SPECULATE_AFTER. (A
                // batch's str goes to this table in any case: its lookup has been started.)
                startSpeculating();
                logNew(key, hash, index);
                return;
            }
            if (!crowd) {
                markCrowded(hash);
            }
            byIdentity++;
        }
        hash = identity(key);
        store(probe(key, hash), key, hash, index);
    }

    /**
     * Puts a container the reader made at its memo identity's slot of {@link #loaded}. Containers one load made
     * have consecutive numbers, so they take consecutive slots and a dump reads and writes the table almost in
     * order, as CPython's address-keyed memo is. A slot taken by another container (one from another load, or a
     * dump of part of a large value) sends this one to {@link #slots}, and marks the slot so lookups look there.
     */
    private void putLoaded(Object key, int id, int index) {
        if (loaded == null) {
            loaded = new long[MIN_CAPACITY];
        } else if (2 * (loadedCount + 1) > loaded.length) {
            growLoaded();
        }
        long[] t = loaded;
        int i = id & (t.length - 1);
        long e = t[i];
        int at = (int) (e & INDEX_BITS) - 1;
        if (at >= 0 && (int) (e >>> 32) == id && key(at) == key) {
            t[i] = (e & ~INDEX_BITS) | (index + 1L);
            setKey(index, key);
            return;
        }
        int hash = spread(id);
        if ((e & OVERFLOW) != 0) {
            int slot = probe(key, hash);
            if (slots[slot] != 0) {
                store(slot, key, hash, index);
                return;
            }
        }
        if (at < 0) {
            t[i] = ((long) id << 32) | (e & OVERFLOW) | (index + 1L);
            loadedCount++;
            setKey(index, key);
            return;
        }
        t[i] = e | OVERFLOW;
        if (overflowIds == null || overflowCount == overflowIds.length) {
            overflowIds = overflowIds == null ? new int[16] : Arrays.copyOf(overflowIds, 2 * overflowCount);
        }
        overflowIds[overflowCount++] = id;
        if (2 * (used + 1) > slots.length) {
            grow();
        }
        store(probe(key, hash), key, hash, index);
    }

    /**
     * Doubles {@link #loaded}. Two slots apart stay apart (a number's new slot keeps the bits of its old one), so
     * nothing collides that did not before; the marks of containers sent to {@link #slots} are set anew.
     */
    private void growLoaded() {
        long[] old = loaded;
        if (old.length >= MAX_CAPACITY) {
            throw new IllegalStateException("memo full at " + size() + " entries");
        }
        long[] t = new long[old.length * 2];
        int mask = t.length - 1;
        for (long e : old) {
            if ((e & INDEX_BITS) != 0) {
                t[(int) (e >>> 32) & mask] = e & ~OVERFLOW;
            }
        }
        for (int k = 0; k < overflowCount; k++) {
            t[overflowIds[k] & mask] |= OVERFLOW;
        }
        loaded = t;
    }

    /**
     * The slot holding {@code key} under {@code hash}, or the empty slot where it would go; counts in
     * {@link #sameHash} the other keys on the way stored under the same hash.
     */
    private int probe(Object key, int hash) {
        long[] t = slots;
        int mask = t.length - 1;
        int i = slot(hash, mask);
        int same = 0;
        long entry;
        while ((entry = t[i]) != 0) {
            if ((int) (entry >>> 32) == hash) {
                if (key((int) entry - 1) == key) {
                    break;
                }
                same++;
            }
            i = (i + 1) & mask;
        }
        sameHash = same;
        return i;
    }

    private void store(int at, Object key, int hash, int index) {
        if (slots[at] == 0) {
            used++;
        }
        slots[at] = ((long) hash << 32) | (index + 1L);
        setKey(index, key);
    }

    private void setKey(int index, Object key) {
        int page = index >>> KEY_PAGE_BITS;
        if (page >= keys.length) {
            keys = Arrays.copyOf(keys, Math.max(page + 1, 2 * keys.length));
        }
        Object[] p = keys[page];
        int offset = index & KEY_MASK;
        if (p == null || offset >= p.length) {
            // A new page is whole; the first one starts short and doubles, so a small dump allocates little.
            p = keys[page] = p == null && page > 0 ? new Object[1 << KEY_PAGE_BITS]
                    : Arrays.copyOf(p, Math.min(1 << KEY_PAGE_BITS, Math.max(offset + 1, 2 * p.length)));
        }
        p[offset] = key;
    }

    /** A key's identity hash. */
    private static int identity(Object key) {
        return System.identityHashCode(key);
    }

    /** The memo identity the reader gave a dict, list or tuple (see LoadedDict), or 0 for any other key. */
    private static int loadedIdentity(Object key) {
        Class<?> c = key.getClass();
        if (c == LoadedDict.class || c == LoadedList.class) {
            return ((MemoIdentity) key).memoIdentity();
        }
        return c == PyTuple.class ? LoadedTuples.memoIdentity((PyTuple) key) : 0;
    }

    /** A memo identity as a hash for {@link #slots}, whose slots are its low bits: consecutive numbers spread. */
    private static int spread(int id) {
        return id * 0x9E3779B9;
    }

    private void markCrowded(int hash) {
        if (crowded == null) {
            crowded = new long[1 << 10];
        }
        crowded[hash >>> 22] |= 1L << (hash >>> 16);
    }

    private boolean crowded(int hash) {
        return crowded != null && (crowded[hash >>> 22] & (1L << (hash >>> 16))) != 0;
    }

    /** A string's content hash, spread so that strings differing in their last characters spread over the table. */
    private static int contentHash(Object s) {
        return s.hashCode() * 0x9E3779B9;
    }

    /** For tests: the main table's slots. */
    int mainCapacity() {
        return slots.length;
    }

    /** For tests: how many entries are strings stored under their content hash. */
    int stringsByContent() {
        int n = 0;
        for (long entry : slots) {
            if (entry != 0 && key((int) entry - 1) instanceof String
                    && (int) (entry >>> 32) == contentHash(key((int) entry - 1))) {
                n++;
            }
        }
        return n;
    }

    private Object key(int index) {
        return keys[index >>> KEY_PAGE_BITS][index & KEY_MASK];
    }

    private static int slot(int hash, int mask) {
        // Identity hashes are random bits; fold the high ones in so a small table uses them too.
        return (hash ^ (hash >>> 16)) & mask;
    }

    /** Grows the main table, if it must, so that it holds {@code entries} entries at most half full. */
    private void ensure(int entries) {
        if (2L * entries > slots.length) {
            grow(entries, false);
        }
    }

    private void grow() {
        grow(used + 1, false);
    }

    /**
     * Grows the main table to hold {@code entries} at most half full, or to the announcements (see {@link #expect})
     * at the first growth that may use them: any, unless the memo is armed; then the first for a str of a batch.
     */
    private void grow(int entries, boolean forBatch) {
        long announced = 0;
        if (!announcementsUsed && (!armed || forBatch)) {
            announcementsUsed = true;
            announced = Math.min(expected, MAX_CAPACITY / 2);
        }
        long want = 2 * Math.max(entries, announced);
        int capacity = slots.length * 2;
        while (capacity < want && capacity < MAX_CAPACITY) {
            capacity *= 2;
        }
        if (capacity <= slots.length) {
            throw new IllegalStateException("memo full at " + size() + " entries");
        }
        long[] old = slots;
        long[] t = new long[capacity];
        int mask = capacity - 1;
        for (long entry : old) {
            if (entry != 0) {
                int i = slot((int) (entry >>> 32), mask);
                while (t[i] != 0) {
                    i = (i + 1) & mask;
                }
                t[i] = entry;
            }
        }
        slots = t;
    }
}
