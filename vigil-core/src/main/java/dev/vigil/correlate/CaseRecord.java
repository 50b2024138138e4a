package dev.vigil.correlate;

import java.util.List;
import java.util.Map;

/**
 * A business transaction as the correlator sees it now.
 *
 * @param id         stable id: derived from the case's earliest event and its first declared key, so the
 *                   same events give the same id whatever order they came in
 * @param path       activities in event-time order (ties: the process's declared order)
 * @param keys       every correlation key value the case is known by, key name to values
 * @param outcome    {@code error} when any of its events failed, else {@code ok}
 */
public record CaseRecord(String id, String process, CaseStatus status, String outcome, long firstMicros,
                         long lastMicros, List<String> path, Map<String, List<String>> keys, int events,
                         int failedEvents) {

    public long durationMicros() {
        return lastMicros - firstMicros;
    }
}
