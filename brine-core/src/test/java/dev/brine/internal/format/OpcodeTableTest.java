package dev.brine.internal.format;

import dev.brine.conformance.Json;
import dev.brine.cpython.CPython;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brine's one opcode table against {@code pickletools.opcodes} of every interpreter on the machine (2.7 and
 * 3.6 to 3.13): each opcode an interpreter knows has the same byte, name, argument descriptor, protocol, stack
 * effect in Brine (for 2.7, whose stack names differ, the byte, name, argument and protocol), the newest
 * interpreter's first documentation line is Brine's, and Brine knows no opcode the newest interpreter lacks.
 */
@Tag("cross-interpreter")
class OpcodeTableTest {
    @Test
    @SuppressWarnings("unchecked")
    void theTableAgreesWithPickletoolsOnEveryInterpreter() {
        String script = String.join("\n",
                "import json, pickletools, sys",
                "out = []",
                "for op in pickletools.opcodes:",
                "    out.append({'name': op.name, 'code': ord(op.code), 'proto': op.proto,",
                "                'arg': op.arg.name if op.arg is not None else 'none',",
                "                'before': [s.name for s in op.stack_before],",
                "                'after': [s.name for s in op.stack_after],",
                "                'doc': op.doc.strip().split('\\n')[0].strip()})",
                "sys.stdout.write(json.dumps(out))");
        List<CPython> pythons = CPython.all();
        assertThat(pythons).hasSizeGreaterThanOrEqualTo(2);
        List<String> differences = new ArrayList<>();
        TreeSet<String> newest = new TreeSet<>();
        for (CPython python : pythons) {
            List<Map<String, Object>> table = (List<Map<String, Object>>) Json.parse(
                    new String(python.check(new byte[0], "-c", script), StandardCharsets.UTF_8));
            assertThat(table).as(python.version()).hasSizeGreaterThan(50);
            boolean python2 = python.version().startsWith("2.");
            newest.clear();
            for (Map<String, Object> row : table) {
                String name = (String) row.get("name");
                newest.add(name);
                Opcode op = Opcode.of(((Long) row.get("code")).intValue());
                String where = python.version() + " " + name;
                if (op == null || !op.name().equals(name)) {
                    differences.add(where + ": Brine has " + op + " for byte " + row.get("code"));
                    continue;
                }
                check(differences, where, "protocol", op.protocol(), ((Long) row.get("proto")).intValue());
                if (!(python2 && name.startsWith("LONG_BIN"))) {
                    // Python 2's pickletools called LONG_BINGET/LONG_BINPUT's index int4; 3 made it uint4.
                    check(differences, where, "argument", op.arg().pickletoolsName(), row.get("arg"));
                }
                if (python2) {
                    continue;   // Python 2 names its stack objects long and str, and its docs differ: 3's are Brine's
                }
                check(differences, where, "stack before", op.stackBefore(), row.get("before"));
                check(differences, where, "stack after", op.stackAfter(), row.get("after"));
                if (python == pythons.get(pythons.size() - 1)) {   // all() lists the oldest first
                    // brine dis -a prints the newest pickletools' text (3.13 fixed LONG4's "found-byte" typo).
                    check(differences, where, "doc", op.pickletoolsDoc(), row.get("doc"));
                }
            }
        }
        for (Opcode op : Opcode.values()) {
            if (!newest.contains(op.name())) {
                differences.add(op + " is in Brine's table but not in the newest pickletools");
            }
        }
        assertThat(differences).isEmpty();
        assertThat(newest).hasSize(Opcode.values().length);
    }

    private static void check(List<String> differences, String where, String what, Object brine, Object python) {
        if (!brine.equals(python)) {
            differences.add(where + ": " + what + " is " + brine + " in Brine, " + python + " in pickletools");
        }
    }
}
