package dev.vigil.pipeline;

import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.Processes;
import dev.vigil.link.Linker;
import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Operator;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.summarise.ClosedWindow;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Vigil's pipeline, described once: its stages, what each takes and hands out, and the key each routes by.
 * Runtimes only schedule it: the one-thread {@link Pipeline}, the embedded runtime's threads and the Flink job
 * make their instances here and route by these keys, so they run the very same graph.
 *
 * <pre>
 *   journal ──► order (1 instance) ──Timed──┬─► summarise (by source) ──ClosedWindow──┬─► merge (by series) ──┬──► KPI windows
 *                                           ├─► link (by trace; spans) ──ClosedWindow──┘                      └─► assess (by series) ──► alert changes
 *                                           └─► correlate (by process) ───────────────────────────────────────► case changes
 * </pre>
 *
 * Interpretation happens before the journal (at ingest, so a client hears at once what it sent wrong), and the
 * journal holds canonical events.
 */
public final class Topology {

    /**
     * One stage.
     *
     * @param name     its name in snapshots and checkpoints
     * @param key      the key an element routes by; null means the element does not go to this stage
     * @param operator makes one instance
     */
    public record Stage<I, O>(String name, Function<I, String> key, Supplier<Operator<I, O>> operator) {

        /** Which of {@code instances} an element goes to, or -1 when it does not go to this stage. */
        public int instanceOf(I element, int instances) {
            String k = key.apply(element);
            return k == null ? -1 : KeyedState.instanceOf(k, instances);
        }
    }

    public final Stage<Arrival, Timed> order;
    public final Stage<Timed, ClosedWindow> summarise;
    public final Stage<Timed, ClosedWindow> link;
    public final Stage<Timed, CaseChange> correlate;
    public final Stage<ClosedWindow, MergedWindow> merge;
    public final Stage<MergedWindow, ObjectiveLedger.Transition> assess;
    private final Processes processes;
    private final LatenessPolicy policy;
    private final List<Objective> objectives;
    private final long pairWithinMicros;

    public Topology(Processes processes, LatenessPolicy policy) {
        this(processes, policy, List.of());
    }

    public Topology(Processes processes, LatenessPolicy policy, List<Objective> objectives) {
        this(processes, policy, objectives, Linker.DEFAULT_WAIT_MICROS);
    }

    /**
     * @param pairWithinMicros how long, in event time, a span waits for the other end of its call (vigil.yaml's
     *                         {@code telemetry.pairWithin})
     */
    public Topology(Processes processes, LatenessPolicy policy, List<Objective> objectives, long pairWithinMicros) {
        this.processes = processes;
        this.pairWithinMicros = pairWithinMicros;
        this.policy = policy;
        this.objectives = List.copyOf(objectives);
        this.order = new Stage<>("order", a -> OrderOperator.KEY, () -> new OrderOperator(processes, policy));
        this.summarise = new Stage<>("summarise", SummariseOperator::keyOf, SummariseOperator::new);
        this.link = new Stage<>("link", LinkOperator::keyOf, () -> new LinkOperator(pairWithinMicros));
        this.correlate = new Stage<>("correlate", CorrelateOperator::keyOf, () -> new CorrelateOperator(processes));
        this.merge = new Stage<>("merge", MergeOperator::keyOf, MergeOperator::new);
        java.util.Set<String> judged = AssessOperator.judged(this.objectives);
        this.assess = new Stage<>("assess", w -> {
            String k = AssessOperator.keyOf(w.key());
            return judged.contains(k) ? k : null;
        }, () -> new AssessOperator(this.objectives));
    }

    public List<Objective> objectives() {
        return objectives;
    }

    public long pairWithinMicros() {
        return pairWithinMicros;
    }

    public Processes processes() {
        return processes;
    }

    public OrderOperator newOrder() {
        return new OrderOperator(processes, policy);
    }
}
