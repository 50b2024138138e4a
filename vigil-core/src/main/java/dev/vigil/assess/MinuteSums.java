package dev.vigil.assess;

import java.util.Map;
import java.util.TreeMap;

/**
 * Good and total per minute with sums over any range in O(log n) (a Fenwick tree), so that judging
 * seven alert windows every minute over a month of minutes stays cheap. Minutes may be set again (a
 * revised window); minutes before a horizon can be dropped, which rebuilds the tree from the minutes kept.
 */
final class MinuteSums {

    private static final long MINUTE = 60_000_000L;

    private final TreeMap<Long, Tally> minutes = new TreeMap<>();
    private long base = Long.MIN_VALUE;
    private double[] good = new double[1024];
    private double[] total = new double[1024];
    /**
     * Minutes before this were forgotten but may still be in the tree: sums start here at the earliest. Rebuilding
     * the tree at every forget made judging a month of history quadratic (a rebuild of the period per minute).
     */
    private long horizon = Long.MIN_VALUE;

    void put(long minuteStart, Tally t) {
        if (minuteStart < horizon) {
            // A forgotten minute set again: the tree is made of exactly the minutes held before it takes it in.
            horizon = Long.MIN_VALUE;
            rebuild(minutes.isEmpty() ? minuteStart : Math.min(minuteStart, minutes.firstKey()));
        }
        Tally old = minutes.put(minuteStart, t);
        if (base == Long.MIN_VALUE || minuteStart < base) {
            rebuild(minuteStart);
            return;
        }
        int i = index(minuteStart);
        if (i >= good.length) {
            // Past the tree's end: rebuild it larger, the new minute in with the others.
            rebuild(base);
            return;
        }
        add(i, t.good() - (old == null ? 0 : old.good()), t.total() - (old == null ? 0 : old.total()));
    }

    /** Sums over the minutes starting in [from, to). */
    Tally sum(long from, long to) {
        from = Math.max(from, horizon);
        if (base == Long.MIN_VALUE || to <= from) {
            return Tally.EMPTY;
        }
        double[] hi = prefix(indexCeil(to) - 1);
        double[] lo = prefix(indexCeil(from) - 1);
        // Rounding in long sums may leave -1e-12: clamp to keep a tally's invariants.
        double t = Math.max(0, hi[1] - lo[1]);
        double g = Math.min(t, Math.max(0, hi[0] - lo[0]));
        return new Tally(g, t);
    }

    /** The start of the first minute in [from, to) with any event, {@link Long#MIN_VALUE} when none has. */
    long firstWithData(long from, long to) {
        for (Map.Entry<Long, Tally> e : minutes.subMap(from, true, to, false).entrySet()) {
            if (e.getValue().total() > 0) {
                return e.getKey();
            }
        }
        return Long.MIN_VALUE;
    }

    void forEach(java.util.function.BiConsumer<Long, Tally> f) {
        minutes.forEach(f);
    }

    /**
     * Drops the minutes before {@code micros}. The tree is rebuilt only once the dropped stretch is half of it (so a
     * minute forgotten per minute judged costs O(1) amortised); until then the dropped minutes stay in the tree
     * behind the horizon, which no sum reaches.
     */
    void forgetBefore(long micros) {
        if (minutes.headMap(micros, false).isEmpty()) {
            return;
        }
        minutes.headMap(micros, false).clear();
        horizon = Math.max(horizon, micros);
        if (minutes.isEmpty() || index(minutes.firstKey()) >= good.length / 2) {
            rebuild(minutes.isEmpty() ? Long.MIN_VALUE : minutes.firstKey());
        }
    }

    private int index(long minuteStart) {
        return (int) ((minuteStart - base) / MINUTE);
    }

    /** Index of the first minute starting at or after {@code micros}, clamped to the tree. */
    private int indexCeil(long micros) {
        if (micros <= base) {
            return 0;
        }
        long i = Math.floorDiv(micros - base + MINUTE - 1, MINUTE);
        return (int) Math.min(i, good.length);
    }

    private void rebuild(long newBase) {
        base = newBase;
        int n = 1024;
        if (!minutes.isEmpty()) {
            n = Math.max(n, index(minutes.lastKey()) + 1);
        }
        good = new double[Integer.highestOneBit(n - 1) << 1];
        total = new double[good.length];
        for (Map.Entry<Long, Tally> e : minutes.entrySet()) {
            add(index(e.getKey()), e.getValue().good(), e.getValue().total());
        }
    }

    private void add(int i, double g, double t) {
        for (int k = i + 1; k <= good.length; k += k & -k) {
            good[k - 1] += g;
            total[k - 1] += t;
        }
    }

    /** Sums of minutes 0..i (inclusive); i = -1 gives zero. */
    private double[] prefix(int i) {
        double g = 0;
        double t = 0;
        for (int k = Math.min(i, good.length - 1) + 1; k > 0; k -= k & -k) {
            g += good[k - 1];
            t += total[k - 1];
        }
        return new double[] {g, t};
    }
}
