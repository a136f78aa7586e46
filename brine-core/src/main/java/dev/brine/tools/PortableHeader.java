package dev.brine.tools;

import dev.brine.internal.portable.PortableRuntime;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Brine portable-mode header, recognised at the start of a pickle by its exact content.
 *
 * <p>A portable stream (see {@link dev.brine.Pickler.Builder#portable(boolean)}) starts with opcodes that install
 * Brine's Python runtime where the loading interpreter lacks it: loading such a pickle in Python runs that code.
 * This class tells such a header apart from anything else without running it: the bootstrap must match byte for
 * byte, and the compressed runtime must decompress to exactly this Brine's runtime sources. A header altered in
 * any way is not recognised, and so is treated like any other pickle content.
 *
 * @param length   the header's length in bytes; the ordinary pickle body starts there
 * @param protocol the protocol the header's PROTO declares
 * @param sections the runtime sections it installs, such as {@code base}, {@code record}, {@code function}
 */
public record PortableHeader(int length, int protocol, List<String> sections) {

    /** The header at the start of {@code pickle}, if it is one of Brine's, unaltered. */
    public static Optional<PortableHeader> find(byte[] pickle) {
        return PortableRuntime.recognize(pickle).map(h -> {
            List<String> names = new ArrayList<>();
            h.sections().forEach(s -> names.add(s.pythonName()));
            return new PortableHeader(h.length(), h.protocol(), List.copyOf(names));
        });
    }

    /** A one-line description, as the tools print it. */
    public String describe() {
        return "Brine portable-mode header, bytes 0-" + (length - 1) + ": installs the Python runtime sections "
                + String.join(", ", sections) + " where missing (Python code runs when this pickle is loaded)";
    }
}
