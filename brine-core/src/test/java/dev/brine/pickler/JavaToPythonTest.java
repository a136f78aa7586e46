package dev.brine.pickler;

import dev.brine.Pickler;
import dev.brine.cpython.CPython;
import dev.brine.value.PyByteArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyComplex;
import dev.brine.value.PyFrozenSet;
import dev.brine.value.PyTuple;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every row of the Java to Python table, written by Brine at every protocol, loaded by every CPython 3.x on the
 * machine and compared with the Python value it must be (same type, same value, for floats the same sign and
 * NaN-ness, for datetimes the same tzinfo and fold). The check script also counts the rows whose bytes are
 * exactly what that CPython's own {@code pickle.dumps} writes for the expected value.
 */
@Tag("cross-interpreter")
class JavaToPythonTest {
    private record Row(String name, Object value, String python) {
    }

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("null", null, "None"));
        rows.add(new Row("Boolean", true, "True"));
        rows.add(new Row("Byte", (byte) -7, "-7"));
        rows.add(new Row("Short", (short) 300, "300"));
        rows.add(new Row("Integer", Integer.MIN_VALUE, "-2**31"));
        rows.add(new Row("Long", Long.MAX_VALUE, "2**63-1"));
        rows.add(new Row("BigInteger", BigInteger.TWO.pow(100).negate(), "-2**100"));
        rows.add(new Row("Float", 1.1f, "1.100000023841858"));
        rows.add(new Row("Double", -0.0, "-0.0"));
        rows.add(new Row("Double-nan", Double.NaN, "float('nan')"));
        rows.add(new Row("String", "h\u00e9llo \ud83d\ude00", "'h\\xe9llo \\U0001f600'"));
        rows.add(new Row("Character", 'x', "'x'"));
        rows.add(new Row("byte[]", new byte[] {0, (byte) 255}, "b'\\x00\\xff'"));
        rows.add(new Row("PyBytes", PyBytes.of((byte) 'a'), "b'a'"));
        rows.add(new Row("PyByteArray", PyByteArray.of((byte) 'a', (byte) 'b'), "bytearray(b'ab')"));
        rows.add(new Row("List", List.of(1, "a"), "[1, 'a']"));
        rows.add(new Row("PyTuple", PyTuple.of(1, PyTuple.of()), "(1, ())"));
        rows.add(new Row("Set", new LinkedHashSet<>(List.of(3, 1, 2)), "{1, 2, 3}"));
        rows.add(new Row("PyFrozenSet", PyFrozenSet.of(1, 2), "frozenset({1, 2})"));
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("b", 1);
        map.put("a", List.of());
        rows.add(new Row("Map", map, "{'b': 1, 'a': []}"));
        rows.add(new Row("TreeMap", new TreeMap<>(Map.of(2, "x", 1, "y")), "{1: 'y', 2: 'x'}"));
        rows.add(new Row("PyComplex", new PyComplex(1, -2), "complex(1, -2)"));
        rows.add(new Row("short[]", new short[] {-1, 2}, "array.array('h', [-1, 2])"));
        rows.add(new Row("int[]", new int[] {Integer.MIN_VALUE, 5}, "array.array('i', [-2**31, 5])"));
        rows.add(new Row("long[]", new long[] {Long.MIN_VALUE, 0}, "array.array('q', [-2**63, 0])"));
        rows.add(new Row("float[]", new float[] {1.5f, -0f}, "array.array('f', [1.5, -0.0])"));
        rows.add(new Row("double[]", new double[] {0.1, Double.POSITIVE_INFINITY}, "array.array('d', [0.1, float('inf')])"));
        rows.add(new Row("char[]", new char[] {'a', '\uffff'}, "array.array('H', [97, 65535])"));
        rows.add(new Row("boolean[]", new boolean[] {true, false}, "[True, False]"));
        rows.add(new Row("long[]-empty", new long[0], "array.array('q')"));
        rows.add(new Row("BigDecimal", new BigDecimal("-1.50E+3"), "decimal.Decimal('-1.50E+3')"));
        rows.add(new Row("BigDecimal-small", new BigDecimal("0.000001"), "decimal.Decimal('0.000001')"));
        rows.add(new Row("LocalDate", LocalDate.of(2024, 2, 29), "datetime.date(2024, 2, 29)"));
        rows.add(new Row("LocalTime", LocalTime.of(23, 59, 58, 123_456_000), "datetime.time(23, 59, 58, 123456)"));
        rows.add(new Row("LocalDateTime", LocalDateTime.of(1, 1, 1, 0, 0, 0, 1000),
                "datetime.datetime(1, 1, 1, 0, 0, 0, 1)"));
        rows.add(new Row("OffsetDateTime", OffsetDateTime.of(2024, 5, 6, 7, 8, 9, 10_000, ZoneOffset.ofHoursMinutes(-5, -30)),
                "datetime.datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=-5, minutes=-30)))"));
        rows.add(new Row("OffsetTime", OffsetTime.of(1, 2, 3, 0, ZoneOffset.UTC),
                "datetime.time(1, 2, 3, tzinfo=datetime.timezone.utc)"));
        rows.add(new Row("Instant", Instant.parse("2024-01-02T03:04:05.678901Z"),
                "datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.timezone.utc)"));
        rows.add(new Row("ZonedDateTime-offset", ZonedDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHours(9)),
                "datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))"));
        ZonedDateTime fold = ZonedDateTime.of(2024, 11, 3, 1, 30, 0, 0, ZoneId.of("America/New_York"))
                .withLaterOffsetAtOverlap();
        rows.add(new Row("ZonedDateTime-zoneinfo", fold, "datetime.datetime(2024, 11, 3, 1, 30, fold=1 if p >= 4 else 0,"
                + " tzinfo=zoneinfo.ZoneInfo('America/New_York'))"));
        rows.add(new Row("ZoneOffset", ZoneOffset.ofHours(-3), "datetime.timezone(datetime.timedelta(hours=-3))"));
        rows.add(new Row("Duration", Duration.ofSeconds(-1, 5000), "datetime.timedelta(seconds=-1, microseconds=5)"));
        rows.add(new Row("UUID", UUID.fromString("12345678-1234-5678-1234-567812345678"),
                "uuid.UUID('12345678-1234-5678-1234-567812345678')"));
        rows.add(new Row("Optional-empty", Optional.empty(), "None"));
        rows.add(new Row("Optional", Optional.of("v"), "'v'"));
        rows.add(new Row("OptionalInt", OptionalInt.of(4), "4"));
        return rows;
    }

    @TestFactory
    Stream<DynamicTest> everyInterpreter() {
        StringBuilder input = new StringBuilder();
        for (Row row : rows()) {
            for (int p = 0; p <= Pickler.HIGHEST_PROTOCOL; p++) {
                byte[] pickle = Pickler.builder().protocol(p).build().dumps(row.value());
                input.append(row.name()).append('\t').append(p).append('\t').append(HexFormat.of().formatHex(pickle))
                        .append('\t').append(row.python()).append('\n');
            }
        }
        byte[] stdin = input.toString().getBytes(StandardCharsets.UTF_8);
        return CPython.python3s().stream().map(python -> DynamicTest.dynamicTest(python.toString(), () -> {
            String out = new String(python.check(stdin, PicklerCases.SCRIPT.toString(), "check-java"),
                    StandardCharsets.UTF_8);
            String last = out.trim().substring(out.trim().lastIndexOf('\n') + 1);
            java.util.Set<String> differ = new java.util.TreeSet<>();
            for (String line : out.split("\n")) {
                if (line.startsWith("LOADS-EQUAL-BYTES-DIFFER ")) {
                    differ.add(line.split(" ")[1]);
                }
            }
            System.out.println("java table, " + python + ": " + last + "; rows not byte-identical to pickle.dumps"
                    + " of the expected value at some protocol: " + differ);
            assertThat(out).as(python + " loading Brine's pickles of the Java table")
                    .doesNotContain("MISMATCH").doesNotContain("ERROR").contains(", 0 bad");
        }));
    }
}
