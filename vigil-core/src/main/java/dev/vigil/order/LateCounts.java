package dev.vigil.order;

import java.util.Map;
import java.util.TreeMap;

/** Late and too-late events per source: what the ordering stage tells the user about their clocks. */
public final class LateCounts {

    /** The counts of one source. */
    public record Count(long late, long tooLate) {
        Count plus(Count o) {
            return new Count(late + o.late, tooLate + o.tooLate);
        }
    }

    private final Map<String, long[]> bySource = new TreeMap<>();

    public void count(String source, Lateness l) {
        if (l == Lateness.ON_TIME) {
            return;
        }
        long[] c = bySource.computeIfAbsent(source, s -> new long[2]);
        c[l == Lateness.LATE ? 0 : 1]++;
    }

    public void clear() {
        bySource.clear();
    }

    public void add(String source, long late, long tooLate) {
        long[] c = bySource.computeIfAbsent(source, s -> new long[2]);
        c[0] += late;
        c[1] += tooLate;
    }

    public Map<String, Count> snapshot() {
        Map<String, Count> out = new TreeMap<>();
        bySource.forEach((s, c) -> out.put(s, new Count(c[0], c[1])));
        return out;
    }

    /** Sums several partitions' counts. */
    public static Map<String, Count> sum(Iterable<Map<String, Count>> parts) {
        Map<String, Count> out = new TreeMap<>();
        for (Map<String, Count> p : parts) {
            p.forEach((s, c) -> out.merge(s, c, Count::plus));
        }
        return out;
    }
}
