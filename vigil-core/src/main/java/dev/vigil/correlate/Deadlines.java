package dev.vigil.correlate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cases waiting for an event-time deadline (their stuck time, or the time after which no late event can
 * change them), handed out once the watermark passes it.
 *
 * <p>A binary heap of a million deadlines made each event pay twenty cache misses; deadlines instead go
 * into buckets of about a second of event time, kept in arrival order. Deadlines nearly always arrive in
 * about the order they fall due, so a handful of buckets exist at a time and adding is an append. Within a
 * bucket the order is arrival order: what the correlator does with a due case does not depend on it.
 */
final class Deadlines {

    /** Bucket width: 2^20 µs, about one second of event time. */
    private static final int SHIFT = 20;

    /** What to do with a case whose deadline has passed. */
    interface Handler {
        void due(long at, CaseState state);
    }

    private static final class Bucket {
        long[] at = new long[16];
        CaseState[] states = new CaseState[16];
        int size;

        void add(long when, CaseState s) {
            if (size == at.length) {
                at = java.util.Arrays.copyOf(at, size * 2);
                states = java.util.Arrays.copyOf(states, size * 2);
            }
            at[size] = when;
            states[size++] = s;
        }
    }

    private final TreeMap<Long, Bucket> buckets = new TreeMap<>();
    private record Deferred(long at, CaseState state) {
    }

    private final List<Deferred> deferred = new ArrayList<>();
    private boolean handing;
    private int size;

    /** Forgets every deadline (a restore replaces what was here). */
    void clear() {
        buckets.clear();
        deferred.clear();
        size = 0;
    }

    void add(long at, CaseState state) {
        if (handing) {
            // A handler re-queues while its bucket is being read: add once that is over.
            deferred.add(new Deferred(at, state));
            return;
        }
        buckets.computeIfAbsent(at >> SHIFT, b -> new Bucket()).add(at, state);
        size++;
    }

    /**
     * Hands every case whose deadline is at or before {@code limit} (before it, when {@code strictly}) to
     * {@code handler}, and forgets it here; the handler may add deadlines again.
     */
    void drain(long limit, boolean strictly, Handler handler) {
        while (!buckets.isEmpty()) {
            Map.Entry<Long, Bucket> first = buckets.firstEntry();
            long bucketStart = first.getKey() << SHIFT;
            if (strictly ? bucketStart >= limit : bucketStart > limit) {
                break;
            }
            buckets.pollFirstEntry();
            Bucket b = first.getValue();
            Bucket kept = null;
            handing = true;
            try {
                for (int i = 0; i < b.size; i++) {
                    long at = b.at[i];
                    if (strictly ? at < limit : at <= limit) {
                        size--;
                        handler.due(at, b.states[i]);
                    } else {
                        if (kept == null) {
                            kept = new Bucket();
                        }
                        kept.add(at, b.states[i]);
                    }
                }
            } finally {
                handing = false;
            }
            if (kept != null) {
                buckets.put(first.getKey(), kept);
            }
            for (Deferred d : deferred) {
                add(d.at(), d.state());
            }
            deferred.clear();
            if (kept != null) {
                // This bucket holds the limit: every later one starts after it.
                break;
            }
        }
    }

    int size() {
        return size;
    }
}
