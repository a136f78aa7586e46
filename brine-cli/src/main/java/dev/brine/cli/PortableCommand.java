package dev.brine.cli;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.tools.PortableHeader;
import dev.brine.tools.PortablePlan;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code brine portable [--python X.Y] IN -o OUT [--dry-run]}: a dill or cloudpickle stream rewritten so that the
 * stock {@code pickle.load} rebuilds it where neither library is installed (issue #20, docs/PORTABLE.md).
 *
 * <p>Exit codes: 0 written (or, with {@code --dry-run}, rewritable); 2 refused, with a one-line reason on standard
 * error (a name the runtime does not provide, code objects without {@code --python} or with a contradicting one,
 * an unreadable or malformed input); 64 for a usage error. Nothing is left at the output path on failure.
 */
@Command(name = "portable", mixinStandardHelpOptions = true, versionProvider = BrineCli.Version.class,
        exitCodeOnInvalidInput = PortableCommand.USAGE,
        description = {"Rewrite a dill or cloudpickle pickle so that the stock pickle.load rebuilds it without "
                + "dill or cloudpickle installed.",
                "The libraries' constructors become functions of Brine's small Python runtime, which the output's "
                        + "header installs; any other name of these libraries is refused. Code objects run only on "
                        + "the CPython version that wrote them: give it with --python, and the output checks it "
                        + "before loading anything.",
                "Exit codes: 0 written, 2 refused (reason on standard error), 64 usage error."})
final class PortableCommand implements Callable<Integer> {
    static final int REFUSED = 2;
    static final int USAGE = 64;
    private static final Pattern VERSION = Pattern.compile("3\\.(\\d{1,2})");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "the dill or cloudpickle pickle")
    Path in;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "the portable pickle to write")
    Path out;

    @Option(names = "--python", paramLabel = "X.Y",
            description = "the CPython version that wrote IN (needed when it holds code objects)")
    String python;

    @Option(names = "--dry-run", description = "print each global redirected and the version lock; write nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        int[] version = null;
        if (python != null) {
            Matcher m = VERSION.matcher(python);
            if (!m.matches() || Integer.parseInt(m.group(1)) < 6) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--python must be a CPython version 3.6 or later, like 3.11, not " + python);
            }
            version = new int[] {3, Integer.parseInt(m.group(1))};
        }
        if (out == null && !dryRun) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give the output file with -o OUT");
        }
        byte[] data;
        try {
            data = Files.readAllBytes(in);
        } catch (NoSuchFileException e) {
            return refuse(err, in + ": no such file");
        } catch (IOException e) {
            return refuse(err, in + ": " + e.getMessage());
        }
        int protocol = data.length >= 2 && (data[0] & 0xff) == 0x80 ? data[1] & 0xff : 0;
        if (protocol < 2 || protocol > Pickler.HIGHEST_PROTOCOL) {
            return refuse(err, in + ": a protocol " + protocol + " pickle; portable mode writes protocols 2 to "
                    + Pickler.HIGHEST_PROTOCOL + " and keeps the input's");
        }
        byte[] rewritten;
        PortablePlan plan;
        try {
            Object value = Pickle.loads(data);
            plan = version == null ? PortablePlan.of(value) : PortablePlan.of(value, version[0], version[1]);
            Pickler.Builder b = Pickler.builder().protocol(protocol).portable(true);
            if (version != null) {
                b.bytecode(version[0], version[1]);
            }
            rewritten = b.build().dumps(value);
        } catch (PickleException | IllegalArgumentException e) {
            return refuse(err, in + ": " + oneLine(e.getMessage()));
        }
        if (dryRun) {
            PrintWriter o = spec.commandLine().getOut();
            for (Map.Entry<String, String> e : plan.redirected().entrySet()) {
                o.println("redirect " + e.getKey() + " -> " + e.getValue());
            }
            o.println(plan.versionLock().map(v -> "version lock: CPython " + v + " (" + plan.codeObjects()
                    + " code objects)").orElse("version lock: none (no code objects)"));
            int header = PortableHeader.find(rewritten).map(PortableHeader::length).orElse(0);
            o.println("would write " + rewritten.length + " bytes, protocol " + protocol + ", header " + header
                    + " bytes");
            return 0;
        }
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        try {
            Files.write(partial, rewritten);
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // The failure being reported matters more than a leftover partial file.
            }
            return refuse(err, out + ": " + e.getMessage());
        }
        return 0;
    }

    private static int refuse(PrintWriter err, String reason) {
        err.println("brine portable: " + reason);
        return REFUSED;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ');
    }
}
