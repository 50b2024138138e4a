package dev.vigil.pipeline;

import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.CaseState;
import dev.vigil.correlate.Correlator;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.order.EventClock;
import dev.vigil.order.LateCounts;
import dev.vigil.order.Lateness;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.Summariser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operators of one partition, in the order an event meets them: summarise (service, peer, unit and
 * process-activity windows) and correlate (cases). One thread owns a partition; nothing here is shared or
 * locked, and nothing reads a clock: the pipeline's one {@link EventClock} classifies each event and says where
 * the watermark stood when it arrived, and the partition moves to that watermark before taking the event. So a
 * partition sees events and watermarks interleaved exactly as they were in the journal, and what it outputs
 * does not depend on when its thread ran.
 */
public final class Partition {

    private final Processes processes;
    private final Summariser summariser = new Summariser();
    private final Correlator correlator;
    private final LateCounts late = new LateCounts();
    private final List<ClosedWindow> closed = new ArrayList<>();
    private long folded;
    private long watermark = EventClock.NONE;
    private long finalBefore = EventClock.NONE;

    public Partition(Processes processes) {
        this.processes = processes;
        this.correlator = new Correlator(processes);
    }

    /** What a drain hands out: window contributions closed since the last drain, and where the watermark stands. */
    public record Output(List<ClosedWindow> windows, long watermark, long finalBefore) {
    }

    /**
     * Moves to the watermark the event found (if later than where this partition stands), then feeds the
     * event (its process and keys already found by the router) through the operators.
     *
     * @param lateness    what the pipeline's clock made of it
     * @param watermark   the clock's watermark before the event
     * @param finalBefore the clock's final line before the event
     */
    public void accept(Router.Routed r, Lateness lateness, long watermark, long finalBefore) {
        advanceTo(watermark, finalBefore);
        Event e = r.event();
        late.count(e.source(), lateness);
        if (lateness == Lateness.TOO_LATE) {
            return;
        }
        folded++;
        int[] at = r.location();
        summariser.accept(e, at == null ? null : processes.get(at[0]).name());
        if (at != null) {
            correlator.accept(at[0], at[1], e.timeMicros(), e.failed(), r.keys());
        }
    }

    /** The event's values for the process's declared keys, as composite strings, in declared order. */
    public static List<String> keysOf(Event e, ProcessDef def) {
        Map<String, String> c = e.correlation();
        if (c.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(2);
        for (String k : def.keys()) {
            String v = c.get(k);
            if (v != null) {
                out.add(Correlator.composite(k, v));
            }
        }
        return out;
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
        summariser.advance(this.watermark, this.finalBefore, closed);
        correlator.advance(this.watermark, this.finalBefore);
    }

    /** The window contributions closed since the last drain, and where this partition's watermark stands. */
    public Output drain() {
        List<ClosedWindow> windows = closed.isEmpty() ? List.of() : List.copyOf(closed);
        closed.clear();
        return new Output(windows, watermark, finalBefore);
    }

    /** Whether a drain now would hand out windows. The runtime then drains at once, so windows show sooner. */
    public boolean windowDue() {
        return !closed.isEmpty();
    }

    /**
     * Takes a case out, to hand to another partition. The watermark is the clock's when the event that joined
     * the two cases arrived: the case must be judged at it (it may be stuck, or gone) before it moves.
     */
    public CaseState release(int process, String compositeKey, long watermark, long finalBefore) {
        advanceTo(watermark, finalBefore);
        return correlator.release(process, compositeKey);
    }

    /** Takes in a case released by another partition, after moving to the watermark it was released at. */
    public void adopt(CaseState state, long watermark, long finalBefore) {
        advanceTo(watermark, finalBefore);
        correlator.adopt(state);
    }

    public List<CaseChange> drainCases() {
        return correlator.drainChanges();
    }

    public LateCounts late() {
        return late;
    }

    public int cases() {
        return correlator.cases();
    }

    public long folded() {
        return folded;
    }

    /** The partition's state; drain first, for closed windows not yet handed out are not part of it. */
    public byte[] snapshot() {
        if (!closed.isEmpty()) {
            throw new IllegalStateException("drain the partition before taking its snapshot");
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeLong(watermark);
            out.writeLong(finalBefore);
            out.writeLong(folded);
            Map<String, LateCounts.Count> counts = late.snapshot();
            out.writeInt(counts.size());
            for (Map.Entry<String, LateCounts.Count> c : counts.entrySet()) {
                out.writeUTF(c.getKey());
                out.writeLong(c.getValue().late());
                out.writeLong(c.getValue().tooLate());
            }
            summariser.write(out);
            correlator.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing into memory cannot fail", e);
        }
    }

    /** Replaces this partition's state with what {@link #snapshot()} wrote. */
    public void restore(byte[] snapshot) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot));
            watermark = in.readLong();
            finalBefore = in.readLong();
            folded = in.readLong();
            late.clear();
            closed.clear();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                late.add(in.readUTF(), in.readLong(), in.readLong());
            }
            summariser.read(in);
            correlator.read(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a partition snapshot: " + e.getMessage(), e);
        }
    }
}
