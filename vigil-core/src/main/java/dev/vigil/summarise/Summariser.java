package dev.vigil.summarise;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The summarise operator: folds events into one-minute tumbling windows per KPI series and hands out the
 * windows the watermark has passed. Owns its state; no threads, no clock: the runtime feeds it events and
 * watermarks, so the embedded runtime, a Flink job and a test drive the very same code.
 *
 * <p>Series per event: calls count under (service, operation); any event with a peer under (peer); any
 * event with a business unit under (unit). Process activities are counted by the correlation stage, which
 * knows the process; it feeds {@link #accept(KpiKey, long, long, boolean)} directly.
 *
 * <p>An event whose window the watermark has already closed is not folded in here: it is counted in
 * {@link #tooLate()} and the ordering stage decides its fate (amend the emitted window or count it).
 */
public final class Summariser {

    private final WindowSpan span = WindowSpan.MINUTE;
    /** Open windows by start, so that advancing pops the oldest first and emits in a stable order. */
    private final TreeMap<Long, Map<KpiKey, KpiWindow>> open = new TreeMap<>();
    private long closedBefore = Long.MIN_VALUE;
    private long tooLate;

    /** Folds one event into the windows of its series. */
    public void accept(Event e) {
        long duration = e.durationMicros() == null ? -1 : e.durationMicros();
        boolean failed = e.failed();
        if (e.kind() == EventKind.CALL) {
            accept(new KpiKey(Dimension.SERVICE_OPERATION, e.source(), e.name()), e.timeMicros(), duration, failed);
        }
        if (e.peer() != null) {
            accept(KpiKey.of(Dimension.PEER, e.peer()), e.timeMicros(), duration, failed);
        }
        if (e.unit() != null) {
            accept(KpiKey.of(Dimension.UNIT, e.unit()), e.timeMicros(), duration, failed);
        }
    }

    /** Folds one observation into a series' window. */
    public void accept(KpiKey key, long timeMicros, long durationMicros, boolean failed) {
        long start = span.startOf(timeMicros);
        if (start + span.micros() <= closedBefore) {
            tooLate++;
            return;
        }
        open.computeIfAbsent(start, s -> new HashMap<>())
                .computeIfAbsent(key, k -> new KpiWindow())
                .accept(durationMicros, failed);
    }

    /**
     * Closes every window that ends at or before the watermark and returns them, oldest first and by key
     * within a window: the same events give the same list, whatever order they came in.
     */
    public List<ClosedWindow> advance(long watermarkMicros) {
        List<ClosedWindow> out = new ArrayList<>();
        while (!open.isEmpty() && open.firstKey() + span.micros() <= watermarkMicros) {
            Map.Entry<Long, Map<KpiKey, KpiWindow>> first = open.pollFirstEntry();
            new TreeMap<>(first.getValue()).forEach((key, w) -> out.add(new ClosedWindow(key, span, first.getKey(), w)));
        }
        closedBefore = Math.max(closedBefore, span.startOf(watermarkMicros));
        return out;
    }

    public int openWindows() {
        int n = 0;
        for (Map<KpiKey, KpiWindow> m : open.values()) {
            n += m.size();
        }
        return n;
    }

    /** Events that arrived after their window was closed. */
    public long tooLate() {
        return tooLate;
    }

    /**
     * Merges windows of the same series and window: across partitions (same span) or into a coarser span
     * (minutes into hours, hours into days). Exact: counts add and sketches merge bucket by bucket.
     */
    public static List<ClosedWindow> merge(Collection<ClosedWindow> windows, WindowSpan into) {
        TreeMap<Long, TreeMap<KpiKey, KpiWindow>> byStart = new TreeMap<>();
        for (ClosedWindow w : windows) {
            if (w.span().micros() > into.micros()) {
                throw new IllegalArgumentException("cannot split a " + w.span().wire() + " window into " + into.wire());
            }
            KpiWindow target = byStart.computeIfAbsent(into.startOf(w.startMicros()), s -> new TreeMap<>())
                    .computeIfAbsent(w.key(), k -> new KpiWindow());
            target.mergeWith(w.window());
        }
        List<ClosedWindow> out = new ArrayList<>();
        byStart.forEach((start, m) -> m.forEach((key, w) -> out.add(new ClosedWindow(key, into, start, w))));
        return out;
    }
}
