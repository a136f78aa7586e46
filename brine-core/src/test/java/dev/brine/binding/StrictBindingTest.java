package dev.brine.binding;

import dev.brine.PickleException;
import dev.brine.Unpickler;
import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Strict mode with bindings needs no allowGlobal for the bound classes, nor for {@code builtins.object} and
 * {@code builtins.tuple}, the base classes {@code copyreg._reconstructor(cls, base, state)} names at protocols 0
 * and 1 (a plain object and a namedtuple); every other global is still refused.
 */
@SuppressWarnings("unchecked")
@Tag("cross-interpreter")
class StrictBindingTest {
    record Point(int x, int y) {
    }

    record NT(long a, String b) {
    }

    static final Unpickler STRICT = Unpickler.builder().strict(true)
            .bind("geometry", "Point", Point.class)
            .bind("geometry", "NT", NT.class)
            .build();

    @Test
    void boundClassesLoadInStrictModeAtEveryProtocol() {
        int checked = 0;
        for (CPython python : CPython.python3s()) {
            Map<String, List<BindingTest.Case>> cases = BindingTest.byName(BindingTest.cases(python, BindingTest.CASES));
            for (BindingTest.Case c : cases.get("point")) {
                assertThat(STRICT.loads(c.pickle())).as(c.where()).isEqualTo(new Point(1, 2));
                checked++;
            }
            for (BindingTest.Case c : cases.get("namedtuple")) {
                assertThat((List<Object>) STRICT.loads(c.pickle())).as(c.where())
                        .containsExactly(new NT(1, "x"), new NT(2, "y"));
                checked++;
            }
            for (BindingTest.Case c : cases.get("line")) {
                // geometry.Line is not bound, so strict mode still refuses it.
                assertThatThrownBy(() -> STRICT.loads(c.pickle())).as(c.where())
                        .isInstanceOf(PickleException.class).hasMessageContaining("geometry.Line");
                checked++;
            }
        }
        System.out.println("strict binding: " + checked + " pickles checked");
        assertThat(checked).isPositive();
    }
}
