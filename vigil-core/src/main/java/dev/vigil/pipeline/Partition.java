package dev.vigil.pipeline;

import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.Processes;
import dev.vigil.operator.Output;
import dev.vigil.order.EventClock;
import dev.vigil.order.LateCounts;
import dev.vigil.summarise.ClosedWindow;
import java.util.ArrayList;
import java.util.List;

/**
 * One instance of each keyed stage, run together by one thread of the embedded runtime (or in turn by the
 * one-thread pipeline): the summarise instance for the sources routed here, the link instance for the traces routed
 * here and the correlate instance for the processes routed here (see {@link Topology}). Nothing here is shared or locked, and nothing reads a clock.
 * Every partition is told every watermark, and each event carries the watermark it found, so a partition sees
 * events and time interleaved exactly as they were in the journal, and what it outputs does not depend on when
 * its thread ran.
 */
public final class Partition {

    private final SummariseOperator summarise;
    private final CorrelateOperator correlate;
    private final LinkOperator link;
    private final List<ClosedWindow> closed = new ArrayList<>();
    private final List<CaseChange> changes = new ArrayList<>();
    private final Output<ClosedWindow> toClosed = closed::add;
    private final Output<CaseChange> toChanges = changes::add;
    private long watermark = EventClock.NONE;
    private long finalBefore = EventClock.NONE;
    /** The watermark the last drain handed out. */
    private long drainedWatermark = EventClock.NONE;

    public Partition(Processes processes) {
        this(processes, dev.vigil.link.Linker.DEFAULT_WAIT_MICROS);
    }

    public Partition(Processes processes, long pairWithinMicros) {
        this.summarise = new SummariseOperator();
        this.correlate = new CorrelateOperator(processes);
        this.link = new LinkOperator(pairWithinMicros);
    }

    public Partition(Topology topology) {
        this(topology.processes(), topology.pairWithinMicros());
    }

    /** What a drain hands out: window parts closed since the last drain, and where the watermark stands. */
    public record Drained(List<ClosedWindow> windows, long watermark, long finalBefore) {
    }

    /** Feeds an event whose source is routed here to the summarise instance. */
    public void summarise(Timed t) {
        advanceTo(t.watermark(), t.finalBefore());
        summarise.onElement(t, toClosed);
    }

    /** Feeds a span whose trace is routed here to the link instance. */
    public void link(Timed t) {
        advanceTo(t.watermark(), t.finalBefore());
        link.onElement(t, toClosed);
    }

    /** Feeds an event whose process is routed here to the correlate instance. */
    public void correlate(Timed t) {
        advanceTo(t.watermark(), t.finalBefore());
        correlate.onElement(t, toChanges);
    }

    /**
     * Moves this partition's event time on: closes the windows and marks the cases the watermark has passed.
     * Cheap when nothing is due, so the pipeline calls it at every move of its clock.
     */
    public void advanceTo(long watermark, long finalBefore) {
        if (watermark <= this.watermark && finalBefore <= this.finalBefore) {
            return;
        }
        this.watermark = Math.max(this.watermark, watermark);
        this.finalBefore = Math.max(this.finalBefore, finalBefore);
        summarise.onWatermark(this.watermark, this.finalBefore, toClosed);
        link.onWatermark(this.watermark, this.finalBefore, toClosed);
        correlate.onWatermark(this.watermark, this.finalBefore, toChanges);
    }

    /**
     * After a restore: where time stood when the snapshot was taken, handing nothing out. A restored partition that
     * took this as a move of time would hand out at once the amendments its snapshot held back, earlier than the
     * partition that was snapshotted would have (at its next move): alerts judged on them would then differ.
     */
    public void prime(long watermark, long finalBefore) {
        if (watermark == EventClock.NONE) {
            return;
        }
        this.watermark = Math.max(this.watermark, watermark);
        this.finalBefore = Math.max(this.finalBefore, finalBefore);
        this.drainedWatermark = Math.max(this.drainedWatermark, watermark);
        summarise.prime(this.watermark, this.finalBefore);
        link.prime(this.watermark, this.finalBefore);
    }

    /** The window parts closed since the last drain, and where this partition's watermark stands. */
    public Drained drain() {
        List<ClosedWindow> windows = closed.isEmpty() ? List.of() : List.copyOf(closed);
        closed.clear();
        drainedWatermark = watermark;
        return new Drained(windows, watermark, finalBefore);
    }

    /**
     * Whether a drain now would hand out windows, or a watermark that enters a later minute than the last drain's.
     * The runtime then drains at once: the merge stage hands a window out only once every partition's watermark
     * has passed it, so a partition that closed nothing must still say at once that its time moved on (else a
     * window waits for that partition's periodic drain, 200 ms).
     */
    public boolean windowDue() {
        return !closed.isEmpty() || dev.vigil.summarise.WindowSpan.MINUTE.entersLaterWindow(drainedWatermark, watermark);
    }

    /** The case changes since the last call. */
    public List<CaseChange> drainCases() {
        correlate.flush(toChanges);
        List<CaseChange> out = List.copyOf(changes);
        changes.clear();
        return out;
    }

    public SummariseOperator summariser() {
        return summarise;
    }

    public LinkOperator linker() {
        return link;
    }

    public CorrelateOperator correlator() {
        return correlate;
    }

    public LateCounts late() {
        return summarise.late();
    }

    public int cases() {
        return correlate.cases();
    }

    public long folded() {
        return summarise.folded();
    }
}
