package dev.brine.cli;

import dev.brine.PickleException;
import dev.brine.torch.Tensor;
import dev.brine.torch.TorchFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code brine convert IN.pt OUT.safetensors}: a PyTorch checkpoint's tensors in the safetensors format, without
 * running the checkpoint (model hubs convert by calling {@code torch.load}, which runs it).
 *
 * <p>Exit codes: 0 written; 1 when the checkpoint cannot be read or holds values safetensors cannot (unless
 * {@code --drop-non-tensors}), with a one-line reason on standard error; 64 for a usage error. Nothing is left at
 * the output path on failure.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, versionProvider = BrineCli.Version.class,
        exitCodeOnInvalidInput = ConvertCommand.USAGE,
        description = {"Convert a PyTorch checkpoint to safetensors without running it.",
                "Every tensor is written under its state-dict name (nested keys joined with dots) as its own "
                        + "contiguous little-endian copy; shared storages are copied per tensor, as the format "
                        + "requires.",
                "Exit codes: 0 written, 1 unreadable input or values that are not tensors, 64 usage error."})
final class ConvertCommand implements Callable<Integer> {
    static final int USAGE = 64;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "a torch checkpoint (zip or legacy format)")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "the safetensors file to write")
    Path out;

    @Option(names = "--drop-non-tensors",
            description = "leave out values that are not tensors (epochs, hyperparameters); without it they fail "
                    + "the conversion")
    boolean dropNonTensors;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Object checkpoint;
        try {
            checkpoint = TorchFile.read(in);
        } catch (NoSuchFileException e) {
            err.println("brine convert: " + in + ": no such file");
            return BrineCli.FAILED;
        } catch (PickleException | IOException e) {
            err.println("brine convert: " + in + ": " + e.getMessage());
            return BrineCli.FAILED;
        }
        Map<String, Tensor> tensors = TorchFile.tensors(checkpoint);
        List<String> others = TorchFile.nonTensors(checkpoint);
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        boolean terminal = System.console() != null;
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
            OutputStream target = terminal ? new Progress(o, total(tensors), err) : o;
            TorchFile.toSafetensors(checkpoint, Map.of("format", "pt"), dropNonTensors, target);
            target.flush();
        } catch (IllegalArgumentException | PickleException | IOException e) {
            deleteQuietly(partial);
            err.println("brine convert: " + e.getMessage());
            return BrineCli.FAILED;
        }
        try {
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(partial);
            err.println("brine convert: " + out + ": " + e.getMessage());
            return BrineCli.FAILED;
        }
        err.println("brine convert: " + tensors.size() + " tensors written to " + out
                + (others.isEmpty() ? "" : "; " + others.size() + " values that are not tensors left out"));
        return 0;
    }

    private static long total(Map<String, Tensor> tensors) {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.numel() * t.itemSize();
        }
        return n;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // The failure being reported matters more than a leftover partial file.
        }
    }

    /** Counts bytes written and redraws a percentage on the terminal at each whole percent. */
    private static final class Progress extends java.io.FilterOutputStream {
        private final long total;
        private final PrintWriter err;
        private long written;
        private int shown = -1;

        Progress(OutputStream out, long total, PrintWriter err) {
            super(out);
            this.total = Math.max(1, total);
            this.err = err;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            advance(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            advance(len);
        }

        private void advance(long n) {
            written += n;
            int percent = (int) Math.min(100, written * 100 / total);
            if (percent != shown) {
                shown = percent;
                err.print("\rbrine convert: " + percent + "%" + (percent == 100 ? "\n" : ""));
                err.flush();
            }
        }
    }
}
