package dev.vigil.server.runtime;

import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.event.Timestamps;
import dev.vigil.store.AlertStore;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the assess stage's alert changes into the store, each with its notifications (to the objective's policies'
 * targets, or the default webhooks), in one transaction per change. On the pipeline's writer thread, after the
 * windows that caused them are stored, so an alert never points at evidence the API cannot show yet.
 *
 * <p>A change already recorded is skipped: after a restart the pipeline hands out again what it changed after its
 * last checkpoint. A change about a minute more than an hour before now (a rebuild, or a backlog of old events)
 * is recorded but not sent: nobody can act on it any more.
 */
final class AlertWriter {

    private static final Logger LOG = LoggerFactory.getLogger(AlertWriter.class);
    private static final long MINUTE = 60_000_000L;
    static final long NOTIFY_WITHIN_MICROS = 60 * MINUTE;

    private final AlertStore alerts;
    private final Map<String, Objective> objectives = new LinkedHashMap<>();
    private final List<String> webhooks;
    /** When each firing rule started, for the notification's startsAt and a resolution's. */
    private final Map<String, Long> firingSince = new HashMap<>();

    AlertWriter(AlertStore alerts, List<Objective> objectives, List<String> webhooks) throws SQLException {
        this.alerts = alerts;
        objectives.forEach(o -> this.objectives.put(o.name(), o));
        this.webhooks = List.copyOf(webhooks);
        alerts.states().forEach((objective, rules) -> rules.forEach((rule, st) -> {
            if (st.firing()) {
                firingSince.put(objective + "/" + rule, st.sinceMicros());
            }
        }));
    }

    void write(List<ObjectiveLedger.Transition> changes) throws SQLException {
        for (ObjectiveLedger.Transition t : changes) {
            if (alerts.recorded(t)) {
                continue;
            }
            Objective o = objectives.get(t.objective());
            String key = t.objective() + "/" + t.rule().id();
            long since = t.firing() ? t.atMicros() : firingSince.getOrDefault(key, t.atMicros());
            long now = Timestamps.toMicros(Instant.now());
            boolean current = t.atMicros() >= now - NOTIFY_WITHIN_MICROS;
            // A silence holds the messages back, not the alert: it is recorded and shown all the same.
            AlertStore.Silence silence = current ? alerts.silencing(t.objective(), t.rule().id(), now) : null;
            List<String> targets = current && silence == null ? o.targets(t.rule(), t.firing(), webhooks) : List.of();
            alerts.change(t, targets, AlertmanagerPayload.of(o, t, since));
            if (t.firing()) {
                firingSince.put(key, t.atMicros());
            } else {
                firingSince.remove(key);
            }
            // Changes about the past (a rebuild, history loaded) would flood the log: they are in the alert history.
            org.slf4j.event.Level level = current ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG;
            LOG.atLevel(level).log("objective {}: {} alert {} at {} (burn {}x over {} min, {}x over {} min){}", t.objective(),
                    t.rule().severity(), t.firing() ? "firing" : "resolved", Timestamps.format(t.atMicros()),
                    String.format(java.util.Locale.ROOT, "%.1f", t.longBurn()), t.rule().longMicros() / MINUTE,
                    String.format(java.util.Locale.ROOT, "%.1f", t.shortBurn()), t.rule().shortMicros() / MINUTE,
                    !current ? "; more than an hour ago, so recorded and not sent"
                            : silence != null ? "; silenced by " + silence.by() + " until " + Timestamps.format(silence.effectiveEnd())
                            + ", so recorded and not sent" : "");
        }
    }

    /** The alerts are rebuilt from the start: what was recorded goes. */
    void clear() throws SQLException {
        alerts.clear();
        firingSince.clear();
    }
}
