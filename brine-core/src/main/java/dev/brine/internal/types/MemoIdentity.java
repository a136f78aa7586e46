package dev.brine.internal.types;

/**
 * A container the reader made, with a number for the writer's memo to hash it by instead of its identity hash
 * (see {@link LoadedDict}). The number never decides identity: the memo compares keys with {@code ==}.
 */
public interface MemoIdentity {
    /** This container's memo hash; stable for the object's life. */
    int memoIdentity();

    /**
     * The next number of a sequence started at a random point: consecutive numbers differ by an odd constant near
     * 2^32 / phi, so containers made one after another spread over a hash table as random hashes do, and two
     * loads' containers do not pair up on the same numbers.
     */
    static int next(int previous) {
        return previous + 0x9E3779B9;
    }
}
