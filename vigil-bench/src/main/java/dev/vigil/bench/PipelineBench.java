package dev.vigil.bench;

import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.pipeline.Pipeline;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole pipeline on one thread, as {@link Pipeline} drives it: the order stage (event clock: ordering and
 * lateness), summarise, correlate and merge, advanced every 4,096 events. {@code cases=false}
 * is W1 as the issue defines it (no correlation keys: every event is ordered and summarised);
 * {@code cases=true} gives every event an order id, five events per order, in one declared process, so
 * each event is also routed by key, correlated into a case and counted in a process-activity window.
 * Each invocation checks its windows and throws if they are wrong; the cases are checked once per trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms8g", "-Xmx8g"})
public class PipelineBench {

    @Param({"false", "true"})
    boolean cases;

    Event[] events;
    Processes processes;

    @Setup(Level.Trial)
    public void setUp() {
        events = W1.generate(cases);
        processes = cases ? W1.PROCESSES : Processes.NONE;
        // One full pass that also keeps every case id the store would hold, to check the cases: the set of
        // 2 million ids is the checker's memory, not the pipeline's, so the timed runs leave it out.
        Set<String> ids = new HashSet<>(cases ? 3_000_000 : 16);
        run(ids);
        long expectCases = cases ? W1.N / W1.EVENTS_PER_CASE : 0;
        if (ids.size() != expectCases) {
            throw new IllegalStateException("wrong result: " + ids.size() + " cases, expected " + expectCases);
        }
    }

    @Benchmark
    @OperationsPerInvocation(W1.N)
    public long pipelineOneThread() {
        return run(null);
    }

    /** Runs every event through, checks the windows, and returns how many case changes came out. */
    private long run(Set<String> caseIds) {
        Pipeline p = new Pipeline(processes, W1.POLICY, 1);
        long windows = 0;
        long counted = 0;
        long changes = 0;
        long byService = 0;
        for (int i = 0; i <= events.length; i++) {
            if (i < events.length) {
                p.accept(events[i], i + 1, 0);
            } else {
                // Event time runs on past the last event: every window and case becomes final.
                p.accept(new Event(W1.T0 + 3_600_000_000L, "end", "end", EventKind.OTHER, null, Outcome.OK, null, null,
                        null, null), i + 1, 0);
            }
            if ((i & 4095) == 4095 || i == events.length) {
                Pipeline.Emitted out = p.advance();
                for (MergedWindow w : out.windows()) {
                    // The estate's series (each event under its service) are checked apart from the W1 query's.
                    if (w.key().dimension() == Dimension.SERVICE) {
                        byService += w.window().count();
                        continue;
                    }
                    windows++;
                    counted += w.window().count();
                }
                changes += out.cases().size();
                if (caseIds != null) {
                    collect(out, caseIds);
                }
            }
        }
        long expectWindows = cases ? 40_000 + 40 : 40_000;
        long expectCounted = cases ? 2L * W1.N : W1.N;
        if (windows != expectWindows || counted != expectCounted || byService != W1.N || p.merger().tooLate() != 0) {
            throw new IllegalStateException("wrong result: " + windows + " windows, " + counted + " counted, "
                    + byService + " under their service");
        }
        return changes;
    }

    /** Keeps the ids the store would hold: a case whose id changes retires the old one. */
    private static void collect(Pipeline.Emitted out, Set<String> ids) {
        for (CaseChange c : out.cases()) {
            switch (c) {
                case CaseChange.Updated u -> ids.add(u.record().id());
                case CaseChange.Retired r -> ids.remove(r.id());
            }
        }
    }
}
