package dev.vigil.summarise;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The summarise operator: folds events into one-minute tumbling windows per KPI series and hands out the
 * windows the watermark has passed. Owns its state; no threads, no clock: the runtime feeds it events and
 * watermarks, so the embedded runtime, a Flink job and a test drive the very same code.
 *
 * <p>Series per event: calls count under (service, operation); every event under (service, unit); any
 * event with a peer under (peer) and (service, peer); any event with a business unit under (unit); an
 * activity of a process under (process, activity), the process named by the order stage, which finds it from
 * the declared processes ({@link #accept(Event, String)}).
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
    private final TreeMap<Long, Minute> open = new TreeMap<>();
    /** Late additions to windows already handed out, by start. */
    private final TreeMap<Long, Minute> amends = new TreeMap<>();
    private long closedBefore = Long.MIN_VALUE;
    private long finalBefore = Long.MIN_VALUE;
    private long tooLate;

    /**
     * The finest grain an event is counted at: one window per distinct (kind is call, source, operation,
     * unit, peer, process). Every series of an event is a roll-up of cells, made when the minute is handed
     * out, so an event costs one lookup and one sketch insert however many series it feeds: the estate's
     * service and call series came for free this way, where folding each series as it came halved the
     * operator's speed. The name is kept only where a series needs it (calls' operations, processes'
     * activities), so other events do not multiply cells.
     *
     * <p>A class rather than a record so that a lookup can reuse one probe (see {@link #probe}) instead of
     * making a key per event, and so that its hash is computed once, by hand (a record's generated
     * {@code hashCode} combines six fields through a method handle on every lookup).
     */
    static final class Cell {
        boolean call;
        String source;
        String name;
        String unit;
        String peer;
        String process;
        int hash;

        Cell set(boolean call, String source, String name, String unit, String peer, String process) {
            this.call = call;
            this.source = source;
            this.name = name;
            this.unit = unit;
            this.peer = peer;
            this.process = process;
            int h = source.hashCode() * 31 + name.hashCode();
            h = h * 31 + java.util.Objects.hashCode(unit);
            h = h * 31 + java.util.Objects.hashCode(peer);
            h = h * 31 + java.util.Objects.hashCode(process);
            this.hash = call ? h : ~h;
            return this;
        }

        Cell set(Event e, String process) {
            boolean call = e.kind() == EventKind.CALL;
            return set(call, e.source(), call || process != null ? e.name() : "", e.unit(), e.peer(), process);
        }

        Cell copy() {
            return new Cell().set(call, source, name, unit, peer, process);
        }

        /**
         * Name and source first: they tell most cells apart, and are usually the very same strings. The table
         * compares hashes before calling this.
         */
        boolean sameAs(Cell o) {
            return call == o.call && same(name, o.name) && same(source, o.source)
                    && same(unit, o.unit) && same(peer, o.peer) && same(process, o.process);
        }

        private static boolean same(String a, String b) {
            return a == b || (a != null && a.equals(b));
        }

        /** The series this cell's events belong to (see the class comment). */
        void forEachSeries(Consumer<KpiKey> to) {
            if (call) {
                to.accept(new KpiKey(Dimension.SERVICE_OPERATION, source, name));
            }
            to.accept(new KpiKey(Dimension.SERVICE, source, unit));
            if (peer != null) {
                to.accept(KpiKey.of(Dimension.PEER, peer));
                to.accept(new KpiKey(Dimension.CALL, source, peer));
            }
            if (unit != null) {
                to.accept(KpiKey.of(Dimension.UNIT, unit));
            }
            if (process != null) {
                to.accept(new KpiKey(Dimension.PROCESS_ACTIVITY, process, name));
            }
        }
    }

    /**
     * One minute's windows, one per cell, in an open-addressing table: the hashes sit in an array of their own,
     * so that a probe reads a cell only when its hash matches (the lookup was a third of the operator's time in
     * a {@code HashMap}, mostly in chasing its nodes to compare keys).
     */
    static final class Minute {
        private int[] hashes = new int[64];
        private Cell[] cells = new Cell[64];
        private KpiWindow[] windows = new KpiWindow[64];
        private int size;

        /** The window of this cell, made (and the cell copied) when it is the first of its kind. */
        KpiWindow windowOf(Cell probe) {
            int mask = cells.length - 1;
            int i = spread(probe.hash) & mask;
            while (true) {
                Cell c = cells[i];
                if (c == null) {
                    KpiWindow w = new KpiWindow();
                    put(i, probe.copy(), w);
                    return w;
                }
                if (hashes[i] == probe.hash && c.sameAs(probe)) {
                    return windows[i];
                }
                i = (i + 1) & mask;
            }
        }

        /** Adds a cell's window to the one held for it (restoring a snapshot). */
        void merge(Cell cell, KpiWindow w) {
            KpiWindow held = windowOf(cell);
            held.mergeWith(w);
        }

        private void put(int i, Cell c, KpiWindow w) {
            hashes[i] = c.hash;
            cells[i] = c;
            windows[i] = w;
            if (++size * 2 > cells.length) {
                grow();
            }
        }

        private void grow() {
            Cell[] oldCells = cells;
            KpiWindow[] oldWindows = windows;
            hashes = new int[oldCells.length * 2];
            cells = new Cell[oldCells.length * 2];
            windows = new KpiWindow[oldCells.length * 2];
            int mask = cells.length - 1;
            for (int j = 0; j < oldCells.length; j++) {
                Cell c = oldCells[j];
                if (c != null) {
                    int i = spread(c.hash) & mask;
                    while (cells[i] != null) {
                        i = (i + 1) & mask;
                    }
                    hashes[i] = c.hash;
                    cells[i] = c;
                    windows[i] = oldWindows[j];
                }
            }
        }

        private static int spread(int h) {
            return (h ^ (h >>> 16)) * 0x9E3779B1;
        }

        int size() {
            return size;
        }

        void forEach(java.util.function.BiConsumer<Cell, KpiWindow> to) {
            for (int i = 0; i < cells.length; i++) {
                if (cells[i] != null) {
                    to.accept(cells[i], windows[i]);
                }
            }
        }

        /** Every series of the minute, by key; copies, so the minute itself is left as it was. */
        TreeMap<KpiKey, KpiWindow> rollUp() {
            TreeMap<KpiKey, KpiWindow> out = new TreeMap<>();
            forEach((cell, w) -> cell.forEachSeries(key -> add(out, key, w)));
            return out;
        }

        private static void add(Map<KpiKey, KpiWindow> out, KpiKey key, KpiWindow w) {
            KpiWindow into = out.get(key);
            if (into == null) {
                out.put(key, w.copy());
            } else {
                into.mergeWith(w);
            }
        }
    }

    /** The one key every lookup fills in: the operator runs on one thread, and a lookup keeps no reference to it. */
    private final Cell probe = new Cell();
    /**
     * The open minute the last event went to: events come mostly in time order, so most find their minute here
     * without a search of {@link #open}. Forgotten whenever a minute leaves {@link #open}.
     */
    private long lastStart = Long.MIN_VALUE;
    private Minute lastMinute;

    /** Folds one event into the windows of its series. */
    public void accept(Event e) {
        accept(e, null);
    }

    /**
     * Folds one event into the windows of its series, and under (process, activity) when the correlation
     * stage found it to be an activity of that process.
     */
    public void accept(Event e, String process) {
        Minute m = minuteOf(e.timeMicros());
        if (m != null) {
            m.windowOf(probe.set(e, process)).accept(e.durationMicros() == null ? -1 : e.durationMicros(), e.failed());
        }
    }

    /** The open window or the amendment an observation at this time goes to; null (and counted) if too late. */
    private Minute minuteOf(long timeMicros) {
        long start = span.startOf(timeMicros);
        if (start == lastStart) {
            return lastMinute;
        }
        if (start + span.micros() > closedBefore) {
            lastStart = start;
            lastMinute = open.computeIfAbsent(start, s -> new Minute());
            return lastMinute;
        }
        if (start + span.micros() <= finalBefore) {
            tooLate++;
            return null;
        }
        return amends.computeIfAbsent(start, s -> new Minute());
    }

    /**
     * Tells a summariser restored from a snapshot where time stood when the snapshot was taken, handing nothing out:
     * what it holds back (amendments) it hands out at the next move of time, as the summariser that was snapshotted
     * would have, not at once.
     */
    public void prime(long watermarkMicros, long finalBeforeMicros) {
        closedBefore = Math.max(closedBefore, span.startOf(watermarkMicros));
        finalBefore = Math.max(finalBefore, Math.min(finalBeforeMicros, watermarkMicros));
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
        advance(watermarkMicros, finalBeforeMicros, out);
        return out;
    }

    /**
     * As {@link #advance(long, long)}, adding to {@code out}: cheap when nothing is due, so that it can run at
     * every move of the watermark.
     */
    public void advance(long watermarkMicros, long finalBeforeMicros, List<ClosedWindow> out) {
        if (!amends.isEmpty()) {
            drain(amends, Long.MAX_VALUE, out);
        }
        drain(open, watermarkMicros, out);
        closedBefore = Math.max(closedBefore, span.startOf(watermarkMicros));
        finalBefore = Math.max(finalBefore, Math.min(finalBeforeMicros, watermarkMicros));
    }

    private void drain(TreeMap<Long, Minute> windows, long before, List<ClosedWindow> out) {
        while (!windows.isEmpty() && windows.firstKey() + span.micros() <= before) {
            Map.Entry<Long, Minute> first = windows.pollFirstEntry();
            if (first.getValue() == lastMinute) {
                lastStart = Long.MIN_VALUE;
                lastMinute = null;
            }
            first.getValue().rollUp().forEach((key, w) -> out.add(new ClosedWindow(key, span, first.getKey(), w)));
        }
    }

    /**
     * Writes the windows held (open, and amendments not yet handed out) source by source: the state of each
     * source's cells, which is what a runtime keyed by source snapshots and may restore on another instance.
     * Where the watermark stands is not written: the runtime tells a restored summariser again.
     */
    public void snapshotBySource(java.util.function.BiConsumer<String, byte[]> sink) {
        Map<String, java.io.ByteArrayOutputStream> bySource = new TreeMap<>();
        Map<String, java.io.DataOutputStream> outs = new HashMap<>();
        try {
            writeCells(open, 'o', bySource, outs);
            writeCells(amends, 'a', bySource, outs);
            for (Map.Entry<String, java.io.ByteArrayOutputStream> e : bySource.entrySet()) {
                outs.get(e.getKey()).flush();
                sink.accept(e.getKey(), e.getValue().toByteArray());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("writing into memory cannot fail", e);
        }
    }

    private static void writeCells(TreeMap<Long, Minute> windows, char which, Map<String, java.io.ByteArrayOutputStream> bySource,
                                   Map<String, java.io.DataOutputStream> outs) throws java.io.IOException {
        for (Map.Entry<Long, Minute> m : windows.entrySet()) {
            Minute minute = m.getValue();
            for (int i = 0; i < minute.cells.length; i++) {
                Cell cell = minute.cells[i];
                if (cell == null) {
                    continue;
                }
                java.io.DataOutputStream out = outs.computeIfAbsent(cell.source, s -> {
                    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                    bySource.put(s, b);
                    return new java.io.DataOutputStream(b);
                });
                out.writeByte(which);
                out.writeLong(m.getKey());
                out.writeBoolean(cell.call);
                out.writeUTF(cell.name);
                writeNullable(out, cell.unit);
                writeNullable(out, cell.peer);
                writeNullable(out, cell.process);
                minute.windows[i].write(out);
            }
        }
    }

    /** Takes in one source's cells as {@link #snapshotBySource} wrote them (call before any advance). */
    public void restoreSource(String source, java.io.DataInputStream in) throws java.io.IOException {
        while (in.available() > 0) {
            int which = in.readByte();
            long start = in.readLong();
            Cell cell = new Cell().set(in.readBoolean(), source, in.readUTF(), readNullable(in), readNullable(in),
                    readNullable(in));
            KpiWindow w = KpiWindow.read(in);
            TreeMap<Long, Minute> into = switch (which) {
                case 'o' -> open;
                case 'a' -> amends;
                default -> throw new java.io.IOException("unknown window kind " + which);
            };
            into.computeIfAbsent(start, s -> new Minute()).merge(cell, w);
        }
    }

    private static void writeNullable(java.io.DataOutput out, String s) throws java.io.IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(java.io.DataInput in) throws java.io.IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    /** Where the oldest open window ends: an advance with a watermark at or past it hands out windows. */
    public long nextCloseMicros() {
        return open.isEmpty() ? Long.MAX_VALUE : open.firstKey() + span.micros();
    }

    /** Windows held open: cells, not yet rolled up into the series they feed. */
    public int openWindows() {
        int n = 0;
        for (Minute m : open.values()) {
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
