package dev.vigil.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PropsTest {

    static <T> List<T> inputs(long seed, int tries, Function<Gen, T> generator) {
        List<T> seen = new ArrayList<>();
        Props.forAll(PropsTest.class, "inputs", seed, tries, generator, seen::add);
        return seen;
    }

    @Test
    void aFailureNamesTheSeedTheTryTheInputAndTheCommandThatReplaysIt() {
        assertThatThrownBy(() -> Props.forAll(PropsTest.class, "half", 42L, 1000, g -> g.ints(0, 1000),
                x -> assertThat(x).isLessThan(500)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PropsTest#half failed on try ")
                .hasMessageContaining(" of 1000")
                .hasMessageContaining("with seed 42.")
                .hasMessageContaining("-Dtest='PropsTest#half'")
                .hasMessageContaining("-Dvigil.seed=42")
                .hasMessageMatching("(?s).*Input: (\\d+)\n.*")
                .hasCauseInstanceOf(AssertionError.class);
    }

    @Test
    void theSecondTryTakesTheLargestValuesAndSaysSo() {
        assertThatThrownBy(() -> Props.forAll(PropsTest.class, "big", 1L, 10, g -> g.longs(-5, 5), x -> assertThat(x).isLessThan(5)))
                .hasMessageContaining("failed on try 2 of 10 (the largest values)")
                .hasMessageContaining("Input: 5\n");
    }

    @Test
    void anExceptionIsAFailureToo() {
        assertThatThrownBy(() -> Props.forAll(PropsTest.class, "npe", 3L, 5, g -> g.orNull(0.5, () -> "x"), s -> s.length()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("failed on try 1 of 5 (the smallest values)")
                .hasMessageContaining("Input: null")
                .hasCauseInstanceOf(NullPointerException.class);
    }

    @Test
    void controlCharactersInTheInputAndTheFailureAreEscapedButTheFailuresLinesKept() {
        assertThat(Props.describe(List.of("a\nb\u0000"))).isEqualTo("[a\\u000ab\\u0000]");
        assertThatThrownBy(() -> Props.forAll(PropsTest.class, "nul", 1L, 1, g -> "\u0000", s -> assertThat(s).isEmpty()))
                .hasMessageContaining("Input: \\u0000\n")
                .hasMessageMatching("(?s).*Failure: .*\n.*\\\\u0000.*")
                .hasMessageNotContaining("\u0000");
    }

    @Test
    void theSameSeedGivesTheSameInputsAndAnotherSeedOthers() {
        Function<Gen, List<Long>> lists = g -> g.list(0, 50, g::anyLong);
        assertThat(inputs(7, 100, lists)).isEqualTo(inputs(7, 100, lists));
        assertThat(inputs(8, 100, lists)).isNotEqualTo(inputs(7, 100, lists));
    }

    @Test
    void everyTryRunsAndTheFirstTwoAreTheSmallestAndTheLargest() {
        List<List<Integer>> seen = inputs(11, 300, g -> g.list(2, 40, () -> g.ints(-3, 9)));
        assertThat(seen).hasSize(300);
        assertThat(seen.get(0)).isEqualTo(List.of(-3, -3));
        assertThat(seen.get(1)).hasSize(40).containsOnly(9);
    }

    @Test
    void numbersStayInRangeAndReachTheBoundsZeroAndEveryMagnitude() {
        List<Long> seen = inputs(5, 5000, g -> g.longs(-1_000, 1_000_000_000_000L));
        assertThat(seen).allSatisfy(x -> assertThat(x).isBetween(-1_000L, 1_000_000_000_000L));
        assertThat(seen).contains(-1_000L, -999L, -1L, 0L, 1L, 999_999_999_999L, 1_000_000_000_000L);
        Set<Integer> digits = new HashSet<>();
        seen.forEach(x -> digits.add(Long.toString(Math.abs(x)).length()));
        assertThat(digits).containsAll(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13));
        List<Long> any = inputs(6, 5000, Gen::anyLong);
        assertThat(any).contains(Long.MIN_VALUE, Long.MAX_VALUE, 0L);
        assertThat(any).anySatisfy(x -> assertThat(x).isNegative()).anySatisfy(x -> assertThat(x).isPositive());
    }

    @Test
    void sizesAreMostlySmallButReachTheMaximum() {
        List<Integer> sizes = inputs(9, 1000, g -> g.size(0, 300));
        assertThat(sizes).allSatisfy(n -> assertThat(n).isBetween(0, 300)).contains(0, 1, 300);
        long small = sizes.stream().filter(n -> n <= 32).count();
        assertThat(small).isBetween(800L, 950L);
        assertThat(sizes).anySatisfy(n -> assertThat(n).isBetween(33, 299));
    }

    @Test
    void nullsComeAtTheirRateAndMapsHaveDistinctKeys() {
        List<String> values = inputs(13, 2000, g -> g.orNull(0.3, () -> "v"));
        long nulls = values.stream().filter(v -> v == null).count();
        assertThat(nulls).isBetween(500L, 700L);
        List<Map<Integer, Boolean>> maps = inputs(14, 200, g -> g.map(0, 4, () -> g.ints(0, 5), g::bool));
        assertThat(maps).allSatisfy(m -> assertThat(m.size()).isBetween(0, 4));
        assertThat(maps.get(1)).hasSize(4);
    }

    @Test
    void stringsHaveTheirLengthInCharsAndAFilterFallsBackToRandomValues() {
        List<String> strings = inputs(15, 500, g -> g.string(1, 5, () -> g.chance(0.5) ? 0x1F600 : 'x'));
        assertThat(strings).allSatisfy(s -> assertThat(s.length()).isBetween(1, 5));
        assertThat(strings).anySatisfy(s -> assertThat(s).contains("\uD83D\uDE00"));
        // The smallest string is empty and fails the filter; the value then comes from random draws.
        List<String> nonEmpty = inputs(16, 20, g -> g.suchThat(() -> g.string(0, 3, g::anyChar), s -> !s.isEmpty()));
        assertThat(nonEmpty).allSatisfy(s -> assertThat(s).isNotEmpty());
    }
}
