package dev.vigil.assess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.testkit.Props;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MinuteSumsProperties {

    static final long MINUTE = 60_000_000L;

    record Sets(List<Integer> minuteIndexes, List<Integer> totals, int from, int span, int forgetBefore, boolean forget) {
    }

    /** Against a plain map: any sequence of minutes set (and set again) sums the same over any range. */
    @Test
    void rangeSumsEqualAPlainSumAfterAnySequenceOfSetsAndForgets() {
        Props.forAll(1000, g -> new Sets(g.list(0, 200, () -> g.ints(-50, 3000)), g.list(0, 200, () -> g.ints(0, 1000)),
                        g.ints(-60, 3100), g.ints(0, 400), g.ints(-100, 2000), g.bool()),
                in -> rangeSumsEqualAPlainSumAfterAnySequenceOfSetsAndForgets(in.minuteIndexes(), in.totals(), in.from(),
                        in.span(), in.forgetBefore(), in.forget()));
    }

    static void rangeSumsEqualAPlainSumAfterAnySequenceOfSetsAndForgets(List<Integer> minuteIndexes, List<Integer> totals,
                                                                        int from, int span, int forgetBefore, boolean forget) {
        MinuteSums sums = new MinuteSums();
        TreeMap<Long, Tally> plain = new TreeMap<>();
        for (int i = 0; i < Math.min(minuteIndexes.size(), totals.size()); i++) {
            long m = minuteIndexes.get(i) * MINUTE;
            Tally t = new Tally(totals.get(i) / 2, totals.get(i));
            sums.put(m, t);
            plain.put(m, t);
        }
        if (forget) {
            sums.forgetBefore(forgetBefore * MINUTE);
            plain.headMap(forgetBefore * MINUTE, false).clear();
            // Minutes set again after the forget, some of them forgotten ones (a late revision): counted again.
            for (int i = 0; i < Math.min(minuteIndexes.size(), totals.size()) / 2; i++) {
                long m = minuteIndexes.get(i) * MINUTE;
                Tally t = new Tally(totals.get(i), 2.0 * totals.get(i));
                sums.put(m, t);
                plain.put(m, t);
            }
        }
        long lo = from * MINUTE;
        long hi = (from + span) * MINUTE;
        Tally expected = Tally.EMPTY;
        for (Tally t : plain.subMap(lo, true, hi, false).values()) {
            expected = expected.plus(t);
        }
        Tally got = sums.sum(lo, hi);
        assertThat(got.total()).isEqualTo(expected.total());
        assertThat(got.good()).isEqualTo(expected.good());
    }
}
