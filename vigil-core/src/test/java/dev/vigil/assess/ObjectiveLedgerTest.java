package dev.vigil.assess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.event.Timestamps;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A synthetic month replayed in event time, with an injected incident, against an independent calculation
 * (plain arrays and loops, no tree, no ledger): achieved value, budget, and when each burn-rate alert
 * fires and resolves.
 */
class ObjectiveLedgerTest {

    static final long MINUTE = 60_000_000L;
    static final long OCT_1 = Timestamps.toMicros(Instant.parse("2026-10-01T00:00:00Z"));
    static final int MINUTES = 31 * 1440;
    /** 2026-10-10 12:00 to 12:30 UTC: 30% of calls fail. */
    static final int INCIDENT_FROM = 9 * 1440 + 12 * 60;
    static final int INCIDENT_TO = INCIDENT_FROM + 30;

    static int bad(int minute) {
        if (minute >= INCIDENT_FROM && minute < INCIDENT_TO) {
            return 300;
        }
        return minute % 4 == 0 ? 1 : 0;
    }

    record Expected(String rule, boolean firing, int atMinute) {
    }

    @Test
    void aMonthWithAHalfHourIncidentGivesTheIndependentlyComputedBudgetAndAlertTimes() {
        TimeWindow october = new TimeWindow.Calendar(1, 0, LocalDateTime.of(2026, 1, 1, 0, 0), ZoneOffset.UTC);
        List<BurnRule> rules = BurnRule.standard(30L * 1440 * MINUTE);
        ObjectiveLedger ledger = new ObjectiveLedger(new ObjectiveLedger.Spec("carrier-availability",
                new Indicator.NotFailed(), 0.999, october, new Budgeting.Occurrences(), rules));

        List<ObjectiveLedger.Transition> seen = new ArrayList<>();
        for (int m = 0; m < MINUTES; m++) {
            ledger.put(OCT_1 + m * MINUTE, new Tally(1000 - bad(m), 1000));
            seen.addAll(ledger.evaluate(OCT_1 + (m + 1) * MINUTE));
        }

        // Independent: cumulative arrays over the month, the state machine written out again.
        long[] cumBad = new long[MINUTES + 1];
        for (int m = 0; m < MINUTES; m++) {
            cumBad[m + 1] = cumBad[m] + bad(m);
        }
        List<Expected> expected = new ArrayList<>();
        for (BurnRule r : rules) {
            boolean firing = false;
            int lw = (int) (r.longMicros() / MINUTE);
            int sw = (int) (r.shortMicros() / MINUTE);
            for (int end = 1; end <= MINUTES; end++) {
                double longBurn = burn(cumBad, end, lw);
                double shortBurn = burn(cumBad, end, sw);
                boolean fire = longBurn > r.factor() && shortBurn > r.factor();
                if (fire != firing) {
                    firing = fire;
                    expected.add(new Expected(r.id(), fire, end));
                }
            }
        }
        List<Expected> actual = seen.stream()
                .map(t -> new Expected(t.rule().id(), t.firing(), (int) ((t.atMicros() - OCT_1) / MINUTE))).toList();
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);

        // What a reader of the report expects: the 14.4x page fires within minutes of the incident's start and
        // resolves within minutes of its end; every alert that fired has resolved by the end of the month.
        Expected pageFired = actual.stream().filter(e -> e.rule().startsWith("page-14.4") && e.firing()).findFirst().orElseThrow();
        Expected pageResolved = actual.stream().filter(e -> e.rule().startsWith("page-14.4") && !e.firing()).findFirst().orElseThrow();
        assertThat(pageFired.atMinute()).isBetween(INCIDENT_FROM + 1, INCIDENT_FROM + 5);
        assertThat(pageResolved.atMinute()).isBetween(INCIDENT_TO + 1, INCIDENT_TO + 6);
        assertThat(rules).allSatisfy(r -> assertThat(ledger.firing(r)).isFalse());

