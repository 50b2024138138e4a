package dev.vigil.pipeline;

import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Operator;
import dev.vigil.operator.Output;
import dev.vigil.order.EventClock;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.util.Map;
import java.util.TreeMap;

/**
 * The merge stage, keyed by series: adds up the parts of one series' window that the summarise instances
 * handed in (a peer's window has a part from every source that called it) and hands out one window per series
 * and minute once the watermark has passed it. The watermark it is told is the slowest summarise instance's
 * (see {@link InputWatermarks}): every instance hands in its part of a window before it reports a watermark past
 * that window, so every part is in when the window is handed out.
 *
 * <p>Parts that come after the window was handed out (late events) are added and the window is handed out
 * again with the next revision; readers of the store must take revisions in (the server's objectives do).
 * Merging is exact (counts add, sketches merge), so the last revision equals the window of all its events
 * however they were spread. A window is forgotten once the final line has passed it. A window handed out is not
 * changed after: a revision is a new window.
 */
public final class MergeOperator implements Operator<ClosedWindow, MergedWindow> {

    private static final long SPAN = WindowSpan.MINUTE.micros();

    private static final class Slot {
        KpiWindow window;
        int revision;
        boolean changed = true;
        /**
         * Whether {@link #window} was handed out: a window handed out is never changed after (a runtime may store it
         * on another thread meanwhile), so a later part merges into a copy.
         */
        boolean handedOut;

        Slot(KpiWindow window) {
            this.window = window;
        }
    }

    private final TreeMap<Long, TreeMap<KpiKey, Slot>> slots = new TreeMap<>();
    /**
     * The slots changed since last handed out, by start: a watermark looks at these only. (Scanning every held
     * window at each watermark, as this once did, cost the Flink job, which gets a watermark per journal record,
     * nine tenths of its time: the final line keeps ten minutes of windows.)
     */
    private final TreeMap<Long, TreeMap<KpiKey, Slot>> changed = new TreeMap<>();
    private long watermark = EventClock.NONE;
    private long evictedBefore = Long.MIN_VALUE;
    private long tooLate;

    /** The key this stage routes a window part by: its series. */
    public static String keyOf(ClosedWindow w) {
        return keyOf(w.key());
    }

    public static String keyOf(KpiKey k) {
        return k.dimension().wire() + '\0' + k.primary() + '\0' + k.secondary();
    }

    @Override
    public void onElement(ClosedWindow c, Output<MergedWindow> out) {
        if (c.endMicros() <= evictedBefore) {
            // Cannot happen while instances hand in parts before reporting a final line past them; counted, so
            // that it would show if it did.
            tooLate += c.window().count();
            return;
        }
        TreeMap<KpiKey, Slot> m = slots.computeIfAbsent(c.startMicros(), s -> new TreeMap<>());
        Slot s = m.get(c.key());
        if (s == null) {
            s = new Slot(c.window());
            m.put(c.key(), s);
        } else {
            if (s.handedOut) {
                s.window = s.window.copy();
                s.handedOut = false;
            }
            s.window.mergeWith(c.window());
            s.changed = true;
        }
        changed.computeIfAbsent(c.startMicros(), x -> new TreeMap<>()).put(c.key(), s);
    }

    /** Hands out the windows that are due (new, or amended since last handed out), oldest first, then by key. */
    @Override
    public void onWatermark(long watermark, long finalBefore, Output<MergedWindow> out) {
        this.watermark = Math.max(this.watermark, watermark);
        long wm = this.watermark;
        var due = changed.headMap(wm == EventClock.NONE ? Long.MIN_VALUE : wm - SPAN, true);
        for (Map.Entry<Long, TreeMap<KpiKey, Slot>> e : due.entrySet()) {
            for (Map.Entry<KpiKey, Slot> w : e.getValue().entrySet()) {
                Slot s = w.getValue();
                s.changed = false;
                s.revision++;
                s.handedOut = true;
                out.emit(new MergedWindow(w.getKey(), e.getKey(), s.window, s.revision));
            }
        }
        due.clear();
        if (finalBefore != EventClock.NONE) {
            // Windows ending at or before the final line can change no more: forget them.
            while (!slots.isEmpty() && slots.firstKey() + SPAN <= finalBefore && !changed.containsKey(slots.firstKey())) {
                slots.pollFirstEntry();
            }
            evictedBefore = Math.max(evictedBefore, slots.isEmpty() ? finalBefore : Math.min(finalBefore, slots.firstKey()));
        }
    }

    public long watermark() {
        return watermark;
    }

    /** Event counts in parts that came after their window was forgotten: zero unless a runtime is wrong. */
    public long tooLate() {
        return tooLate;
    }

    public int windows() {
        int n = 0;
        for (TreeMap<KpiKey, Slot> m : slots.values()) {
            n += m.size();
        }
        return n;
    }

    @Override
    public void snapshot(KeyedState.Sink sink) {
        TreeMap<KpiKey, TreeMap<Long, Slot>> byKey = new TreeMap<>();
        slots.forEach((start, m) -> m.forEach((key, s) -> byKey.computeIfAbsent(key, k -> new TreeMap<>()).put(start, s)));
        byKey.forEach((key, windows) -> sink.put(keyOf(key), KeyedState.write(out -> {
            key.write(out);
            out.writeInt(windows.size());
            for (Map.Entry<Long, Slot> w : windows.entrySet()) {
                out.writeLong(w.getKey());
                out.writeInt(w.getValue().revision);
                out.writeBoolean(w.getValue().changed);
                w.getValue().window.write(out);
            }
        })));
    }

    @Override
    public void restore(String key, byte[] state) {
        KeyedState.read(key, state, in -> {
            KpiKey k = KpiKey.read(in);
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                long start = in.readLong();
                int revision = in.readInt();
                boolean isChanged = in.readBoolean();
                Slot s = new Slot(KpiWindow.read(in));
                s.revision = revision;
                s.changed = isChanged;
                slots.computeIfAbsent(start, x -> new TreeMap<>()).put(k, s);
                if (isChanged) {
                    changed.computeIfAbsent(start, x -> new TreeMap<>()).put(k, s);
                }
            }
        });
    }
}
