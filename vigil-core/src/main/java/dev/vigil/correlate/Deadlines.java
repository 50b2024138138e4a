package dev.vigil.correlate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Cases waiting for an event-time deadline (their stuck time, or the time after which no late event can
 * change them), handed out once the watermark passes it.
 *
 * <p>A binary heap of a million deadlines made each event pay twenty cache misses; deadlines instead go
 * into buckets of about a second of event time, kept in arrival order, so adding is an append. Deadlines
 * nearly always arrive in about the order they fall due, so a handful of buckets exist at a time.
 *
 * <p>The watermark moves at every event, and most moves stop inside the oldest second. A bucket the limit
 * reaches into is therefore poured into a small binary heap (a second's worth of deadlines): a move that makes
 * nothing due then costs one comparison with the heap's top, and each due case a pop. What the correlator
 * does with a due case does not depend on the order in which cases fall due within one drain.
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
                at = Arrays.copyOf(at, size * 2);
                states = Arrays.copyOf(states, size * 2);
            }
            at[size] = when;
            states[size++] = s;
        }
    }

    /** Buckets the limit has not reached yet, by second. */
    private final TreeMap<Long, Bucket> later = new TreeMap<>();
    /** Deadlines of the seconds the limit has reached into: a binary min-heap on {@code heapAt}. */
    private long[] heapAt = new long[64];
    private CaseState[] heapStates = new CaseState[64];
    private int heapSize;
    /** Seconds up to this one are in the heap; a deadline added for them goes there too. */
    private long activeThrough = Long.MIN_VALUE;

    private record Deferred(long at, CaseState state) {
    }

    private final List<Deferred> deferred = new ArrayList<>();
    private boolean handing;
    private int size;

    /** Forgets every deadline (a restore replaces what was here). */
    void clear() {
        later.clear();
        Arrays.fill(heapStates, 0, heapSize, null);
        heapSize = 0;
        activeThrough = Long.MIN_VALUE;
        deferred.clear();
        size = 0;
    }

    void add(long at, CaseState state) {
        if (handing) {
            // A handler re-queues while the heap is being read: add once that is over.
            deferred.add(new Deferred(at, state));
            return;
        }
        long second = at >> SHIFT;
        if (second <= activeThrough) {
            push(at, state);
        } else {
            later.computeIfAbsent(second, b -> new Bucket()).add(at, state);
        }
        size++;
    }

    /**
     * Hands every case whose deadline is at or before {@code limit} (before it, when {@code strictly}) to
     * {@code handler}, and forgets it here; the handler may add deadlines again.
     */
    void drain(long limit, boolean strictly, Handler handler) {
        while (!later.isEmpty()) {
            long second = later.firstKey();
            long start = second << SHIFT;
            if (strictly ? start >= limit : start > limit) {
                break;
            }
            Bucket b = later.pollFirstEntry().getValue();
            for (int i = 0; i < b.size; i++) {
                push(b.at[i], b.states[i]);
            }
            activeThrough = Math.max(activeThrough, second);
        }
        if (heapSize == 0 || (strictly ? heapAt[0] >= limit : heapAt[0] > limit)) {
            return; // the usual case: the watermark moved, nothing fell due
        }
        handing = true;
        try {
            while (heapSize > 0 && (strictly ? heapAt[0] < limit : heapAt[0] <= limit)) {
                long at = heapAt[0];
                CaseState s = heapStates[0];
                pop();
                size--;
                handler.due(at, s);
            }
        } finally {
            handing = false;
        }
        for (Deferred d : deferred) {
            add(d.at(), d.state());
        }
        deferred.clear();
    }

    int size() {
        return size;
    }

    private void push(long at, CaseState s) {
        if (heapSize == heapAt.length) {
            heapAt = Arrays.copyOf(heapAt, heapSize * 2);
            heapStates = Arrays.copyOf(heapStates, heapSize * 2);
        }
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heapAt[parent] <= at) {
                break;
            }
            heapAt[i] = heapAt[parent];
            heapStates[i] = heapStates[parent];
            i = parent;
        }
        heapAt[i] = at;
        heapStates[i] = s;
    }

    private void pop() {
        int n = --heapSize;
        long at = heapAt[n];
        CaseState s = heapStates[n];
        heapStates[n] = null;
        if (n == 0) {
            return;
        }
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && heapAt[child + 1] < heapAt[child]) {
                child++;
            }
            if (heapAt[child] >= at) {
                break;
            }
            heapAt[i] = heapAt[child];
            heapStates[i] = heapStates[child];
            i = child;
        }
        heapAt[i] = at;
        heapStates[i] = s;
    }
}
