package dev.vigil.server.report;

import dev.vigil.assess.Budgeting;
import dev.vigil.assess.Indicator;
import dev.vigil.assess.PeriodReport;
import java.util.Locale;

/** How every format words and scales the same figures, so that they agree. */
final class ReportText {

    private ReportText() {
    }

    /** What the budget counts: events (occurrences), minutes (a threshold per minute), or time slices. */
    static String unitsCounted(PeriodReport.Result o) {
        if (o.objective().spec().budgeting() instanceof Budgeting.Timeslices) {
            return "time slices";
        }
        return o.objective().spec().indicator() instanceof Indicator.StatisticAtMost ? "minutes" : "events";
    }

    /** The unit of a breach's worst reading: percent good, or milliseconds for a latency statistic. */
    static String readingUnit(PeriodReport.Result o) {
        return o.objective().spec().indicator().higherIsWorse() ? "ms" : "%";
    }

    static double readingValue(PeriodReport.Result o, double reading) {
        return o.objective().spec().indicator().higherIsWorse() ? reading : 100 * reading;
    }

    /** What the objective asks, in words: "99.9% of calls to peer carrier-api not failed". */
    static String asks(PeriodReport.Result o) {
        var spec = o.objective().spec();
        var series = o.objective().series();
        String of = series.dimension().wire() + " " + series.key() + (series.name() == null ? "" : " " + series.name());
        String target = percent(100 * spec.target());
        return switch (spec.indicator()) {
            case Indicator.NotFailed n -> target + " of " + of + " events not failed";
            case Indicator.FasterThan f -> target + " of " + of + " timed events within " + millis(f.thresholdMicros() / 1000.0);
            case Indicator.StatisticAtMost s -> target + " of minutes with " + of + " p" + Math.round(s.quantile() * 100)
                    + " at most " + millis(s.limitMicros() / 1000.0);
        };
    }

    /** A target or achieved percentage, with the decimals a contract review needs: 99%, 99.95%, 99.999%. */
    static String percent(double p) {
        return percent(p, 3);
    }

    /** A percentage with at most {@code decimals} decimals, trailing zeros dropped; n/a when undefined. */
    static String percent(double p, int decimals) {
        if (Double.isNaN(p)) {
            return "n/a";
        }
        if (Double.isInfinite(p)) {
            return "no budget";
        }
        String s = String.format(Locale.ROOT, "%." + decimals + "f", p);
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s + "%";
    }

    /** A share of the budget: one decimal is enough (488.2%). */
    static String budget(double p) {
        return percent(p, 1);
    }

    static String millis(double ms) {
        return Double.isNaN(ms) ? "n/a" : (ms == Math.rint(ms) ? String.valueOf((long) ms) : String.format(Locale.ROOT, "%.1f", ms)) + " ms";
    }

    /** A breach's worst reading as people read it. */
    static String worst(PeriodReport.Result o, double reading) {
        return o.objective().spec().indicator().higherIsWorse() ? millis(reading) : percent(100 * reading) + " good";
    }

    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%,d", (long) v)
                : String.format(Locale.ROOT, "%,.1f", v);
    }
}
