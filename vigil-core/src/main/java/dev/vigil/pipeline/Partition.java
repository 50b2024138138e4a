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
import dev.vigil.order.LatenessPolicy;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.Summariser;
import dev.vigil.summarise.WindowSpan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operators of one partition, in the order an event meets them: order (the event clock classifies it
 * on time, late or too late), summarise (service, peer, unit and process-activity windows) and correlate
 * (cases). One thread owns a partition; nothing here is shared or locked, and nothing reads a clock:
 * processing time comes in as an argument, so a test and a runtime drive exactly the same code.
 */
public final class Partition {

    private final Processes processes;
    private final EventClock clock;
    private final Summariser summariser = new Summariser();
    private final Correlator correlator;
    private final LateCounts late = new LateCounts();
    private long folded;
    /** The watermark the last advance handed out. */
    private long advancedTo = EventClock.NONE;

    public Partition(Processes processes, LatenessPolicy policy) {
        this.processes = processes;
        this.clock = new EventClock(policy);
        this.correlator = new Correlator(processes);
    }

    /** What an advance hands out: window contributions and the partition's watermark and final line. */
    public record Output(List<ClosedWindow> windows, long watermark, long finalBefore) {
    }

    /** Feeds one routed event (its process and keys already found by the router) through the operators. */
    public Lateness accept(Router.Routed r, long nowMillis) {
        Event e = r.event();
        Lateness l = clock.observe(e.timeMicros(), nowMillis);
        late.count(e.source(), l);
        if (l == Lateness.TOO_LATE) {
            return l;
        }
        folded++;
        int[] at = r.location();
        summariser.accept(e, at == null ? null : processes.get(at[0]).name());
        if (at != null) {
            correlator.accept(at[0], at[1], e.timeMicros(), e.failed(), r.keys());
        }
        return l;
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

    /** Moves time on (event time, and processing time when idle) and hands out what it closed. */
    public Output advance(long nowMillis) {
        clock.tick(nowMillis);
        long wm = clock.watermark();
        advancedTo = wm;
        long fin = clock.finalBefore();
        List<ClosedWindow> windows = summariser.advance(wm, fin);
        correlator.advance(wm, fin);
        return new Output(windows, wm, fin);
    }

    /**
     * Whether an advance now would close a window here or, by moving this partition's watermark into
     * another minute, let the merger close one that waits on it. The runtime then advances at once rather
     * than at its next tick, so a window is visible sooner.
     */
    public boolean windowDue() {
        long wm = clock.watermark();
        return wm >= summariser.nextCloseMicros() || WindowSpan.MINUTE.entersLaterWindow(advancedTo, wm);
    }

    public List<CaseChange> drainCases() {
        return correlator.drainChanges();
    }

    public CaseState release(int process, String compositeKey) {
        return correlator.release(process, compositeKey);
    }

    public void adopt(CaseState state) {
        correlator.adopt(state);
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

    public byte[] snapshot() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeLong(clock.maxEventMicros());
            out.writeLong(clock.watermark());
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

    public void restore(byte[] snapshot, long nowMillis) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot));
            long max = in.readLong();
            long wm = in.readLong();
            clock.restore(max, wm, nowMillis);
            folded = in.readLong();
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
