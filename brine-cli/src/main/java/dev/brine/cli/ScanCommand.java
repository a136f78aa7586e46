package dev.brine.cli;

import dev.brine.scan.FileReport;
import dev.brine.scan.Finding;
import dev.brine.scan.ScanReport;
import dev.brine.scan.Scanner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code brine scan [--json] PATH...}: what loading each pickle in Python would import and call, found by emulating
 * it without running anything (see {@link Scanner}).
 *
 * <p>Exit codes: 0 when every file is SAFE, 1 when the worst is SUSPICIOUS, 2 when any is DANGEROUS, 3 when a file
 * could not be read (and none is DANGEROUS), 64 for a usage error.
 */
@Command(name = "scan", mixinStandardHelpOptions = true, versionProvider = BrineCli.Version.class,
        exitCodeOnInvalidInput = ScanCommand.USAGE,
        description = {"Scan pickle files and model checkpoints for code they would run when loaded in Python.",
                "Reads plain and concatenated pickles, PyTorch ZIP and legacy checkpoints, .npy, joblib files and "
                        + "folders of them. Runs nothing from them.",
                "Exit codes: 0 SAFE, 1 SUSPICIOUS, 2 DANGEROUS, 3 unreadable input."})
final class ScanCommand implements Callable<Integer> {
    /** A usage error: not 2, which means DANGEROUS here ({@code EX_USAGE} from sysexits.h). */
    static final int USAGE = 64;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "files or folders to scan")
    List<Path> paths;

    @Option(names = "--json", description = "print the report as one JSON object")
    boolean json;

    @Override
    public Integer call() {
        ScanReport report = Scanner.create().scan(paths);
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
                }
            }
            out.println("verdict: " + report.verdict() + " (" + report.files().size() + " file"
                    + (report.files().size() == 1 ? "" : "s") + ")");
        }
        out.flush();
        return report.exitCode();
    }
}
