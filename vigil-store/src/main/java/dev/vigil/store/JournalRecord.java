package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.Rejection;
import java.util.List;
import java.util.Map;

/**
 * One group commit as the journal file holds it: its record number (consecutive, from 1), the events with
 * consecutive sequence numbers from {@code firstSeq} and their attributes as JSON, and the counts of
 * items refused beside them.
 */
record JournalRecord(long recordNo, long firstSeq, long ingestedMicros, List<Event> events, List<String> attributesJson,
                     Map<Rejection.Code, Long> rejections) {

    /** A record written while nothing arrived: no events and no refused items, only its time. */
    boolean isTick() {
        return events.isEmpty() && rejections.isEmpty();
    }

    long lastSeq() {
        return firstSeq + events.size() - 1;
    }
}
