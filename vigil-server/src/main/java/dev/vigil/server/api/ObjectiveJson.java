package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.assess.BurnRule;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.event.Timestamps;
import dev.vigil.server.runtime.ObjectivesRuntime;
import java.io.IOException;

/** Objectives and alert rules as the API writes them. */
final class ObjectiveJson {

    private static final long MINUTE = 60_000_000L;
    private static final long[] BURN_WINDOWS = {60 * MINUTE, 6 * 60 * MINUTE, 1440 * MINUTE, 3 * 1440 * MINUTE};
    private static final String[] BURN_NAMES = {"1h", "6h", "1d", "3d"};

    private ObjectiveJson() {
    }

    static void write(JsonGenerator g, ObjectivesRuntime.State s) throws IOException {
        var o = s.objective();
        g.writeStartObject();
        g.writeStringField("name", o.name());
        if (o.displayName() != null) {
            g.writeStringField("displayName", o.displayName());
        }
        if (o.service() != null) {
            g.writeStringField("service", o.service());
        }
        g.writeObjectFieldStart("series");
        g.writeStringField("dimension", o.series().dimension().wire());
        g.writeStringField("key", o.series().key());
        if (o.series().name() != null) {
            g.writeStringField("name", o.series().name());
        }
        g.writeEndObject();
        g.writeNumberField("target", o.spec().target());
        g.writeStringField("indicator", o.spec().indicator().toString());
        g.writeStringField("budgeting", o.spec().budgeting() instanceof dev.vigil.assess.Budgeting.Occurrences
                ? "Occurrences" : "Timeslices");
        // The rules are the objective's own: listed before any minute is judged (none fires yet).
        g.writeArrayFieldStart("alerts");
        for (BurnRule r : o.spec().rules()) {
            g.writeStartObject();
            rule(g, r);
            g.writeBooleanField("firing", s.ledger().firing(r));
            g.writeArrayFieldStart("policies");
            for (dev.vigil.assess.AlertPolicy p : o.policies()) {
                if (p.rules().contains(r)) {
                    g.writeString(p.name());
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        if (s.evaluatedTo() == Long.MIN_VALUE) {
            g.writeStringField("state", "no closed minute yet");
            g.writeEndObject();
            return;
        }
        long now = s.evaluatedTo();
        ObjectiveLedger.Status st = s.ledger().status(now);
        g.writeStringField("evaluatedTo", Timestamps.format(now));
        g.writeStringField("periodStart", Timestamps.format(st.periodStart()));
        g.writeStringField("periodEnd", Timestamps.format(st.periodEnd()));
        number(g, "achieved", st.achieved());
        g.writeStringField("state", Double.isNaN(st.achieved()) ? "no data" : st.achieved() >= o.spec().target() ? "met" : "breached");
        g.writeObjectFieldStart("budget");
        g.writeNumberField("total", st.budgetTotal());
        g.writeNumberField("consumed", st.budgetConsumed());
        g.writeNumberField("remaining", st.budgetRemaining());
        number(g, "remainingShare", st.budgetRemainingShare());
        g.writeEndObject();
        forecast(g, s.ledger().forecast(now, Health.FORECAST_PACE), o.spec().target());
        g.writeObjectFieldStart("burnRate");
        for (int i = 0; i < BURN_WINDOWS.length; i++) {
            g.writeNumberField(BURN_NAMES[i], s.ledger().burnRate(BURN_WINDOWS[i], now));
        }
        g.writeEndObject();
        // A burn rate over three days read an hour after the first event is a burn rate over an hour.
        g.writeObjectFieldStart("burnRateCoverage");
        for (int i = 0; i < BURN_WINDOWS.length; i++) {
            g.writeNumberField(BURN_NAMES[i], Math.round(s.ledger().coverage(BURN_WINDOWS[i], now) * 1e4) / 1e4);
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * The objective's path through its current period: at each step (an hour, or a day for periods over 60
     * days) up to the last minute judged, what was achieved so far, the budget left, and the burn rates.
     */
    static void history(JsonGenerator g, ObjectivesRuntime.State s) throws IOException {
        g.writeStartObject();
        g.writeFieldName("objective");
        write(g, s);
        g.writeArrayFieldStart("history");
        if (s.evaluatedTo() != Long.MIN_VALUE) {
            long now = s.evaluatedTo();
            ObjectiveLedger.Status current = s.ledger().status(now);
            long period = current.periodEnd() - current.periodStart();
            long step = period > 60L * 1440 * MINUTE ? 1440 * MINUTE : 60 * MINUTE;
            for (long t = current.periodStart() + step; t < now + step; t += step) {
                long at = Math.min(t, now);
                ObjectiveLedger.Status st = s.ledger().status(at);
                g.writeStartObject();
                g.writeStringField("at", Timestamps.format(at));
                number(g, "achieved", st.achieved());
                g.writeNumberField("budgetConsumed", st.budgetConsumed());
                number(g, "budgetRemainingShare", st.budgetRemainingShare());
                g.writeNumberField("burnRate1h", s.ledger().burnRate(BURN_WINDOWS[0], at));
                g.writeNumberField("burnRate6h", s.ledger().burnRate(BURN_WINDOWS[1], at));
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * {@code "period": "in progress" | "closed" | "rolling"}, the share of it elapsed, and where it ends at the day's
     * burn rate: a verdict on a month 22 minutes old is a forecast, not an outcome.
     */
    static void forecast(JsonGenerator g, ObjectiveLedger.Forecast f, double target) throws IOException {
        period(g, f);
        g.writeObjectFieldStart("forecast");
        number(g, "achieved", f.achieved());
        number(g, "budgetRemainingShare", f.budgetRemainingShare());
        if (!Double.isNaN(f.achieved())) {
            g.writeBooleanField("met", f.achieved() >= target);
        }
        g.writeNumberField("paceBurnRate", f.paceBurnRate());
        g.writeNumberField("paceCoverage", Math.round(f.paceCoverage() * 1e4) / 1e4);
        g.writeStringField("basis", "the burn rate of the last 1d for the rest of the period");
        g.writeEndObject();
    }

    /** {@code "period"} (rolling, in progress, closed) and {@code "elapsedShare"}: objectives and contracts alike. */
    static void period(JsonGenerator g, ObjectiveLedger.Forecast f) throws IOException {
        g.writeStringField("period", !f.calendar() ? "rolling" : f.inProgress() ? "in progress" : "closed");
        g.writeNumberField("elapsedShare", Math.round(f.elapsedShare() * 1e6) / 1e6);
    }

    static void rule(JsonGenerator g, BurnRule r) throws IOException {
        g.writeStringField("rule", r.id());
        g.writeStringField("severity", r.severity());
        g.writeNumberField("factor", r.factor());
        g.writeStringField("longWindow", dev.vigil.config.Durations.format(java.time.Duration.ofNanos(r.longMicros() * 1000)));
        g.writeStringField("shortWindow", dev.vigil.config.Durations.format(java.time.Duration.ofNanos(r.shortMicros() * 1000)));
    }

    private static void number(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, v);
        }
    }
}
