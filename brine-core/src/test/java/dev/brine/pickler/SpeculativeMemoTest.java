package dev.brine.pickler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brine.Pickle;
import dev.brine.Pickler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An in-memory dump takes the strs it has not just met to be new, and checks at the end (IdentityMemo.speculate);
 * a str met again long after its first write makes it dump the value again, and code of the caller's (here, a list
 * class of its own) ends the speculation before it runs. Either way the bytes are those of a dump to a stream,
 * which never speculates, and the caller's code runs once.
 */
class SpeculativeMemoTest {
    private static final int WORDS = 30_000;

    @Test
    void strsMetAgainLongAfterTheirFirstWriteAreFetchedAtEveryProtocol() throws IOException {
        List<Object> value = words();
        List<Object> words = new ArrayList<>(value);
        value.addAll(words.subList(2_000, 2_100));
        value.addAll(words.subList(0, 3));
        for (int protocol = 0; protocol <= 5; protocol++) {
            byte[] dumped = Pickle.dumps(value, protocol);
            assertThat(dumped).isEqualTo(streamed(value, protocol));
            List<?> back = (List<?>) Pickle.loads(dumped);
            assertThat(back).hasSize(WORDS + 103);
            assertThat(back.get(WORDS)).isSameAs(back.get(2_000));
            assertThat(back.get(WORDS + 102)).isSameAs(back.get(2));
        }
    }

    @Test
    void aListOfTheCallersRunsOnceWhenTheSpeculationFailedBeforeIt() throws IOException {
        List<Object> value = words();
        value.addAll(new ArrayList<>(value.subList(5_000, 5_050)));
        CountingList own = new CountingList(List.of("x", value.get(7_000)));
        value.add(own);
        byte[] dumped = Pickle.dumps(value, 2);
        assertThat(own.reads).isEqualTo(1);
        assertThat(dumped).isEqualTo(streamed(value, 2));
    }

    @Test
    void strsMetAgainAfterTheCallersCodeEndedTheSpeculationAreFetched() throws IOException {
        List<Object> value = words();
        CountingList own = new CountingList(List.of("y"));
        value.add(own);
        value.addAll(new ArrayList<>(value.subList(5_000, 5_050)));
        byte[] dumped = Pickle.dumps(value, 4);
        assertThat(own.reads).isEqualTo(1);
        assertThat(dumped).isEqualTo(streamed(value, 4));
        List<?> back = (List<?>) Pickle.loads(dumped);
        assertThat(back.get(WORDS + 1)).isSameAs(back.get(5_000));
    }

    @Test
    void aListOfTheCallersMetBeforeTheSpeculationStartedPreventsIt() throws IOException {
        CountingList own = new CountingList(List.of("z"));
        List<Object> value = new ArrayList<>();
        value.add(own);
        List<Object> words = words();
        value.addAll(words);
        value.addAll(words.subList(5_000, 5_050));
        byte[] dumped = Pickle.dumps(value, 3);
        assertThat(own.reads).isEqualTo(1);
        assertThat(dumped).isEqualTo(streamed(value, 3));
    }

    /** {@value #WORDS} distinct strs, each a new object. */
    private static List<Object> words() {
        List<Object> words = new ArrayList<>();
        for (int i = 0; i < WORDS; i++) {
            words.add(new String("w" + i));
        }
        return words;
    }

    private static byte[] streamed(Object value, int protocol) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Pickler.builder().protocol(protocol).build().dump(value, out);
        return out.toByteArray();
    }

    /** A list class of the caller's, which counts how often the writer starts reading it. */
    private static final class CountingList extends AbstractList<Object> {
        private final List<Object> items;
        int reads;

        CountingList(List<Object> items) {
            this.items = items;
        }

        @Override
        public Object get(int index) {
            if (index == 0) {
                reads++;
            }
            return items.get(index);
        }

        @Override
        public java.util.Iterator<Object> iterator() {
            reads++;
            return items.iterator();
        }

        @Override
        public int size() {
            return items.size();
        }
    }
}
