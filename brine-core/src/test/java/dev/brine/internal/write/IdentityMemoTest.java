package dev.brine.internal.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brine.internal.types.LoadedDict;
import dev.brine.internal.types.LoadedList;
import dev.brine.internal.types.LoadedTuples;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The writer's identity memo against {@link IdentityHashMap}, the JDK's map with the same contract. */
class IdentityMemoTest {

    @Test
    void equalObjectsAreDistinctKeys() {
        IdentityMemo memo = new IdentityMemo();
        String a = new String("same");
        String b = new String("same");
        memo.put(a, 0);
        assertThat(memo.get(a)).isEqualTo(0);
        assertThat(memo.get(b)).isEqualTo(IdentityMemo.NONE);
        memo.put(b, 1);
        assertThat(memo.get(a)).isEqualTo(0);
        assertThat(memo.get(b)).isEqualTo(1);
        assertThat(memo.size()).isEqualTo(2);
    }

    @Test
    void putOfAKeyAlreadyThereMovesItsIndexWithoutGrowingTheMemo() {
        IdentityMemo memo = new IdentityMemo();
        Object key = new Object();
        memo.put(key, 0);
        memo.put(key, 5);
        assertThat(memo.get(key)).isEqualTo(5);
        assertThat(memo.size()).isEqualTo(1);
    }

    /**
     * Random gets and puts, with and without announced sizes, through several growths: every answer agrees with
     * the reference map, for keys present, absent, and put again.
     */
    @Test
    void agreesWithIdentityHashMapThroughGrowth() {
        for (boolean announce : new boolean[] {false, true}) {
            SplittableRandom random = new SplittableRandom(announce ? 7 : 11);
            IdentityMemo memo = new IdentityMemo();
            Map<Object, Integer> reference = new IdentityHashMap<>();
            List<Object> seen = new ArrayList<>();
            if (announce) {
                memo.expect(50_000);
            }
            for (int step = 0; step < 200_000; step++) {
                int action = random.nextInt(3);
                if (action == 0 || seen.isEmpty()) {
                    // Plain objects, and strings of few contents, so that many keys share a content hash.
                    Object key = random.nextBoolean() ? new Object() : new String("s" + random.nextInt(50));
                    seen.add(key);
                    int index = memo.size();
                    memo.put(key, index);
                    reference.put(key, index);
                } else if (action == 1) {
                    Object key = seen.get(random.nextInt(seen.size()));
                    assertThat(memo.get(key)).isEqualTo(reference.get(key));
                } else {
                    assertThat(memo.contains(new Object())).isFalse();
                    assertThat(memo.contains(new String("s" + random.nextInt(50)))).isFalse();
                }
            }
            assertHoldsExactly(memo, reference);
        }
    }

