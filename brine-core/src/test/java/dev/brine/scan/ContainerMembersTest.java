package dev.brine.scan;

import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Archive members found as their loaders find them: numpy opens an npz member by its content, pandas opens the only
 * member of a zip or tar whatever it is called, and torch tries tar before the legacy layout. Each archive is built
 * by CPython's zipfile, tarfile and numpy, and the malicious ones carry a pickle of {@code os.system}.
 */
class ContainerMembersTest {
    private static final Scanner SCANNER = Scanner.create();

    @Test
    void membersAreFoundByContentAsTheLoadersFindThem(@TempDir Path dir) {
        String out = new String(CPython.python3().check(new byte[0], "-c", """
                import io, os, pickle, sys, tarfile, zipfile
                import numpy as np
                d = sys.argv[1]
                class Evil:
                    def __reduce__(self):
                        return (os.system, ("true",))
                evil = pickle.dumps(Evil(), 2)
                header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
                header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\\n"
                npy = b"\\x93NUMPY\\x01\\x00" + len(header).to_bytes(2, "little") + header.encode() + evil
                with zipfile.ZipFile(os.path.join(d, "evil_member_named_data.npz"), "w") as z:
                    z.writestr("weights", npy)                   # no .npy: numpy still reads it as an array
                    z.writestr("other.npy", b"\\x93NUMPY" + b"\\x01\\x00" + b"\\x00\\x00")
                with zipfile.ZipFile(os.path.join(d, "evil_only_member.zip"), "w") as z:
                    z.writestr("frame.bin", evil)                # pandas.read_pickle(..., compression="zip")
                with tarfile.open(os.path.join(d, "evil_only_member.tar"), "w") as t:
                    info = tarfile.TarInfo("frame.bin"); info.size = len(evil)
                    t.addfile(info, io.BytesIO(evil))
                with tarfile.open(os.path.join(d, "evil_legacy_name.pt"), "w", encoding="latin1",
                                  format=tarfile.GNU_FORMAT) as t:
                    magic = pickle.dumps(0x1950a86a20f9469cfc6c, 2).decode("latin1")
                    for name, data in [(magic, b""), ("sys_info", pickle.dumps({}, 2)), ("pickle", evil),
                                       ("storages", pickle.dumps(0, 2)), ("tensors", pickle.dumps(0, 2))]:
                        info = tarfile.TarInfo(name); info.size = len(data)
                        t.addfile(info, io.BytesIO(data))
                np.savez(os.path.join(d, "benign.npz"), a=np.arange(3), b=np.array([1, "x"], dtype=object))
                with zipfile.ZipFile(os.path.join(d, "benign_only_member.zip"), "w") as z:
                    z.writestr("frame.bin", pickle.dumps({"a": [1, 2]}, 4))
                with tarfile.open(os.path.join(d, "benign_two_members.tar"), "w") as t:
                    for name in ("a.txt", "b.txt"):
                        info = tarfile.TarInfo(name); info.size = 5
                        t.addfile(info, io.BytesIO(b"hello"))
                print(open(os.path.join(d, "evil_legacy_name.pt"), "rb").read(2).hex())
                """, dir.toString()), StandardCharsets.UTF_8);
        // The legacy-name tar starts with PROTO 2: read as a pickle, it would be the legacy magic number.
        assertThat(out.strip()).isEqualTo("8002");
        for (String evil : new String[] {"evil_member_named_data.npz", "evil_only_member.zip",
                "evil_only_member.tar", "evil_legacy_name.pt"}) {
            FileReport r = SCANNER.scanFile(dir.resolve(evil));
            assertThat(r.verdict()).as(evil + " " + r.findings()).isEqualTo(Verdict.DANGEROUS);
        }
        assertThat(SCANNER.scanFile(dir.resolve("evil_legacy_name.pt")).format()).isEqualTo("torch-tar");
        for (String benign : new String[] {"benign.npz", "benign_only_member.zip", "benign_two_members.tar"}) {
            FileReport r = SCANNER.scanFile(dir.resolve(benign));
            assertThat(r.verdict()).as(benign + " " + r.findings()).isEqualTo(Verdict.SAFE);
        }
    }

    @Test
    void tarNumbersAreReadAsTarfileReadsThem() {
        byte[] field = "0000644 \0".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(TarArchive.octal(field, 0, field.length)).isEqualTo(0644);
        byte[] spaces = "   17\0".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(TarArchive.octal(spaces, 0, spaces.length)).isEqualTo(15);
        byte[] bad = "12a4".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(TarArchive.octal(bad, 0, bad.length)).isEqualTo(-1);
        byte[] base256 = {(byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
        assertThat(TarArchive.octal(base256, 0, base256.length)).isEqualTo(256);
        byte[] negative = {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
        assertThat(TarArchive.octal(negative, 0, negative.length)).isEqualTo(-1);
        assertThat(TarArchive.looksLikeTar(new byte[1024])).isFalse();   // all zeros: checksum 256 != 0
    }
}
