package dev.vigil.assess;

import dev.vigil.event.Timestamps;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calendar period a report covers: a month ({@code 2026-10}), a quarter ({@code 2026-Q4}) or a year
 * ({@code 2026}), from local midnight in {@code zone}; or one named from today ({@code last-month}).
 */
public record ReportPeriod(String label, LocalDate first, int months, ZoneId zone) {

    private static final Pattern FORM = Pattern.compile("(\\d{4})(?:-(?:(\\d{2})|Q([1-4])))?");

    public static ReportPeriod parse(String text, ZoneId zone) {
        return parse(text, zone, null);
    }

    /**
     * As {@link #parse(String, ZoneId)}, and also the periods named from {@code today} (the caller's clock, in the
     * period's zone): {@code this-month}, {@code last-month}, {@code this-quarter}, {@code last-quarter},
     * {@code this-year}, {@code last-year}. Their label is the period they name ({@code 2026-11}), so a report
     * says which month it is.
     */
    public static ReportPeriod parse(String text, ZoneId zone, LocalDate today) {
        String t = text.trim();
        if (today != null && t.matches("(this|last)-(month|quarter|year)")) {
            boolean last = t.startsWith("last");
            if (t.endsWith("month")) {
                LocalDate m = today.withDayOfMonth(1).minusMonths(last ? 1 : 0);
                return parse(String.format(java.util.Locale.ROOT, "%04d-%02d", m.getYear(), m.getMonthValue()), zone);
            }
            if (t.endsWith("quarter")) {
                LocalDate q = today.withDayOfMonth(1).withMonth(3 * ((today.getMonthValue() - 1) / 3) + 1).minusMonths(last ? 3 : 0);
                return parse(String.format(java.util.Locale.ROOT, "%04d-Q%d", q.getYear(), (q.getMonthValue() + 2) / 3), zone);
            }
            return parse(String.valueOf(today.getYear() - (last ? 1 : 0)), zone);
        }
        Matcher m = FORM.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("period \"" + text + "\" is not a month, quarter or year: write 2026-10, "
                    + "2026-Q4 or 2026" + (today == null ? "" : ", or this-month, last-month, this-quarter, last-quarter, "
                    + "this-year, last-year"));
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
