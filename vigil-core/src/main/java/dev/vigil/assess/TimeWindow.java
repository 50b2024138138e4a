package dev.vigil.assess;

import dev.vigil.event.Timestamps;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** The period an objective is judged over: rolling (the last 28 days) or calendar-aligned (each month). */
public sealed interface TimeWindow extends java.io.Serializable {

    /** [start, end) of the period holding {@code micros}, in epoch microseconds. */
    long[] periodAt(long micros);

    /** The period's length (for a calendar window, the current period's). */
    default long lengthAt(long micros) {
        long[] p = periodAt(micros);
        return p[1] - p[0];
    }

    /** The last {@code micros} up to now; the period ends at the minute being judged. */
    record Rolling(long lengthMicros) implements TimeWindow {
        @Override
        public long[] periodAt(long micros) {
            long end = Math.floorDiv(micros, 60_000_000L) * 60_000_000L + 60_000_000L;
            return new long[] {end - lengthMicros, end};
        }
    }

    /**
     * Consecutive periods of {@code months} months (1: monthly, 3: quarterly, 12: yearly) or {@code days}
     * days, counted from {@code start} in {@code zone}, so that a month begins at local midnight.
     */
    record Calendar(int months, int days, LocalDateTime start, ZoneId zone) implements TimeWindow {

        public Calendar {
            if ((months > 0) == (days > 0)) {
                throw new IllegalArgumentException("a calendar window counts months or days, one of them");
            }
        }

        @Override
        public long[] periodAt(long micros) {
            ZonedDateTime origin = start.atZone(zone);
            ZonedDateTime at = Timestamps.toInstant(micros).atZone(zone);
            ZonedDateTime from;
            if (months > 0) {
                long elapsed = java.time.temporal.ChronoUnit.MONTHS.between(origin, at);
                long k = Math.floorDiv(elapsed, months);
                from = origin.plusMonths(k * months);
                if (from.isAfter(at)) {
                    from = from.minusMonths(months);
                }
                return new long[] {Timestamps.toMicros(from.toInstant()), Timestamps.toMicros(from.plusMonths(months).toInstant())};
            }
            long elapsed = java.time.temporal.ChronoUnit.DAYS.between(origin, at);
            from = origin.plusDays(Math.floorDiv(elapsed, days) * days);
            if (from.isAfter(at)) {
                from = from.minusDays(days);
            }
            return new long[] {Timestamps.toMicros(from.toInstant()), Timestamps.toMicros(from.plusDays(days).toInstant())};
        }
    }
}
