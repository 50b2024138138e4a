package dev.vigil.assess;

import dev.vigil.event.Timestamps;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calendar period a report covers: a month ({@code 2026-10}), a quarter ({@code 2026-Q4}) or a year
 * ({@code 2026}), from local midnight in {@code zone}.
 */
public record ReportPeriod(String label, LocalDate first, int months, ZoneId zone) {

    private static final Pattern FORM = Pattern.compile("(\\d{4})(?:-(?:(\\d{2})|Q([1-4])))?");

    public static ReportPeriod parse(String text, ZoneId zone) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("period \"" + text + "\" is not a month, quarter or year: write 2026-10, "
                    + "2026-Q4 or 2026");
        }
        int year = Integer.parseInt(m.group(1));
        if (m.group(2) != null) {
            int month = Integer.parseInt(m.group(2));
            if (month < 1 || month > 12) {
                throw new IllegalArgumentException("period \"" + text + "\": months are 01 to 12");
            }
            return new ReportPeriod(text.trim(), LocalDate.of(year, month, 1), 1, zone);
        }
        if (m.group(3) != null) {
            int q = Integer.parseInt(m.group(3));
            return new ReportPeriod(text.trim(), LocalDate.of(year, 3 * q - 2, 1), 3, zone);
        }
        return new ReportPeriod(text.trim(), LocalDate.of(year, 1, 1), 12, zone);
    }

    public long startMicros() {
        return Timestamps.toMicros(first.atStartOfDay(zone).toInstant());
    }

    public long endMicros() {
        return Timestamps.toMicros(first.plusMonths(months).atStartOfDay(zone).toInstant());
    }

    /** The period as a calendar time window, so that an objective's ledger can judge it. */
    public TimeWindow.Calendar window() {
        return new TimeWindow.Calendar(months, 0, first.atStartOfDay(), zone);
    }
}
