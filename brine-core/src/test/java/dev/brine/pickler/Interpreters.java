package dev.brine.pickler;

import dev.brine.cpython.CPython;

import java.util.List;

/** Picks interpreters for the writer tests. */
final class Interpreters {
    private Interpreters() {
    }

    /**
     * The newest Python 3 that can import every one of {@code modules} (on this machine python3, 3.11, has
     * hypothesis, cloudpickle and numpy); skips, or fails under BRINE_REQUIRE_PYTHON=1, if there is none.
     */
    static CPython withModules(String... modules) {
        List<CPython> all = CPython.python3s();
        for (int i = all.size() - 1; i >= 0; i--) {
            CPython p = all.get(i);
            boolean ok = true;
            for (String m : modules) {
                ok &= p.hasModule(m);
            }
            if (ok) {
                return p;
            }
        }
        CPython.require(false, "no CPython 3 with " + String.join(", ", modules));
        throw new AssertionError("unreachable");
    }
}
