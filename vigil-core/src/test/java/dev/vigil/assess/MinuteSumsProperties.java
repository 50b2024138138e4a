package dev.vigil.assess;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class MinuteSumsProperties {

    static final long MINUTE = 60_000_000L;

    /** Against a plain map: any sequence of minutes set (and set again) sums the same over any range. */
    @Property
    void rangeSumsEqualAPlainSumAfterAnySequenceOfSetsAndForgets(
            @ForAll @Size(max = 200) List<@IntRange(min = -50, max = 3000) Integer> minuteIndexes,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 1000) Integer> totals,
            @ForAll @IntRange(min = -60, max = 3100) int from, @ForAll @IntRange(min = 0, max = 400) int span,
            @ForAll @IntRange(min = -100, max = 2000) int forgetBefore, @ForAll boolean forget) {
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
