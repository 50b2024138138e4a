package dev.vigil.summarise;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One-minute windows of any series, held until the watermark passes them, with the same amendment rule as the
 * {@link Summariser}: an observation for a window already handed out (but not final) goes into an amendment, handed
 * out at the next advance and added downstream by the merge stage. For operators whose observations are not one per
 * event (a pair of spans, say), so that they need not squeeze through the summariser's cells.
 */
public final class MinuteWindows {

    private static final WindowSpan SPAN = WindowSpan.MINUTE;

    /** Windows by start, then by series: hashed while they fill, sorted when they are handed out. */
    private final TreeMap<Long, HashMap<KpiKey, KpiWindow>> open = new TreeMap<>();
    private final TreeMap<Long, HashMap<KpiKey, KpiWindow>> amends = new TreeMap<>();
    /** The open minute the last observation went to: observations come mostly in time order. */
    private long lastStart = Long.MIN_VALUE;
    private HashMap<KpiKey, KpiWindow> lastMinute;
    private long closedBefore = Long.MIN_VALUE;
    private long finalBefore = Long.MIN_VALUE;
    private long tooLate;

    /** The window an observation of {@code key} at this time goes to, or null (and counted) when it is final. */
    public KpiWindow at(KpiKey key, long timeMicros) {
        long start = SPAN.startOf(timeMicros);
        HashMap<KpiKey, KpiWindow> minute;
        if (start + SPAN.micros() > closedBefore) {
            if (start != lastStart) {
                lastStart = start;
                lastMinute = open.computeIfAbsent(start, s -> new HashMap<>());
            }
            minute = lastMinute;
        } else if (start + SPAN.micros() <= finalBefore) {
            tooLate++;
            return null;
        } else {
            minute = amends.computeIfAbsent(start, s -> new HashMap<>());
        }
        KpiWindow w = minute.get(key);
        if (w == null) {
            w = new KpiWindow();
            minute.put(key, w);
        }
        return w;
    }

    /**
     * Hands out the amendments gathered since the last call, then every window ending at or before the watermark,
     * oldest first and by key within a minute.
     */
    public void advance(long watermarkMicros, long finalBeforeMicros, List<ClosedWindow> out) {
        drain(amends, Long.MAX_VALUE, out);
        drain(open, watermarkMicros, out);
        closedBefore = Math.max(closedBefore, SPAN.startOf(watermarkMicros));
        finalBefore = Math.max(finalBefore, Math.min(finalBeforeMicros, watermarkMicros));
    }

    private void drain(TreeMap<Long, HashMap<KpiKey, KpiWindow>> windows, long before, List<ClosedWindow> out) {
        while (!windows.isEmpty() && windows.firstKey() + SPAN.micros() <= before) {
            Map.Entry<Long, HashMap<KpiKey, KpiWindow>> first = windows.pollFirstEntry();
            if (first.getValue() == lastMinute) {
                lastStart = Long.MIN_VALUE;
                lastMinute = null;
            }
            new TreeMap<>(first.getValue()).forEach((key, w) -> out.add(new ClosedWindow(key, SPAN, first.getKey(), w)));
        }
    }

    /** As {@link dev.vigil.summarise.Summariser#prime}: where time stood, handing nothing out. */
    public void prime(long watermarkMicros, long finalBeforeMicros) {
        closedBefore = Math.max(closedBefore, SPAN.startOf(watermarkMicros));
        finalBefore = Math.max(finalBefore, Math.min(finalBeforeMicros, watermarkMicros));
    }

    /** What a snapshot holds of one window: open or an amendment not yet handed out. */
    public record Held(boolean amendment, long startMicros, KpiKey key, KpiWindow window) {
    }

    /** The windows held, oldest first: what a snapshot writes. Where the watermark stands is the runtime's to tell. */
    public List<Held> held() {
        List<Held> all = new ArrayList<>();
        open.forEach((start, m) -> new TreeMap<>(m).forEach((k, w) -> all.add(new Held(false, start, k, w))));
        amends.forEach((start, m) -> new TreeMap<>(m).forEach((k, w) -> all.add(new Held(true, start, k, w))));
        return all;
    }

    /** Takes in a window {@link #held()} gave, adding it to one already held for the same series and minute. */
    public void restore(Held h) {
        (h.amendment() ? amends : open).computeIfAbsent(h.startMicros(), s -> new HashMap<>())
                .merge(h.key(), h.window(), KpiWindow::mergeWith);
    }

    /** Observations that came after their window was final. */
    public long tooLate() {
        return tooLate;
    }
}
