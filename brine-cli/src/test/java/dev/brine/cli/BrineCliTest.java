package dev.brine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code brine} command line through picocli, in process. The listings themselves are checked against CPython
 * in brine-core's {@code DisassemblerTest}; here the wiring: arguments, output, errors and exit codes.
 */
class BrineCliTest {
    @TempDir
    Path dir;

    /** A hand-assembled protocol 2 stream for {@code [1, "a"]} with BINPUT memo entries and a MARK. */
    private static final byte[] LIST_P2 = {(byte) 0x80, 2, ']', 'q', 0, '(', 'K', 1, 'X', 1, 0, 0, 0, 'a', 'q', 1,
            'e', '.'};

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }

    private Path write(String name, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    @Test
    void demoWritesAPortablePickleThatStockPythonLoads() throws IOException {
        Path out = dir.resolve("demo.pkl");
        CliRun r = run("demo", "-o", out.toString());
        assertThat(r.out()).contains("header: ").contains("runtime sections base, record, enum, bean, function");
        assertThat(Files.size(out)).isPositive();
        if (r.out().contains("No python3 on the PATH")) {
            if ("1".equals(System.getenv("BRINE_REQUIRE_PYTHON"))) {
                throw new AssertionError("no python3 on the PATH and BRINE_REQUIRE_PYTHON=1 is set");
            }
            org.junit.jupiter.api.Assumptions.abort("no python3 on the PATH");
        }
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("loaded it with the stock pickle module")
                .contains("grace.referredBy is ada: True")
                .contains("warehouse is ada.orders[0].destination: True")
                .contains("total(ada) = 24.99  total(grace) = 42.10");
        CliRun dis = run("dis", out.toString());
        assertThat(dis.code()).isZero();
        assertThat(dis.err()).contains("Brine portable-mode header, bytes 0-");
    }

    @Test
    void disListsAPickle() throws IOException {
        Path p = write("list.pkl", LIST_P2);
        CliRun r = run("dis", p.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(String.join("\n",
                "    0: \\x80 PROTO      2",
                "    2: ]    EMPTY_LIST",
                "    3: q    BINPUT     0",
                "    5: (    MARK",
                "    6: K        BININT1    1",
                "    8: X        BINUNICODE 'a'",
                "   14: q        BINPUT     1",
                "   16: e        APPENDS    (MARK at 5)",
                "   17: .    STOP",
                "highest protocol among opcodes = 2",
                ""));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void disOptionsAnnotateIndentAndPreamble() throws IOException {
        Path p = write("list.pkl", LIST_P2);
        CliRun annotated = run("dis", "-a", "-l", "2", p.toString());
        assertThat(annotated.out()).contains("    6: K      BININT1    1            Push a one-byte unsigned integer.");
        CliRun two = run("dis", "-p", "-- {name} --", p.toString(), p.toString());
        assertThat(two.out()).startsWith("-- " + p + " --\n    0: \\x80 PROTO      2\n")
                .contains("highest protocol among opcodes = 2\n-- " + p + " --\n");
    }

    @Test
    void disSharesTheMemoWithDashM() throws IOException {
        Path first = write("first.pkl", new byte[] {'K', 1, 'q', 0, '.'});
        Path second = write("second.pkl", new byte[] {'h', 0, '.'});
        assertThat(run("dis", first.toString(), second.toString()).code()).isEqualTo(1);
        CliRun shared = run("dis", "-m", first.toString(), second.toString());
        assertThat(shared.code()).isZero();
        assertThat(shared.out()).contains("    0: h    BINGET     0\n");
    }

    @Test
    void disPrintsThePartialListingThenPythonsError() throws IOException {
        Path p = write("bad.pkl", new byte[] {'K', 1, 'h', 5, '.'});
        CliRun r = run("dis", p.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("    0: K    BININT1    1\n    2: h    BINGET     5\n");
        assertThat(r.err()).isEqualTo("ValueError: memo key 5 has never been stored into" + System.lineSeparator());
    }

    @Test
    void jsonPrintsTheValue() throws IOException {
        Path p = write("list.pkl", LIST_P2);
        CliRun r = run("json", "-i", "0", p.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("[1,\"a\"]" + System.lineSeparator());
    }

    @Test
    void jsonFailsWithOneLineOnBadInput() throws IOException {
        Path p = write("bad.pkl", new byte[] {'K', 1, 'h', 5, '.'});
        CliRun r = run("json", p.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("brine json: ").contains("offset 2");
    }

    @Test
    void missingFilesAndBadUsage() {
        CliRun missing = run("json", dir.resolve("nope.pkl").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no such file");
        assertThat(run("dis").code()).isEqualTo(2);
        assertThat(run("frobnicate").code()).isEqualTo(2);
        assertThat(run("json", "-e", "no-such-charset", "x").code()).isEqualTo(2);
    }

    @Test
    void version() {
        CliRun r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("brine ");
    }
}
