package dev.vigil.pipeline;

import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.CaseState;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.order.LatenessPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole pipeline in one thread: router, partitions and merger, exactly the pieces the threaded
 * runtime runs, driven in sequence. It is the reference the properties test against, the engine of the
 * one-thread benchmark, and what a replay in a test harness uses.
 */
public final class Pipeline {

    private final Router router;
    private final Partition[] partitions;
    private final WindowMerger merger;
    private final List<Router.Move> moves = new ArrayList<>();

    /** What an advance produced: windows to write and case changes to apply, in order. */
    public record Emitted(List<MergedWindow> windows, List<CaseChange> cases) {
    }

    public Pipeline(Processes processes, LatenessPolicy policy, int partitionCount) {
        this.router = new Router(processes, partitionCount, retention(processes, policy));
        this.partitions = new Partition[partitionCount];
        for (int i = 0; i < partitionCount; i++) {
            partitions[i] = new Partition(processes, policy);
        }
        this.merger = new WindowMerger(partitionCount);
    }

    /** How long the router remembers a key: longer than any partition keeps the case it names. */
    public static long retention(Processes processes, LatenessPolicy policy) {
        return processes.maxStuckAfterMicros() + policy.maxLatenessMicros() + 3_600_000_000L;
    }

    public void accept(Event e, long seq, long nowMillis) {
        moves.clear();
        Router.Routed r = router.route(e, seq, moves);
        for (Router.Move m : moves) {
            CaseState s = partitions[m.from()].release(m.process(), m.compositeKey());
            if (s != null) {
                partitions[m.to()].adopt(s);
            }
        }
        partitions[r.partition()].accept(r, nowMillis);
    }

    public Emitted advance(long nowMillis) {
        List<CaseChange> cases = new ArrayList<>();
        for (int i = 0; i < partitions.length; i++) {
            Partition.Output o = partitions[i].advance(nowMillis);
            merger.accept(i, o.windows(), o.watermark(), o.finalBefore());
            cases.addAll(partitions[i].drainCases());
        }
        return new Emitted(merger.drain(), cases);
    }

    public Partition partition(int i) {
        return partitions[i];
    }

    public int partitions() {
        return partitions.length;
    }

    public Router router() {
        return router;
    }

    public WindowMerger merger() {
        return merger;
    }
}
