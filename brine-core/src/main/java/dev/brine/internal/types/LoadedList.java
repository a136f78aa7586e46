package dev.brine.internal.types;

import java.util.ArrayList;

/**
 * A Python list as the reader makes it: an {@link ArrayList} (the type Brine's type table promises) that also
 * carries a memo identity for the writer's memo; see {@link LoadedDict}.
 */
public final class LoadedList extends ArrayList<Object> implements MemoIdentity {
    private static final long serialVersionUID = 1L;

    private final int memoIdentity;

    /**
     * An empty list with no room yet: the reader's next APPENDS makes it exactly as large as its items (an
     * {@code ArrayList()} would make room for ten at the first item, 56 bytes instead of 32 for four items).
     */
    public LoadedList(int memoIdentity) {
        super(0);
        this.memoIdentity = memoIdentity;
    }

    public LoadedList(int memoIdentity, int capacity) {
        super(capacity);
        this.memoIdentity = memoIdentity;
    }

    @Override
    public int memoIdentity() {
        return memoIdentity;
    }
}
