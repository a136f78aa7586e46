package dev.brine.internal.read;

import dev.brine.value.GlobalRef;

/**
 * What strict mode accepts beyond the globals Brine maps and those allowed one by one: the data-only names of a
 * scanner policy ({@code dev.brine.scan.Policy}, given with {@code Unpickler.builder().policy(...)}), so that strict
 * reading and {@code brine scan} agree on what is data.
 */
public interface StrictPolicy {
    /** Whether {@code global} is data: SAFE to import under the policy. */
    boolean allows(GlobalRef global);

    /**
     * Whether {@code global} is a class SAFE only to instantiate from its state ({@code NEWOBJ},
     * {@code copyreg._reconstructor} plus {@code BUILD}), not to call: a call runs its {@code __init__}.
     */
    boolean instantiableOnly(GlobalRef global);
}
