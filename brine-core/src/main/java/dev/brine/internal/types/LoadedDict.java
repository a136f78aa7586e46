package dev.brine.internal.types;

import dev.brine.value.PyDict;

/**
 * A Python dict as the reader makes it: a {@link PyDict} (the type Brine's type table promises) that also
 * carries a memo identity, a number the reader gave it, which the writer's memo uses in place of
 * {@link System#identityHashCode}.
 *
 * <p>The JVM makes an object's identity hash the first time it is asked for, with a call into the VM that writes
 * it into the object's header. A value read and then written (the work of a service between two queues) paid
 * that call for every dict on its first dump. The reader numbers its containers one after another, so the memo
 * also keeps a loaded value's containers in consecutive slots (see the writer's IdentityMemo). The number never
 * decides identity: keys are still compared by identity, so two dicts with the same number stay distinct, and a
 * copy ({@code clone()} or {@code new PyDict(dict)}) is a plain {@code PyDict}, hashed as any other object.
 */
public final class LoadedDict extends PyDict implements MemoIdentity {
    private static final long serialVersionUID = 1L;

    private final int memoIdentity;

    public LoadedDict(int memoIdentity) {
        this.memoIdentity = memoIdentity;
    }

    @Override
    public int memoIdentity() {
        return memoIdentity;
    }
}
