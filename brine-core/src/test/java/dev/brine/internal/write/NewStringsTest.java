package dev.brine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The log of strs a speculating memo took to be new, and its check that none was logged twice. */
class NewStringsTest {

    /**
     * Random logs against {@link IdentityHashMap}: strs of many contents, of a few (long runs of one hash, which
     * the check compares by identity hash), and of hashes that differ only below the radix sort's bits; each log
     * with no str twice, or with one str logged again at a random place. The answer must be the reference's.
     */
    @Test
    void findsAStrLoggedTwiceAndNothingElse() {
        SplittableRandom random = new SplittableRandom(23);
        int twice = 0;
        for (int round = 0; round < 400; round++) {
            int n = 1 + random.nextInt(round < 300 ? 200 : 40_000);
            int contents = 1 + random.nextInt(random.nextBoolean() ? 5 : 100_000);
            List<Object> keys = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                keys.add(new String("c" + random.nextInt(contents)));
            }
            if (random.nextBoolean()) {
                keys.add(random.nextInt(keys.size() + 1), keys.get(random.nextInt(keys.size())));
            }
            Map<Object, Boolean> seen = new IdentityHashMap<>();
            boolean expected = true;
            NewStrings log = new NewStrings();
            boolean lowBitsOnly = random.nextInt(4) == 0;
            for (int i = 0; i < keys.size(); i++) {
                Object key = keys.get(i);
                expected &= seen.put(key, Boolean.TRUE) == null;
                // Hashes that share their top 22 bits: only the whole-hash comparison tells them apart.
                int hash = lowBitsOnly ? key.hashCode() & 0x3ff : key.hashCode() * 0x9E3779B9;
                log.add(hash, i);
            }
            twice += expected ? 0 : 1;
            assertThat(log.count()).isEqualTo(keys.size());
            assertThat(log.distinct(keys::get)).as("round %d", round).isEqualTo(expected);
        }
        assertThat(twice).as("rounds with a str logged twice").isBetween(100, 300);
    }

    /** Entries keep their hash and memo index, in the order logged, across pages. */
    @Test
    void keepsEachEntryInOrder() {
        NewStrings log = new NewStrings();
        for (int i = 0; i < 50_000; i++) {
            log.add(-i * 31, 2 * i);
        }
        for (int i = 0; i < 50_000; i++) {
            assertThat(log.hash(i)).isEqualTo(-i * 31);
            assertThat(log.index(i)).isEqualTo(2 * i);
        }
    }

    /** Many distinct strs of one content, as a tree's leaves, with the same str logged twice far apart. */
    @Test
    void manyEqualStrsOneLoggedTwice() {
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            keys.add(new String("leaf"));
        }
        NewStrings clean = new NewStrings();
        for (int i = 0; i < keys.size(); i++) {
            clean.add("leaf".hashCode(), i);
        }
        assertThat(clean.distinct(keys::get)).isTrue();
        keys.add(keys.get(17));
        Collections.swap(keys, 2_500, keys.size() - 1);
        NewStrings dirty = new NewStrings();
        for (int i = 0; i < keys.size(); i++) {
            dirty.add("leaf".hashCode(), i);
        }
        assertThat(dirty.distinct(keys::get)).isFalse();
    }
}
