package dev.vigil.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/** Conversions between wire timestamps and the model's microseconds. */
public final class Timestamps {

    // RFC 3339 allows 't' and 'z' in lower case and a space for 'T'; ISO_OFFSET_DATE_TIME does not.
    private static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .appendOffset("+HH:MM", "Z")
            .toFormatter(Locale.ROOT);

    private static final DateTimeFormatter MICROS_UTC = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .appendFraction(ChronoField.MICRO_OF_SECOND, 6, 6, true)
            .appendLiteral('Z')
            .toFormatter(Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);

    private Timestamps() {
    }

    /**
     * Parses an RFC 3339 timestamp with any offset into microseconds since the epoch, UTC.
     * Digits beyond microseconds are truncated (the model's resolution).
     *
     * @throws DateTimeException when the text is not RFC 3339
     */
    public static long parseRfc3339(String text) {
        long fast = parseCommon(text);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        String t = text.length() > 10 && text.charAt(10) == ' '
                ? text.substring(0, 10) + 'T' + text.substring(11)
                : text;
        try {
            OffsetDateTime odt = OffsetDateTime.parse(t, RFC_3339);
            return toMicros(odt.toInstant());
        } catch (DateTimeParseException e) {
            throw new DateTimeException("not an RFC 3339 timestamp (e.g. 2026-11-21T10:15:30.123456Z): \""
                    + abbreviate(text) + "\"");
        }
    }

    /**
     * The shape nearly every sender uses, {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)}, parsed
     * without the formatter machinery (ingest parses one per event). Returns {@link Long#MIN_VALUE} for
     * anything else, which then takes the general path, so both accept exactly the same texts.
     */
    private static long parseCommon(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        char sep = s.charAt(10);
        if (sep != 'T' && sep != 't' && sep != ' ') {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > lengthOfMonth(year, month)
                || hour > 23 || minute > 59 || second > 59 || hour < 0 || minute < 0 || second < 0) {
            return Long.MIN_VALUE;
        }
        int i = 19;
        long micros = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int start = i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (i - start < 6) {
                    micros = micros * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int count = i - start;
            if (count == 0 || count > 9) {
                return Long.MIN_VALUE;
            }
            for (int k = count; k < 6; k++) {
                micros *= 10;
            }
        }
        if (i >= n) {
            return Long.MIN_VALUE;
        }
        int offsetSeconds;
        char z = s.charAt(i);
        if ((z == 'Z' || z == 'z') && i + 1 == n) {
            offsetSeconds = 0;
        } else if ((z == '+' || z == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || om < 0 || oh > 18 || om > 59 || oh == 18 && om > 0) {
                return Long.MIN_VALUE;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
        } else {
            return Long.MIN_VALUE;
        }
        long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
        long seconds = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return seconds * 1_000_000L + micros;
    }

    private static int lengthOfMonth(int year, int month) {
        return java.time.YearMonth.of(year, month).lengthOfMonth();
    }

    /** The non-negative number in {@code len} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The general path, kept reachable for tests that compare it with the fast one. */
    static long parseWithFormatter(String text) {
        String t = text.length() > 10 && text.charAt(10) == ' '
                ? text.substring(0, 10) + 'T' + text.substring(11)
                : text;
        try {
            return toMicros(OffsetDateTime.parse(t, RFC_3339).toInstant());
        } catch (DateTimeParseException e) {
            throw new DateTimeException("not an RFC 3339 timestamp");
        }
    }

    /**
     * Epoch milliseconds, possibly fractional, to microseconds.
     *
     * @throws ArithmeticException when the value is not finite or beyond what microseconds in a long can hold
     */
    public static long fromEpochMillis(double millis) {
        double micros = millis * 1000.0;
        if (!Double.isFinite(micros) || Math.abs(micros) >= 9.2e18) {
            throw new ArithmeticException("epoch milliseconds out of range: " + millis);
        }
        return Math.round(micros);
    }

    public static long fromEpochMillis(long millis) {
        return Math.multiplyExact(millis, 1000L);
    }

    public static long toMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    public static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    /** Formats as RFC 3339 in UTC with exactly six fractional digits, the form the API answers with. */
    public static String format(long micros) {
        return MICROS_UTC.format(toInstant(micros));
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
