package dev.brine.internal.types;

import dev.brine.value.PyList;

/**
 * A Python list as the reader makes it: a {@link PyList} (the type Brine's type table promises) that also carries
 * a memo identity for the writer's memo; see {@link LoadedDict}.
 */
public final class LoadedList extends PyList implements MemoIdentity {
    private static final long serialVersionUID = 1L;

    private final int memoIdentity;

    /** An empty list with no room yet: the reader's next APPENDS makes it exactly as large as its items. */
    public LoadedList(int memoIdentity) {
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
