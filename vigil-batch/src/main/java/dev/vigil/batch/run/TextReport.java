package dev.vigil.batch.run;

import java.util.List;
import java.util.Locale;

/** Results as people read them in a terminal: one run in full, or several side by side. */
public final class TextReport {

    private TextReport() {
    }

    /** One run: what happened, how fast, what the service and its online users went through. */
    public static String run(RunResult r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "strategy %s: %,d records, %,.0f records/s over %.1f s%n", r.strategy(),
                r.records(), r.perSecond(), r.seconds()));
        if (r.resumedAt() > 0) {
            s.append(String.format(Locale.ROOT, "  resumed: %,d records were done before this run (figures below are "
                    + "this run's, counts the whole input's)%n", r.resumedAt()));
        }
        s.append(String.format(Locale.ROOT, "  applied %,d (of which %,d sent again and recognised by their key), "
                + "rejected %,d, retries %,d, requests %,d%n", r.applied(), r.duplicates(), r.rejected(), r.retries(), r.calls()));
        s.append(String.format(Locale.ROOT, "  request latency: p50 %s, p95 %s, p99 %s, max %s%n", ms(r.callLatency().at(0.5)),
                ms(r.callLatency().at(0.95)), ms(r.callLatency().at(0.99)), ms(r.callLatency().max())));
        if (r.onlineBefore() != null) {
            s.append(String.format(Locale.ROOT, "  online users (probe): before p50 %s p99 %s; during p50 %s p95 %s p99 %s "
                            + "max %s%s%n", ms(r.onlineBefore().at(0.5)), ms(r.onlineBefore().at(0.99)),
                    ms(r.onlineDuring().at(0.5)), ms(r.onlineDuring().at(0.95)), ms(r.onlineDuring().at(0.99)),
                    ms(r.onlineDuring().max()), r.probeFailures() > 0 ? ", " + r.probeFailures() + " failed" : ""));
        }
        if (!r.rateHistory().isEmpty()) {
            StringBuilder h = new StringBuilder();
            for (double[] step : r.rateHistory()) {
                h.append(String.format(Locale.ROOT, " %.0fs:%,.0f/s(%s)", step[0], step[1], ms(step[2])));
            }
            s.append("  adaptive rate (time: rate set (online p99 seen)):").append(h).append('\n');
        }
        if (r.reported() != null) {
            s.append(String.format(Locale.ROOT, "  reported to Vigil: %,d call events under batchRun=%s%s%n", r.reported().sent(),
                    r.reported().runId(), r.reported().dropped() > 0 ? " (" + r.reported().dropped() + " dropped: Vigil did not keep up)" : ""));
        }
        s.append("  service load: ").append(r.utilisation() == null ? "not reported by the target (GET /stats)"
                : String.format(Locale.ROOT, "%.0f%% of its workers' time busy", 100 * r.utilisation())).append('\n');
        return s.toString();
    }

    /**
     * Several runs side by side, one line each; a strategy run twice (the tuner confirms a breach so) is marked
     * "(again)" on its second line.
     */
    public static String table(List<RunResult> results) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-44s %12s %9s %9s %9s %8s %8s %11s %6s%n",
                "strategy", "records/s", "p50", "p99", "max", "retries", "rejects", "online p99", "load"));
        java.util.Set<Strategy> seen = new java.util.HashSet<>();
        for (RunResult r : results) {
            // A second line of one strategy: the tuner ran it again to confirm a breach before believing it.
            String name = r.strategy() + (seen.add(r.strategy()) ? "" : " (again)");
            s.append(String.format(Locale.ROOT, "%-44s %,12.0f %9s %9s %9s %,8d %,8d %11s %6s%n", name, r.perSecond(),
                    ms(r.callLatency().at(0.5)), ms(r.callLatency().at(0.99)), ms(r.callLatency().max()), r.retries(),
                    r.rejected(), r.onlineDuring() == null ? "-" : ms(r.onlineDuring().at(0.99)),
                    r.utilisation() == null ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * r.utilisation())));
        }
        return s.toString();
    }

    static String ms(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v < 10 ? String.format(Locale.ROOT, "%.2f ms", v) : String.format(Locale.ROOT, "%.0f ms", v);
    }

    /** A progress line: a bar on a terminal, plain text otherwise. */
    public static String progress(BatchRun.Progress p, boolean terminal) {
        double fraction = p.totalBytes() == 0 ? 1 : Math.min(1, (double) p.bytesRead() / p.totalBytes());
        double rate = p.seconds() > 0 ? (p.done() - p.doneAtStart()) / p.seconds() : 0;
        double eta = fraction > 0 && fraction < 1 ? p.seconds() * (1 - fraction) / fraction : 0;
        String counts = String.format(Locale.ROOT, "%,d done, %,.0f records/s, ETA %s, %,d rejected, %,d retries", p.done(),
                rate, clock(eta), p.rejected(), p.retries());
        if (!terminal) {
            return String.format(Locale.ROOT, "%s: %.0f%% of the input read (%s)", p.phase(), 100 * fraction, counts);
        }
        int width = 30;
        int filled = (int) Math.round(fraction * width);
        return String.format(Locale.ROOT, "\r[%s%s] %3.0f%%  %s  (%s)   ", "#".repeat(filled), ".".repeat(width - filled),
                100 * fraction, counts, p.phase());
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