    /**
     * Strings are placed by content hash; many distinct strings with one content (as a Java-built value may hold)
     * must not all queue on one hash: after {@link IdentityMemo#CROWD} of them, the rest go by identity hash.
     */
    @Test
    void manyEqualStringsStayDistinctAndLeaveTheCrowdedHash() {
        IdentityMemo memo = new IdentityMemo();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String key = new String("name");
            keys.add(key);
            assertThat(memo.get(key)).isEqualTo(IdentityMemo.NONE);
            memo.put(key, i);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(memo.get(keys.get(i))).isEqualTo(i);
        }
        memo.put(keys.get(3), 20_000);
        memo.put(keys.get(15_000), 20_001);
        assertThat(memo.get(keys.get(3))).isEqualTo(20_000);
        assertThat(memo.get(keys.get(15_000))).isEqualTo(20_001);
        assertThat(memo.size()).isEqualTo(20_000);
        assertThat(memo.stringsByContent()).isEqualTo(IdentityMemo.CROWD);
    }

    /** A put reuses the slot of the lookup that just missed, unless something was stored since. */
    @Test
    void aPutAfterAnotherStoreDoesNotReuseAStaleSlot() {
        for (int round = 0; round < 2_000; round++) {
            IdentityMemo memo = new IdentityMemo();
            Object a = new Object();
            Object b = new Object();
            String s = new String("x" + round);
            assertThat(memo.get(a)).isEqualTo(IdentityMemo.NONE);
            assertThat(memo.get(s)).isEqualTo(IdentityMemo.NONE);
            memo.put(b, 0);             // may take the slot either lookup ended at
            memo.put(a, 1);
            memo.put(s, 2);
            assertThat(memo.get(a)).isEqualTo(1);
            assertThat(memo.get(b)).isEqualTo(0);
            assertThat(memo.get(s)).isEqualTo(2);
            assertThat(memo.size()).isEqualTo(3);
        }
    }

    /**
     * The reader's dicts, lists and tuples are placed by the memo identity the reader gave them, which is only a
     * hash: distinct containers with one number, and tuples with none (0, placed by identity hash), stay distinct
     * keys, through growth, as in {@link IdentityHashMap}.
     */
    @Test
    void readerMadeContainersSharingAMemoIdentityStayDistinctKeys() {
        SplittableRandom random = new SplittableRandom(13);
        IdentityMemo memo = new IdentityMemo();
        Map<Object, Integer> reference = new IdentityHashMap<>();
        List<Object> seen = new ArrayList<>();
        for (int step = 0; step < 100_000; step++) {
            if (random.nextInt(3) > 0 || seen.isEmpty()) {
                // A thousand numbers in all, one of them 0 (no memo identity).
                int id = random.nextInt(1_000) * 0x9E3779B9;
                Object key = readerContainer(random.nextInt(3), id, step);
                assertThat(memo.get(key)).isEqualTo(IdentityMemo.NONE);
                seen.add(key);
                int index = memo.size();
                memo.put(key, index);
                reference.put(key, index);
            } else {
                Object key = seen.get(random.nextInt(seen.size()));
                assertThat(memo.get(key)).isEqualTo(reference.get(key));
            }
        }
        assertHoldsExactly(memo, reference);
    }

    /**
     * The reader numbers its containers one after another from a random start, and the memo keeps them at the
     * slot their number gives. Containers of three loads whose numbers overlap (one starting where another is
     * halfway, one wrapping past {@code Integer.MAX_VALUE}), put in an interleaved order, through the table's
     * growth, then put again with new indexes: each stays its own key with its latest index, as in
     * {@link IdentityHashMap}, and a key put again is not counted twice.
     */
    @Test
    void readerContainersOfLoadsWithOverlappingNumbersStayDistinctThroughGrowth() {
        int n = 30_000;
        int[] starts = {1_000, 1_000 + n / 2, Integer.MAX_VALUE - n / 3};
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int start : starts) {
                int id = start + i;
                keys.add(readerContainer(i % 3, id, i));
            }
        }
        IdentityMemo memo = new IdentityMemo();
        Map<Object, Integer> reference = new IdentityHashMap<>();
        SplittableRandom random = new SplittableRandom(17);
        for (Object key : keys) {
            assertThat(memo.get(key)).isEqualTo(IdentityMemo.NONE);
            int index = memo.size();
            memo.put(key, index);
            reference.put(key, index);
            Object earlier = keys.get(random.nextInt(reference.size()));
            assertThat(memo.get(earlier)).isEqualTo(reference.get(earlier));
        }
        int next = memo.size();
        for (int i = 0; i < keys.size(); i += 7) {
            memo.put(keys.get(i), next);
            reference.put(keys.get(i), next++);
        }
        assertThat(memo.size()).isEqualTo(keys.size());
        for (Object key : keys) {
            assertThat(memo.get(key)).isEqualTo(reference.get(key));
        }
        assertThat(memo.get(new LoadedDict(1_000))).isEqualTo(IdentityMemo.NONE);
        assertThat(memo.get(LoadedTuples.wrap(new Object[] {1L}, Integer.MAX_VALUE))).isEqualTo(IdentityMemo.NONE);
    }

    /**
     * Touching only loads slots: single keys and batches of up to {@link IdentityMemo#MAX_TOUCH} keys of every kind
     * (plain objects, strs of few contents so that some are crowded, the reader's containers with overlapping
     * numbers, keys present and absent), from before the containers' table exists and through both tables' growth,
     * change no answer of the memo against {@link IdentityHashMap}.
     */
    @Test
    void touchingKeysOfEveryKindChangesNoAnswer() {
        SplittableRandom random = new SplittableRandom(19);
        IdentityMemo memo = new IdentityMemo();
        Map<Object, Integer> reference = new IdentityHashMap<>();
        List<Object> seen = new ArrayList<>();
        Object[] batch = new Object[IdentityMemo.MAX_TOUCH];
        for (int step = 0; step < 60_000; step++) {
            int n = 1 + random.nextInt(IdentityMemo.MAX_TOUCH);
            for (int j = 0; j < n; j++) {
                batch[j] = seen.isEmpty() || random.nextBoolean() ? anyKey(random, step)
                        : seen.get(random.nextInt(seen.size()));
            }
            memo.touch(batch, n);
            memo.touch(batch[random.nextInt(n)]);
            Object key = anyKey(random, step);
            assertThat(memo.get(key)).isEqualTo(IdentityMemo.NONE);
            int index = memo.size();
            memo.put(key, index);
            reference.put(key, index);
            seen.add(key);
            Object earlier = seen.get(random.nextInt(seen.size()));
            assertThat(memo.get(earlier)).isEqualTo(reference.get(earlier));
        }
        assertHoldsExactly(memo, reference);
    }

    /**
     * The first growth of the main table makes room for everything announced so far (a large list of strs is one
     * growth); later ones double, however much more has been announced, since most announced items of a large
     * value never reach that table. Every key stays found throughout.
     */
    @Test
    void announcementsSizeTheFirstGrowthAndLaterGrowthsDouble() {
        IdentityMemo memo = new IdentityMemo();
        memo.expect(100_000);
        int initial = memo.mainCapacity();
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < initial; i++) {
            Object key = i % 2 == 0 ? new Object() : new String("k" + i);
            keys.add(key);
            memo.put(key, i);
        }
        assertThat(memo.mainCapacity()).isEqualTo(262_144);
        memo.expect(10_000_000);
        while (keys.size() <= 131_072) {
            Object key = new String("k" + keys.size());
            memo.put(key, keys.size());
            keys.add(key);
        }
        assertThat(memo.mainCapacity()).isEqualTo(524_288);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(memo.get(keys.get(i))).isEqualTo(i);
        }
    }

    /**
     * A speculating memo used as the writer uses it (a lookup, then a put at the next index if it found nothing),
     * on random keys, some met again soon and some long after: a lookup never gives a wrong index, and
     * {@link IdentityMemo#verify} reports exactly whether a str was put twice (looked up in vain after its put).
     * A speculation that {@link IdentityMemo#settle}s half way puts every str logged so far where later lookups
     * find it. Both answers of verify and settle occur.
     */
    @Test
    void aSpeculatingMemoNeverGivesAWrongIndexAndReportsEveryStrPutTwice() {
        int[] outcomes = new int[4];
        for (int trial = 0; trial < 120; trial++) {
            SplittableRandom random = new SplittableRandom(1000 + trial);
            boolean settleHalfWay = trial % 2 == 1;
            IdentityMemo memo = new IdentityMemo();
            memo.speculate();
            Map<Object, Integer> reference = new IdentityHashMap<>();
            List<Object> seen = new ArrayList<>();
            boolean twice = false;
            Deque<Object> upcoming = new ArrayDeque<>();
            int steps = 2_000 + random.nextInt(8_000);
            for (int step = 0; step < steps; step++) {
                if (settleHalfWay && step == steps / 2) {
                    boolean held = memo.settle();
                    assertThat(held).isEqualTo(!twice);
                    outcomes[held ? 2 : 3]++;
                    if (!held) {
                        break;
                    }
                    assertThat(memo.speculating()).isFalse();
                    assertFinds(memo, reference);
                }
                if (upcoming.isEmpty() && random.nextInt(8) == 0) {
                    // As the writer looks ahead in a long list: the next keys' slots loaded together, then each
                    // looked up (and put) in order.
                    Object[] batch = new Object[1 + random.nextInt(IdentityMemo.MAX_TOUCH)];
                    for (int j = 0; j < batch.length; j++) {
                        batch[j] = speculationKey(random, trial, step, seen);
                    }
                    memo.touch(batch, batch.length);
                    upcoming.addAll(Arrays.asList(batch));
                }
                Object key = upcoming.isEmpty() ? speculationKey(random, trial, step, seen) : upcoming.poll();
                int index = memo.get(key);
                if (index != IdentityMemo.NONE) {
                    if (!twice) {
                        assertThat(index).isEqualTo(reference.get(key));
                    }
                    continue;
                }
                int next = memo.size();
                memo.put(key, next);
                twice |= reference.containsKey(key);
                if (!twice) {
                    assertThat(memo.size()).isEqualTo(next + 1);
                }
                reference.put(key, next);
                seen.add(key);
            }
            if (!settleHalfWay) {
                boolean held = memo.verify();
                assertThat(held).as("trial %d", trial).isEqualTo(!twice);
                outcomes[held ? 0 : 1]++;
            }
        }
        assertThat(java.util.Arrays.stream(outcomes).min().getAsInt()).as("fewest of verify held, failed; settle held, "
                + "failed: %s", java.util.Arrays.toString(outcomes)).isGreaterThanOrEqualTo(5);
    }

    /**
     * A key for {@link #aSpeculatingMemoNeverGivesAWrongIndexAndReportsEveryStrPutTwice}: trials 0-1 of every 4
     * meet keys again only soon after their put; 2-3 also long after, and 3 adds strs of few contents (crowded
     * hashes) and the reader's containers.
     */
    private static Object speculationKey(SplittableRandom random, int trial, int step, List<Object> seen) {
        int pick = random.nextInt(20);
        if (seen.isEmpty() || pick < 12) {
            int kind = random.nextInt(trial % 4 == 3 ? 3 : 2);
            return kind == 0 ? new Object() : kind == 1 ? new String("u" + random.nextInt(1 << 20))
                    : anyKey(random, step);
        }
        if (pick < 18 || trial % 4 < 2) {
            return seen.get(Math.max(0, seen.size() - 1 - random.nextInt(8)));
        }
        return seen.get(random.nextInt(seen.size()));
    }

    /**
     * The strs of a touched batch (a long list's items) go to the main table as they are put, even with other
     * puts between them; other strs are logged.
     */
    @Test
    void strsOfATouchedBatchGoToTheMainTable() {
        IdentityMemo memo = new IdentityMemo();
        memo.speculate();
        for (int i = 0; i < IdentityMemo.SPECULATE_AFTER; i++) {
            memo.put(new String("warm" + i), memo.size());
        }
        memo.put(new String("first logged"), memo.size());
        assertThat(memo.speculating()).isTrue();
        int inMain = memo.stringsByContent();
        Object[] batch = new Object[10];
        for (int j = 0; j < batch.length; j++) {
            batch[j] = j == 4 ? new Object() : new String("batched" + j);
        }
        memo.touch(batch, batch.length);
        for (int j = 0; j < batch.length; j++) {
            memo.put(batch[j], memo.size());
            memo.put(new String("nested" + j), memo.size());
        }
        assertThat(memo.stringsByContent()).isEqualTo(inMain + 9);
        assertThat(memo.verify()).isTrue();
        assertThat(memo.size()).isEqualTo(IdentityMemo.SPECULATE_AFTER + 1 + 20);
    }

    /**
     * A long list of equal strs, touched in batches as the writer touches a long list's items: each goes to the
     * main table once, crowded or not, and the speculation holds (it is not logged beside its place there).
     */
    @Test
    void aLongListOfEqualStrsHoldsTheSpeculation() {
        IdentityMemo memo = new IdentityMemo();
        memo.speculate();
        List<String> keys = new ArrayList<>();
        Object[] batch = new Object[IdentityMemo.MAX_TOUCH];
        for (int from = 0; from < 3_000; from += batch.length) {
            for (int j = 0; j < batch.length; j++) {
                batch[j] = new String("same");
            }
            memo.touch(batch, batch.length);
            for (Object key : batch) {
                assertThat(memo.get(key)).isEqualTo(IdentityMemo.NONE);
                memo.put(key, memo.size());
                keys.add((String) key);
            }
            // A str logged between batches (a dict's, say), so that the batches' strs are checked too.
            memo.put(new String("between" + from), memo.size());
        }
        for (int i = 0; i < keys.size(); i += 97) {
            assertThat(memo.get(keys.get(i))).isNotEqualTo(IdentityMemo.NONE);
        }
        assertThat(memo.verify()).isTrue();
    }

    /**
     * Equal strs make a content hash crowded, and later strs with it are logged by identity hash: a str logged by
     * content hash before that, and looked up in vain after, is still found twice.
     */
    @Test
    void aStrLoggedBeforeItsHashWasCrowdedAndAgainAfterIsFoundTwice() {
        IdentityMemo memo = new IdentityMemo();
        memo.speculate();
        for (int i = 0; i < IdentityMemo.SPECULATE_AFTER + 10; i++) {
            memo.put(new String("warm" + i), memo.size());
        }
        String first = new String("leaf");
        memo.put(first, memo.size());
        for (int i = 0; i < 1_000; i++) {
            String other = new String("leaf");
            assertThat(memo.get(other)).isEqualTo(IdentityMemo.NONE);
            memo.put(other, memo.size());
        }
        assertThat(memo.speculating()).isTrue();
        assertThat(memo.get(first)).isEqualTo(IdentityMemo.NONE);
        memo.put(first, memo.size());
        assertThat(memo.verify()).isFalse();
    }

    /** The memo holds exactly the reference's keys, each with its index. */
    private static void assertHoldsExactly(IdentityMemo memo, Map<Object, Integer> reference) {
        assertThat(memo.size()).isEqualTo(reference.size());
        assertFinds(memo, reference);
    }

    /** The memo finds each of the reference's keys at its index. */
    private static void assertFinds(IdentityMemo memo, Map<Object, Integer> reference) {
        for (Map.Entry<Object, Integer> e : reference.entrySet()) {
            assertThat(memo.get(e.getKey())).isEqualTo(e.getValue());
        }
    }

    /** A new key of a random kind; the reader's containers only after the first thousand steps. */
    private static Object anyKey(SplittableRandom random, int step) {
        int id = 1 + random.nextInt(5_000);
        int kind = random.nextInt(step < 1_000 ? 2 : 5);
        return switch (kind) {
            case 0 -> new Object();
            case 1 -> new String("s" + random.nextInt(40));
            default -> readerContainer(kind - 2, id, step);
        };
    }

    /** A dict (kind 0), list (1) or one-item tuple (2) as the reader makes them, with memo identity {@code id}. */
    private static Object readerContainer(int kind, int id, Object item) {
        return switch (kind) {
            case 0 -> new LoadedDict(id);
            case 1 -> new LoadedList(id);
            default -> LoadedTuples.wrap(new Object[] {item}, id);
        };
    }
}
