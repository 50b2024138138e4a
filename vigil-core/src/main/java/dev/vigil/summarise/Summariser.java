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
 * <p>Series per event: calls count under (service, operation); every event under (service, unit); any
 * event with a peer under (peer) and (service, peer); any event with a business unit under (unit). Process
 * activities are counted by the correlation stage, which knows the process; it feeds
 * {@link #accept(KpiKey, long, long, boolean)} directly.
 *
 * <p>An event whose window the watermark has already closed but which is not yet final (see
 * {@link #advance(long, long)}) is folded into an amendment: at the next advance the window is handed out
 * again holding only what was added since, and whoever merges windows adds it to what it had. Counts add
 * and sketches merge, so a window plus its amendments is exactly the window of all its events. An event
 * whose window is final is counted in {@link #tooLate()} and not folded in.
 */
public final class Summariser {

    private final WindowSpan span = WindowSpan.MINUTE;
    /** Open windows by start, so that advancing pops the oldest first and emits in a stable order. */
    private final TreeMap<Long, Map<KpiKey, KpiWindow>> open = new TreeMap<>();
    /** Late additions to windows already handed out, by start then key. */
    private final TreeMap<Long, Map<KpiKey, KpiWindow>> amends = new TreeMap<>();
    private long closedBefore = Long.MIN_VALUE;
    private long finalBefore = Long.MIN_VALUE;
    private long tooLate;

    /** Folds one event into the windows of its series. */
    public void accept(Event e) {
        long start = span.startOf(e.timeMicros());
        if (start + span.micros() <= finalBefore) {
            // Counted once per event, not once per series it would have fed.
            tooLate++;
            return;
        }
        long duration = e.durationMicros() == null ? -1 : e.durationMicros();
        boolean failed = e.failed();
        if (e.kind() == EventKind.CALL) {
            accept(new KpiKey(Dimension.SERVICE_OPERATION, e.source(), e.name()), e.timeMicros(), duration, failed);
        }
        accept(new KpiKey(Dimension.SERVICE, e.source(), e.unit()), e.timeMicros(), duration, failed);
        if (e.peer() != null) {
            accept(KpiKey.of(Dimension.PEER, e.peer()), e.timeMicros(), duration, failed);
            accept(new KpiKey(Dimension.CALL, e.source(), e.peer()), e.timeMicros(), duration, failed);
        }
        if (e.unit() != null) {
            accept(KpiKey.of(Dimension.UNIT, e.unit()), e.timeMicros(), duration, failed);
        }
    }

    /** Folds one observation into a series' window. */
    public void accept(KpiKey key, long timeMicros, long durationMicros, boolean failed) {
        long start = span.startOf(timeMicros);
        TreeMap<Long, Map<KpiKey, KpiWindow>> target = open;
        if (start + span.micros() <= closedBefore) {
            if (start + span.micros() <= finalBefore) {
                tooLate++;
                return;
            }
            target = amends;
        }
        target.computeIfAbsent(start, s -> new HashMap<>())
                .computeIfAbsent(key, k -> new KpiWindow())
                .accept(durationMicros, failed);
    }

    /**
     * Closes every window that ends at or before the watermark and returns them, oldest first and by key
     * within a window: the same events give the same list, whatever order they came in. Late events are
     * not folded into closed windows afterwards (they count as too late).
     */
    public List<ClosedWindow> advance(long watermarkMicros) {
        return advance(watermarkMicros, watermarkMicros);
    }

    /**
     * Closes every window that ends at or before the watermark, and hands out the amendments gathered
     * since the last call (windows emitted before that received late events), amendments first.
     *
     * @param watermarkMicros   windows ending at or before it close
     * @param finalBeforeMicros closed windows ending at or before it take no more amendments
     */
    public List<ClosedWindow> advance(long watermarkMicros, long finalBeforeMicros) {
        List<ClosedWindow> out = new ArrayList<>();
        drain(amends, Long.MAX_VALUE, out);
        drain(open, watermarkMicros, out);
        closedBefore = Math.max(closedBefore, span.startOf(watermarkMicros));
        finalBefore = Math.max(finalBefore, Math.min(finalBeforeMicros, watermarkMicros));
        return out;
    }

    private void drain(TreeMap<Long, Map<KpiKey, KpiWindow>> windows, long before, List<ClosedWindow> out) {
        while (!windows.isEmpty() && windows.firstKey() + span.micros() <= before) {
            Map.Entry<Long, Map<KpiKey, KpiWindow>> first = windows.pollFirstEntry();
            new TreeMap<>(first.getValue()).forEach((key, w) -> out.add(new ClosedWindow(key, span, first.getKey(), w)));
        }
    }

    public void write(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(closedBefore);
        out.writeLong(finalBefore);
        out.writeLong(tooLate);
        writeWindows(open, out);
        writeWindows(amends, out);
    }

    public void read(java.io.DataInput in) throws java.io.IOException {
        closedBefore = in.readLong();
        finalBefore = in.readLong();
        tooLate = in.readLong();
        readWindows(open, in);
        readWindows(amends, in);
    }

    private static void writeWindows(TreeMap<Long, Map<KpiKey, KpiWindow>> windows, java.io.DataOutput out)
            throws java.io.IOException {
        out.writeInt(windows.size());
        for (Map.Entry<Long, Map<KpiKey, KpiWindow>> e : windows.entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue().size());
            for (Map.Entry<KpiKey, KpiWindow> w : e.getValue().entrySet()) {
                w.getKey().write(out);
                w.getValue().write(out);
            }
        }
    }

    private static void readWindows(TreeMap<Long, Map<KpiKey, KpiWindow>> windows, java.io.DataInput in)
            throws java.io.IOException {
        int starts = in.readInt();
        for (int i = 0; i < starts; i++) {
            long start = in.readLong();
            int n = in.readInt();
            Map<KpiKey, KpiWindow> m = new HashMap<>();
            for (int j = 0; j < n; j++) {
                m.put(KpiKey.read(in), KpiWindow.read(in));
            }
            windows.put(start, m);
        }
    }

    /** Where the oldest open window ends: an advance with a watermark at or past it hands out windows. */
    public long nextCloseMicros() {
        return open.isEmpty() ? Long.MAX_VALUE : open.firstKey() + span.micros();
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
