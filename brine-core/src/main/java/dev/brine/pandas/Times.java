package dev.brine.pandas;

import dev.brine.internal.format.PyRepr;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.Map;

/**
 * Time in pandas' terms: datetime64/timedelta64 counts in their unit, the time zones a DatetimeTZDtype may hold,
 * Period ordinals and Interval ends, given as pandas prints them.
 */
final class Times {
    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
            "NOV", "DEC"};

    private Times() {
    }

    /** Nanoseconds per unit of numpy's datetime units from days down; -1 for calendar units. */
    private static long nanosPer(String unit) {
        switch (unit) {
            case "ns":
                return 1L;
            case "us":
                return 1_000L;
            case "ms":
                return 1_000_000L;
            case "s":
                return 1_000_000_000L;
            case "m":
                return 60_000_000_000L;
            case "h":
                return 3_600_000_000_000L;
            case "D":
                return 86_400_000_000_000L;
            case "W":
                return 7 * 86_400_000_000_000L;
            default:
                return -1;
        }
    }

    static boolean knownUnit(String unit) {
        return unit != null && nanosPer(unit) > 0;
    }

    /** A datetime64 count as wall time (numpy's datetimes are naive: the count is from 1970-01-01T00:00). */
    static LocalDateTime local(long v, String unit, long count) {
        return LocalDateTime.ofEpochSecond(0, 0, ZoneOffset.UTC).plus(duration(v, unit, count));
    }

    static Duration duration(long v, String unit, long count) {
        long per = nanosPer(unit);
        if (per < 0) {
            throw new IllegalStateException("datetime unit " + unit + " has no fixed length");
        }
        // Split into seconds and nanoseconds without overflow: counts of ns reach about 292 years either side.
        java.math.BigInteger total = java.math.BigInteger.valueOf(v).multiply(java.math.BigInteger.valueOf(per))
                .multiply(java.math.BigInteger.valueOf(count));
        java.math.BigInteger[] qr = total.divideAndRemainder(java.math.BigInteger.valueOf(1_000_000_000L));
        long sec = qr[0].longValueExact();
        long nano = qr[1].longValue();
        return Duration.ofSeconds(sec, nano);
    }

    /** A time zone as a DatetimeTZDtype holds it, with the name pandas prints in the dtype. */
    record Zone(String name, ZoneId id) {
        /** The wall time in this zone of the UTC time {@code utc} (pandas stores aware datetimes as UTC). */
        Temporal at(LocalDateTime utc) {
            Instant instant = utc.toInstant(ZoneOffset.UTC);
            return id instanceof ZoneOffset o ? OffsetDateTime.ofInstant(instant, o) : ZonedDateTime.ofInstant(instant, id);
        }
    }

    /** The zone of a DatetimeTZDtype node ({@code unit}, {@code tz} in its state). */
    static Zone zone(Object dtype, String where) {
        if (!(dtype instanceof PyObject p) || !"DatetimeTZDtype".equals(Frames.madeName(p))) {
            throw Frames.bad(where, "DatetimeArray with dtype " + Frames.describe(dtype));
        }
        Object s = Frames.state(p);
        Object tz;
        if (s instanceof Map<?, ?> m) {
            tz = m.containsKey("tz") ? m.get("tz") : m.get("_tz");
        } else if (p.args().size() >= 2) {
            tz = p.args().get(1);                 // DatetimeTZDtype(unit, tz)
        } else {
            throw Frames.bad(where, "DatetimeTZDtype without a time zone");
        }
        return tzOf(tz, where);
    }

    static Zone tzOf(Object tz, String where) {
        if (tz instanceof ZoneOffset o) {
            return new Zone(o.getTotalSeconds() == 0 ? "UTC" : "UTC" + o.getId(), o);
        }
        if (tz instanceof ZoneId z) {
            return new Zone(z.getId(), z);
        }
        if (tz instanceof String s) {
            return new Zone(s, zoneId(s, where));
        }
        String name = Frames.made(tz);
        if (name != null) {
            PyTuple a = ((PyObject) tz).args();
            switch (name) {
                case "pytz._p":
                    if (!a.isEmpty() && a.get(0) instanceof String zone) {
                        return new Zone(zone, zoneId(zone, where));
                    }
                    break;
                case "pytz._UTC":
                case "pytz.utc":
                    return new Zone("UTC", ZoneId.of("UTC"));
                case "pytz.FixedOffset":
                    if (a.size() == 1 && a.get(0) instanceof Long minutes && Math.abs(minutes) < 18 * 60) {
                        return new Zone("pytz.FixedOffset(" + minutes + ")",
                                ZoneOffset.ofTotalSeconds((int) (minutes * 60)));
                    }
                    break;
                default:
                    break;
            }
        }
        throw Frames.bad(where, "unsupported time zone " + Frames.describe(tz));
    }

    private static ZoneId zoneId(String zone, String where) {
        try {
            return ZoneId.of(zone);
        } catch (RuntimeException e) {
            throw Frames.bad(where, "time zone '" + zone + "' is unknown to java.time");
        }
    }

    /** A pandas Timestamp from {@code _unpickle_timestamp(value, freq, tz[, reso])}. */
    static Object timestamp(PyObject p) {
        PyTuple a = p.args();
        if (a.isEmpty() || !(a.get(0) instanceof Long v)) {
            return p;
        }
        String unit = "ns";
        if (a.size() >= 4 && a.get(3) instanceof Long reso) {
            // numpy NPY_DATETIMEUNIT codes, as pandas 1.5+ pickles the resolution: 7 s, 8 ms, 9 us, 10 ns.
            unit = reso == 10 ? "ns" : reso == 9 ? "us" : reso == 8 ? "ms" : reso == 7 ? "s" : "ns";
        }
        LocalDateTime utc = local(v, unit, 1);
        Object tz = a.size() >= 3 ? a.get(2) : null;
        if (tz == null) {
            return utc;
        }
        return tzOf(tz, "Timestamp").at(utc);
    }

    // ---------------------------------------------------------------- periods

    /** The frequency code of a PeriodDtype (its offset argument, or a string form), as pandas 1.x prints it. */
    static String periodCode(Object freq, String where) {
        if (freq instanceof PyObject p && "PeriodDtype".equals(Frames.madeName(p))) {
            if (p.args().size() == 1) {
                freq = p.args().get(0);
            } else if (Frames.state(p) instanceof Map<?, ?> m && m.get("_freq") != null) {
                freq = m.get("_freq");
            } else {
                throw Frames.bad(where, "PeriodDtype without a frequency");
            }
        }
        if (freq instanceof String s) {
            return s.startsWith("period[") && s.endsWith("]") ? s.substring(7, s.length() - 1) : s;
        }
        if (!(freq instanceof PyObject off) || Frames.madeName(off) == null) {
            throw Frames.bad(where, "period frequency " + Frames.describe(freq));
        }
        PyTuple a = off.args();
        long n = a.isEmpty() ? 1 : Frames.integer(a.get(0), where + " frequency");
        if (n != 1) {
            throw Frames.bad(where, "period frequency with a multiple (" + n + ") is not supported");
        }
        String cls = Frames.madeName(off);
        switch (cls) {
            case "YearEnd":
                return "A-" + month(a, 12, where);
            case "QuarterEnd":
                return "Q-" + month(a, 12, where);
            case "MonthEnd":
                return "M";
            case "Day":
                return "D";
            case "Hour":
                return "H";
            case "Minute":
                return "T";
            case "Second":
                return "S";
            case "Milli":
                return "L";
            case "Micro":
                return "U";
            case "Nano":
                return "N";
            default:
                throw Frames.bad(where, "period frequency " + cls + " is not supported");
        }
    }

    private static String month(PyTuple a, long dflt, String where) {
        long m = a.size() >= 3 ? Frames.integer(a.get(2), where + " month") : dflt;
        if (m < 1 || m > 12) {
            throw Frames.bad(where, "month " + m + " out of range");
        }
        return MONTHS[(int) m - 1];
    }

    /** A Period ordinal as pandas prints the Period ({@code 2024-01}, {@code 2024Q1}, {@code 2024-01-01 10:00}). */
    static String period(long ordinal, String code, String where) {
        try {
            return periodText(ordinal, code, where);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw Frames.bad(where, "period ordinal " + ordinal + " of " + code + " is outside java.time's range");
        }
    }

    private static String periodText(long ordinal, String code, String where) {
        String base = code.contains("-") ? code.substring(0, code.indexOf('-')) : code;
        switch (base) {
            case "A":
            case "Y":
                return String.format("%d", 1970 + ordinal);
            case "Q": {
                return (1970 + Math.floorDiv(ordinal, 4)) + "Q" + (Math.floorMod(ordinal, 4) + 1);
            }
            case "M": {
                return String.format("%04d-%02d", 1970 + Math.floorDiv(ordinal, 12), Math.floorMod(ordinal, 12) + 1);
            }
            case "D":
                return LocalDate.ofEpochDay(ordinal).toString();
            case "H":
            case "h":
                return fmt(local(ordinal, "h", 1), 13) + ":00";
            case "T":
            case "min":
                return fmt(local(ordinal, "m", 1), 16);
            case "S":
            case "s":
                return fmt(local(ordinal, "s", 1), 19);
            case "L":
            case "ms":
                return fmt(local(ordinal, "ms", 1), 23);
            case "U":
            case "us":
                return fmt(local(ordinal, "us", 1), 26);
            case "N":
            case "ns":
                return fmt(local(ordinal, "ns", 1), 29);
            default:
                throw Frames.bad(where, "period frequency " + code + " is not supported");
        }
    }

    /** {@code yyyy-MM-dd HH:mm:ss.fffffffff} cut to {@code length} characters. */
    private static String fmt(LocalDateTime t, int length) {
        String s = String.format("%04d-%02d-%02d %02d:%02d:%02d.%09d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getNano());
        return s.substring(0, length);
    }

    // ---------------------------------------------------------------- intervals

    /** An Interval as pandas prints it: {@code (0, 1]}, {@code [0.5, 1.5)}; null when both ends are missing. */
    static String interval(Object left, Object right, String closed) {
        if (missing(left) && missing(right)) {
            return null;
        }
        boolean l = closed.equals("left") || closed.equals("both");
        boolean r = closed.equals("right") || closed.equals("both");
        return (l ? "[" : "(") + end(left) + ", " + end(right) + (r ? "]" : ")");
    }

    private static boolean missing(Object o) {
        return o == null || o instanceof Double d && d.isNaN();
    }

    private static String end(Object o) {
        if (o instanceof Double d) {
            return PyRepr.floatRepr(d);
        }
        if (o instanceof LocalDateTime t) {
            return timestampText(t);
        }
        return String.valueOf(o);
    }

    /** str(pandas.Timestamp): seconds always, then micro- or nanoseconds when there are any. */
    static String timestampText(LocalDateTime t) {
        int nano = t.getNano();
        return fmt(t, nano == 0 ? 19 : nano % 1000 == 0 ? 26 : 29);
    }
}
