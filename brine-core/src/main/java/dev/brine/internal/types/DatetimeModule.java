package dev.brine.internal.types;

import dev.brine.value.GlobalRef;
import dev.brine.value.PyBytes;
import dev.brine.value.PyObject;
import dev.brine.value.PyTuple;

import java.time.DateTimeException;
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

/**
 * Python's {@code datetime} and {@code zoneinfo} values as {@code java.time} values, for exactly the pickles the
 * {@link dev.brine.Pickler} writes back byte for byte; any other shape stays an inert node.
 *
 * <p>The forms are those of {@code _datetimemodule.c}'s {@code __reduce_ex__}: {@code date(b'YYMD')},
 * {@code time(b'HMSuuu'[, tzinfo])} with 128 added to the hour for {@code fold=1}, {@code datetime(b'YYMDHMSuuu'[,
 * tzinfo])} with 128 added to the month for {@code fold=1} (protocol 4 and up only), {@code timedelta(days, seconds,
 * microseconds)} normalized, {@code timezone(timedelta)} (a second argument is a name), and
 * {@code getattr(ZoneInfo, '_unpickle')(key, 1)}.
 *
 * <p>Both directions of the family live here: the read side ({@link #date}, {@link #datetime}...) builds
 * {@code java.time} values from those calls, and the write side ({@link #fromJava}) gives the same calls for
 * {@code java.time} values, so a change to one form is made next to its inverse.
 */
public final class DatetimeModule {
    static final GlobalRef DATE = new GlobalRef("datetime", "date");
    static final GlobalRef TIME = new GlobalRef("datetime", "time");
    static final GlobalRef DATETIME = new GlobalRef("datetime", "datetime");
    static final GlobalRef TIMEDELTA = new GlobalRef("datetime", "timedelta");
    static final GlobalRef TIMEZONE = new GlobalRef("datetime", "timezone");
    static final GlobalRef ZONEINFO = new GlobalRef("zoneinfo", "ZoneInfo");
    static final GlobalRef GETATTR = new GlobalRef("builtins", "getattr");

    /** timedelta.max.days, as in Python. */
    private static final long MAX_DAYS = 999_999_999L;
    /** datetime.timezone accepts offsets strictly within a day; java.time's ZoneOffset within 18 hours. */
    private static final int MAX_OFFSET_SECONDS = 18 * 3600;

    private DatetimeModule() {
    }

