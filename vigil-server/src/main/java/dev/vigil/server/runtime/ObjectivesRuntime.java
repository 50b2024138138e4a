package dev.vigil.server.runtime;

import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.pipeline.AssessOperator;
import dev.vigil.store.AlertStore;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The objectives as the API reads them: each objective's ledger as the pipeline's assess stage keeps it (judged
 * minute by minute as the watermark closes minutes, fed by the merged windows: see {@link AssessOperator}), the
 * alert history, and the delivery of alert notifications (an outbox in the store, sent with retries).
 */
public final class ObjectivesRuntime implements AutoCloseable {

    /**
     * One objective as judged: its ledger, and the end of the last minute judged ({@code Long.MIN_VALUE} before
     * any). Read it inside {@link #current}: the pipeline's thread changes the ledger otherwise.
     */
    public record State(Objective objective, ObjectiveLedger ledger, long evaluatedTo) {
    }

    private final AssessOperator assess;
    private final AlertStore alerts;
    private final WebhookDelivery delivery;

    public ObjectivesRuntime(AssessOperator assess, AlertStore alerts) {
        this.assess = assess;
        this.alerts = alerts;
        this.delivery = new WebhookDelivery(alerts);
    }

    private static List<State> states(List<AssessOperator.Account> accounts) {
        return accounts.stream().map(a -> new State(a.objective(), a.ledger(), a.judgedTo())).toList();
    }

    /** The objectives as declared (read their ledgers through {@link #current}). */
    public List<State> states() {
        return assess.read(ObjectivesRuntime::states);
    }

    /** Lets {@code read} look at every objective while the pipeline changes none of them. */
    public <T> T current(Function<List<State>, T> read) {
        return assess.read(accounts -> read.apply(states(accounts)));
    }

    public State state(String name) {
        return states().stream().filter(s -> s.objective().name().equals(name)).findFirst().orElse(null);
    }

    /** Alert changes, newest first (the last 1,000), kept across restarts. */
    public List<ObjectiveLedger.Transition> recentTransitions() throws java.sql.SQLException {
        return alerts.history(1000);
    }

    /** The rules firing now, by objective. */
    public Map<String, List<BurnRule>> firing() {
        return assess.firing();
    }

    @Override
    public void close() {
        delivery.close();
    }
}
