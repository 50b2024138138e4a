package dev.vigil.pipeline;

import dev.vigil.event.Event;
import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Output;
import dev.vigil.order.LateCounts;
import dev.vigil.order.Lateness;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.Summariser;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The summarise stage, keyed by the event's source (the service that emitted it): folds events into one-minute
 * windows (see {@link Summariser}) and hands out each source's part of a window once the watermark passes it.
 * Series that span sources (a peer called by many, a business unit) are added up downstream, by the
 * {@linkplain MergeOperator merge stage}. Also counts late and too-late events per source, for the user to see
 * whose clocks are off.
 */
public final class SummariseOperator extends WindowStage {

    private final Summariser summariser = new Summariser();
    private final LateCounts late = new LateCounts();
    private long folded;

    /** The key this stage routes an event by. */
    public static String keyOf(Timed t) {
        return t.event().source();
    }

    @Override
    public void onElement(Timed t, Output<ClosedWindow> out) {
        onWatermark(t.watermark(), t.finalBefore(), out);
        Event e = t.event();
        late.count(e.source(), t.lateness());
        if (t.lateness() == Lateness.TOO_LATE) {
            return;
        }
        folded++;
        summariser.accept(e, t.processName());
    }

    @Override
    void advance(long watermark, long finalBefore, List<ClosedWindow> out) {
        summariser.advance(watermark, finalBefore, out);
    }

    @Override
    void primeTo(long watermark, long finalBefore) {
        summariser.prime(watermark, finalBefore);
    }

    @Override
    public void snapshot(KeyedState.Sink sink) {
        Map<String, byte[]> windows = new TreeMap<>();
        summariser.snapshotBySource(windows::put);
        Map<String, LateCounts.Count> counts = late.snapshot();
        java.util.TreeSet<String> keys = new java.util.TreeSet<>(windows.keySet());
        keys.addAll(counts.keySet());
        for (String source : keys) {
            LateCounts.Count c = counts.getOrDefault(source, new LateCounts.Count(0, 0));
            byte[] w = windows.getOrDefault(source, new byte[0]);
            sink.put(source, KeyedState.write(out -> {
                out.writeLong(c.late());
                out.writeLong(c.tooLate());
                out.write(w);
            }));
        }
    }

    @Override
    public void restore(String source, byte[] state) {
        KeyedState.read(source, state, in -> {
            long lateCount = in.readLong();
            long tooLate = in.readLong();
            if (lateCount != 0 || tooLate != 0) {
                late.add(source, lateCount, tooLate);
            }
            summariser.restoreSource(source, in);
        });
    }

    public LateCounts late() {
        return late;
    }

    /** Events folded in by this instance since it was made. */
    public long folded() {
        return folded;
    }

}
