package dev.brine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code brine scan}: verdicts as exit codes, the text report and {@code --json}. */
class ScanCommandTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new BrineCli());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** {@code module.name('id')} at protocol 2. */
    private static byte[] call(String module, String name) {
        String text = "\u0080\u0002c" + module + "\n" + name + "\nX\u0002\u0000\u0000\u0000id\u0085R.";
        return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void exitCodesFollowTheWorstVerdict(@TempDir Path dir) throws IOException {
        Path safe = Files.write(dir.resolve("safe.pkl"), new byte[] {(byte) 0x80, 2, 'N', '.'});
        Path odd = Files.write(dir.resolve("odd.pkl"), call("mylib", "thing"));
        Path bad = Files.write(dir.resolve("bad.pkl"), call("os", "system"));
        assertThat(run("scan", safe.toString()).code()).isZero();
        assertThat(run("scan", odd.toString()).code()).isEqualTo(1);
        assertThat(run("scan", safe.toString(), bad.toString()).code()).isEqualTo(2);
        assertThat(run("scan", dir.resolve("missing.pkl").toString()).code()).isEqualTo(3);
        assertThat(run("scan", dir.toString()).code()).isEqualTo(2);
        assertThat(run("scan").code()).as("usage error, distinct from DANGEROUS").isEqualTo(ScanCommand.USAGE);
    }

    @Test
    void theReportNamesTheCallAndTheJsonIsOneObject(@TempDir Path dir) throws IOException {
        Path bad = Files.write(dir.resolve("bad.pkl"), call("os", "system"));
        Run text = run("scan", bad.toString());
        assertThat(text.out()).contains("DANGEROUS call at #1 offset 21: os.system('id')").contains("verdict: DANGEROUS");
        Run json = run("scan", "--json", bad.toString());
        assertThat(json.out().strip()).startsWith("{\"verdict\":\"DANGEROUS\",\"exitCode\":2,").endsWith("]}")
                .contains("\"call\":\"os.system('id')\"", "\"offset\":21");
    }
}
