package dev.vigil.summarise;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class KpiWindowProperties {

    record Obs(long duration, boolean failed) {
    }

    static KpiWindow of(List<Long> durations, List<Boolean> failed) {
        KpiWindow w = new KpiWindow();
        for (int i = 0; i < durations.size(); i++) {
            w.accept(durations.get(i), !failed.isEmpty() && failed.get(i % failed.size()));
        }
        return w;
    }

    @Property
    void mergingIsAssociativeAndCommutativeAndEqualsSeeingEverythingAtOnce(
            @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 3_600_000_000L) Long> a,
            @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 3_600_000_000L) Long> b,
            @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 3_600_000_000L) Long> c,
            @ForAll @Size(min = 1, max = 7) List<Boolean> failed) {
        KpiWindow wa = of(a, failed);
        KpiWindow wb = of(b, failed);
        KpiWindow wc = of(c, failed);

        KpiWindow left = wa.copy();
        left.mergeWith(wb);
        left.mergeWith(wc);
        KpiWindow bc = wb.copy();
        bc.mergeWith(wc);
        KpiWindow right = wa.copy();
        right.mergeWith(bc);
        KpiWindow swapped = wc.copy();
        swapped.mergeWith(wa);
        swapped.mergeWith(wb);

        List<Long> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        KpiWindow direct = new KpiWindow();
        for (List<Long> part : List.of(a, b, c)) {
            for (int i = 0; i < part.size(); i++) {
                direct.accept(part.get(i), failed.get(i % failed.size()));
            }
        }
        assertThat(left.sameAs(right)).as("(a+b)+c = a+(b+c)").isTrue();
        assertThat(left.sameAs(swapped)).as("(a+b)+c = (c+a)+b").isTrue();
        assertThat(left.sameAs(direct)).as("merged = seen at once").isTrue();
        assertThat(left.count()).isEqualTo(all.size());
    }

    @Property
    void aWindowRestoredFromItsBytesMergesWithFreshWindowsEitherWayRound(
            @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 3_600_000_000L) Long> a,
            @ForAll @Size(max = 200) List<@LongRange(min = 0, max = 3_600_000_000L) Long> b,
            @ForAll @Size(min = 1, max = 7) List<Boolean> failed) {
        // Restored windows (checkpoints, the store) bring their own index mapping; fresh ones share one.
        KpiWindow wa = of(a, failed);
        KpiWindow restored = KpiWindow.of(wa.count(), wa.errors(), wa.timed(), wa.sketchBytes());
        KpiWindow expected = wa.copy().mergeWith(of(b, failed));
        assertThat(restored.copy().mergeWith(of(b, failed)).sameAs(expected)).isTrue();
        assertThat(of(b, failed).mergeWith(restored).sameAs(expected)).isTrue();
    }

    @Property(tries = 300)
    void percentilesAreWithinTheStatedRelativeErrorOfTheExactValue(
            @ForAll @Size(min = 1, max = 2000) List<@LongRange(min = 1, max = 100_000_000_000L) Long> durations,
            @ForAll @DoubleRange(min = 0, max = 1) double q) {
        KpiWindow w = new KpiWindow();
        durations.forEach(d -> w.accept(d, false));
        long[] sorted = durations.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        // DDSketch's quantile: the value of rank floor(q * (n - 1)) in the sorted data.
        double exact = sorted[(int) Math.floor(q * (sorted.length - 1))];
        double estimate = w.durationAt(q);
        assertThat(Math.abs(estimate - exact)).as("q=%s exact=%s estimate=%s", q, exact, estimate)
                .isLessThanOrEqualTo(KpiWindow.RELATIVE_ACCURACY * exact * (1 + 1e-9));
    }

    @Property
    void errorsAndCountsAreExact(@ForAll @Size(max = 500) List<Boolean> failed) {
        KpiWindow w = new KpiWindow();
        failed.forEach(f -> w.accept(-1, f));
        assertThat(w.count()).isEqualTo(failed.size());
        assertThat(w.errors()).isEqualTo(failed.stream().filter(f -> f).count());
        assertThat(w.timed()).isZero();
        assertThat(w.durationAt(0.5)).isNaN();
    }
}
