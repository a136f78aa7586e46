package dev.brine.scan;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limits of the rules that let real torch and numpy files through: each rule lets exactly the library's own
 * layout pass and keeps everything next to it flagged. The files are written by CPython's pickle, zipfile and
 * numpy (pyenv's python3); the payload is {@code os.system('true')}, never run.
 */
class LoaderRulesTest {
    private static final Scanner SCANNER = Scanner.create();

    private static final String PRELUDE = """
            import io, os, pickle, struct, sys, zipfile
            d = sys.argv[1]
            class Evil:
                def __reduce__(self):
                    return (os.system, ("true",))
            def write(name, data):
                with open(os.path.join(d, name), "wb") as f:
                    f.write(data)
            def glob(module, name):
                return b"c" + module.encode() + b"\\n" + name.encode() + b"\\n"
            def binbytes(b):
                return b"B" + struct.pack("<I", len(b)) + b
            def binunicode(s):
                b = s.encode()
                return b"X" + struct.pack("<I", len(b)) + b
            MAGIC = pickle.dumps(0x1950a86a20f9469cfc6c, 2)
            """;

    private static FileReport scan(Path dir, String name) {
        return SCANNER.scanFile(dir.resolve(name));
    }

    @Test
    void torchLoadFromBytesIsJudgedByTheStreamItLoads(@TempDir Path dir) {
        CPython.python3().check(new byte[0], "-c", PRELUDE + """
                def load_from_bytes(stream):
                    return b"\\x80\\x03" + glob("torch.storage", "_load_from_bytes") + b"(" + binbytes(stream) + b"tR."
                legacy = MAGIC + pickle.dumps(1001, 2) + pickle.dumps({"protocol_version": 1001}, 2)
                write("benign.pkl", load_from_bytes(legacy + pickle.dumps([1.0], 2) + pickle.dumps([], 2)))
                # the payload in the fourth of the five legacy pickles
                write("evil_legacy.pkl", load_from_bytes(legacy + pickle.dumps(Evil(), 2) + pickle.dumps([], 2)))
                # not a legacy stream: a ZIP (torch.load reads those too), which the scanner does not open here
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w") as z:
                    z.writestr("archive/data.pkl", pickle.dumps({}, 2))
                write("zip_bytes.pkl", load_from_bytes(buf.getvalue()))
                """, dir.toString());
        assertThat(scan(dir, "benign.pkl").verdict()).isEqualTo(Verdict.SAFE);
        FileReport evil = scan(dir, "evil_legacy.pkl");
        assertThat(evil.verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(evil.findings()).anySatisfy(f -> assertThat(f.call()).contains("system('true')"));
        assertThat(scan(dir, "zip_bytes.pkl").verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void aLegacyModuleIdIsTheClassItNames(@TempDir Path dir) {
        CPython.python3().check(new byte[0], "-c", PRELUDE + """
                def module_id(module, name):
                    # ('module', cls, file, source) as BINPERSID, then cls.__new__(cls) and BUILD, as torch < 1.6 saved
                    return (b"\\x80\\x02(" + binunicode("module") + glob(module, name) + binunicode("x.py")
                            + binunicode("class X(Module):\\n    pass\\n") + b"tQ)\\x81}b.")
                write("linear.pkl", module_id("torch.nn.modules.linear", "Linear"))
                write("system.pkl", module_id("posix", "system"))
                """, dir.toString());
        assertThat(scan(dir, "linear.pkl").verdict()).isEqualTo(Verdict.SAFE);
        assertThat(scan(dir, "system.pkl").verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void textThatOpensLikeAGlobalIsANestedPickleOnlyWithAModuleName(@TempDir Path dir) {
        CPython.python3().check(new byte[0], "-c", PRELUDE + """
                write("source_text.pkl", pickle.dumps({"src": "class Linear(Module):\\n    pass\\n"}, 2))
                write("nested_p0.pkl", pickle.dumps({"src": pickle.dumps(Evil(), 0).decode("latin1")}, 2))
                """, dir.toString());
        assertThat(scan(dir, "source_text.pkl").verdict()).isEqualTo(Verdict.SAFE);
        assertThat(scan(dir, "nested_p0.pkl").verdict()).isEqualTo(Verdict.DANGEROUS);
    }

    @Test
    void aZipAfterOtherDataIsScannedAsZipfileFindsIt(@TempDir Path dir) throws IOException {
        CPython.python3().check(new byte[0], "-c", PRELUDE + """
                buf = io.BytesIO()
                with zipfile.ZipFile(buf, "w") as z:
                    z.writestr("frame.pkl", pickle.dumps(Evil(), 2))
                write("stub_then_zip.zip", b"MZ" + bytes(200) + buf.getvalue())
                write("pickle_then_zip.zip", pickle.dumps([1, 2], 2) + buf.getvalue())
                # zipfile itself opens both
                for name in ("stub_then_zip.zip", "pickle_then_zip.zip"):
                    assert zipfile.ZipFile(os.path.join(d, name)).namelist() == ["frame.pkl"]
                """, dir.toString());
        assertThat(scan(dir, "stub_then_zip.zip").verdict()).isEqualTo(Verdict.DANGEROUS);
        FileReport polyglot = scan(dir, "pickle_then_zip.zip");
        assertThat(polyglot.verdict()).isEqualTo(Verdict.DANGEROUS);
        assertThat(polyglot.format()).isEqualTo("pickle+zip");
        // Random bytes that end like no archive stay what they were: unreadable.
        Files.write(dir.resolve("junk.bin"), new byte[] {0, 1, 2, 3, 'P', 'K', 5, 6});
        assertThat(scan(dir, "junk.bin").verdict()).isEqualTo(Verdict.UNREADABLE);
    }
}
