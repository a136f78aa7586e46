package dev.brine.internal.read;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemoTest {
    @Test
    void appendsAcrossPagesAndKeepsNone() {
        Memo memo = new Memo();
        int n = 3 * Memo.PAGE + 17;
        for (int i = 0; i < n; i++) {
            assertThat(memo.append(i, i % 7 == 0 ? null : "v" + i, Long.MAX_VALUE)).isTrue();
        }
        assertThat(memo.size()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(memo.contains(i)).isTrue();
            assertThat(memo.get(i)).isEqualTo(i % 7 == 0 ? null : "v" + i);
        }
        assertThat(memo.contains(n)).isFalse();
        assertThat(memo.append(n + 1, "gap", Long.MAX_VALUE)).as("not the next index").isFalse();
        assertThat(memo.append(n, "limit", n)).as("at the entry limit").isFalse();
    }

    @Test
    void aFarIndexIsSparseAndMovesIntoPagesWhenTheyReachIt() {
        Memo memo = new Memo();
        memo.put(0xFFFF_FFFFL, "far");
        memo.put(5000, "mid");          // beyond max(1024, 2 * size): kept sparse for now
        assertThat(memo.contains(5000)).isTrue();
        for (int i = 0; memo.size() < 6000; i++) {
            if (!memo.contains(i)) {
                memo.put(i, i);
            }
        }
        assertThat(memo.get(5000)).as("still found once pages cover it").isEqualTo("mid");
        assertThat(memo.get(0xFFFF_FFFFL)).isEqualTo("far");
        memo.put(5000, "again");
        assertThat(memo.get(5000)).isEqualTo("again");
        assertThat(memo.size()).isEqualTo(6000);
    }
}
