package dev.vigil.correlate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The correlate operator: links events into cases through shared correlation keys and tells what changed.
 *
 * <p>A case is the set of events of one process connected by key values: an event carrying
 * {@code orderId=A} and {@code shipmentId=S} joins the case known by either, and if two cases were known
 * by them, they become one. The result depends only on the set of events, not on their arrival order:
 * paths are sorted by event time, the id comes from the earliest event, merges are unions.
 *
 * <p>Time is the watermark's: a case with no end activity whose last event is older than the process's
 * stuck timeout, by the watermark, is stuck. A case leaves memory once the watermark's final line
 * (no late event can change it any more) passes its last event (completed) or its stuck time (stuck).
 */
public final class Correlator {

    private final Processes processes;
    private final List<Map<String, CaseState>> byKey = new ArrayList<>();
    private final Deadlines stuckDue = new Deadlines();
    private final Deadlines evictDue = new Deadlines();
    private final ArrayList<CaseState> dirty = new ArrayList<>();
    private final ArrayList<CaseChange> retired = new ArrayList<>();
    private long watermark = Long.MIN_VALUE;
    private long finalBefore = Long.MIN_VALUE;
    private int open;

    public Correlator(Processes processes) {
        this.processes = processes;
        for (int i = 0; i < processes.size(); i++) {
            byKey.add(new HashMap<>());
        }
    }

    /** The composite key the correlator indexes a key value under. */
    public static String composite(String key, String value) {
        return key + '\0' + value;
    }

    /**
     * Folds one event of a process into its case.
     *
     * @param keys the event's values for the process's declared keys, as {@link #composite} strings, in
     *             declared order; empty when it carries none (then it joins no case)
     * @return whether the event joined a case
     */
    public boolean accept(int process, int activity, long timeMicros, boolean failed, List<String> keys) {
        if (keys.isEmpty()) {
            return false;
        }
        Map<String, CaseState> index = byKey.get(process);
        CaseState target = null;
        for (String k : keys) {
            CaseState s = index.get(k);
            if (s != null && s != target) {
                target = target == null ? s : merge(target, s);
            }
        }
        if (target == null) {
            target = new CaseState(process);
            open++;
        }
        for (String k : keys) {
            if (index.putIfAbsent(k, target) == null) {
                target.keys.add(k);
            }
        }
        boolean wasNew = target.size == 0;
        target.add(timeMicros, activity, failed, keys.get(0));
        ProcessDef def = processes.get(process);
        if (def.ends().contains(def.activities().get(activity)) && !target.completed) {
            target.completed = true;
            target.status = CaseStatus.COMPLETED;
            evictDue.add(target.lastMicros, target);
        } else if (target.status == CaseStatus.STUCK) {
            target.status = CaseStatus.OPEN;
            stuckDue.add(target.lastMicros + def.stuckAfterMicros(), target);
        } else if (wasNew) {
            stuckDue.add(target.lastMicros + def.stuckAfterMicros(), target);
        }
        markDirty(target);
        return true;
    }

    private CaseState merge(CaseState a, CaseState b) {
        CaseState keep = a.size >= b.size ? a : b;
        CaseState gone = keep == a ? b : a;
        Map<String, CaseState> index = byKey.get(keep.process);
        for (String k : gone.keys) {
            index.put(k, keep);
            keep.keys.add(k);
        }
        boolean wasCompleted = keep.completed;
        keep.absorb(gone);
        if (keep.completed && !wasCompleted) {
            keep.status = CaseStatus.COMPLETED;
            evictDue.add(keep.lastMicros, keep);
        } else if (!keep.completed) {
            keep.status = CaseStatus.OPEN;
            stuckDue.add(keep.lastMicros + processes.get(keep.process).stuckAfterMicros(), keep);
        }
        gone.alive = false;
        gone.absorbed = true;
        open--;
        if (gone.writtenId != null) {
            retired.add(new CaseChange.Retired(gone.writtenId));
        }
        markDirty(keep);
        return keep;
    }

    private void markDirty(CaseState s) {
        if (!s.dirty) {
            s.dirty = true;
            dirty.add(s);
        }
    }

