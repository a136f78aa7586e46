package dev.brine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code brine scan}: verdicts as exit codes, the text report and {@code --json}. */
class ScanCommandTest {
    private static CliRun run(String... args) {
        return CliRun.run(args);
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
        CliRun text = run("scan", bad.toString());
        assertThat(text.out()).contains("DANGEROUS call at #1 offset 21: os.system('id')").contains("verdict: DANGEROUS");
        CliRun json = run("scan", "--json", bad.toString());
        assertThat(json.out().strip()).startsWith("{\"verdict\":\"DANGEROUS\",\"exitCode\":2,").endsWith("]}")
                .contains("\"call\":\"os.system('id')\"", "\"offset\":21");
    }

    @Test
    void aPolicyFileChangesTheVerdictAndTheReportNamesTheRule(@TempDir Path dir) throws IOException {
        Path odd = Files.write(dir.resolve("odd.pkl"), call("mylib", "thing"));
        CliRun before = run("scan", odd.toString());
        assertThat(before.code()).isEqualTo(1);
        assertThat(before.out()).contains("rule: built-in unknown  # no rule covers this name")
                .contains("because: built-in unknown (mylib.thing('id'))");

        Path allow = Files.writeString(dir.resolve("allow.policy"), "allow mylib.thing  # our converter\n");
        CliRun allowed = run("scan", "--policy", allow.toString(), odd.toString());
        assertThat(allowed.code()).isZero();
        assertThat(allowed.out()).contains("odd.pkl: SAFE").contains("because: every name the file imports is allowed");

        Path deny = Files.writeString(dir.resolve("deny.policy"), "deny mylib  # not in our registry\n");
        CliRun denied = run("scan", "--policy", deny.toString(), odd.toString());
        assertThat(denied.code()).isEqualTo(2);
        assertThat(denied.out()).contains("rule: deny mylib  # not in our registry");
        CliRun json = run("scan", "--json", "--policy", deny.toString(), odd.toString());
        assertThat(json.out().strip()).startsWith("{").endsWith("}")
                .contains("\"rule\":\"deny mylib  # not in our registry\"");
        assertThat(json.err()).isEmpty();

        Path replace = Files.writeString(dir.resolve("replace.policy"), "replace\nallow mylib.thing\n");
        Path os = Files.write(dir.resolve("os.pkl"), call("os", "system"));
        CliRun replaced = run("scan", "--policy", replace.toString(), os.toString());
        assertThat(replaced.code()).as("os is unknown, not denied, in a replaced policy").isEqualTo(1);
    }

    @Test
    void aBadPolicyFileIsAUsageErrorNamingTheLine(@TempDir Path dir) throws IOException {
        Path odd = Files.write(dir.resolve("odd.pkl"), call("mylib", "thing"));
        Path bad = Files.writeString(dir.resolve("bad.policy"), "# ours\nallow mylib.thing\npermit x.y\n");
        CliRun r = run("scan", "--policy", bad.toString(), odd.toString());
        assertThat(r.code()).isEqualTo(ScanCommand.USAGE);
        assertThat(r.err()).contains(bad + " line 3: unknown rule 'permit'");
        assertThat(r.out()).isEmpty();
        CliRun missing = run("scan", "--policy", dir.resolve("none.policy").toString(), odd.toString());
        assertThat(missing.code()).isEqualTo(ScanCommand.USAGE);
        assertThat(missing.err()).contains("cannot read the policy file");
    }

    @Test
    void progressGoesToStderrOnlyWhenItIsATerminal(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 3; i++) {
            Files.write(dir.resolve("f" + i + ".pkl"), new byte[] {(byte) 0x80, 2, 'N', '.'});
        }
        // Under the test runner stderr is no terminal: nothing on it, with or without --json.
        assertThat(System.console()).isNull();
        assertThat(run("scan", dir.toString()).err()).isEmpty();
        assertThat(run("scan", "--json", dir.toString()).err()).isEmpty();
        // On a terminal: a line per file on stderr, cleared at the end, and stdout the same as without it.
        java.util.function.BooleanSupplier saved = ScanCommand.terminal;
        ScanCommand.terminal = () -> true;
        try {
            CliRun json = run("scan", "--json", dir.toString());
            assertThat(json.err()).contains("scanning 1/3: ").contains("scanning 3/3: ").contains("f2.pkl (4 B)");
            assertThat(json.out().strip()).isEqualTo(run("scan", "--json", dir.toString()).out().strip());
        } finally {
            ScanCommand.terminal = saved;
        }
    }

    @Test
    void printPolicyWritesAFileThatReadsBackAsThePolicyInForce(@TempDir Path dir) throws IOException {
        Path extra = Files.writeString(dir.resolve("extra.policy"), "allow mylib.thing  # our converter\n");
        CliRun printed = run("scan", "--print-policy", "--policy", extra.toString());
        assertThat(printed.code()).isZero();
        assertThat(printed.out()).startsWith("replace\n").contains("\nallow mylib.thing  # our converter\n")
                .contains("\ndeny os  # ");
        Path whole = Files.writeString(dir.resolve("whole.policy"), printed.out());
        Path odd = Files.write(dir.resolve("odd.pkl"), call("mylib", "thing"));
        Path bad = Files.write(dir.resolve("bad.pkl"), call("os", "system"));
        assertThat(run("scan", "--policy", whole.toString(), odd.toString()).code()).isZero();
        assertThat(run("scan", "--policy", whole.toString(), bad.toString()).code()).isEqualTo(2);
        CliRun usage = run("scan", "--policy", whole.toString());
        assertThat(usage.code()).isEqualTo(ScanCommand.USAGE);
        assertThat(usage.err()).contains("Missing required parameter: 'PATH'");
    }
}
