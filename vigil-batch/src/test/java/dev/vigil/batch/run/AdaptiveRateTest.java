package dev.vigil.batch.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdaptiveRateTest {

    final AdaptiveRate rule = new AdaptiveRate(1000, 10, 200);

    @Test
    void aSecondOverTheObjectiveCutsTheRateToSeventyPercentButNotBelowTheFloor() {
        assertThat(rule.next(1000, 250)).isEqualTo(700);
        assertThat(rule.next(12, 900)).isEqualTo(10);
    }

    @Test
    void aSecondUnderTheObjectiveAddsATenthOfTheStartOrFivePercentWhicheverIsMore() {
        assertThat(rule.next(1000, 150)).isEqualTo(1100);
        assertThat(rule.next(4000, 150)).isEqualTo(4200);
    }

    @Test
    void aSecondWithoutProbeAnswersLeavesTheRateAlone() {
        assertThat(rule.next(1234, Double.NaN)).isEqualTo(1234);
    }
}
