package dev.vigil.pipeline;

import dev.vigil.order.EventClock;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the window contributions of all partitions into one window per series and minute. A window is
 * emitted once the slowest partition's watermark has passed it, and forgotten once the slowest partition's
 * final line has: every partition counts, also one that has not reported yet (every partition is told every
 * watermark, so none holds the others back for long). A partition hands out its part of a window no later
 * than it reports a final line past that window, so no part ever arrives for a window already forgotten, and
 * what the merger outputs does not depend on which partition thread ran first. Contributions that come after
 * a window was emitted (late events) are added and the window is emitted again with the next revision;
 * readers of the store must take revisions in (the server's objectives do). Merging is exact (counts add,
 * sketches merge), so the last revision equals the window of all its events however they were spread over
 * partitions.
 */
public final class WindowMerger {

    private static final long SPAN = WindowSpan.MINUTE.micros();

    private static final class Slot {
        final KpiWindow window;
        int revision;
        boolean changed = true;

        Slot(KpiWindow window) {
            this.window = window;
        }
    }

    private final long[] watermarks;
    private final long[] finals;
    private final TreeMap<Long, TreeMap<KpiKey, Slot>> slots = new TreeMap<>();
    private long evictedBefore = Long.MIN_VALUE;
    private long tooLate;

    public WindowMerger(int partitions) {
        watermarks = new long[partitions];
        finals = new long[partitions];
        Arrays.fill(watermarks, EventClock.NONE);
        Arrays.fill(finals, EventClock.NONE);
    }

    /** Takes one partition's advance: its contributions and where its clock stands. */
    public void accept(int partition, List<ClosedWindow> contributions, long watermark, long finalBefore) {
        watermarks[partition] = Math.max(watermarks[partition], watermark);
        finals[partition] = Math.max(finals[partition], finalBefore);
        for (ClosedWindow c : contributions) {
            if (c.endMicros() <= evictedBefore) {
                // Every partition had declared this window final; a partition whose clock lagged that far
                // behind the others delivered it too late to count.
                tooLate += c.window().count();
                continue;
            }
            TreeMap<KpiKey, Slot> m = slots.computeIfAbsent(c.startMicros(), s -> new TreeMap<>());
            Slot s = m.get(c.key());
            if (s == null) {
                m.put(c.key(), new Slot(c.window()));
            } else {
                s.window.mergeWith(c.window());
                s.changed = true;
            }
        }
    }

    /** The windows that are due (new, or amended since last emitted), oldest first, then by key. */
    public List<MergedWindow> drain() {
        long wm = min(watermarks);
        List<MergedWindow> out = new ArrayList<>();
        for (Map.Entry<Long, TreeMap<KpiKey, Slot>> e : slots.headMap(wm == EventClock.NONE ? Long.MIN_VALUE : wm - SPAN, true).entrySet()) {
            for (Map.Entry<KpiKey, Slot> w : e.getValue().entrySet()) {
                Slot s = w.getValue();
                if (s.changed) {
                    s.changed = false;
                    s.revision++;
                    out.add(new MergedWindow(w.getKey(), e.getKey(), s.window, s.revision));
                }
            }
        }
        long fin = min(finals);
        if (fin != EventClock.NONE) {
            // Windows ending at or before the final line can change no more: forget them.
            while (!slots.isEmpty() && slots.firstKey() + SPAN <= fin && allEmitted(slots.firstEntry().getValue())) {
                slots.pollFirstEntry();
            }
            evictedBefore = Math.max(evictedBefore, slots.isEmpty() ? fin : Math.min(fin, slots.firstKey()));
        }
        return out;
    }

    private static boolean allEmitted(TreeMap<KpiKey, Slot> m) {
        for (Slot s : m.values()) {
            if (s.changed) {
                return false;
            }
        }
        return true;
    }

    /**
     * The slowest partition's value; NONE while any partition has not reported. (Skipping those, as this once
     * did, let a partition that ran ahead have a window forgotten before a slower one handed in its part: the
     * part was then dropped as too late, or not, depending on thread timing.)
     */
    private static long min(long[] values) {
        long m = Long.MAX_VALUE;
        for (long v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    public long watermark() {
        return min(watermarks);
    }

    /** Event counts in contributions that came after every partition had declared their window final. */
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

    public void write(DataOutput out) throws IOException {
        out.writeInt(watermarks.length);
        for (int i = 0; i < watermarks.length; i++) {
            out.writeLong(watermarks[i]);
            out.writeLong(finals[i]);
        }
        out.writeLong(evictedBefore);
        out.writeLong(tooLate);
        out.writeInt(windows());
        for (Map.Entry<Long, TreeMap<KpiKey, Slot>> e : slots.entrySet()) {
            for (Map.Entry<KpiKey, Slot> w : e.getValue().entrySet()) {
                out.writeLong(e.getKey());
                w.getKey().write(out);
                Slot s = w.getValue();
                out.writeInt(s.revision);
                out.writeBoolean(s.changed);
                s.window.write(out);
            }
        }
    }

    /** Replaces this merger's state with what {@link #write} wrote. */
    public void read(DataInput in) throws IOException {
        slots.clear();
        int n = in.readInt();
        if (n != watermarks.length) {
            throw new IOException("the snapshot has " + n + " partitions, this runtime " + watermarks.length);
        }
        for (int i = 0; i < n; i++) {
            watermarks[i] = in.readLong();
            finals[i] = in.readLong();
        }
        evictedBefore = in.readLong();
        tooLate = in.readLong();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            long start = in.readLong();
            KpiKey key = KpiKey.read(in);
            int revision = in.readInt();
            boolean changed = in.readBoolean();
            Slot s = new Slot(KpiWindow.read(in));
            s.revision = revision;
            s.changed = changed;
            slots.computeIfAbsent(start, x -> new TreeMap<>()).put(key, s);
        }
    }
}
