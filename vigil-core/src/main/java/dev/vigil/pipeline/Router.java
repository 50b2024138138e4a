package dev.vigil.pipeline;

import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the partition of each event so that all events of a case meet in one partition, even when the
 * case changes keys on the way (an order becomes a shipment).
 *
 * <p>The router keeps the connected components of correlation key values per process (a union-find
 * with direct pointers: merging relabels the smaller side). A new component goes to the partition its
 * first key hashes to. When an event links two components that live in different partitions, the smaller
 * one's case must move: the router says so with a {@link Move}, the runtime has the old partition
 * release the case and the new one adopt it; the correlator merges it with whatever arrived there
 * meanwhile. Events of no process (plain calls) spread over partitions by sequence number.
 *
 * <p>Components older than the retention (in event time: the longest stuck timeout plus the maximum
 * lateness and a margin, so always longer than a partition keeps the case) are forgotten.
 */
public final class Router {

    /** Hand the case known by {@code compositeKey} from one partition to another. */
    public record Move(int from, int to, int process, String compositeKey) {
    }

    /**
     * An event with what routing found out about it, so that the partition need not look again.
     *
     * @param seq       its sequence number in the journal
     * @param partition where it goes
     * @param location {process, activity} indexes, or null when the event belongs to no process
     * @param keys     its values for the process's declared keys (composite), empty when none
     */
    public record Routed(Event event, long seq, int partition, int[] location, List<String> keys) {
    }

    private static final class Component {
        int partition;
        long lastMicros;
        final ArrayList<String> keys = new ArrayList<>(2);
        boolean dead;
        boolean queued;
    }

    private final Processes processes;
    private final int partitions;
    private final long retentionMicros;
    private final List<Map<String, Component>> byKey = new ArrayList<>();
    private final ArrayDeque<Component> age = new ArrayDeque<>();
    private long maxMicros = Long.MIN_VALUE;
    private long routed;
    private int components;

    public Router(Processes processes, int partitions, long retentionMicros) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1");
        }
        this.processes = processes;
        this.partitions = partitions;
        this.retentionMicros = retentionMicros;
        for (int i = 0; i < processes.size(); i++) {
            byKey.add(new HashMap<>());
        }
    }

    /**
     * Routes an event; moves the runtime must make before delivering it are added to {@code moves}.
     *
     * @param seq the event's ingest sequence number: spreads events of no process deterministically
     */
    public Routed route(Event e, long seq, List<Move> moves) {
        int[] at = processes.locate(e.name());
        List<String> keys = at == null ? List.of() : Partition.keysOf(e, processes.get(at[0]));
        return new Routed(e, seq, partition(e, seq, at, keys, moves), at, keys);
    }

    private int partition(Event e, long seq, int[] at, List<String> keys, List<Move> moves) {
        routed++;
        if (e.timeMicros() > maxMicros) {
            maxMicros = e.timeMicros();
        }
        if ((routed & 4095) == 0) {
            sweep();
        }
        if (partitions == 1) {
            // Nothing to keep together: one partition holds every case, and remembering keys costs memory.
            return 0;
        }
        if (keys.isEmpty()) {
            return (int) Long.remainderUnsigned(seq, partitions);
        }
        Map<String, Component> index = byKey.get(at[0]);
        Component target = null;
        for (String k : keys) {
            Component c = index.get(k);
            if (c != null && c != target) {
                target = target == null ? c : union(at[0], target, c, moves);
            }
        }
        if (target == null) {
            target = new Component();
            target.partition = partitionOf(keys.get(0));
            target.lastMicros = e.timeMicros();
            components++;
        }
        for (String k : keys) {
            if (index.putIfAbsent(k, target) == null) {
                target.keys.add(k);
            }
        }
        target.lastMicros = Math.max(target.lastMicros, e.timeMicros());
        if (!target.queued) {
            target.queued = true;
            age.addLast(target);
        }
        return target.partition;
    }

    private Component union(int process, Component a, Component b, List<Move> moves) {
        Component keep = a.keys.size() >= b.keys.size() ? a : b;
        Component gone = keep == a ? b : a;
        if (gone.partition != keep.partition) {
            moves.add(new Move(gone.partition, keep.partition, process, gone.keys.get(0)));
        }
        Map<String, Component> index = byKey.get(process);
        for (String k : gone.keys) {
            index.put(k, keep);
            keep.keys.add(k);
        }
        keep.lastMicros = Math.max(keep.lastMicros, gone.lastMicros);
        gone.dead = true;
        components--;
        return keep;
    }

    private int partitionOf(String compositeKey) {
        int h = compositeKey.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return Math.floorMod(h, partitions);
    }

    private void sweep() {
        long cutoff = maxMicros - retentionMicros;
        int budget = age.size();
        while (budget-- > 0 && !age.isEmpty()) {
            Component c = age.peekFirst();
            if (c.dead) {
                age.pollFirst();
                continue;
            }
            if (c.lastMicros >= cutoff) {
                // Young, or touched since it was queued: move it to the back and look at the next one only
                // if it is old enough to matter; the queue is roughly ordered by last touch.
                age.pollFirst();
                age.addLast(c);
                if (c.lastMicros >= cutoff + retentionMicros / 2) {
                    return;
                }
                continue;
            }
            age.pollFirst();
            c.queued = false;
            c.dead = true;
            components--;
            for (Map<String, Component> index : byKey) {
                for (String k : c.keys) {
                    index.remove(k, c);
                }
            }
        }
    }

    public int components() {
        return components;
    }

    public void write(DataOutput out) throws IOException {
        out.writeLong(maxMicros);
        out.writeLong(routed);
        for (Map<String, Component> index : byKey) {
            java.util.IdentityHashMap<Component, Boolean> seen = new java.util.IdentityHashMap<>();
            List<Component> list = new ArrayList<>();
            for (Component c : index.values()) {
                if (seen.put(c, Boolean.TRUE) == null) {
                    list.add(c);
                }
            }
            out.writeInt(list.size());
            for (Component c : list) {
                out.writeInt(c.partition);
                out.writeLong(c.lastMicros);
                out.writeInt(c.keys.size());
                for (String k : c.keys) {
                    out.writeUTF(k);
                }
            }
        }
    }

    /** Replaces this router's state with what {@link #write} wrote. */
    public void read(DataInput in) throws IOException {
        byKey.forEach(Map::clear);
        age.clear();
        components = 0;
        maxMicros = in.readLong();
        routed = in.readLong();
        for (Map<String, Component> index : byKey) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                Component c = new Component();
                c.partition = in.readInt();
                c.lastMicros = in.readLong();
                int nk = in.readInt();
                for (int j = 0; j < nk; j++) {
                    String k = in.readUTF();
                    c.keys.add(k);
                    index.put(k, c);
                }
                c.queued = true;
                age.addLast(c);
                components++;
            }
        }
    }
}
