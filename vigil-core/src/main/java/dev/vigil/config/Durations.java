package dev.vigil.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them on a command line: 50us, 500ms, 30s, 5m, 2h, 30d (or ISO-8601, PT5M). */
public final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(us|µs|ms|s|m|h|d)");

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException when the text is not a duration, or one too long for {@link Duration}
     */
    public static Duration parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no duration given: write e.g. 500ms, 30s, 5m, 2h or 30d");
        }
        Matcher m = SIMPLE.matcher(text.trim());
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "us", "µs" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(text.trim());
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            // Not a duration, or a number too large for a long or the duration too long for a Duration.
            throw new IllegalArgumentException("'" + text + "' is not a duration: write e.g. 500ms, 30s, 5m, 2h or 30d");
        }
    }

    /** The short form people read: 500ms, 30s, 5m. */
    public static String format(Duration d) {
        if (d.toNanos() % 1_000_000 != 0 && d.toNanos() < Long.MAX_VALUE / 2) {
            return d.toNanos() / 1000 + "us";
        }
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) {
            return ms / 86_400_000 + "d";
        } else if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** Sizes: 1048576, 512k, 16m, 1g. */
    public static long parseSize(String text) {
        Matcher m = Pattern.compile("(\\d+)([kmg]?)b?", Pattern.CASE_INSENSITIVE).matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write e.g. 1048576, 512k, 16m or 1g");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> n * 1024;
            case "m" -> n * 1024 * 1024;
            case "g" -> n * 1024 * 1024 * 1024;
            default -> n;
        };
    }
}
