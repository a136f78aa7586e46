package dev.brine.cli;

import dev.brine.PickleException;
import dev.brine.Unpickler;
import dev.brine.tools.Disassembler;
import dev.brine.tools.DisassemblyException;
import dev.brine.tools.FileDisassembler;
import dev.brine.tools.JsonView;
import dev.brine.tools.PortableHeader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code brine} command: {@code brine demo} shows portable mode end to end, {@code brine dis [-a] FILE|-} lists
 * a pickle as {@code python -m pickletools} does, {@code brine json FILE|-} prints the value it holds as JSON.
 * Neither of the last two runs code from the pickle.
 *
 * <p>Exit codes: 0 on success, 1 when a pickle is malformed or a file cannot be read (with a one-line message on
 * standard error), 2 for a usage error.
 */
@Command(name = "brine", mixinStandardHelpOptions = true, versionProvider = BrineCli.Version.class,
        description = "Python pickle tools for the JVM. Runs no code from the pickles it reads.",
        subcommands = {DemoCommand.class, BrineCli.Dis.class, BrineCli.Json.class, ScanCommand.class,
                ConvertCommand.class, PortableCommand.class,
                CommandLine.HelpCommand.class})
public final class BrineCli implements Callable<Integer> {
    /** Exit code for a malformed pickle or an unreadable file. */
    static final int FAILED = 1;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with UTF-8 output, as {@code pickletools} prints under a UTF-8 locale. Tests call
     * {@code execute} on it after setting their own writers.
     */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new BrineCli());
        cmd.setOut(utf8(new FileOutputStream(FileDescriptor.out)));
        cmd.setErr(utf8(new FileOutputStream(FileDescriptor.err)));
        return cmd;
    }

    private static PrintWriter utf8(FileOutputStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code brine dis}: the listing of {@code python -m pickletools}. */
    @Command(name = "dis", mixinStandardHelpOptions = true, versionProvider = BrineCli.Version.class,
            description = {"Disassemble pickles, printing what `python -m pickletools` prints.",
                    "For a torch checkpoint (zip or legacy) or a joblib file (uncompressed, zlib or gzip), lists each "
                            + "pickle in it as pickletools lists it when the file is read as torch or joblib reads "
                            + "it, with lines starting with '#' saying which record or pickle follows and where raw "
                            + "data is stepped over.",
                    "For a pickle pickletools rejects, prints the same partial listing, then Python's error on "
                            + "standard error, and exits 1. A file with bytes after what was listed exits 1 too."})
    static final class Dis implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "pickle files; - reads standard input")
        List<String> files;

        @Option(names = {"-a", "--annotate"}, description = "annotate each line with a short opcode description")
        boolean annotate;

        @Option(names = {"-l", "--indentlevel"}, defaultValue = "4",
                description = "the number of blanks by which to indent a new MARK level (default: ${DEFAULT-VALUE})")
        int indentLevel;

        @Option(names = {"-m", "--memo"}, description = "preserve memo between disassemblies")
        boolean memo;

        @Option(names = {"-p", "--preamble"}, defaultValue = "==> {name} <==",
                description = "if more than one file is given, print this before each disassembly "
                        + "(default: ${DEFAULT-VALUE})")
        String preamble;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the listing to FILE")
        Path output;

        @Override
        public Integer call() throws IOException {
            if (indentLevel < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--indentlevel must be >= 0");
            }
            Disassembler dis = Disassembler.builder().indentLevel(indentLevel).annotate(annotate).build();
            Disassembler.Memo shared = memo ? new Disassembler.Memo() : null;
            FileDisassembler fileDis = new FileDisassembler(dis);
            PrintWriter err = spec.commandLine().getErr();
            Writer out = output == null ? spec.commandLine().getOut()
                    : Files.newBufferedWriter(output, StandardCharsets.UTF_8);
            try {
                for (String file : files) {
                    if (files.size() > 1) {
                        // pickletools formats the preamble with str.format(name=...).
                        out.write(preamble.replace("{name}", file.equals("-") ? "<stdin>" : file) + "\n");
                    }
                    try (InputStream in = open(file)) {
                        byte[] data = file.equals("-") ? in.readAllBytes() : Artifacts.readBytes(Path.of(file), "dis");
                        // The listing stays exactly pickletools'; what the header is goes to standard error.
                        PortableHeader.find(data).ifPresent(h -> err.println("brine dis: note: " + h.describe()));
                        fileDis.disassemble(data, out, shared);
                    } catch (DisassemblyException e) {
                        out.flush();
                        err.println(e.pythonError());
                        return FAILED;
                    } catch (PickleException e) {
                        out.flush();
                        err.println("brine dis: " + (file.equals("-") ? "<stdin>" : file) + ": " + e.getMessage());
                        return FAILED;
                    } catch (IOException e) {
                        out.flush();
                        err.println("brine dis: " + describe(file, e));
                        return FAILED;
                    }
                }
            } finally {
                out.flush();
                if (output != null) {
                    out.close();
                }
            }
            return 0;
        }
    }

    /** {@code brine json}: the value a pickle holds, as JSON. */
    @Command(name = "json", mixinStandardHelpOptions = true, versionProvider = BrineCli.Version.class,
            description = {"Print the value a pickle, a torch checkpoint or a joblib file holds as JSON, without "
                    + "running code.",
                    "Types JSON lacks are tagged ({\"$tuple\": [...]}), shared and cyclic references get ids, and "
                            + "objects show their global, arguments and state."})
    static final class Json implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1", paramLabel = "FILE", description = "a pickle file; - reads standard input")
        String file;

        @Option(names = {"-e", "--encoding"}, defaultValue = "ASCII",
                description = "how to decode Python 2 str: ASCII, latin1, bytes, or another charset "
                        + "(default: ${DEFAULT-VALUE})")
        String encoding;

        @Option(names = {"-i", "--indent"}, defaultValue = "2",
                description = "blanks per nesting level; 0 prints one line (default: ${DEFAULT-VALUE})")
        int indent;

        @Option(names = {"--max-items"}, defaultValue = "1000", paramLabel = "N",
                description = "summarize arrays and tensors of more than N items as numpy prints them; "
                        + "-1 shows every item (default: ${DEFAULT-VALUE})")
        int maxItems;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (indent < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--indent must be >= 0");
            }
            if (maxItems < -1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--max-items must be >= 0, or -1 for every item");
            }
            Unpickler unpickler;
            try {
                unpickler = Unpickler.builder().encoding(encoding).build();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            Object value;
            try {
                value = file.equals("-") ? null : Artifacts.readCheckpoint(Path.of(file));
                if (value == null) {
                    byte[] data;
                    try (InputStream in = open(file)) {
                        data = file.equals("-") ? in.readAllBytes() : Artifacts.readBytes(Path.of(file), "json");
                    }
                    PortableHeader.find(data).ifPresent(h -> err.println("brine json: note: " + h.describe()));
                    value = Artifacts.read(data, unpickler);
                }
            } catch (PickleException e) {
                String hint = e.getMessage().contains(".encoding(") ? " [brine json: --encoding latin1 or bytes]" : "";
                err.println("brine json: " + e.getMessage() + hint);
                return FAILED;
            } catch (IOException e) {
                err.println("brine json: " + describe(file, e));
                return FAILED;
            }
            try {
                JsonView.write(value, out, indent, maxItems == -1 ? Integer.MAX_VALUE : maxItems);
            } catch (IOException e) {
                err.println("brine json: " + e.getMessage());
                return FAILED;
            }
            out.println();
            out.flush();
            return 0;
        }
    }

    private static InputStream open(String file) throws IOException {
        if (file.equals("-")) {
            // Not closed by the caller's try-with-resources in a way that matters: stdin is ours to close.
            return new BufferedInputStream(new FileInputStreamNoClose(System.in));
        }
        return new BufferedInputStream(Files.newInputStream(Path.of(file)));
    }

    private static String describe(String file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return file + ": no such file";
        }
        return file + ": " + e.getMessage();
    }

    /** Standard input, left open when the command closes what it read from. */
    private static final class FileInputStreamNoClose extends java.io.FilterInputStream {
        FileInputStreamNoClose(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // System.in stays open.
        }
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BrineCli.class.getPackage().getImplementationVersion();
            return new String[] {"brine " + (v == null ? "development" : v)};
        }
    }
}
