package dev.brine.cli;

import dev.brine.scan.FileReport;
import dev.brine.scan.Finding;
import dev.brine.scan.Policy;
import dev.brine.scan.ScanReport;
import dev.brine.scan.Scanner;
import dev.brine.scan.Verdict;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * {@code brine scan [--json] [--policy FILE] PATH...} (or {@code --print-policy}): what loading each pickle in Python would import and call, found by emulating
 * it without running anything (see {@link Scanner}).
 *
 * <p>Exit codes: 0 when every file is SAFE, 1 when the worst is SUSPICIOUS, 2 when any is DANGEROUS, 3 when a file
 * could not be read (and none is DANGEROUS), 64 for a usage error (a bad {@code --policy} file included).
 *
 * <p>Each finding is shown with the rule that decided it; progress goes to stderr only when it is a terminal.
 */
@Command(name = "scan", mixinStandardHelpOptions = true, versionProvider = BrineCli.Version.class,
        exitCodeOnInvalidInput = ScanCommand.USAGE,
        description = {"Scan pickle files and model checkpoints for code they would run when loaded in Python.",
                "Reads plain and concatenated pickles, PyTorch ZIP and legacy checkpoints, .npy, joblib files and "
                        + "folders of them. Runs nothing from them.",
                "Each finding names the policy rule that decided it.",
                "Exit codes: 0 SAFE, 1 SUSPICIOUS, 2 DANGEROUS, 3 unreadable input, 64 usage error."})
final class ScanCommand implements Callable<Integer> {
    /** A usage error: not 2, which means DANGEROUS here ({@code EX_USAGE} from sysexits.h). */
    static final int USAGE = 64;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "files or folders to scan")
    List<Path> paths;

    @Option(names = "--json", description = "print the report as one JSON object")
    boolean json;

    @Option(names = "--policy", paramLabel = "FILE",
            description = {"a policy file: lines 'allow module.name', 'deny module[.name]', 'deny-attribute word', "
                    + "'deny-module-part word', 'instantiable module.prefix.', '# reason'; extends Brine's policy "
                    + "unless its first rule is 'replace'"})
    Path policyFile;

    @Option(names = "--print-policy", description = "print the policy in force (Brine's, or with --policy FILE "
            + "applied) as a policy file, every rule with its reason, and exit")
    boolean printPolicy;

    /** Whether stderr is a terminal; tests replace it. */
    static BooleanSupplier terminal = () -> System.console() != null;

    @Override
    public Integer call() {
        Policy policy = Policy.defaults();
        if (policyFile != null) {
            try {
                policy = Policy.read(policyFile);
            } catch (IOException e) {
                spec.commandLine().getErr().println("brine scan: cannot read the policy file " + policyFile + ": " + e);
                return USAGE;
            } catch (Policy.FileException e) {
                spec.commandLine().getErr().println("brine scan: " + e.getMessage());
                return USAGE;
            }
        }
        if (printPolicy) {
            spec.commandLine().getOut().print(policy.toText());
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (paths == null || paths.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'PATH'");
        }
        Scanner scanner = Scanner.builder().policy(policy).build();
        Scanner.Listener listener = terminal.getAsBoolean() ? new Progress(spec.commandLine().getErr())
                : new Scanner.Listener() {
                };
        ScanReport report = scanner.scan(paths, listener);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(report.toJson());
        } else {
            for (FileReport file : report.files()) {
                out.println(file.path() + ": " + file.verdict() + " (" + file.format() + ", " + file.pickles()
                        + " pickle" + (file.pickles() == 1 ? "" : "s") + ")");
                for (Finding f : file.findings()) {
                    out.println("  " + f.verdict() + " " + f.kind() + " at " + (f.location().isEmpty() ? "" : f.location() + " ")
                            + "offset " + f.offset() + (f.call().isEmpty() ? "" : ": " + f.call()));
                    out.println("      " + f.message());
                    out.println("      rule: " + f.rule());
                }
                out.println("  because: " + explain(file));
            }
            out.println("verdict: " + report.verdict() + " (" + report.files().size() + " file"
                    + (report.files().size() == 1 ? "" : "s") + ")");
        }
        out.flush();
        return report.exitCode();
    }

    /** Why a file got its verdict: the rule of its first worst finding, or why a finding-free file is SAFE. */
    static String explain(FileReport file) {
        if (file.verdict() == Verdict.SAFE) {
            return "every name the file imports is allowed by the policy, and its structure checks out";
        }
        for (Finding f : file.findings()) {
            if (f.verdict() == file.verdict()) {
                int hash = f.rule().indexOf("  #");   // the reason is on the finding's own rule line
                String rule = hash < 0 ? f.rule() : f.rule().substring(0, hash);
                return rule + (f.call().isEmpty() ? " (" + f.kind() + ")" : " (" + f.call() + ")");
            }
        }
        return "no finding";
    }

    /** One line on stderr per file, rewritten in place, cleared at the end. */
    static final class Progress implements Scanner.Listener {
        private final PrintWriter err;
        private int width;

        Progress(PrintWriter err) {
            this.err = err;
        }

        private String current = "";
        private long lastPercent = -1;

        @Override
        public void starting(int index, int total, Path file, long bytes) {
            current = "scanning " + index + "/" + total + ": " + file + (bytes < 0 ? "" : " (" + size(bytes) + ")");
            lastPercent = -1;
            show(current);
        }

        @Override
        public void reading(Path file, long done, long bytes) {
            long percent = bytes <= 0 ? 100 : done * 100 / bytes;
            if (percent != lastPercent) {
                lastPercent = percent;
                show(current + " read " + percent + "%");
            }
        }

        private void show(String line) {
            err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
            width = line.length();
            err.flush();
        }

        @Override
        public void finished(int index, int total, FileReport report) {
            if (index == total) {
                err.print("\r" + " ".repeat(width) + "\r");
                err.flush();
            }
        }

        private static String size(long bytes) {
            if (bytes < 1024) {
                return bytes + " B";
            }
            String units = "KMGT";
            double v = bytes;
            int u = -1;
            while (v >= 1024 && u < units.length() - 1) {
                v /= 1024;
                u++;
            }
            return String.format(Locale.ROOT, "%.1f %siB", v, units.charAt(u));
        }
    }
}
