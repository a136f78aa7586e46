/**
 * Brine: Python's pickle format for the JVM.
 *
 * <p>{@code dev.brine} holds the entry points ({@link dev.brine.Pickle}, {@link dev.brine.Unpickler});
 * {@code dev.brine.value} the Java types for Python values; {@code dev.brine.tools} the disassembler and other
 * tools. {@code dev.brine.internal} is not exported.
 */
module dev.brine {
    exports dev.brine;
    exports dev.brine.value;
    exports dev.brine.tools;
    exports dev.brine.scan;
}
