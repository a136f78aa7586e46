package dev.brine.types;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyArray;
import dev.brine.value.PyBytes;
import dev.brine.value.PyDecimal;
import dev.brine.value.PyException;
import dev.brine.value.PyFraction;
import dev.brine.value.PyNamedTuple;
import dev.brine.value.PyPath;
import dev.brine.value.PyCounter;
import dev.brine.value.PyDefaultDict;
import dev.brine.value.PyDeque;
import dev.brine.value.PyObject;
import dev.brine.value.PyOrderedDict;
import dev.brine.value.PyRange;
import dev.brine.value.PySlice;
import dev.brine.value.PyTuple;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * The canonical text of a Java value Brine read, matching {@code canon()} in {@code types_stdlib.py}, which computes
 * it from the Python value. Each is written from its own side, so a wrong mapping shows as a mismatch.
 */
final class Canon {
    private Canon() {
    }

    static String of(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? "True" : "False";
        }
        if (v instanceof Long || v instanceof BigInteger) {
            return v.toString();
        }
        if (v instanceof Double) {
            return v.toString();
        }
        if (v instanceof String) {
            return "'" + v + "'";
        }
        if (v instanceof LocalDate) {
            return "date " + String.format("%04d-%02d-%02d", ((LocalDate) v).getYear(),
                    ((LocalDate) v).getMonthValue(), ((LocalDate) v).getDayOfMonth());
        }
        if (v instanceof LocalTime) {
            return "time " + time((LocalTime) v);
        }
        if (v instanceof OffsetTime) {
            OffsetTime t = (OffsetTime) v;
            return "time " + time(t.toLocalTime()) + " offset " + t.getOffset().getTotalSeconds();
        }
        if (v instanceof LocalDateTime) {
            return "datetime " + dateTime((LocalDateTime) v);
        }
        if (v instanceof OffsetDateTime) {
            OffsetDateTime t = (OffsetDateTime) v;
            return "datetime " + dateTime(t.toLocalDateTime()) + " offset " + t.getOffset().getTotalSeconds();
        }
        if (v instanceof ZonedDateTime) {
            ZonedDateTime t = (ZonedDateTime) v;
            int fold = t.equals(t.withEarlierOffsetAtOverlap()) ? 0 : 1;
            return "datetime " + dateTime(t.toLocalDateTime()) + " zone " + t.getZone().getId() + " fold " + fold;
        }
        if (v instanceof Duration) {
            Duration d = (Duration) v;
            return "timedelta " + BigInteger.valueOf(d.getSeconds()).multiply(BigInteger.valueOf(1_000_000))
                    .add(BigInteger.valueOf(d.getNano() / 1000));
        }
        if (v instanceof ZoneOffset) {
            return "timezone " + ((ZoneOffset) v).getTotalSeconds();
        }
        if (v instanceof ZoneId) {
            return "zone " + ((ZoneId) v).getId();
        }
        if (v instanceof PyBytes) {
            return "bytes " + java.util.HexFormat.of().formatHex(((PyBytes) v).toByteArray());
        }
        if (v instanceof PyFraction) {
            return "fraction " + v;
        }
        if (v instanceof PyDecimal) {
            return "decimal " + v;
        }
        if (v instanceof PyPath) {
            PyPath p = (PyPath) v;
            String cls = (p.isPure() ? "Pure" : "") + (p.flavour() == PyPath.Flavour.POSIX ? "Posix" : "Windows");
            return "path " + cls + "Path " + p + " " + list(p.parts());
        }
        if (v instanceof PyException) {
            PyException e = (PyException) v;
            String s = "exception " + e.typeName() + " " + list(e.args());
            if (e.state() != null) {
                s += " state " + of(e.state());
            }
            if (e.typeName().endsWith("Error") && isOSError(e)) {
                s += " errno " + of(e.errno().orElse(null)) + " strerror " + of(e.strerror().orElse(null))
                        + " filename " + of(e.filename().orElse(null));
            }
            return s;
        }
        if (v instanceof BigDecimal) {
            return "decimal " + v;
        }
        if (v instanceof UUID) {
            return "uuid " + v;
        }
        if (v instanceof PyOrderedDict) {
            Object state = ((PyOrderedDict) v).state();
            return "OrderedDict " + map((Map<?, ?>) v) + (state == null ? "" : " vars " + of(state));
        }
        if (v instanceof PyDefaultDict) {
            Object f = ((PyDefaultDict) v).defaultFactory();
            return "defaultdict " + (f == null ? "None" : f.toString()) + " " + map((Map<?, ?>) v);
        }
        if (v instanceof PyCounter) {
            return "Counter " + map((Map<?, ?>) v);
        }
        if (v instanceof PyDeque) {
            return "deque " + (((PyDeque) v).maxlen() == null ? "None" : ((PyDeque) v).maxlen()) + " "
                    + list((List<?>) v);
        }
        if (v instanceof PyArray) {
            return "array " + ((PyArray) v).typecode() + " " + arrayItems((PyArray) v);
        }
        if (v instanceof PyRange) {
            PyRange r = (PyRange) v;
            return "range " + r.start() + " " + r.stop() + " " + r.step();
        }
        if (v instanceof PySlice) {
            PySlice s = (PySlice) v;
            return "slice " + of(s.start()) + " " + of(s.stop()) + " " + of(s.step());
        }
        if (v instanceof GlobalRef) {
            return "global " + v;
        }
        if (v instanceof PyNamedTuple || v instanceof PyObject && PyNamedTuple.from(v).isPresent()) {
            PyNamedTuple t = v instanceof PyNamedTuple ? (PyNamedTuple) v : PyNamedTuple.from(v).get();
            return "namedtuple " + t.pythonClass() + " " + list(t.values());
        }
        if (v instanceof PyObject) {
            PyObject o = (PyObject) v;
            String s = "inert " + o.global();
            // Decimal, datetime and the other inert nodes with arguments show them; datetimes keep only the type.
            if (o.global() != null && o.global().module().equals("datetime") && !o.global().name().equals("timezone")) {
                return s;
            }
            return s + " " + list(o.args());
        }
        if (v instanceof PyTuple) {
            StringJoiner j = new StringJoiner(", ", "(", ")");
            ((PyTuple) v).forEach(x -> j.add(of(x)));
            return j.toString();
        }
        if (v instanceof List) {
            return list((List<?>) v);
        }
        if (v instanceof Map) {
            return map((Map<?, ?>) v);
        }
        return "unknown " + v.getClass().getName() + " " + v;
    }

    /** The OSError family, named independently of PyException's own list. */
    private static boolean isOSError(PyException e) {
        return java.util.Set.of("OSError", "PermissionError", "FileNotFoundError").contains(e.typeName());
    }

    private static String time(LocalTime t) {
        return String.format("%02d:%02d:%02d.%06d", t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1000);
    }

    private static String dateTime(LocalDateTime t) {
        return String.format("%04d-%02d-%02dT%s", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                time(t.toLocalTime()));
    }

    private static String list(List<?> l) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        l.forEach(x -> j.add(of(x)));
        return j.toString();
    }

    private static String map(Map<?, ?> m) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        m.forEach((k, x) -> j.add(of(k) + ": " + of(x)));
        return j.toString();
    }

    /** Items as Python's tolist(): unsigned typecodes as unsigned numbers, floats as Python floats. */
    private static String arrayItems(PyArray a) {
        List<Object> items = new ArrayList<>();
        Object arr = a.items();
        for (int i = 0; i < Array.getLength(arr); i++) {
            Object x = Array.get(arr, i);
            char c = a.typecode();
            if (c == 'B') {
                x = (long) Byte.toUnsignedInt((Byte) x);
            } else if (c == 'H') {
                x = (long) Short.toUnsignedInt((Short) x);
            } else if (c == 'I') {
                x = Integer.toUnsignedLong((Integer) x);
            } else if (c == 'L' || c == 'Q') {
                x = new BigInteger(Long.toUnsignedString((Long) x));
            } else if (x instanceof Float) {
                x = (double) (Float) x;
            } else if (x instanceof Number && !(x instanceof Double)) {
                x = ((Number) x).longValue();
            }
            items.add(x);
        }
        return list(items);
    }
}
