package dev.brine.pandas;

import dev.brine.internal.format.PyRepr;
import dev.brine.value.PyTuple;

import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical JSON form of {@code pandas_fixtures.py}'s {@code canon()}, applied to what Brine reads, so the two
 * compare with {@code equals}. {@code tz} is the zone name of the column's dtype, for OffsetDateTime values (which
 * carry no name).
 */
final class Canonical {
    private Canonical() {
    }

    static Object of(Object v, String tz) {
        if (v == null || v instanceof Boolean || v instanceof Long || v instanceof String) {
            return v;
        }
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : Map.of("big", b.toString());
        }
        if (v instanceof Double d) {
            return Map.of("float", PyRepr.floatRepr(d));
        }
        if (v instanceof LocalDateTime t) {
            return time(nanos(t.toInstant(ZoneOffset.UTC)), null, null);
        }
        if (v instanceof ZonedDateTime z) {
            return time(nanos(z.toInstant()), z.getZone().getId(), (long) z.getOffset().getTotalSeconds());
        }
        if (v instanceof OffsetDateTime o) {
            return time(nanos(o.toInstant()), tz, (long) o.getOffset().getTotalSeconds());
        }
        if (v instanceof Duration d) {
            return Map.of("td", d.toNanos());
        }
        if (v instanceof PyTuple t) {
            List<Object> out = new ArrayList<>();
            for (Object x : t) {
                out.add(of(x, tz));
            }
            return out;
        }
        throw new AssertionError("no canonical form for " + v.getClass() + ": " + v);
    }

    static List<Object> all(List<?> values, String dtype) {
        String tz = zoneOf(dtype);
        List<Object> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add(of(v, tz));
        }
        return out;
    }

    /** {@code X} of {@code datetime64[ns, X]}, else null. */
    static String zoneOf(String dtype) {
        int comma = dtype.indexOf(", ");
        return dtype.startsWith("datetime64[") && comma > 0 ? dtype.substring(comma + 2, dtype.length() - 1) : null;
    }

    private static long nanos(java.time.Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    }

    private static Map<String, Object> time(long ns, String tz, Long off) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ns", ns);
        m.put("tz", tz);
        m.put("off", off);
        return m;
    }
}