        ObjectiveLedger.Status s = ledger.status(OCT_1 + MINUTES * MINUTE);
        long total = 1000L * MINUTES;
        assertThat(s.periodStart()).isEqualTo(OCT_1);
        assertThat(s.periodEnd()).isEqualTo(OCT_1 + MINUTES * MINUTE);
        assertThat(s.tally()).isEqualTo(new Tally(total - cumBad[MINUTES], total));
        assertThat(s.achieved()).isCloseTo(1 - (double) cumBad[MINUTES] / total, within(1e-12));
        assertThat(s.budgetTotal()).isCloseTo(0.001 * total, within(1e-6));
        assertThat(s.budgetConsumed()).isEqualTo(cumBad[MINUTES]);
        // 11,152 baseline failures (one minute in four, outside the incident) plus 9,000 in it, of a budget of
        // 44,640 (0.1% of 44,640,000 calls): 45% spent.
        assertThat(cumBad[MINUTES]).isEqualTo(11_152 + 9_000);
        assertThat(s.budgetRemainingShare()).isCloseTo(1 - (11_152 + 9_000) / 44_640.0, within(1e-9));
    }

    static double burn(long[] cumBad, int end, int window) {
        int start = Math.max(0, end - window);
        double total = 1000.0 * (end - start);
        return ((cumBad[end] - cumBad[start]) / total) / 0.001;
    }

    @Test
    void timeslicesCountSlicesBelowTheirTargetAgainstABudgetOfTheWholePeriodsSlices() {
        TimeWindow day = new TimeWindow.Rolling(1440 * MINUTE);
        ObjectiveLedger ledger = new ObjectiveLedger(new ObjectiveLedger.Spec("p95", new Indicator.NotFailed(), 0.99, day,
                new Budgeting.Timeslices(5 * MINUTE, 0.95), List.of()));
        // Two hours: one 5-minute slice at 90% good (bad), the rest at 100%.
        for (int m = 0; m < 120; m++) {
            ledger.put(OCT_1 + m * MINUTE, m >= 30 && m < 35 ? new Tally(90, 100) : new Tally(100, 100));
        }
        ObjectiveLedger.Status s = ledger.status(OCT_1 + 120 * MINUTE);
        assertThat(s.tally()).isEqualTo(new Tally(23, 24));
        // 288 slices a day, 1% may fail: 2.88 slices of budget, one spent.
        assertThat(s.budgetTotal()).isCloseTo(2.88, within(1e-9));
        assertThat(s.budgetConsumed()).isEqualTo(1);
    }

    @Test
    void aCalendarMonthInAZoneStartsAtLocalMidnight() {
        TimeWindow monthly = new TimeWindow.Calendar(1, 0, LocalDateTime.of(2026, 1, 1, 0, 0), java.time.ZoneId.of("Europe/Zurich"));
        long[] p = monthly.periodAt(Timestamps.toMicros(Instant.parse("2026-10-15T10:00:00Z")));
        assertThat(Timestamps.toInstant(p[0])).isEqualTo(Instant.parse("2026-09-30T22:00:00Z"));
        // October ends after the switch to winter time: midnight is then 23:00 UTC.
        assertThat(Timestamps.toInstant(p[1])).isEqualTo(Instant.parse("2026-10-31T23:00:00Z"));
    }

    @Test
    void theStandardRulesScaleWithThePeriodSoTheSameShareOfBudgetTriggersThem() {
        assertThat(BurnRule.standard(30L * 1440 * MINUTE)).extracting(BurnRule::factor).containsExactly(14.4, 6.0, 3.0, 1.0);
        assertThat(BurnRule.standard(7L * 1440 * MINUTE).get(0).factor()).isCloseTo(14.4 * 7 / 30, within(1e-12));
    }

    private static ObjectiveLedger october(double target, Budgeting budgeting) {
        TimeWindow monthly = new TimeWindow.Calendar(1, 0, LocalDateTime.of(2026, 1, 1, 0, 0), ZoneOffset.UTC);
        return new ObjectiveLedger(new ObjectiveLedger.Spec("o", new Indicator.NotFailed(), target, monthly, budgeting,
                BurnRule.standard(30L * 1440 * MINUTE)));
    }

    @Test
    void aPeriodTwentyTwoMinutesOldIsInProgressAndItsForecastFollowsTheRecentPaceNotTheFirstBadMinutes() {
        ObjectiveLedger ledger = october(0.985, new Budgeting.Occurrences());
        // 22 minutes of 100 calls: two bad minutes early (30 bad each), then 1 bad a minute.
        for (int m = 0; m < 22; m++) {
            ledger.put(OCT_1 + m * MINUTE, new Tally(100 - (m < 2 ? 30 : 1), 100));
        }
        long now = OCT_1 + 22 * MINUTE;
        ObjectiveLedger.Status st = ledger.status(now);
        // So far: 80 bad of 2200, 96.36%: below 98.5% now, but the month is not decided.
        assertThat(st.achieved()).isCloseTo(1 - 80 / 2200.0, within(1e-12));
        ObjectiveLedger.Forecast f = ledger.forecast(now, 3 * MINUTE);
        assertThat(f.inProgress()).isTrue();
        assertThat(f.elapsedShare()).isCloseTo(22.0 / (31 * 1440), within(1e-12));
        // The rest of October (31 days less 22 minutes) at 100 a minute, 1% bad, as the last three minutes were.
        double future = 100.0 * (31 * 1440 - 22);
        double bad = 80 + future * 0.01;
        assertThat(f.achieved()).isCloseTo(1 - bad / (2200 + future), within(1e-12));
        assertThat(f.achieved()).isGreaterThan(0.985);
        assertThat(f.budgetRemainingShare()).isCloseTo(1 - bad / (0.015 * (2200 + future)), within(1e-9));
        assertThat(f.paceBurnRate()).isCloseTo(0.01 / 0.015, within(1e-9));
        assertThat(f.paceCoverage()).isEqualTo(1.0);
        assertThat(ledger.forecast(now, 60 * MINUTE).paceCoverage()).isCloseTo(22 / 60.0, within(1e-12));
    }

    @Test
    void aClosedPeriodsForecastIsItsOutcomeAndARollingWindowIsNeverInProgress() {
        ObjectiveLedger ledger = october(0.99, new Budgeting.Occurrences());
        ledger.put(OCT_1 + (31 * 1440 - 1) * MINUTE, new Tally(95, 100));
        ObjectiveLedger.Forecast closed = ledger.forecast(OCT_1 + 31 * 1440 * MINUTE, 60 * MINUTE);
        assertThat(closed.inProgress()).isFalse();
        assertThat(closed.elapsedShare()).isEqualTo(1.0);
        assertThat(closed.achieved()).isCloseTo(0.95, within(1e-12));

        ObjectiveLedger rolling = new ObjectiveLedger(new ObjectiveLedger.Spec("r", new Indicator.NotFailed(), 0.99,
                new TimeWindow.Rolling(28L * 1440 * MINUTE), new Budgeting.Occurrences(), List.of()));
        rolling.put(OCT_1, new Tally(99, 100));
        ObjectiveLedger.Forecast r = rolling.forecast(OCT_1 + MINUTE, 60 * MINUTE);
        assertThat(r.inProgress()).isFalse();
        assertThat(r.achieved()).isCloseTo(0.99, within(1e-12));
    }

    @Test
    void timeslicesForecastTheSlicesStillToComeAgainstTheWholePeriodsBudget() {
        ObjectiveLedger ledger = october(0.99, new Budgeting.Timeslices(5 * MINUTE, 0.95));
        // An hour: 12 slices, one bad (the first).
        for (int m = 0; m < 60; m++) {
            ledger.put(OCT_1 + m * MINUTE, new Tally(m < 5 ? 90 : 100, 100));
        }
        long now = OCT_1 + 60 * MINUTE;
        ObjectiveLedger.Forecast f = ledger.forecast(now, 30 * MINUTE);
        double slices = 31 * 1440 / 5.0;
        double future = slices - 12;
        // The last half hour had no bad slice: the rest of the month adds none.
        assertThat(f.achieved()).isCloseTo(1 - 1 / slices, within(1e-12));
        assertThat(f.budgetRemainingShare()).isCloseTo(1 - 1 / (0.01 * slices), within(1e-12));
        assertThat(future).isPositive();
    }

    @Test
    void aBurnWindowSaysHowMuchOfItHoldsData() {
        ObjectiveLedger ledger = october(0.99, new Budgeting.Occurrences());
        for (int m = 0; m < 22; m++) {
            ledger.put(OCT_1 + m * MINUTE, new Tally(99, 100));
        }
        long now = OCT_1 + 22 * MINUTE;
        assertThat(ledger.coverage(60 * MINUTE, now)).isCloseTo(22 / 60.0, within(1e-12));
        assertThat(ledger.coverage(3 * 1440 * MINUTE, now)).isCloseTo(22 / (3 * 1440.0), within(1e-12));
        assertThat(ledger.coverage(10 * MINUTE, now)).isEqualTo(1.0);
        assertThat(october(0.99, new Budgeting.Occurrences()).coverage(60 * MINUTE, now)).isZero();
    }
}
