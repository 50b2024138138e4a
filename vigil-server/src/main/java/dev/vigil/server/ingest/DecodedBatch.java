package dev.vigil.server.ingest;

import dev.vigil.event.Event;
import dev.vigil.event.Rejection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The items of one request body: the valid events (among them {@code uninterpreted} objects no rule
 * matched, kept as they came), and a rejection for every other item.
 */
public record DecodedBatch(List<Event> events, List<Rejection> rejections, int uninterpreted) {

    public int items() {
        return events.size() + rejections.size();
    }

    public Map<Rejection.Code, Integer> rejectionCounts() {
        return countByCode(rejections);
    }

    /** How many rejections of each code: what the store counts per request. */
    public static Map<Rejection.Code, Integer> countByCode(List<Rejection> rejections) {
        Map<Rejection.Code, Integer> counts = new EnumMap<>(Rejection.Code.class);
        for (Rejection r : rejections) {
            counts.merge(r.code(), 1, Integer::sum);
        }
        return counts;
    }
}