    /** The state bytes of a date, time or datetime: bytes, or a Python 2 str read as latin-1 text. */
    private static byte[] state(Object arg, int length) {
        if (arg instanceof PyBytes && ((PyBytes) arg).length() == length) {
            return ((PyBytes) arg).toByteArray();
        }
        if (arg instanceof String && ((String) arg).length() == length) {
            String s = (String) arg;
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++) {
                char c = s.charAt(i);
                if (c > 0xff) {
                    return null;
                }
                b[i] = (byte) c;
            }
            return b;
        }
        return null;
    }

    static Object date(PyTuple args) {
        byte[] b = args.size() == 1 ? state(args.get(0), 4) : null;
        if (b == null) {
            return KnownGlobals.NOT_HANDLED;
        }
        try {
            return LocalDate.of((b[0] & 0xff) << 8 | (b[1] & 0xff), b[2] & 0xff, b[3] & 0xff);
        } catch (DateTimeException e) {
            return KnownGlobals.NOT_HANDLED;
        }
    }

    static Object time(PyTuple args) {
        if (args.isEmpty() || args.size() > 2) {
            return KnownGlobals.NOT_HANDLED;
        }
        byte[] b = state(args.get(0), 6);
        // A set fold bit has no java.time equivalent for a time of day: stay inert.
        if (b == null || (b[0] & 0x80) != 0) {
            return KnownGlobals.NOT_HANDLED;
        }
        LocalTime t;
        try {
            t = LocalTime.of(b[0] & 0xff, b[1] & 0xff, b[2] & 0xff, micros(b, 3) * 1000);
        } catch (DateTimeException e) {
            return KnownGlobals.NOT_HANDLED;
        }
        if (args.size() == 1) {
            return t;
        }
        Object tz = args.get(1);
        return tz instanceof ZoneOffset ? OffsetTime.of(t, (ZoneOffset) tz) : KnownGlobals.NOT_HANDLED;
    }

    static Object datetime(PyTuple args) {
        if (args.isEmpty() || args.size() > 2) {
            return KnownGlobals.NOT_HANDLED;
        }
        byte[] b = state(args.get(0), 10);
        if (b == null) {
            return KnownGlobals.NOT_HANDLED;
        }
        boolean fold = (b[2] & 0x80) != 0;
        LocalDateTime t;
        try {
            t = LocalDateTime.of((b[0] & 0xff) << 8 | (b[1] & 0xff), b[2] & 0x7f, b[3] & 0xff,
                    b[4] & 0xff, b[5] & 0xff, b[6] & 0xff, micros(b, 7) * 1000);
        } catch (DateTimeException e) {
            return KnownGlobals.NOT_HANDLED;
        }
        if (args.size() == 1) {
            return fold ? KnownGlobals.NOT_HANDLED : t;
        }
        Object tz = args.get(1);
        if (tz instanceof ZoneOffset) {
            return fold ? KnownGlobals.NOT_HANDLED : OffsetDateTime.of(t, (ZoneOffset) tz);
        }
        if (tz instanceof ZoneId) {
            ZonedDateTime z = ZonedDateTime.ofLocal(t, (ZoneId) tz, null);
            if (fold) {
                z = z.withLaterOffsetAtOverlap();
            }
            // Lossless only when the wall time exists in the zone (not in a gap, which java.time would move) and
            // the fold Python recorded is the one java.time's offset implies: then the Pickler writes it back.
            boolean javaFold = !z.equals(z.withEarlierOffsetAtOverlap());
            if (!z.toLocalDateTime().equals(t) || javaFold != fold) {
                return KnownGlobals.NOT_HANDLED;
            }
            return z;
        }
        return KnownGlobals.NOT_HANDLED;
    }

    private static int micros(byte[] b, int at) {
        int us = (b[at] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff);
        if (us > 999_999) {
            throw new DateTimeException("microsecond out of range");
        }
        return us;
    }

    /** timedelta(days, seconds, microseconds) as Python normalizes it: 0 <= seconds < 86400, 0 <= us < 10**6. */
    static Object timedelta(PyTuple args) {
        if (args.size() != 3 || !(args.get(0) instanceof Long) || !(args.get(1) instanceof Long)
                || !(args.get(2) instanceof Long)) {
            return KnownGlobals.NOT_HANDLED;
        }
        long days = (Long) args.get(0);
        long seconds = (Long) args.get(1);
        long micros = (Long) args.get(2);
        if (Math.abs(days) > MAX_DAYS || seconds < 0 || seconds >= 86_400 || micros < 0 || micros >= 1_000_000) {
            return KnownGlobals.NOT_HANDLED;
        }
        return Duration.ofSeconds(days * 86_400 + seconds, micros * 1000);
    }

    /** timezone(offset): a ZoneOffset when whole seconds within 18 hours; a named timezone stays inert. */
    static Object timezone(PyTuple args) {
        if (args.size() != 1 || !(args.get(0) instanceof Duration)) {
            return KnownGlobals.NOT_HANDLED;
        }
        Duration d = (Duration) args.get(0);
        if (d.getNano() != 0 || Math.abs(d.getSeconds()) > MAX_OFFSET_SECONDS) {
            return KnownGlobals.NOT_HANDLED;
        }
        return ZoneOffset.ofTotalSeconds((int) d.getSeconds());
    }

    /** Whether {@code callable} is {@code getattr(zoneinfo.ZoneInfo, '_unpickle')}, as ZoneInfo.__reduce__ names it. */
    static boolean isZoneInfoUnpickle(Object callable) {
        if (!(callable instanceof PyObject)) {
            return false;
        }
        PyObject p = (PyObject) callable;
        return p.kind() == PyObject.Kind.REDUCE && GETATTR.equals(p.callable()) && !p.hasState()
                && p.args().size() == 2 && ZONEINFO.equals(p.args().get(0)) && "_unpickle".equals(p.args().get(1));
    }

    /** ZoneInfo._unpickle(key, from_cache=1) as the region ZoneId of that key, if java.time knows it. */
    static Object zoneInfo(PyTuple args) {
        if (args.size() != 2 || !(args.get(0) instanceof String) || !Long.valueOf(1).equals(args.get(1))) {
            return KnownGlobals.NOT_HANDLED;
        }
        String key = (String) args.get(0);
        try {
            ZoneId zone = ZoneId.of(key);
            // ZoneId.of also parses offsets such as "+01:00", which are no zoneinfo keys.
            if (zone instanceof ZoneOffset || !zone.getId().equals(key)) {
                return KnownGlobals.NOT_HANDLED;
            }
            return zone;
        } catch (DateTimeException e) {
            return KnownGlobals.NOT_HANDLED;
        }
    }

    // ---- The write side: java.time values as the calls CPython's __reduce_ex__ gives their Python equivalents ----

    /** Python's datetime.MINYEAR and MAXYEAR. */
    private static final int MIN_YEAR = 1;
    private static final int MAX_YEAR = 9999;

    /**
     * The Python form of a {@code java.time} value ({@code LocalDate} to {@code datetime.date}, {@code Instant} to
     * an aware UTC {@code datetime}, {@code Duration} to {@code timedelta}...), or {@link JavaEquivalents#UNKNOWN}
     * for any other value. The writer writes the result; the reader maps it back to the same Java type.
     *
     * @throws NotPicklable for a value outside Python's range (a year past 9999, nanoseconds)
     */
    static Object fromJava(Object value, int protocol) {
        if (value instanceof LocalDate) {
            return reduce("date", dateBytes((LocalDate) value));
        }
        if (value instanceof LocalTime) {
            return timeOf((LocalTime) value, null, false, protocol);
        }
        if (value instanceof OffsetTime) {
            OffsetTime t = (OffsetTime) value;
            return timeOf(t.toLocalTime(), timezoneOf(t.getOffset()), false, protocol);
        }
        if (value instanceof LocalDateTime) {
            return datetimeOf((LocalDateTime) value, null, false, protocol);
        }
        if (value instanceof OffsetDateTime) {
            OffsetDateTime t = (OffsetDateTime) value;
            return datetimeOf(t.toLocalDateTime(), timezoneOf(t.getOffset()), false, protocol);
        }
        if (value instanceof ZonedDateTime) {
            ZonedDateTime t = (ZonedDateTime) value;
            if (t.getZone() instanceof ZoneOffset) {
                return datetimeOf(t.toLocalDateTime(), timezoneOf((ZoneOffset) t.getZone()), false, protocol);
            }
            // Python marks the second of two ambiguous wall times with fold=1.
            boolean fold = !t.equals(t.withEarlierOffsetAtOverlap());
            return datetimeOf(t.toLocalDateTime(), zoneInfoOf(t.getZone().getId()), fold, protocol);
        }
        if (value instanceof Instant) {
            Instant i = (Instant) value;
            return datetimeOf(LocalDateTime.ofInstant(i, ZoneOffset.UTC), timezoneOf(ZoneOffset.UTC), false, protocol);
        }
        if (value instanceof ZoneOffset) {
            return timezoneOf((ZoneOffset) value);
        }
        if (value instanceof Duration) {
            return timedeltaOf((Duration) value);
        }
        return JavaEquivalents.UNKNOWN;
    }

    private static PyObject reduce(String name, Object... args) {
        // A fresh name string, as CPython's __qualname__ is a different object from the module's name.
        return PyObject.reduce(GlobalRef.of("datetime", new String(name)), args);
    }

    private static PyBytes dateBytes(LocalDate d) {
        int y = checkYear(d.getYear());
        return PyBytes.wrap(new byte[] {(byte) (y >> 8), (byte) y, (byte) d.getMonthValue(), (byte) d.getDayOfMonth()});
    }

    private static int checkYear(int year) {
        if (year < MIN_YEAR || year > MAX_YEAR) {
            throw new NotPicklable("year " + year + " is outside Python's datetime range 1..9999");
        }
        return year;
    }

    private static int microsOf(int nano) {
        if (nano % 1000 != 0) {
            throw new NotPicklable("Python's datetime keeps microseconds; this value has "
                    + nano + " nanoseconds (truncate it first, e.g. with truncatedTo(ChronoUnit.MICROS))");
        }
        return nano / 1000;
    }

    /** datetime.time: (time, (b'HHMMSSuuu',)) or with a tzinfo; fold adds 128 to the hour at protocol 4+. */
    private static PyObject timeOf(LocalTime t, Object tz, boolean fold, int protocol) {
        int us = microsOf(t.getNano());
        int hour = t.getHour() + (fold && protocol > 3 ? 128 : 0);
        PyBytes state = PyBytes.wrap(new byte[] {(byte) hour, (byte) t.getMinute(), (byte) t.getSecond(),
                (byte) (us >> 16), (byte) (us >> 8), (byte) us});
        return tz == null ? reduce("time", state) : reduce("time", state, tz);
    }

    /** A zoned date-time with the given tzinfo, for portable mode's region zones. */
    public static PyObject zonedDateTime(ZonedDateTime t, Object tzinfo, int protocol) {
        return datetimeOf(t.toLocalDateTime(), tzinfo, !t.equals(t.withEarlierOffsetAtOverlap()), protocol);
    }

    /**
     * datetime.datetime: (datetime, (b'YYMDHMSuuu',)) or with a tzinfo. As CPython's datetime __reduce_ex__,
     * fold is recorded only at protocol 4 and up, by adding 128 to the month byte.
     */
    private static PyObject datetimeOf(LocalDateTime t, Object tz, boolean fold, int protocol) {
        int y = checkYear(t.getYear());
        int us = microsOf(t.getNano());
        int month = t.getMonthValue() + (fold && protocol > 3 ? 128 : 0);
        PyBytes state = PyBytes.wrap(new byte[] {(byte) (y >> 8), (byte) y, (byte) month, (byte) t.getDayOfMonth(),
                (byte) t.getHour(), (byte) t.getMinute(), (byte) t.getSecond(),
                (byte) (us >> 16), (byte) (us >> 8), (byte) us});
        return tz == null ? reduce("datetime", state) : reduce("datetime", state, tz);
    }

    /** datetime.timezone(timedeltaOf(seconds=offset)), as timezone.__reduce__ gives it (no name). */
    private static PyObject timezoneOf(ZoneOffset offset) {
        return reduce("timezone", timedeltaOf(Duration.ofSeconds(offset.getTotalSeconds())));
    }

    /** zoneinfo.ZoneInfo(key): ZoneInfo.__reduce__ is (ZoneInfo._unpickle, (key, from_cache=1)). */
    static PyObject zoneInfoOf(String key) {
        // A bound classmethod pickles as getattr(ZoneInfo, '_unpickle').
        PyObject unpickle = PyObject.reduce(GlobalRef.of("builtins", "getattr"),
                GlobalRef.of("zoneinfo", "ZoneInfo"), "_unpickle");
        return PyObject.reduce(unpickle, key, 1L);
    }

    /** datetime.timedelta(days, seconds, microseconds), normalized as Python normalizes it. */
    private static PyObject timedeltaOf(Duration d) {
        int us = microsOf(d.getNano());
        long seconds = d.getSeconds();
        long days = Math.floorDiv(seconds, 86_400L);
        long secs = Math.floorMod(seconds, 86_400L);
        if (Math.abs(days) > MAX_DAYS) {
            throw new NotPicklable("duration " + d + " is outside Python's timedelta range");
        }
        return reduce("timedelta", days, secs, (long) us);
    }
}
