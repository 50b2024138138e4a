package dev.vigil.batch.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdaptiveRateTest {

    final AdaptiveRate rule = new AdaptiveRate(1000, 10, 200);

    {
        // The first window is the run's warm-up and changes nothing, whatever it saw.
        assertThat(rule.next(1000, 5000)).isEqualTo(1000);
    }

    @Test
    void untilOnlineUsersFirstSufferTheRateGrowsByHalfEachSecond() {
        assertThat(rule.next(1000, 150)).isEqualTo(1500);
        assertThat(rule.next(1500, 190)).isEqualTo(2250);
    }

    @Test
    void aSecondOverTheObjectiveCutsTheRateToSeventyPercentButNotBelowTheFloor() {
        assertThat(rule.next(1000, 250)).isEqualTo(700);
        assertThat(rule.next(12, 900)).isEqualTo(10);
    }

    @Test
    void afterTheFirstCutASecondUnderTheObjectiveAddsAFewPercent() {
        rule.next(1000, 250);
        assertThat(rule.next(700, 150)).isEqualTo(750);
        assertThat(rule.next(4000, 150)).isEqualTo(4120);
    }

    @Test
    void aSecondWithoutProbeAnswersLeavesTheRateAlone() {
        assertThat(rule.next(1234, Double.NaN)).isEqualTo(1234);
    }
}