    /** Moves time on: marks overdue cases stuck and forgets cases no late event can change any more. */
    public void advance(long watermarkMicros, long finalBeforeMicros) {
        watermark = Math.max(watermark, watermarkMicros);
        finalBefore = Math.max(finalBefore, finalBeforeMicros);
        stuckDue.drain(watermark, false, this::stuckTimeReached);
        evictDue.drain(finalBefore, true, this::finalLinePassed);
    }

    private void stuckTimeReached(long at, CaseState s) {
        if (!s.alive || s.completed || s.status == CaseStatus.STUCK) {
            return;
        }
        long due = s.lastMicros + processes.get(s.process).stuckAfterMicros();
        if (due > watermark) {
            stuckDue.add(due, s);
            return;
        }
        s.status = CaseStatus.STUCK;
        evictDue.add(due, s);
        markDirty(s);
    }

    private void finalLinePassed(long at, CaseState s) {
        if (!s.alive || s.status == CaseStatus.OPEN) {
            return;
        }
        long when = s.completed ? s.lastMicros : s.lastMicros + processes.get(s.process).stuckAfterMicros();
        if (when >= finalBefore) {
            evictDue.add(when, s);
            return;
        }
        forget(s);
    }

    private void forget(CaseState s) {
        Map<String, CaseState> index = byKey.get(s.process);
        for (String k : s.keys) {
            index.remove(k, s);
        }
        s.alive = false;
        open--;
    }

    /** The cases that changed since the last call, and ids that stopped naming a case, retired ones first. */
    public List<CaseChange> drainChanges() {
        List<CaseChange> out = new ArrayList<>(retired);
        retired.clear();
        for (CaseState s : dirty) {
            s.dirty = false;
            // A forgotten case is still written (it may have finished since the last call); an absorbed one
            // speaks through the case that took it in.
            if (!s.absorbed) {
                emit(s, out);
            }
        }
        dirty.clear();
        return out;
    }

    private void emit(CaseState s, List<CaseChange> out) {
        CaseRecord r = s.toRecord(processes.get(s.process));
        if (s.writtenId != null && !s.writtenId.equals(r.id())) {
            out.add(new CaseChange.Retired(s.writtenId));
        }
        s.writtenId = r.id();
        out.add(new CaseChange.Updated(r));
    }

    private void requeue(CaseState s) {
        ProcessDef def = processes.get(s.process);
        if (s.completed) {
            evictDue.add(s.lastMicros, s);
        } else if (s.status == CaseStatus.STUCK) {
            evictDue.add(s.lastMicros + def.stuckAfterMicros(), s);
        } else {
            stuckDue.add(s.lastMicros + def.stuckAfterMicros(), s);
        }
    }

    /** Cases in memory (open, and completed or stuck ones late events may still change). */
    public int cases() {
        return open;
    }

    /** Each case of a process in memory once (several keys point at the same case). */
    private List<CaseState> distinctStates(int process) {
        java.util.IdentityHashMap<CaseState, Boolean> seen = new java.util.IdentityHashMap<>();
        List<CaseState> states = new ArrayList<>();
        for (CaseState s : byKey.get(process).values()) {
            if (seen.put(s, Boolean.TRUE) == null) {
                states.add(s);
            }
        }
        return states;
    }

    /** Whether a process has cases in memory. */
    public boolean holds(int process) {
        return !byKey.get(process).isEmpty();
    }

    /**
     * Writes one process's cases: the state a runtime keyed by process snapshots. Drain the changes first: what
     * is waiting to be handed out is not state. Where the watermark stands is not written: the runtime tells a
     * restored correlator again.
     */
    public void write(int process, DataOutput out) throws IOException {
        if (!dirty.isEmpty() || !retired.isEmpty()) {
            throw new IllegalStateException("drain the correlator's changes before taking its snapshot");
        }
        List<CaseState> states = distinctStates(process);
        out.writeInt(states.size());
        for (CaseState s : states) {
            s.write(out);
        }
    }

    /** Takes in one process's cases as {@link #write(int, DataOutput)} wrote them (call before any advance). */
    public void read(int process, DataInput in) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            CaseState s = CaseState.read(in);
            if (s.process != process) {
                throw new IOException("a case of process " + s.process + " in the state of process " + process);
            }
            for (String k : s.keys) {
                byKey.get(s.process).put(k, s);
            }
            open++;
            requeue(s);
        }
    }
}
