package dev.vigil.app.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HistoryRateTest {

    private static final long MINUTE = 60_000_000L;

    @Test
    void theHistoryMeetsTheLiveRateAtItsEndAndKeepsTheReducedRateFurtherBack() {
        assertThat(Simulator.historyRate(0.5, 300, 0)).isEqualTo(300);
        long ramp = Simulator.RAMP.toNanos() / 1000;
        assertThat(Simulator.historyRate(0.5, 300, ramp)).isCloseTo(0.5 + 299.5 / Math.E, within(1e-9));
        assertThat(Simulator.historyRate(0.5, 300, 6 * 60 * MINUTE)).isCloseTo(0.5, within(1e-9));
        double before = Double.MAX_VALUE;
        for (long age = 0; age <= 120 * MINUTE; age += MINUTE) {
            double r = Simulator.historyRate(0.5, 300, age);
            assertThat(r).isLessThanOrEqualTo(before).isGreaterThanOrEqualTo(0.5);
            before = r;
        }
    }

    @Test
    void aHistoryAtOrAboveTheLiveRateStaysAtItsOwn() {
        assertThat(Simulator.historyRate(500, 300, 0)).isEqualTo(500);
    }

    @Test
    void historyOlderThanThirtyFiveDaysIsAtAQuarterOfTheRateSoALateMonthsDemoReadsAboutAsMuch() {
        long day = 1440 * MINUTE;
        assertThat(Simulator.historyRate(0.5, 300, 35 * day)).isCloseTo(0.5, within(1e-9));
        assertThat(Simulator.historyRate(0.5, 300, 35 * day + MINUTE)).isEqualTo(0.125);
        // A demo started on the 31st reaches back 60 days, one on the 8th 37: their histories' events.
        double late = 35 * 0.5 + 25 * 0.125;
        double early = 35 * 0.5 + 2 * 0.125;
        assertThat(late / early).isLessThan(1.2);
    }
}
