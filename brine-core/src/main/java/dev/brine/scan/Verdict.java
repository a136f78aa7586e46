package dev.brine.scan;

/**
 * How bad a finding, a file or a whole scan is, from best to worst as {@code brine scan} ranks them for its exit
 * code: a DANGEROUS file anywhere outweighs one that could not be read, which outweighs a SUSPICIOUS one.
 */
public enum Verdict {
    /** Only names the {@link Policy} allows are used, and the input was read whole. Exit code 0. */
    SAFE(0),
    /**
     * Something no rule of the {@link Policy} covers is imported, a class it lets only be instantiated is called, or
     * the stream is malformed. Exit code 1.
     */
    SUSPICIOUS(1),
    /** A name a {@code deny} rule of the {@link Policy} covers is reached, or a global is mutated. Exit code 2. */
    DANGEROUS(2),
    /**
     * The input, or part of it, could not be read: no format the scanner knows, a codec the JDK lacks, over a
     * limit, or the scan budget ran out. Never SAFE. Exit code 3.
     */
    UNREADABLE(3);

    private final int exitCode;

    Verdict(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The exit code {@code brine scan} uses for this verdict. */
    public int exitCode() {
        return exitCode;
    }

    /** The worse of two verdicts, DANGEROUS first, then UNREADABLE, SUSPICIOUS and SAFE. */
    public Verdict worst(Verdict other) {
        return rank() >= other.rank() ? this : other;
    }

    private int rank() {
        switch (this) {
            case SAFE:
                return 0;
            case SUSPICIOUS:
                return 1;
            case UNREADABLE:
                return 2;
            default:
                return 3;
        }
    }
}
