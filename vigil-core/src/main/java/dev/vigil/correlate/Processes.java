package dev.vigil.correlate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The declared processes, indexed by activity name: an event name belongs to at most one process. */
public final class Processes {

    public static final Processes NONE = new Processes(List.of());

    private final List<ProcessDef> defs;
    private final Map<String, int[]> byActivity = new HashMap<>();

    public Processes(List<ProcessDef> defs) {
        this.defs = List.copyOf(defs);
        for (int p = 0; p < this.defs.size(); p++) {
            List<String> acts = this.defs.get(p).activities();
            for (int a = 0; a < acts.size(); a++) {
                int[] prev = byActivity.putIfAbsent(acts.get(a), new int[] {p, a});
                if (prev != null) {
                    throw new IllegalArgumentException("activity " + acts.get(a) + " is in two processes: "
                            + this.defs.get(prev[0]).name() + " and " + this.defs.get(p).name());
                }
            }
        }
    }

    /** {process index, activity index} of an event name, or null when no process has that activity. */
    public int[] locate(String activity) {
        return byActivity.get(activity);
    }

    /** The index of the process of that name, or -1. */
    public int indexOf(String name) {
        for (int p = 0; p < defs.size(); p++) {
            if (defs.get(p).name().equals(name)) {
                return p;
            }
        }
        return -1;
    }

    public ProcessDef get(int index) {
        return defs.get(index);
    }

    public int size() {
        return defs.size();
    }

    public List<ProcessDef> all() {
        return defs;
    }

    public long maxStuckAfterMicros() {
        long m = 0;
        for (ProcessDef d : defs) {
            m = Math.max(m, d.stuckAfterMicros());
        }
        return m;
    }
}
