package dev.vigil.correlate;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A business process as declared in vigil.yaml: which activities (event names) belong to it, which one
 * starts a case, which end one, which correlation keys link its events, and after how long without
 * progress an unfinished case counts as stuck.
 *
 * @param keys correlation keys that link events of this process, in order of preference; other keys an
 *             event carries (a customer id shared by many orders) do not join cases
 */
public record ProcessDef(String name, List<String> activities, String start, Set<String> ends, List<String> keys,
                         long stuckAfterMicros) implements java.io.Serializable {

    public ProcessDef {
        Objects.requireNonNull(name, "name");
        activities = List.copyOf(activities);
        ends = Set.copyOf(ends);
        keys = List.copyOf(keys);
        if (activities.isEmpty() || keys.isEmpty()) {
            throw new IllegalArgumentException("a process needs activities and keys");
        }
        if (start != null && !activities.contains(start)) {
            throw new IllegalArgumentException("start activity " + start + " is not one of the activities");
        }
        if (!activities.containsAll(ends)) {
            throw new IllegalArgumentException("end activities must be among the activities");
        }
        if (stuckAfterMicros <= 0) {
            throw new IllegalArgumentException("stuck timeout must be > 0");
        }
    }
}
