package dev.brine.internal.types;

/**
 * A container the reader made, with a number the writer's memo places it by instead of its identity hash (see
 * {@link LoadedDict}). The number never decides identity: the memo compares keys with {@code ==}.
 */
public interface MemoIdentity {
    /** This container's number, never 0; stable for the object's life. */
    int memoIdentity();

    /**
     * The next number of a sequence that each load starts at a random point, skipping 0 (no number). Consecutive
     * numbers let the writer's memo keep a load's containers in consecutive slots, in the order a dump meets them
     * (see IdentityMemo); the random start keeps two loads' containers from taking the same numbers.
     */
    static int next(int previous) {
        int next = previous + 1;
        return next != 0 ? next : 1;
    }
}
