package dev.vigil.pipeline;

import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.CaseState;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.order.EventClock;
import dev.vigil.order.Lateness;
import dev.vigil.order.LatenessPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole pipeline in one thread: clock, router, partitions and merger, exactly the pieces the threaded
 * runtime runs, driven in sequence. It is the reference the properties test against, the engine of the
 * one-thread benchmark, and what a replay in a test harness uses.
 *
 * <p>It takes the journal's records as they come: events with the wall-clock time their record was taken in,
 * and ticks (records without events). Its outputs are a function of that sequence alone.
 */
public final class Pipeline {

    private final Intake intake;
    private final Partition[] partitions;
    private final WindowMerger merger;
    private final List<Router.Move> moves = new ArrayList<>();

    /** What an advance produced: windows to write and case changes to apply, in order. */
    public record Emitted(List<MergedWindow> windows, List<CaseChange> cases) {
    }

    public Pipeline(Processes processes, LatenessPolicy policy, int partitionCount) {
        this.intake = new Intake(processes, policy, partitionCount);
        this.partitions = new Partition[partitionCount];
        for (int i = 0; i < partitionCount; i++) {
            partitions[i] = new Partition(processes);
        }
        this.merger = new WindowMerger(partitionCount);
    }

    /**
     * Takes one event of the journal.
     *
     * @param seq           its sequence number in the journal (spreads events of no process over partitions)
     * @param arrivalMicros the wall-clock time its journal record was taken in
     * @return what the clock made of it, or null for an event the interpreter could not read (stored, not fed)
     */
    public Lateness accept(Event e, long seq, long arrivalMicros) {
        Router.Routed r = intake.accept(e, seq, arrivalMicros, moves);
        if (r == null) {
            return null;
        }
        long wm = intake.watermarkBefore();
        long fin = intake.finalBefore();
        Lateness l = intake.lateness();
        for (Router.Move m : moves) {
            CaseState s = partitions[m.from()].release(m.process(), m.compositeKey(), wm, fin);
            if (s != null) {
                partitions[m.to()].adopt(s, wm, fin);
            }
        }
        partitions[r.partition()].accept(r, l, wm, fin);
        return l;
    }

    /** Takes a journal record without events: idle progress, at the wall-clock time it carries. */
    public void tick(long atMicros) {
        intake.tick(atMicros);
    }

    /** Brings every partition to the clock's watermark and hands out what that closed and merged. */
    public Emitted advance() {
        List<CaseChange> cases = new ArrayList<>();
        for (int i = 0; i < partitions.length; i++) {
            partitions[i].advanceTo(clock().watermark(), clock().finalBefore());
            Partition.Output o = partitions[i].drain();
            merger.accept(i, o.windows(), o.watermark(), o.finalBefore());
            cases.addAll(partitions[i].drainCases());
        }
        return new Emitted(merger.drain(), cases);
    }

    /**
     * The whole pipeline's state, to restore into a fresh pipeline of the same configuration and partition
     * count. Call right after {@link #advance()}: windows closed but not yet handed out are not part of it.
     */
    public byte[] snapshot() {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
            intake.write(out);
            out.writeInt(partitions.length);
            for (Partition p : partitions) {
                byte[] b = p.snapshot();
                out.writeInt(b.length);
                out.write(b);
            }
            merger.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("writing into memory cannot fail", e);
        }
    }

    /** Replaces this pipeline's state with what {@link #snapshot()} wrote (fed before or not). */
    public void restore(byte[] snapshot) {
        try {
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(snapshot));
            intake.read(in);
            int n = in.readInt();
            if (n != partitions.length) {
                throw new IllegalArgumentException("the snapshot has " + n + " partitions, this pipeline " + partitions.length);
            }
            for (Partition p : partitions) {
                p.restore(in.readNBytes(in.readInt()));
            }
            merger.read(in);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a pipeline snapshot: " + e.getMessage(), e);
        }
    }

    public EventClock clock() {
        return intake.clock();
    }

    public Partition partition(int i) {
        return partitions[i];
    }

    public int partitions() {
        return partitions.length;
    }

    public WindowMerger merger() {
        return merger;
    }
}
