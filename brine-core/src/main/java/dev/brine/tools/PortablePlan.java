package dev.brine.tools;

import dev.brine.PickleException;
import dev.brine.internal.portable.LibraryRedirects;

import java.util.Map;
import java.util.Optional;

/**
 * What portable mode would do to a value read from a dill or cloudpickle stream, without writing it: each of the
 * libraries' globals and what it becomes in Brine's Python runtime, and the CPython version its code objects lock
 * the stream to. {@code brine portable --dry-run} prints it.
 *
 * <pre>{@code
 * PortablePlan plan = PortablePlan.of(Pickle.loads(dillBytes), 3, 11);
 * plan.redirected();   // {dill._dill._create_function=_brine1.d_function, ...}
 * plan.versionLock();  // Optional[3.11]
 * }</pre>
 *
 * @param redirected  each global redirected, {@code module.name} to its replacement, in the order met
 * @param versionLock the CPython version ({@code "3.11"}) the stream's code objects need, empty when it has none
 * @param codeObjects how many code objects the value holds
 */
public record PortablePlan(Map<String, String> redirected, Optional<String> versionLock, int codeObjects) {
    public PortablePlan {
        redirected = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(redirected));
    }

    /**
     * The plan for {@code value} written by CPython {@code major.minor}, as
     * {@code Pickler.builder().portable(true).bytecode(major, minor)} writes it.
     *
     * @throws PickleException as that writer would refuse: a name the runtime does not provide, a version that
     *                         contradicts the code objects' layout
     */
    public static PortablePlan of(Object value, int major, int minor) {
        return of(LibraryRedirects.plan(value, new int[] {major, minor}));
    }

    /**
     * The plan for {@code value} when the writing version is not known.
     *
     * @throws PickleException as {@code Pickler.builder().portable(true)} would refuse, including when the value
     *                         holds code objects
     */
    public static PortablePlan of(Object value) {
        return of(LibraryRedirects.plan(value, null));
    }

    private static PortablePlan of(LibraryRedirects r) {
        int[] lock = r.versionLock();
        return new PortablePlan(r.redirected(), lock == null ? Optional.empty()
                : Optional.of(lock[0] + "." + lock[1]), r.codeObjects());
    }
}
