package dev.brine.value;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A Python {@code pathlib} path: {@code PurePosixPath}, {@code PureWindowsPath}, {@code PosixPath} or
 * {@code WindowsPath}. It keeps its flavour (POSIX or Windows rules), whether it was a pure or a concrete path, and
 * the segments exactly as pickled, so that writing it back gives the same bytes.
 *
 * <p>The pickled segments changed with Python: up to 3.12 {@code PurePath.__reduce__} gives
 * {@code (cls, self.parts)} (the anchor, then the names), from 3.13 {@code (cls, tuple(self._raw_paths))}, the
 * unnormalized arguments the path was made from, under the class's new module {@code pathlib._local}. Both mean the
 * same path: {@link #parts()} and {@link #toString()} give Python's normalized {@code parts} and {@code str}.
 *
 * <pre>{@code
 * PyPath p = PyPath.posix("/srv", "data.csv");
 * p.toString();  // "/srv/data.csv"
 * p.toPath();    // a java.nio.file.Path, on a POSIX file system
 * }</pre>
 *
 * Equality follows Python's {@code ==}: same flavour and same normalized path (case-insensitive for Windows),
 * whether pure or concrete.
 */
public final class PyPath implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** Which operating system's path rules apply. */
    public enum Flavour {
        /** {@code posixpath}: {@code /} separates, a leading {@code /} (or exactly {@code //}) is the root. */
        POSIX,
        /** {@code ntpath}: {@code \} or {@code /} separate; drives ({@code c:}) and UNC shares anchor. */
        WINDOWS
    }

    private final Flavour flavour;
    private final boolean pure;
    private final List<String> segments;
    private final GlobalRef pythonClass;
    private final String drive;
    private final String root;
    private final List<String> names;

    private PyPath(Flavour flavour, boolean pure, List<String> segments, GlobalRef pythonClass) {
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        this.pure = pure;
        this.segments = List.copyOf(segments);
        this.pythonClass = Objects.requireNonNull(pythonClass, "pythonClass");
        String[] dr = new String[] {"", ""};
        StringBuilder rel = new StringBuilder();
        join(flavour, this.segments, dr, rel);
        this.drive = dr[0];
        this.root = dr[1];
        List<String> parts = new ArrayList<>();
        char sep = flavour == Flavour.POSIX ? '/' : '\\';
        for (String name : rel.toString().split(sep == '/' ? "/" : "\\\\")) {
            if (!name.isEmpty() && !name.equals(".")) {
                parts.add(name);
            }
        }
        this.names = Collections.unmodifiableList(parts);
    }

    /**
     * A path of {@code flavour} made from {@code segments} as Python's constructor joins them, named by the class
     * reference {@code pythonClass} (its name says pure or concrete). The reader keeps the segments and reference
     * it read.
     */
    public static PyPath of(Flavour flavour, boolean pure, List<String> segments, GlobalRef pythonClass) {
        String expected = (pure ? "Pure" : "") + (flavour == Flavour.POSIX ? "Posix" : "Windows") + "Path";
        if (!pythonClass.name().equals(expected)
                || !pythonClass.module().equals("pathlib") && !pythonClass.module().equals("pathlib._local")) {
            throw new IllegalArgumentException("not pathlib." + expected + ": " + pythonClass);
        }
        for (String s : segments) {
            Objects.requireNonNull(s, "segment");
        }
        return new PyPath(flavour, pure, segments, pythonClass);
    }

    /** {@code pathlib.PurePosixPath(*segments)}. */
    public static PyPath posix(String... segments) {
        return pure(Flavour.POSIX, segments);
    }

    /** {@code pathlib.PureWindowsPath(*segments)}. */
    public static PyPath windows(String... segments) {
        return pure(Flavour.WINDOWS, segments);
    }

    private static PyPath pure(Flavour flavour, String... segments) {
        PyPath p = new PyPath(flavour, true, List.of(segments), className(flavour, true));
        return p.withCanonicalSegments();
    }

    /**
     * The concrete path ({@code PosixPath} or {@code WindowsPath}) of a path on the default file system, whose
     * separator decides the flavour.
     */
    public static PyPath of(Path path) {
        Flavour f = FileSystems.getDefault().getSeparator().equals("\\") ? Flavour.WINDOWS : Flavour.POSIX;
        return new PyPath(f, false, List.of(path.toString()), className(f, false)).withCanonicalSegments();
    }

    /** This path as its concrete or pure class of the same flavour. */
    public PyPath asPure(boolean pure) {
        return new PyPath(flavour, pure, segments, className(flavour, pure));
    }

    private static GlobalRef className(Flavour flavour, boolean pure) {
        return new GlobalRef("pathlib", (pure ? "Pure" : "") + (flavour == Flavour.POSIX ? "Posix" : "Windows")
                + "Path");
    }

    /**
     * The same path with the segments Python 3.6 to 3.12 pickle ({@code parts}) under module {@code pathlib},
     * which every Python 3 loads.
     */
    private PyPath withCanonicalSegments() {
        return new PyPath(flavour, pure, parts(), pythonClass);
    }

    public Flavour flavour() {
        return flavour;
    }

    /** Whether this is a pure path ({@code PurePosixPath}, {@code PureWindowsPath}) rather than a concrete one. */
    public boolean isPure() {
        return pure;
    }

    /** The constructor arguments exactly as pickled (see the class comment). */
    public List<String> segments() {
        return segments;
    }

    /** The class as the pickle named it ({@code pathlib.X}, or {@code pathlib._local.X} from Python 3.13). */
    public GlobalRef pythonClass() {
        return pythonClass;
    }

    /** Python's {@code drive}: {@code c:} or {@code \\server\share} for Windows paths, else empty. */
    public String drive() {
        return drive;
    }

    /** Python's {@code root}: the separator after the drive, {@code //} for a POSIX path starting with exactly two. */
    public String root() {
        return root;
    }

    /** Whether the path is absolute, as Python's {@code is_absolute()}: a root, and for Windows also a drive. */
    public boolean isAbsolute() {
        return flavour == Flavour.POSIX ? !root.isEmpty() : !root.isEmpty() && !drive.isEmpty();
    }

    /** Python's {@code parts}: the anchor (drive and root) if any, then each name. */
    public List<String> parts() {
        List<String> parts = new ArrayList<>(names.size() + 1);
        if (!drive.isEmpty() || !root.isEmpty()) {
            parts.add(drive + root);
        }
        parts.addAll(names);
        return Collections.unmodifiableList(parts);
    }

    /** The last name, as Python's {@code name}, or empty. */
    public String name() {
        return names.isEmpty() ? "" : names.get(names.size() - 1);
    }

    /**
     * This path on the default file system. Only a path of that file system's flavour converts: a Windows path
     * means something else on a POSIX system.
     *
     * @throws UnsupportedOperationException when the flavour is not the default file system's
     */
    public Path toPath() {
        boolean windowsFs = FileSystems.getDefault().getSeparator().equals("\\");
        if (windowsFs != (flavour == Flavour.WINDOWS)) {
            throw new UnsupportedOperationException("a " + flavour + " path has no equivalent on this file system: "
                    + this);
        }
        return Path.of(toString());
    }

    /** Python's {@code str(path)}: the anchor and the names joined by the flavour's separator, or {@code .}. */
    @Override
    public String toString() {
        String anchor = drive + root;
        if (anchor.isEmpty() && names.isEmpty()) {
            return ".";
        }
        return anchor + String.join(flavour == Flavour.POSIX ? "/" : "\\", names);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PyPath) || ((PyPath) o).flavour != flavour) {
            return false;
        }
        return normCase().equals(((PyPath) o).normCase());
    }

    @Override
    public int hashCode() {
        return normCase().hashCode() * 31 + flavour.hashCode();
    }

    private String normCase() {
        return flavour == Flavour.WINDOWS ? toString().toLowerCase(Locale.ROOT) : toString();
    }

    // ---- os.path.join and splitroot of posixpath and ntpath, as pathlib applies them to its arguments ----

    /** Joins {@code segments} as {@code os.path.join}: sets drive and root in {@code dr}, the rest in {@code rel}. */
    private static void join(Flavour flavour, List<String> segments, String[] dr, StringBuilder rel) {
        char sep = flavour == Flavour.POSIX ? '/' : '\\';
        for (String raw : segments) {
            String s = flavour == Flavour.WINDOWS ? raw.replace('/', '\\') : raw;
            String[] p = flavour == Flavour.POSIX ? splitPosix(s) : splitWindows(s);
            if (!p[1].isEmpty()) {
                if (!p[0].isEmpty() || dr[0].isEmpty()) {
                    dr[0] = p[0];
                }
                dr[1] = p[1];
                rel.setLength(0);
                rel.append(p[2]);
                continue;
            }
            if (!p[0].isEmpty() && !p[0].equals(dr[0])) {
                if (!p[0].equalsIgnoreCase(dr[0])) {
                    dr[0] = p[0];
                    dr[1] = p[1];
                    rel.setLength(0);
                    rel.append(p[2]);
                    continue;
                }
                dr[0] = p[0];
            }
            if (rel.length() > 0 && rel.charAt(rel.length() - 1) != sep) {
                rel.append(sep);
            }
            rel.append(p[2]);
        }
    }

    /** posixpath.splitroot: a root of {@code /}, exactly {@code //}, or none. */
    private static String[] splitPosix(String s) {
        if (!s.startsWith("/")) {
            return new String[] {"", "", s};
        }
        if (s.startsWith("//") && !s.startsWith("///")) {
            return new String[] {"", "//", s.substring(2)};
        }
        return new String[] {"", "/", s.substring(1)};
    }

    /** ntpath.splitroot, on a path whose separators are already backslashes. */
    private static String[] splitWindows(String s) {
        if (s.startsWith("\\\\")) {
            // UNC: \\server\share is the drive.
            int server = s.indexOf('\\', 2);
            if (server < 0) {
                return new String[] {s, "", ""};
            }
            int share = s.indexOf('\\', server + 1);
            if (share < 0) {
                // pathlib gives a UNC drive a root even when no separator follows the share.
                return new String[] {s, "\\", ""};
            }
            return new String[] {s.substring(0, share), "\\", s.substring(share + 1)};
        }
        if (s.startsWith("\\")) {
            return new String[] {"", "\\", s.substring(1)};
        }
        if (s.length() >= 2 && s.charAt(1) == ':') {
            boolean rooted = s.length() > 2 && s.charAt(2) == '\\';
            return new String[] {s.substring(0, 2), rooted ? "\\" : "", s.substring(rooted ? 3 : 2)};
        }
        return new String[] {"", "", s};
    }
}
