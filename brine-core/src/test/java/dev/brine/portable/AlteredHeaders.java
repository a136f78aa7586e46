package dev.brine.portable;

import dev.brine.internal.portable.PortableRuntime;
import dev.brine.internal.portable.PortableRuntime.Section;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Portable headers put together from their parts, so tests can alter one part at a time: the section list the
 * install call names, and the bundle it passes. Built from {@link PortableRuntime#header} itself (everything up to
 * the section list is taken from it), so a change to the header's layout shows up here as a failed sanity check
 * rather than a silently stale copy.
 */
public final class AlteredHeaders {
    private static final byte[] INSTALL = ("c" + PortableRuntime.MODULE + "\n_install\n(")
            .getBytes(StandardCharsets.US_ASCII);

    private AlteredHeaders() {
    }

    /** A header at {@code protocol} whose install call names {@code names} (in this order) and passes {@code bundle}. */
    public static byte[] assemble(int protocol, List<Section> names, byte[] bundle) {
        byte[] real = PortableRuntime.header(EnumSet.of(Section.BASE), protocol);
        int at = indexOf(real, INSTALL);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(real, 0, at + INSTALL.length);
        for (Section s : names) {
            byte[] name = s.pythonName().getBytes(StandardCharsets.UTF_8);
            out.write('X');
            le4(out, name.length);
            out.writeBytes(name);
            out.write('K');
            out.write(s.version());
            out.write(0x86);
        }
        out.write('t');
        out.write('B');
        le4(out, bundle.length);
        out.writeBytes(bundle);
        out.write(0x86);
        out.write('R');
        out.write('0');
        return out.toByteArray();
    }

    /** The bundle for {@code sections}, decompressed and compressed again at zlib {@code level}. */
    public static byte[] recompressed(Set<Section> sections, int level) {
        byte[] original = PortableRuntime.bundle(sections);
        Inflater inflater = new Inflater();
        ByteArrayOutputStream sources = new ByteArrayOutputStream();
        try {
            inflater.setInput(original);
            byte[] chunk = new byte[4096];
            while (!inflater.finished()) {
                sources.write(chunk, 0, inflater.inflate(chunk));
            }
        } catch (DataFormatException e) {
            throw new AssertionError(e);
        } finally {
            inflater.end();
        }
        Deflater deflater = new Deflater(level);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            deflater.setInput(sources.toByteArray());
            deflater.finish();
            byte[] chunk = new byte[4096];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    private static void le4(ByteArrayOutputStream out, int n) {
        for (int i = 0; i < 4; i++) {
            out.write(n >>> (8 * i));
        }
    }

    private static int indexOf(byte[] data, byte[] needle) {
        outer:
        for (int i = 0; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("the header no longer has the install call " + new String(needle,
                StandardCharsets.US_ASCII).replace("\n", "\\n"));
    }
}
