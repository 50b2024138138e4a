package dev.vigil.summarise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.testkit.Gen;
import dev.vigil.testkit.Props;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KpiWindowProperties {

    record Obs(long duration, boolean failed) {
    }

    /** Up to 200 durations from 0 to an hour, in microseconds. */
    static List<Long> durations(Gen g) {
        return g.list(0, 200, () -> g.longs(0, 3_600_000_000L));
    }

    /** One to seven outcomes, applied to the durations in turn. */
    static List<Boolean> failures(Gen g) {
        return g.list(1, 7, g::bool);
    }

    static KpiWindow of(List<Long> durations, List<Boolean> failed) {
        KpiWindow w = new KpiWindow();
        for (int i = 0; i < durations.size(); i++) {
            w.accept(durations.get(i), !failed.isEmpty() && failed.get(i % failed.size()));
        }
        return w;
    }

    record Three(List<Long> a, List<Long> b, List<Long> c, List<Boolean> failed) {
    }

    @Test
    void mergingIsAssociativeAndCommutativeAndEqualsSeeingEverythingAtOnce() {
        Props.forAll(1000, g -> new Three(durations(g), durations(g), durations(g), failures(g)),
                in -> mergingIsAssociativeAndCommutativeAndEqualsSeeingEverythingAtOnce(in.a(), in.b(), in.c(), in.failed()));
    }

    static void mergingIsAssociativeAndCommutativeAndEqualsSeeingEverythingAtOnce(List<Long> a, List<Long> b, List<Long> c,
                                                                                  List<Boolean> failed) {
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

    @Test
    void mergingAWindowsBytesEqualsMergingTheWindow() {
        Props.forAll(1000, g -> new Three(durations(g), durations(g), durations(g), failures(g)), in -> {
            KpiWindow b = of(in.b(), in.failed());
            KpiWindow c = of(in.c(), in.failed());
            KpiWindow viaWindows = of(in.a(), in.failed()).mergeWith(b).mergeWith(c);
            KpiWindow viaBytes = of(in.a(), in.failed())
                    .mergeEncoded(b.count(), b.errors(), b.timed(), b.sketchBytes())
                    .mergeEncoded(c.count(), c.errors(), c.timed(), c.sketchBytes());
            assertThat(viaBytes.sameAs(viaWindows)).as("a + bytes(b) + bytes(c) = a + b + c").isTrue();
        });
    }

    record Two(List<Long> a, List<Long> b, List<Boolean> failed) {
    }

    @Test
    void aWindowRestoredFromItsBytesMergesWithFreshWindowsEitherWayRound() {
        Props.forAll(1000, g -> new Two(durations(g), durations(g), failures(g)),
                in -> aWindowRestoredFromItsBytesMergesWithFreshWindowsEitherWayRound(in.a(), in.b(), in.failed()));
    }

    static void aWindowRestoredFromItsBytesMergesWithFreshWindowsEitherWayRound(List<Long> a, List<Long> b, List<Boolean> failed) {
        // Restored windows (checkpoints, the store) bring their own index mapping; fresh ones share one.
        KpiWindow wa = of(a, failed);
        KpiWindow restored = KpiWindow.of(wa.count(), wa.errors(), wa.timed(), wa.sketchBytes());
        KpiWindow expected = wa.copy().mergeWith(of(b, failed));
        assertThat(restored.copy().mergeWith(of(b, failed)).sameAs(expected)).isTrue();
        assertThat(of(b, failed).mergeWith(restored).sameAs(expected)).isTrue();
    }

    record Quantile(List<Long> durations, double q) {
    }

    @Test
    void percentilesAreWithinTheStatedRelativeErrorOfTheExactValue() {
        // Quantiles on the hundredths (0, 0.01, ..., 1) half the time, any double in [0, 1] otherwise.
        Props.forAll(300, g -> new Quantile(g.list(1, 2000, () -> g.longs(1, 100_000_000_000L)),
                        g.bool() ? g.ints(0, 100) / 100.0 : g.doubles(0, 1)),
                in -> percentilesAreWithinTheStatedRelativeErrorOfTheExactValue(in.durations(), in.q()));
    }

    static void percentilesAreWithinTheStatedRelativeErrorOfTheExactValue(List<Long> durations, double q) {
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

    @Test
    void errorsAndCountsAreExact() {
        Props.forAll(1000, g -> g.list(0, 500, g::bool), KpiWindowProperties::errorsAndCountsAreExact);
    }

    static void errorsAndCountsAreExact(List<Boolean> failed) {
        KpiWindow w = new KpiWindow();
        failed.forEach(f -> w.accept(-1, f));
        assertThat(w.count()).isEqualTo(failed.size());
        assertThat(w.errors()).isEqualTo(failed.stream().filter(f -> f).count());
        assertThat(w.timed()).isZero();
        assertThat(w.durationAt(0.5)).isNaN();
    }
}
