package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.summarise.KpiWindow;
import java.io.IOException;

/** The figures of a KPI window as every endpoint writes them: a /kpis step, an estate row, an edge of the map. */
final class KpiJson {

    private static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99};

    private KpiJson() {
    }

    /** count, ratePerSecond over the given seconds, errors, errorRatio, p50Ms..p99Ms (null without durations). */
    static void figures(JsonGenerator g, KpiWindow w, double seconds) throws IOException {
        long count = w == null ? 0 : w.count();
        g.writeNumberField("count", count);
        g.writeNumberField("ratePerSecond", Math.round(count * 1000 / seconds) / 1000.0);
        g.writeNumberField("errors", w == null ? 0 : w.errors());
        g.writeNumberField("errorRatio", w == null ? 0 : Math.round(w.errorRatio() * 1e6) / 1e6);
        for (double q : QUANTILES) {
            String field = "p" + Math.round(q * 100) + "Ms";
            double v = w == null ? Double.NaN : w.durationAt(q);
            if (Double.isNaN(v)) {
                g.writeNullField(field);
            } else {
                g.writeNumberField(field, Math.round(v) / 1000.0);
            }
        }
    }
}
