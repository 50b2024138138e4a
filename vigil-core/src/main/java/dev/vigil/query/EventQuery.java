package dev.vigil.query;

import java.util.Objects;

/**
 * A page request over stored events. All filters are optional and combine with AND.
 *
 * @param source     only events from this source
 * @param name       only events with this activity or operation name
 * @param keyName    with {@code keyValue}: only events carrying this correlation key and value
 * @param keyValue   see {@code keyName}
 * @param fromMicros inclusive lower bound on event time, or {@code null}
 * @param toMicros   exclusive upper bound on event time, or {@code null}
 * @param limit      the most events in one page
 * @param newestFirst order by event time descending instead of ascending
 * @param after      where the previous page ended, or {@code null} for the first page
 */
public record EventQuery(
        String source,
        String name,
        String keyName,
        String keyValue,
        Long fromMicros,
        Long toMicros,
        int limit,
        boolean newestFirst,
        PageCursor after) {

    public static final int MAX_LIMIT = 10_000;
    public static final int DEFAULT_LIMIT = 100;

    public EventQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ": " + limit);
        }
        if ((keyName == null) != (keyValue == null)) {
            throw new IllegalArgumentException("a correlation filter needs both a key name and a value");
        }
        if (after != null && after.newestFirst() != newestFirst) {
            throw new IllegalArgumentException("the cursor was made for the other order");
        }
    }

    public static EventQuery all(int limit) {
        return new EventQuery(null, null, null, null, null, null, limit, false, null);
    }

    public EventQuery next(PageCursor cursor) {
        return new EventQuery(source, name, keyName, keyValue, fromMicros, toMicros, limit, newestFirst,
                Objects.requireNonNull(cursor));
    }
}
