package dev.brine.value;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * A Python {@code dict}: what the reader makes of every pickled dict; the writer writes it as a dict, byte for byte
 * as it writes a {@code LinkedHashMap} of the same entries. It is a mutable {@code Map} of any keys and values,
 * {@code null} included, that iterates in insertion order (as a Python dict does) and is equal to any other
 * {@code Map} with the same mappings. Keys are compared with {@code equals} and {@code hashCode}, as in a
 * {@code HashMap}.
 *
 * <p>Why not {@link java.util.LinkedHashMap}: a {@code LinkedHashMap} makes an entry object of 40 bytes for every
 * key, and a table beside them. This map keeps its keys and values side by side in one array in insertion order,
 * as CPython's compact dict does, with no object per entry. Up to eight entries it has no hash table at all and
 * finds a key by comparing it with each one (a pickled record's handful of fields); a larger one adds an
 * {@code int} table, open addressing with linear probing, that points into the array. A five-field record is
 * 104 bytes instead of 336 (112 as the reader makes it, whose subclass carries a number for the writer's memo), and
 * writing it walks one array instead of five entries scattered over the heap.
 *
 * <p>Removing a key leaves a hole in the array until the map next grows or its holes are half of it, as in
 * CPython; iteration skips holes. {@code get}, {@code put} and {@code remove} take constant time on average, as in
 * a {@code HashMap}; a map of up to eight entries compares the key with up to eight others. Not thread-safe;
 * iterators and views fail fast. Entries handed out by {@link #entrySet()} are views: {@code setValue} writes
 * through to the map. A dict the reader made is a subclass of this one (it carries a number for the writer's
 * memo); treat it as a {@code PyDict}.
 */
public class PyDict extends AbstractMap<Object, Object> implements Cloneable, Serializable {
    private static final long serialVersionUID = 1L;

    /** The key of a removed entry: never equal to any key. */
    private static final Object REMOVED = new Object() {
        @Override
        public String toString() {
            return "<removed>";
        }
    };
    private static final Object[] NONE = {};
    /** Up to this many entry places the map has no hash table and scans its keys. */
    private static final int SCAN = 8;
    /** The most entries: the table then has 2^30 slots. */
    private static final int MAX_ENTRIES = 1 << 29;
    /**
     * An insertion that probes more slots than this turns the table into a {@code HashMap} index. At most half
     * full, a table of well-spread hashes almost never probes more than a dozen slots; more means keys whose hashes
     * collide, as a hostile pickle's can ("Aa" and "BB" have the same {@code String.hashCode}), and each further
     * insertion would probe them all.
     */
    private static final int MAX_PROBES = 64;
    /**
     * Mixed into every hash before the multiplication, different in each JVM: a pickle cannot be crafted against
     * the table's layout, only against {@code hashCode}, which the {@code HashMap} fallback withstands.
     */
    private static final int SEED = (int) System.nanoTime() * 0x2545F491 | 1;

    /** Key of entry i at 2i, its value at 2i + 1, in insertion order; entries {@code [0, used)} are filled. */
    private transient Object[] slots;
    /** Null while the map has room for at most {@link #SCAN} entries; else entry number + 1 per slot, 0 if empty. */
    private transient int[] table;
    /** 32 less the log2 of the table's length: a mixed hash shifted right by it is a slot. */
    private transient int shift;
    /**
     * Null unless an insertion probed more than {@link #MAX_PROBES} slots: then each key's entry number, and
     * {@code table} is null. {@code HashMap} bins colliding {@code Comparable} keys (strings) in trees.
     */
    private transient HashMap<Object, Integer> flooded;
    /** Entry places used, holes included. */
    private transient int used;
    private transient int size;
    private transient int modCount;

    /** An empty dict. */
    public PyDict() {
        slots = NONE;
    }

    /** An empty dict with room for {@code capacity} entries. */
    public PyDict(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative capacity: " + capacity);
        }
        slots = NONE;
        ensureCapacity(capacity);
    }

    /** A dict of the mappings of {@code map}, in its iteration order. */
    public PyDict(Map<?, ?> map) {
        this(map.size());
        putAll(map);
    }

    /**
     * A dict of alternating keys and values: {@code PyDict.of("id", 1, "name", "ada")}.
     *
     * @throws IllegalArgumentException if the arguments are odd in number
     */
    public static PyDict of(Object... keysAndValues) {
        if ((keysAndValues.length & 1) != 0) {
            throw new IllegalArgumentException("odd number of arguments: keys and values alternate");
        }
        PyDict dict = new PyDict(keysAndValues.length / 2);
        dict.putPairs(keysAndValues, 0, keysAndValues.length);
        return dict;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Object get(Object key) {
        int e = find(key);
        return e < 0 ? null : slots[2 * e + 1];
    }

    @Override
    public Object getOrDefault(Object key, Object defaultValue) {
        int e = find(key);
        return e < 0 ? defaultValue : slots[2 * e + 1];
    }

    @Override
    public boolean containsKey(Object key) {
        return find(key) >= 0;
    }

    @Override
    public boolean containsValue(Object value) {
        Object[] s = slots;
        for (int i = 0, n = 2 * used; i < n; i += 2) {
            if (s[i] != REMOVED && Objects.equals(value, s[i + 1])) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Object put(Object key, Object value) {
        int e;
        int p = -1;                                 // the table slot for a new entry
        if (table == null) {
            e = find(key);                          // scanned, or in the HashMap index
        } else {
            // One probe finds the key or the empty slot it would take.
            int[] t = table;
            int mask = t.length - 1;
            int probes = 0;
            for (p = slotOf(key); (e = t[p] - 1) >= 0 && !same(slots[2 * e], key); p = (p + 1) & mask) {
                probes++;
            }
            if (e < 0 && probes > MAX_PROBES) {
                flood();
                p = -1;
            }
        }
        if (e >= 0) {
            Object old = slots[2 * e + 1];
            slots[2 * e + 1] = value;
            return old;
        }
        if (used == slots.length / 2) {
            grow(size + 1);
            p = table == null ? -1 : freeSlot(key);
        }
        append(key, value, p);
        return null;
    }

    /**
     * Puts the pairs {@code source[from]: source[from + 1]}, ... up to {@code to}, in order: what the reader's
     * SETITEMS does with the keys and values on its stack, with room made once for all of them.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code source}
     * @throws IllegalArgumentException if the range holds an odd number of items
     */
    public void putPairs(Object[] source, int from, int to) {
        Objects.checkFromToIndex(from, to, source.length);
        if (((to - from) & 1) != 0) {
            throw new IllegalArgumentException("odd number of items: keys and values alternate");
        }
        ensureCapacity(size + (to - from) / 2);
        for (int i = from; i < to; i += 2) {
            put(source[i], source[i + 1]);
        }
    }

    @Override
    public void putAll(Map<?, ?> m) {
        if (m.isEmpty()) {
            return;
        }
        if (size == 0) {
            ensureCapacity(m.size());
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            put(e.getKey(), e.getValue());
        }
    }

    @Override
    public Object remove(Object key) {
        int e = find(key);
        if (e < 0) {
            return null;
        }
        Object old = slots[2 * e + 1];
        removeEntry(e);
        return old;
    }

    @Override
    public void clear() {
        if (used == 0) {
            return;
        }
        modCount++;
        Arrays.fill(slots, 0, 2 * used, null);
        if (table != null) {
            Arrays.fill(table, 0);
        }
        if (flooded != null) {
            flooded.clear();
        }
        used = 0;
        size = 0;
    }

    /**
     * Makes room for {@code capacity} entries without further allocation. An empty dict gets exactly that room;
     * a fuller one at least doubles.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative
     * @throws IllegalStateException if {@code capacity} is more than 2^29, the most a dict holds
     */
    public void ensureCapacity(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("negative capacity: " + capacity);
        }
        if (capacity > slots.length / 2) {
            grow(capacity);
        }
    }

    @Override
    public void forEach(BiConsumer<? super Object, ? super Object> action) {
        Objects.requireNonNull(action);
        int expected = modCount;
        Object[] s = slots;
        for (int i = 0, n = 2 * used; i < n; i += 2) {
            if (s[i] != REMOVED) {
                action.accept(s[i], s[i + 1]);
                if (modCount != expected) {
                    throw new ConcurrentModificationException();
                }
            }
        }
    }

    @Override
    public void replaceAll(BiFunction<? super Object, ? super Object, ?> function) {
        Objects.requireNonNull(function);
        int expected = modCount;
        Object[] s = slots;
        for (int i = 0, n = 2 * used; i < n; i += 2) {
            if (s[i] != REMOVED) {
                Object v = function.apply(s[i], s[i + 1]);
                if (modCount != expected) {
                    throw new ConcurrentModificationException();
                }
                s[i + 1] = v;
            }
        }
    }

    // The views are made when asked for, not kept: three fields would make every dict 8 bytes larger.

    @Override
    public Set<Object> keySet() {
        return new KeyView();
    }

    @Override
    public Collection<Object> values() {
        return new ValueView();
    }

    @Override
    public Set<Map.Entry<Object, Object>> entrySet() {
        return new EntryView();
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof Map) || ((Map<?, ?>) o).size() != size) {
            return false;
        }
        Map<?, ?> m = (Map<?, ?>) o;
        Object[] s = slots;
        try {
            for (int i = 0, n = 2 * used; i < n; i += 2) {
                Object k = s[i];
                if (k == REMOVED) {
                    continue;
                }
                Object v = s[i + 1];
                if (v == null ? m.get(k) != null || !m.containsKey(k) : !v.equals(m.get(k))) {
                    return false;
                }
            }
        } catch (ClassCastException | NullPointerException unused) {
            return false;                           // as AbstractMap: a map that refuses a key is not equal
        }
        return true;
    }

    /** The sum of {@code hash(key) ^ hash(value)} over the entries, as {@code Map} specifies. */
    @Override
    public int hashCode() {
        int h = 0;
        Object[] s = slots;
        for (int i = 0, n = 2 * used; i < n; i += 2) {
            if (s[i] != REMOVED) {
                h += Objects.hashCode(s[i]) ^ Objects.hashCode(s[i + 1]);
            }
        }
        return h;
    }

    /** A shallow copy: a new dict of the same entries, without holes (a dict the reader made copies to a plain
     * {@code PyDict}). */
    @Override
    public PyDict clone() {
        PyDict copy = new PyDict(size);
        Object[] s = slots;
        for (int i = 0, n = 2 * used; i < n; i += 2) {
            if (s[i] != REMOVED) {
                copy.put(s[i], s[i + 1]);
            }
        }
        return copy;
    }

    // ---- The table --------------------------------------------------------------------------------------------------

    /** The entry number of {@code key}, or -1. */
    private int find(Object key) {
        if (table == null) {
            if (flooded != null) {
                Integer at = flooded.get(key);
                return at == null ? -1 : at;
            }
            return scan(key);
        }
        int[] t = table;
        int mask = t.length - 1;
        Object[] s = slots;
        for (int p = slotOf(key); ; p = (p + 1) & mask) {
            int e = t[p] - 1;
            if (e < 0) {
                return -1;
            }
            if (same(s[2 * e], key)) {
                return e;
            }
        }
    }

    /** Whether the stored key {@code k} is {@code key}: identical, or equal and not a hole. */
    private static boolean same(Object k, Object key) {
        return k == key || key != null && k != REMOVED && key.equals(k);
    }

    /** The entry number of {@code key} in a dict with no table, or -1: identity first, then equality. */
    private int scan(Object key) {
        Object[] s = slots;
        int n = 2 * used;
        for (int i = 0; i < n; i += 2) {
            if (s[i] == key) {
                return i >> 1;
            }
        }
        if (key != null) {
            for (int i = 0; i < n; i += 2) {
                Object k = s[i];
                if (k != REMOVED && k != null && key.equals(k)) {
                    return i >> 1;
                }
            }
        }
        return -1;
    }

    /** The first slot to probe for {@code key}: Fibonacci hashing, so that runs of hashes spread out. */
    private int slotOf(Object key) {
        return ((Objects.hashCode(key) ^ SEED) * 0x9E3779B9) >>> shift;
    }

    /** The first empty slot on {@code key}'s probe sequence (the key is known to be absent). */
    private int freeSlot(Object key) {
        int[] t = table;
        int mask = t.length - 1;
        int p = slotOf(key);
        while (t[p] != 0) {
            p = (p + 1) & mask;
        }
        return p;
    }

    /** Adds an entry at the end, pointed to from table slot {@code p} if the dict has a table. */
    private void append(Object key, Object value, int p) {
        int e = used;
        slots[2 * e] = key;
        slots[2 * e + 1] = value;
        if (p >= 0) {
            table[p] = e + 1;
        } else if (flooded != null) {
            flooded.put(key, e);
        }
        used = e + 1;
        size++;
        modCount++;
    }

    private void removeEntry(int e) {
        modCount++;
        if (flooded != null) {
            flooded.remove(slots[2 * e]);
        }
        slots[2 * e] = REMOVED;
        slots[2 * e + 1] = null;
        size--;
        if (table == null && e == used - 1) {
            slots[2 * e] = null;
            used--;                                 // no table points at it: the place is free again
        } else if (size == 0) {
            clear();
        } else if (size < used / 2 && used > SCAN && flooded == null) {
            rebuild(slots.length / 2);              // holes are half the entries: close them
        }
    }

    /**
     * Makes room for {@code need} entries: an empty dict exactly that, a dict whose holes would make the room
     * the same size again, else at least twice the room.
     */
    private void grow(int need) {
        if (need > MAX_ENTRIES) {
            throw new IllegalStateException("a dict holds at most " + MAX_ENTRIES + " entries; room for " + need
                    + " was asked for");
        }
        int room = slots.length / 2;
        int capacity = used == 0 ? need
                : need <= room && size <= room / 2 ? room
                : (int) Math.min(Math.max(need, 2L * Math.max(room, 2)), MAX_ENTRIES);
        rebuild(capacity);
    }

    /** New arrays with room for {@code capacity} entries, the live entries packed in order, the table rebuilt. */
    private void rebuild(int capacity) {
        Object[] old = slots;
        int oldUsed = used;
        Object[] s = new Object[2 * capacity];
        int n = 0;
        for (int i = 0, end = 2 * oldUsed; i < end; i += 2) {
            if (old[i] != REMOVED) {
                s[n++] = old[i];
                s[n++] = old[i + 1];
            }
        }
        slots = s;
        used = n / 2;
        table = null;
        if (flooded != null) {
            indexFlooded();
            return;
        }
        if (capacity <= SCAN) {
            return;
        }
        // At most half full: the smallest power of two at least twice the room.
        int length = Integer.highestOneBit(2 * capacity - 1) << 1;
        int[] t = new int[length];
        shift = 32 - Integer.numberOfTrailingZeros(length);
        int mask = length - 1;
        for (int e = 0; e < used; e++) {
            int p = slotOf(s[2 * e]);
            for (int probes = 0; t[p] != 0; probes++) {
                if (probes > MAX_PROBES) {
                    flooded = new HashMap<>();
                    indexFlooded();
                    return;
                }
                p = (p + 1) & mask;
            }
            t[p] = e + 1;
        }
        table = t;
    }

    /** Gives up the table for a {@code HashMap} index: the keys' hashes collide (see {@link #MAX_PROBES}). */
    private void flood() {
        table = null;
        flooded = new HashMap<>();
        indexFlooded();
    }

    /** Fills the {@code HashMap} index with the live entries. */
    private void indexFlooded() {
        HashMap<Object, Integer> index = flooded;
        index.clear();
        Object[] s = slots;
        for (int e = 0; e < used; e++) {
            if (s[2 * e] != REMOVED) {
                index.put(s[2 * e], e);
            }
        }
    }

    // ---- Views ------------------------------------------------------------------------------------------------------

    /** Walks the entries in order, skipping holes; fails fast. */
    private abstract class Walk<T> implements Iterator<T> {
        private int next;
        private int last = -1;
        private int expected = modCount;

        Walk() {
            next = skipHoles(0);
        }

        private int skipHoles(int from) {
            Object[] s = slots;
            int i = from;
            while (i < used && s[2 * i] == REMOVED) {
                i++;
            }
            return i;
        }

        @Override
        public boolean hasNext() {
            return next < used;
        }

        /** Moves to the next entry and returns its number. */
        final int step() {
            if (modCount != expected) {
                throw new ConcurrentModificationException();
            }
            if (next >= used) {
                throw new NoSuchElementException();
            }
            last = next;
            next = skipHoles(next + 1);
            return last;
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException();
            }
            if (modCount != expected) {
                throw new ConcurrentModificationException();
            }
            // Removing may close the holes, which renumbers the entries; find the next one again by its key.
            boolean atEnd = next >= used;
            Object nextKey = atEnd ? null : slots[2 * next];
            int oldUsed = used;
            removeEntry(last);
            if (atEnd) {
                next = used;
            } else if (used != oldUsed) {
                next = find(nextKey);
            }
            last = -1;
            expected = modCount;
        }
    }

    private final class KeyView extends AbstractSet<Object> {
        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean contains(Object o) {
            return containsKey(o);
        }

        @Override
        public boolean remove(Object o) {
            int e = find(o);
            if (e < 0) {
                return false;
            }
            removeEntry(e);
            return true;
        }

        @Override
        public void clear() {
            PyDict.this.clear();
        }

        @Override
        public Iterator<Object> iterator() {
            return new Walk<>() {
                @Override
                public Object next() {
                    return slots[2 * step()];
                }
            };
        }
    }

    private final class ValueView extends AbstractCollection<Object> {
        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean contains(Object o) {
            return containsValue(o);
        }

        @Override
        public void clear() {
            PyDict.this.clear();
        }

        @Override
        public Iterator<Object> iterator() {
            return new Walk<>() {
                @Override
                public Object next() {
                    return slots[2 * step() + 1];
                }
            };
        }
    }

    private final class EntryView extends AbstractSet<Map.Entry<Object, Object>> {
        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof Map.Entry)) {
                return false;
            }
            Map.Entry<?, ?> entry = (Map.Entry<?, ?>) o;
            int e = find(entry.getKey());
            return e >= 0 && Objects.equals(slots[2 * e + 1], entry.getValue());
        }

        @Override
        public boolean remove(Object o) {
            if (!contains(o)) {
                return false;
            }
            removeEntry(find(((Map.Entry<?, ?>) o).getKey()));
            return true;
        }

        @Override
        public void clear() {
            PyDict.this.clear();
        }

        @Override
        public Iterator<Map.Entry<Object, Object>> iterator() {
            return new Walk<>() {
                @Override
                public Map.Entry<Object, Object> next() {
                    int e = step();
                    return new Entry(e, slots[2 * e], slots[2 * e + 1]);
                }
            };
        }
    }

    /**
     * An entry of the map as iteration found it. {@code setValue} writes through: straight into the entry's place
     * while the map is unchanged, else by its key if the map still holds it.
     */
    private final class Entry extends AbstractMap.SimpleEntry<Object, Object> {
        private static final long serialVersionUID = 1L;
        private final int number;
        private final int expected;

        Entry(int number, Object key, Object value) {
            super(key, value);
            this.number = number;
            this.expected = modCount;
        }

        @Override
        public Object setValue(Object value) {
            Object key = getKey();
            if (modCount == expected) {
                slots[2 * number + 1] = value;
            } else if (containsKey(key)) {
                PyDict.this.put(key, value);
            }
            return super.setValue(value);
        }
    }

    // ---- Serialization ----------------------------------------------------------------------------------------------

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        out.writeInt(size);
        Object[] s = slots;
        for (int i = 0, n = 2 * used; i < n; i += 2) {
            if (s[i] != REMOVED) {
                out.writeObject(s[i]);
                out.writeObject(s[i + 1]);
            }
        }
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        int n = in.readInt();
        if (n < 0) {
            throw new InvalidObjectException("negative size: " + n);
        }
        slots = NONE;
        // Grown as entries arrive, never from the declared size alone.
        for (int i = 0; i < n; i++) {
            put(in.readObject(), in.readObject());
        }
    }
}
