package dev.brine.scan;

/**
 * One thing the scanner saw: a global imported or called, a stream error, a container anomaly.
 *
 * @param verdict  how bad it is on its own
 * @param kind     a short stable tag for tools: {@code call}, {@code import}, {@code mutation},
 *                 {@code nested-pickle}, {@code parse-error}, {@code trailing-data}, {@code zip-mismatch},
 *                 {@code portable-header}, {@code layout}, {@code unreadable}
 * @param location where in the file: the ZIP entry and which pickle ({@code "archive/data.pkl#1"}), or
 *                 {@code "#1"} for the first pickle of a plain file
 * @param offset   the byte offset of the opcode (or the container structure) in the file or entry, or -1
 * @param call     the call made, as Python source ({@code os.system('id')}), or the name imported; may be empty
 * @param message  what it means, in one sentence
 * @param rule     what decided the verdict: the {@link Policy.Rule} for a name ({@code deny os  # reason}), or
 *                 {@code check <kind>} for the scanner's own checks of the stream and container
 */
public record Finding(Verdict verdict, String kind, String location, long offset, String call, String message,
                      String rule) {
    /** Checks the components; an empty rule becomes {@code check <kind>}. */
    public Finding {
        rule = rule == null || rule.isEmpty() ? "check " + kind : rule;
    }

    /** A finding of one of the scanner's own checks: its rule is {@code check <kind>}. */
    public Finding(Verdict verdict, String kind, String location, long offset, String call, String message) {
        this(verdict, kind, location, offset, call, message, "");
    }

    @Override
    public String toString() {
        return verdict + " " + kind + " at " + location + " offset " + offset
                + (call.isEmpty() ? "" : ": " + call) + " - " + message;
    }
}
