package dev.vigil.batch.run;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a run must not do to online users, as {@code --protect} says it: {@code online p99 < 200ms} (p50,
 * p90, p95, p99 or max of the online probe's latency during the run).
 */
public record Objective(String statistic, double quantile, double limitMillis) {

    private static final Pattern FORM = Pattern.compile("\\s*online\\s+(p50|p90|p95|p99|max)\\s*<\\s*(\\S+)\\s*");

    public static Objective parse(String text) {
        Matcher m = FORM.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--protect \"" + text + "\": write it as 'online p99 < 200ms' (p50, p90, "
                    + "p95, p99 or max of the online probe's latency)");
        }
        double limit;
        try {
            limit = dev.vigil.config.Durations.parse(m.group(2)).toNanos() / 1e6;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--protect \"" + text + "\": " + e.getMessage());
        }
        double q = switch (m.group(1)) {
            case "p50" -> 0.5;
            case "p90" -> 0.9;
            case "p95" -> 0.95;
            case "p99" -> 0.99;
            default -> 1.0;
        };
        return new Objective(m.group(1), q, limit);
    }

    /** The online latency a run caused, by this objective's statistic, in ms (NaN when unmeasured). */
    public double measure(RunResult r) {
        if (r.onlineDuring() == null) {
            return Double.NaN;
        }
        return quantile >= 1 ? r.onlineDuring().max() : r.onlineDuring().at(quantile);
    }

    public boolean kept(RunResult r) {
        double v = measure(r);
        return !Double.isNaN(v) && v < limitMillis;
    }

    @Override
    public String toString() {
        return "online " + statistic + " < " + TextReport.ms(limitMillis);
    }
}
