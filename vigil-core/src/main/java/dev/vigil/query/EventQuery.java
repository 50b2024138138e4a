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
 * @param peer       only calls to this peer (a supplier, a called service)
 * @param outcome    only events with this outcome ({@code ok}, {@code error}, {@code timeout}), or {@code failed} for
 *                   either of the last two: a chart's bad minute drilled into
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
        PageCursor after,
        String peer,
        String outcome) {

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
        if (outcome != null && !OUTCOMES.contains(outcome)) {
            throw new IllegalArgumentException("outcome must be one of " + OUTCOMES + ", not " + outcome);
        }
    }

    /** The outcomes a query may ask for: one outcome, or "failed" (error or timeout). */
    public static final java.util.List<String> OUTCOMES = java.util.List.of("ok", "error", "timeout", "failed");

    /** A query without a peer or outcome filter. */
    public EventQuery(String source, String name, String keyName, String keyValue, Long fromMicros, Long toMicros,
                      int limit, boolean newestFirst, PageCursor after) {
        this(source, name, keyName, keyValue, fromMicros, toMicros, limit, newestFirst, after, null, null);
    }

    public static EventQuery all(int limit) {
        return new EventQuery(null, null, null, null, null, null, limit, false, null);
    }

    public EventQuery next(PageCursor cursor) {
        return new EventQuery(source, name, keyName, keyValue, fromMicros, toMicros, limit, newestFirst,
                Objects.requireNonNull(cursor), peer, outcome);
    }
}
