package dev.brine.binding;

import dev.brine.Unpickler;
import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A list or dict that two bound fields share in Python is one converted Java container, not two copies, even when
 * its elements are converted ({@code List<Point>}); and a list that reaches itself through bound objects keeps the
 * cycle. Pickled by every CPython 3 at every protocol.
 */
@Tag("cross-interpreter")
class ContainerSharingTest {
    record Point(int x, int y) {
    }

    static final class Holder {
        List<Point> a;
        List<Point> b;
        Map<String, Point> c;
        Map<String, Point> d;
    }

    record HolderRecord(List<Point> a, List<Point> b, Map<String, Point> c, Map<String, Point> d) {
    }

    static final class Peer {
        String name;
        List<Peer> peers;
    }

    static final class ArrayHolder {
        Point[] a;
        Point[] b;
        Map<String, Object> c;
        java.util.TreeMap<String, Point> d;
    }

    private static Unpickler bound(Class<?> holder) {
        return Unpickler.builder().bind("geometry", "Point", Point.class).bind("geometry", "Holder", holder)
                .bind("geometry", "Peer", Peer.class).build();
    }

    @Test
    void sharedContainersStayShared() {
        int checked = 0;
        for (CPython python : CPython.python3s()) {
            Map<String, List<BindingTest.Case>> cases = BindingTest.byName(BindingTest.cases(python, BindingTest.CASES));
            for (BindingTest.Case c : cases.get("shared_containers")) {
                Holder h = (Holder) bound(Holder.class).loads(c.pickle());
                assertThat(h.a).as(c.where()).containsExactly(new Point(1, 2), new Point(3, 4)).isSameAs(h.b);
                assertThat(h.c).as(c.where()).containsExactly(Map.entry("p", new Point(1, 2))).isSameAs(h.d);
                // The point in the dict is the very record in the list, as it was one object in Python.
                assertThat(h.c.get("p")).as(c.where()).isSameAs(h.a.get(0));

                HolderRecord r = (HolderRecord) bound(HolderRecord.class).loads(c.pickle());
                assertThat(r.a()).as(c.where()).containsExactly(new Point(1, 2), new Point(3, 4)).isSameAs(r.b());
                assertThat(r.c()).as(c.where()).isSameAs(r.d());

                // Arrays are shared too; one dict as two Java types is two containers, with the same point.
                ArrayHolder ah = (ArrayHolder) bound(ArrayHolder.class).loads(c.pickle());
                assertThat(ah.a).as(c.where()).containsExactly(new Point(1, 2), new Point(3, 4)).isSameAs(ah.b);
                assertThat((Object) ah.c).as(c.where()).isNotSameAs(ah.d);
                assertThat(ah.c.get("p")).as(c.where()).isSameAs(ah.d.get("p")).isSameAs(ah.a[0]);
                checked++;
            }
            for (BindingTest.Case c : cases.get("peers")) {
                Peer g = (Peer) bound(Holder.class).loads(c.pickle());
                assertThat(g.name).as(c.where()).isEqualTo("g");
                assertThat(g.peers).as(c.where()).hasSize(2);
                assertThat(g.peers.get(0)).as(c.where()).isSameAs(g);
                Peer h = g.peers.get(1);
                assertThat(h.name).as(c.where()).isEqualTo("h");
                assertThat(h.peers).as(c.where()).isSameAs(g.peers);
                checked++;
            }
        }
        System.out.println("container sharing: " + checked + " pickles checked");
        assertThat(checked).isPositive();
    }
}
