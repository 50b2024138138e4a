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
