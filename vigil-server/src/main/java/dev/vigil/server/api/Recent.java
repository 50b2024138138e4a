package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.event.Timestamps;
import dev.vigil.summarise.KpiWindow;
import java.io.IOException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A row's last closed minute ("now") and its trend over the window in steps: an average over fifteen minutes hides
 * a minute of incident (10% errors in one minute read as 2.7% over the window), so the overview shows both and
 * judges the minute on its own.
 *
 * @param now   the last closed minute's window, null when the row had no event in it
 * @param steps the window's steps (start micros to window), oldest first; steps without events are absent
 */
record Recent(KpiWindow now, NavigableMap<Long, KpiWindow> steps) {

    static final Recent NONE = new Recent(null, new TreeMap<>());

    /** Fewer events than this in a minute say too little about its latency to compare it with the usual. */
    static final long FEW_EVENTS = 10;
    /** A minute's p95 this many times the usual, and at least {@link #SLOWER_BY_MS} more, is a slowdown. */
    static final double SLOWER_FACTOR = 3;
    static final double SLOWER_BY_MS = 50;

    static Recent of(Map<String, KpiWindow> now, Map<String, TreeMap<Long, KpiWindow>> steps, String key) {
        TreeMap<Long, KpiWindow> s = steps.get(key);
        return new Recent(now.get(key), s == null ? new TreeMap<>() : s);
    }

    /**
     * The p95 latency of a usual step of the window, in milliseconds: the median of the steps' p95s (steps with
     * enough events), so that the one bad minute being judged does not raise the bar it is judged against. NaN
     * when no step has enough events with durations.
     */
    double usualP95Ms() {
        double[] p95s = steps.values().stream().filter(w -> w.count() >= FEW_EVENTS)
                .mapToDouble(w -> w.durationAt(0.95) / 1000).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (p95s.length == 0) {
            return Double.NaN;
        }
        int mid = p95s.length / 2;
        return p95s.length % 2 == 1 ? p95s[mid] : (p95s[mid - 1] + p95s[mid]) / 2;
    }

    /** The last closed minute's p95 in milliseconds, NaN when it had too few events to say. */
    double nowP95Ms() {
        return now == null || now.count() < FEW_EVENTS ? Double.NaN : now.durationAt(0.95) / 1000;
    }

    /** Whether the last minute's p95 is well above the window's usual one. */
    boolean slowNow() {
        double p = nowP95Ms();
        double usual = usualP95Ms();
        return !Double.isNaN(p) && !Double.isNaN(usual) && p >= SLOWER_FACTOR * usual && p - usual >= SLOWER_BY_MS;
    }

    double nowErrorRatio() {
        return now == null || now.count() == 0 ? 0 : now.errorRatio();
    }

    /** {@code "now": {figures over 60 s}} and {@code "trend": [{start, count, errors, p95Ms}, ...]}. */
    void write(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("now");
        KpiJson.figures(g, now, 60);
        g.writeEndObject();
        g.writeArrayFieldStart("trend");
        for (Map.Entry<Long, KpiWindow> e : steps.entrySet()) {
            KpiWindow w = e.getValue();
            g.writeStartObject();
            g.writeStringField("start", Timestamps.format(e.getKey()));
            g.writeNumberField("count", w.count());
            g.writeNumberField("errors", w.errors());
            double p95 = w.durationAt(0.95);
            if (Double.isNaN(p95)) {
                g.writeNullField("p95Ms");
            } else {
                g.writeNumberField("p95Ms", Math.round(p95) / 1000.0);
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
