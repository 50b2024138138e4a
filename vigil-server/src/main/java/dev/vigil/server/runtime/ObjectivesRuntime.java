package dev.vigil.server.runtime;

import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.event.Timestamps;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.WindowSpan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each objective's ledger up to date from the KPI windows in the store, minute by minute as the
 * pipeline's watermark closes them, and evaluates its burn-rate alerts at each closed minute. Reading the
 * stored windows (rather than the writer's stream) makes a restart the same code path as a running server:
 * the first pass reads the whole period back. Whenever the store's windows changed since the last reading
 * (a minute closed, or closed minutes were revised: late events, or a partition's part of a minute that came
 * after the others'), the last {@code maxLateness} of minutes is read again, so revised windows count as
 * revised at once, not only once the next minute closes.
 *
 * <p>The ledgers are read and written under this object's lock only: the API reads them through
 * {@link #current}, which first judges whatever the store holds by then, so an answer never shows a ledger
 * half fed, nor one a write behind the windows it was read beside.
 */
public final class ObjectivesRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ObjectivesRuntime.class);
    private static final long MINUTE = 60_000_000L;

    /** One objective's ledger and where its reading stands. */
    public static final class State {
        final Objective objective;
        final ObjectiveLedger ledger;
        long evaluatedTo = Long.MIN_VALUE;
        /** The pipeline's windows version the ledger was last fed from (PipelineRuntime.Status#windowsVersion). */
        long windowsVersion = -1;

        State(Objective o) {
            this.objective = o;
            this.ledger = new ObjectiveLedger(o.spec());
        }

        public Objective objective() {
            return objective;
        }

        public ObjectiveLedger ledger() {
            return ledger;
        }

        /** The end of the last minute judged, or Long.MIN_VALUE before any. */
        public long evaluatedTo() {
            return evaluatedTo;
        }
    }

    private final Map<String, State> states = new LinkedHashMap<>();
    private final OutputStore store;
    private final dev.vigil.store.AlertStore alerts;
    private final List<String> webhooks;
    private final WebhookDelivery delivery;
    /** When each firing rule started, for the notification's startsAt. */
    private final Map<String, Long> firingSince = new java.util.HashMap<>();
    private final PipelineRuntime.Status pipeline;
    private final long rereadMicros;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vigil-objectives");
        t.setDaemon(true);
        return t;
    });

    public ObjectivesRuntime(List<Objective> objectives, OutputStore store, dev.vigil.store.AlertStore alerts,
                             List<String> webhooks, PipelineRuntime.Status pipeline, long maxLatenessMicros)
            throws java.sql.SQLException {
        Map<String, Map<String, dev.vigil.store.AlertStore.State>> stored = alerts.states();
        for (Objective o : objectives) {
            State s = new State(o);
            // Rules that fired before a restart still fire: they are not raised, or notified, again, and their
            // resolution reports when they started.
            stored.getOrDefault(o.name(), Map.of()).forEach((rule, st) -> {
                s.ledger.restoreFiring(rule, st.firing());
                if (st.firing()) {
                    firingSince.put(o.name() + "/" + rule, st.sinceMicros());
                }
            });
            states.put(o.name(), s);
        }
        this.store = store;
        this.alerts = alerts;
        this.webhooks = List.copyOf(webhooks);
        this.delivery = new WebhookDelivery(alerts);
        this.pipeline = pipeline;
        this.rereadMicros = maxLatenessMicros + MINUTE;
    }

    public ObjectivesRuntime start() {
        if (!states.isEmpty()) {
            timer.scheduleWithFixedDelay(this::tickSafely, 0, 1, TimeUnit.SECONDS);
        }
        return this;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (Exception e) {
            LOG.error("evaluating objectives failed; trying again in a second", e);
        }
    }

    /**
     * Reads the minutes the watermark closed since the last time, and the revised ones, and judges each closed
     * minute once (alert rules are evaluated again at the last closed minute after a revision).
     */
    synchronized void tick() throws java.sql.SQLException {
        // The version first: a write that lands after it is read again next time, never missed.
        long version = pipeline.windowsVersion();
        long wm = pipeline.watermark();
        if (wm == Long.MIN_VALUE) {
            return;
        }
        long closedTo = WindowSpan.MINUTE.startOf(wm);
        for (State s : states.values()) {
            boolean newMinutes = closedTo > s.evaluatedTo;
            if (!newMinutes && version == s.windowsVersion) {
                continue;
            }
            boolean first = s.evaluatedTo == Long.MIN_VALUE;
            long reach = s.ledger.reach(closedTo);
            long from = first ? reach : Math.max(reach, s.evaluatedTo - rereadMicros);
            Objective.Series series = s.objective.series();
            for (OutputStore.KpiStep step : store.kpis(series.dimension(), series.key(), series.name(), from, closedTo,
                    WindowSpan.MINUTE)) {
                s.ledger.put(step.startMicros(), s.objective.spec().indicator().tally(step.window()));
            }
            // On the first pass only the present is judged: alerts of the past are not raised again at start.
            // After a revision alone, the last closed minute is judged again on the revised windows.
            long start = first || !newMinutes ? closedTo : s.evaluatedTo + MINUTE;
            for (long end = start; end <= closedTo; end += MINUTE) {
                for (ObjectiveLedger.Transition t : s.ledger.evaluate(end)) {
                    remember(s.objective, t);
                }
            }
            s.evaluatedTo = closedTo;
            s.windowsVersion = version;
            s.ledger.forgetBefore(closedTo);
        }
    }

    private void remember(Objective o, ObjectiveLedger.Transition t) throws java.sql.SQLException {
        String key = o.name() + "/" + t.rule().id();
        long since = t.firing() ? t.atMicros() : firingSince.getOrDefault(key, t.atMicros());
        if (t.firing()) {
            firingSince.put(key, t.atMicros());
        } else {
            firingSince.remove(key);
        }
        // State and notifications in one transaction: a crash leaves both or neither.
        // Each policy's targets hear of the rules it watches; without policies, the default webhooks hear of all.
        alerts.change(t, o.targets(t.rule(), t.firing(), webhooks), AlertmanagerPayload.of(o, t, since));
        LOG.info("objective {}: {} alert {} at {} (burn {}x over {} min, {}x over {} min)", t.objective(),
                t.rule().severity(), t.firing() ? "firing" : "resolved", Timestamps.format(t.atMicros()),
                String.format(java.util.Locale.ROOT, "%.1f", t.longBurn()), t.rule().longMicros() / MINUTE,
                String.format(java.util.Locale.ROOT, "%.1f", t.shortBurn()), t.rule().shortMicros() / MINUTE);
    }

    /**
     * The objectives as declared. Their ledgers change under this object's lock: read them through
     * {@link #current}, not from here.
     */
    public synchronized List<State> states() {
        return List.copyOf(states.values());
    }

    /**
     * Judges what the store holds now (minutes closed and windows revised since the last tick), then lets
     * {@code read} look at the objectives under the same lock: what it sees is judged on the store as it
     * was a moment ago, and no tick changes it meanwhile. If judging fails (the store is closing), {@code read}
     * sees the objectives as last judged; each says how far that is ({@link State#evaluatedTo}).
     */
    public synchronized <T> T current(java.util.function.Function<List<State>, T> read) {
        try {
            tick();
        } catch (Exception e) {
            LOG.warn("judging objectives before an answer failed; answering with what was judged before: {}", e.toString());
        }
        return read.apply(List.copyOf(states.values()));
    }

    public synchronized State state(String name) {
        return states.get(name);
    }

    /** Alert changes, newest first (the last 1,000), kept across restarts. */
    public List<ObjectiveLedger.Transition> recentTransitions() throws java.sql.SQLException {
        return alerts.history(1000);
    }

    /** The rules firing now, by objective. */
    public synchronized Map<String, List<BurnRule>> firing() {
        Map<String, List<BurnRule>> out = new LinkedHashMap<>();
        for (State s : states.values()) {
            List<BurnRule> f = s.objective.spec().rules().stream().filter(s.ledger::firing).toList();
            if (!f.isEmpty()) {
                out.put(s.objective.name(), f);
            }
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        delivery.close();
        try {
            alerts.close();
        } catch (java.sql.SQLException e) {
            LOG.error("closing the alert store failed", e);
        }
    }
}
