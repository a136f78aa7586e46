package dev.brine.reader;

import dev.brine.Pickle;
import dev.brine.PickleException;
import dev.brine.Pickler;
import dev.brine.Unpickler;
import dev.brine.cpython.CPython;
import dev.brine.value.GlobalRef;
import dev.brine.value.PyObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Strict mode and {@code builtins.getattr}: CPython pickles every aware {@code zoneinfo} datetime through
 * {@code getattr(zoneinfo.ZoneInfo, '_unpickle')}, which strict mode judges as the dotted global
 * {@code zoneinfo.ZoneInfo._unpickle}, as the scanner does; any other getattr is refused, naming what to allow.
 */
class StrictAttributeTest {
    private static final Unpickler STRICT = Unpickler.builder().strict(true).build();

    @Test
    void awareZoneInfoDatetimesWrittenByCPythonReadInStrictMode() {
        CPython python = CPython.version(3, 11);
        String script = String.join("\n",
                "import binascii, datetime, pickle, sys, zoneinfo",
                "values = [datetime.datetime(2024, 3, 31, 2, 30, tzinfo=zoneinfo.ZoneInfo('Europe/Paris')),",
                "          datetime.datetime(2024, 11, 3, 1, 30, fold=1, tzinfo=zoneinfo.ZoneInfo('America/New_York')),",
                "          [datetime.time(12, 0, tzinfo=zoneinfo.ZoneInfo('UTC'))] * 2]",
                "for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):",
                "    for v in values:",
                "        print(binascii.hexlify(pickle.dumps(v, proto)).decode())");
        String out = new String(python.check(new byte[0], "-c", script), StandardCharsets.US_ASCII);
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(3 * (python.highestProtocol() + 1));
        int zoned = 0;
        for (String hex : lines) {
            byte[] pickle = HexFormat.of().parseHex(hex);
            Object lax = Pickle.loads(pickle);
            Object strict = STRICT.loads(pickle);
            if (lax instanceof ZonedDateTime) {
                // Protocols 0 and 1 carry the state as a latin-1 str: those datetimes stay inert calls either way.
                assertThat(strict).as(hex).isEqualTo(lax);
                zoned++;
            }
            // Still written back as CPython wrote it.
            assertThat(Pickler.builder().protocol(pickle[0] == (byte) 0x80 ? pickle[1] : 0).build().dumps(strict))
                    .as(hex).isEqualTo(Pickle.dumps(lax, pickle[0] == (byte) 0x80 ? pickle[1] : 0));
        }
        // At least the Paris datetime at every binary protocol (2 and up); the fold=1 one maps only where the
        // protocol keeps its fold (4 and up).
        assertThat(zoned).isGreaterThanOrEqualTo(python.highestProtocol() - 1 + 2);
    }

    @Test
    void otherGetattrCallsAreRefusedNamingWhatToAllow() {
        // getattr(datetime.datetime, 'now'): a known class, an attribute that is not data.
        byte[] now = Pickle.dumps(PyObject.reduce(GlobalRef.of("builtins", "getattr"),
                GlobalRef.of("datetime", "datetime"), "now"), 2);
        assertThatThrownBy(() -> STRICT.loads(now))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("global datetime.datetime.now (reached as getattr(datetime.datetime, 'now'))")
                .hasMessageContaining("allowGlobal(\"datetime\", \"datetime.now\")")
                .satisfies(e -> assertThat(((PickleException) e).opcode()).isEqualTo("REDUCE"));
        assertThat(Unpickler.builder().strict(true).allowGlobal("datetime", "datetime.now").build().loads(now))
                .isInstanceOf(PyObject.class);

        // getattr of a value the stream built (here a string), not of a global: refused whatever its name.
        byte[] computed = Pickle.dumps(PyObject.reduce(GlobalRef.of("builtins", "getattr"), "text", "upper"), 2);
        assertThatThrownBy(() -> STRICT.loads(computed))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("only as getattr(C, 'name') of a global C")
                .hasMessageContaining("allowGlobal(\"builtins\", \"getattr\")");
        assertThat(Unpickler.builder().strict(true).allowGlobal("builtins", "getattr").build().loads(computed))
                .isInstanceOf(PyObject.class);

        // The same through OBJ, which calls its class just as REDUCE does.
        byte[] obj = {'(', 'c', 'b', 'u', 'i', 'l', 't', 'i', 'n', 's', '\n', 'g', 'e', 't', 'a', 't', 't', 'r', '\n',
                'c', 'o', 's', '\n', 'e', 'n', 'v', 'i', 'r', 'o', 'n', '\n', '.'};
        assertThatThrownBy(() -> STRICT.loads(obj))
                .isInstanceOf(PickleException.class)
                .hasMessageContaining("os.environ");
    }
}
