package dev.vigil.assess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.event.Timestamps;
import dev.vigil.summarise.Dimension;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * October 2026 in Zurich (31 days and the hour the clocks go back) with two incidents, reported and
 * checked against sums written out independently: achieved, budget, each breach interval with its worst
 * minute, the costliest hours, the daily path.
 */
class PeriodReportTest {

    static final long MINUTE = 60_000_000L;
    static final ZoneId ZURICH = ZoneId.of("Europe/Zurich");
    static final ReportPeriod OCTOBER = ReportPeriod.parse("2026-10", ZURICH);

    static long at(String localTime) {
        return Timestamps.toMicros(LocalDateTime.parse(localTime).atZone(ZURICH).toInstant());
    }

    /** Failures out of 1,000 calls in the minute starting at {@code t}. */
    static int bad(long t) {
        if (t >= at("2026-10-10T14:00") && t < at("2026-10-10T14:30")) {
            return t == at("2026-10-10T14:12") ? 700 : 400;
        }
        // Two runs three minutes apart: one interval. 09:20 stands alone, 5 minutes after the last.
        if ((t >= at("2026-10-20T09:00") && t < at("2026-10-20T09:03")) || (t >= at("2026-10-20T09:06") && t < at("2026-10-20T09:08"))
                || t == at("2026-10-20T09:13")) {
            return 100;
        }
        return (t / MINUTE) % 5 == 0 ? 1 : 0;
    }

    static long badBetween(long from, long to) {
        long n = 0;
        for (long t = from; t < to; t += MINUTE) {
            n += bad(t);
        }
        return n;
    }

    static Objective objective(Indicator indicator, double target) {
        return new Objective("carrier-availability", null, "carrier", new Objective.Series(Dimension.PEER, "carrier-api", null),
                new ObjectiveLedger.Spec("carrier-availability", indicator, target,
                        new TimeWindow.Rolling(28L * 1440 * MINUTE), new Budgeting.Occurrences(), List.of()));
    }

    @Test
    void aMonthWithTwoIncidentsGivesTheIndependentFiguresBreachesAndCostliestHours() {
        List<PeriodReport.Minute> minutes = new ArrayList<>();
        long start = OCTOBER.startMicros();
        long end = OCTOBER.endMicros();
        long totalBad = 0;
        long total = 0;
        for (long t = start - 60 * MINUTE; t < end + 60 * MINUTE; t += MINUTE) {
            Tally tally = new Tally(1000 - bad(t), 1000);
            minutes.add(new PeriodReport.Minute(t, tally, tally.ratio()));
            if (t >= start && t < end) {
                totalBad += bad(t);
                total += 1000;
            }
        }
        PeriodReport.Result r = PeriodReport.of(objective(new Indicator.NotFailed(), 0.999), OCTOBER, minutes, end);

        assertThat(end - start).as("31 days and the extra hour of 25 October").isEqualTo((31L * 1440 + 60) * MINUTE);
        assertThat(total).isEqualTo((31L * 1440 + 60) * 1000);
        assertThat(r.units()).isEqualTo(new Tally(total - totalBad, total));
        assertThat(r.achieved()).isCloseTo(1 - (double) totalBad / total, within(1e-12));
        assertThat(r.budgetTotal()).isCloseTo(0.001 * total, within(1e-6));
        assertThat(r.budgetConsumed()).isEqualTo(totalBad);
        assertThat(r.verdict()).isEqualTo(r.achieved() >= 0.999 ? "met" : "breached");

        assertThat(r.breaches()).containsExactly(
                new PeriodReport.Breach(at("2026-10-10T14:00"), at("2026-10-10T14:30"), 30, 0.3,
                        new Tally(30 * 1000 - (29 * 400 + 700), 30 * 1000), 29 * 400 + 700),
                new PeriodReport.Breach(at("2026-10-20T09:00"), at("2026-10-20T09:08"), 5, 0.9, new Tally(4500, 5000),
                        badBetween(at("2026-10-20T09:00"), at("2026-10-20T09:08"))),
                new PeriodReport.Breach(at("2026-10-20T09:13"), at("2026-10-20T09:14"), 1, 0.9, new Tally(900, 1000), 100));
        // Budget: 0.1% of 44,700,000 calls, 44,700: the first spent 28% of it, the second 1.1%, the third 0.2%.
        assertThat(r.notableBreaches()).extracting(PeriodReport.Breach::startMicros)
                .containsExactly(at("2026-10-10T14:00"), at("2026-10-20T09:00"));
        assertThat(r.budgetSpentShare(r.breaches().get(2))).isCloseTo(100 / r.budgetTotal(), within(1e-12));

        assertThat(r.costliest()).hasSize(PeriodReport.COSTLIEST);
        PeriodReport.Spend first = r.costliest().get(0);
        long incidentHourBad = 0;
        for (long t = at("2026-10-10T14:00"); t < at("2026-10-10T15:00"); t += MINUTE) {
            incidentHourBad += bad(t);
        }
        assertThat(first).isEqualTo(new PeriodReport.Spend(at("2026-10-10T14:00"), at("2026-10-10T15:00"), incidentHourBad,
                incidentHourBad / r.budgetTotal()));
        assertThat(r.costliest().get(1).startMicros()).isEqualTo(at("2026-10-20T09:00"));
        assertThat(r.costliest()).extracting(PeriodReport.Spend::consumed).isSortedAccordingTo((a, b) -> Double.compare(b, a));

        assertThat(r.path()).hasSize(31);
        assertThat(r.path().get(30).endMicros()).isEqualTo(end);
        assertThat(r.path().get(30).achieved()).isCloseTo(r.achieved(), within(1e-12));
        assertThat(r.path().get(30).budgetSpentShare()).isCloseTo(r.budgetSpentShare(), within(1e-12));
        long badTo10th = 0;
        long totalTo10th = 0;
        for (long t = start; t < at("2026-10-11T00:00"); t += MINUTE) {
            badTo10th += bad(t);
            totalTo10th += 1000;
        }
        assertThat(r.path().get(9).achieved()).isCloseTo(1 - (double) badTo10th / totalTo10th, within(1e-12));
    }

    @Test
    void aLatencyThresholdReportsItsWorstMinuteAsTheHighestStatistic() {
        List<PeriodReport.Minute> minutes = List.of(
                new PeriodReport.Minute(at("2026-10-03T08:00"), new Tally(0, 1), 450.0),
                new PeriodReport.Minute(at("2026-10-03T08:01"), new Tally(0, 1), 900.0),
                new PeriodReport.Minute(at("2026-10-03T08:02"), new Tally(1, 1), 120.0));
        PeriodReport.Result r = PeriodReport.of(objective(new Indicator.StatisticAtMost(0.95, 300_000), 0.99), OCTOBER, minutes,
                OCTOBER.endMicros());
        assertThat(r.breaches()).containsExactly(new PeriodReport.Breach(at("2026-10-03T08:00"), at("2026-10-03T08:02"), 2,
                900.0, new Tally(0, 2), 2));
        assertThat(r.notableBreaches()).as("two of the period's three minutes, over a budget of 0.03").hasSize(1);
        assertThat(r.verdict()).isEqualTo("breached");
    }

    @Test
    void aPeriodStillRunningIsJudgedSoFarNeverFinally() {
        List<PeriodReport.Minute> minutes = List.of(new PeriodReport.Minute(at("2026-10-03T08:00"), new Tally(5, 10), 0.5));
        PeriodReport.Result running = PeriodReport.of(objective(new Indicator.NotFailed(), 0.999), OCTOBER, minutes,
                at("2026-10-12T09:30"));
        assertThat(running.closed()).isFalse();
        assertThat(running.verdict()).isEqualTo("breached so far");
        PeriodReport.Result over = PeriodReport.of(objective(new Indicator.NotFailed(), 0.999), OCTOBER, minutes, OCTOBER.endMicros());
        assertThat(over.closed()).isTrue();
        assertThat(over.verdict()).isEqualTo("breached");
    }

    @Test
    void aPeriodWithoutDataSaysSoInsteadOfMetOrBreached() {
        PeriodReport.Result r = PeriodReport.of(objective(new Indicator.NotFailed(), 0.999), OCTOBER, List.of(),
                at("2026-10-12T09:30"));
        assertThat(r.verdict()).isEqualTo("no data");
        assertThat(r.path()).as("days up to the report's time, none to come").hasSize(12);
        assertThat(r.breaches()).isEmpty();
        assertThat(r.costliest()).isEmpty();
    }

    @Test
    void periodsAreMonthsQuartersOrYearsFromLocalMidnight() {
        ReportPeriod q4 = ReportPeriod.parse("2026-Q4", ZURICH);
        assertThat(q4.startMicros()).isEqualTo(at("2026-10-01T00:00"));
        assertThat(q4.endMicros()).isEqualTo(at("2027-01-01T00:00"));
        assertThat(ReportPeriod.parse("2026", ZoneId.of("UTC")).months()).isEqualTo(12);
        // Named from today: the label is the period named, so the report says which it is.
        java.time.LocalDate today = java.time.LocalDate.of(2027, 1, 14);
        assertThat(ReportPeriod.parse("last-month", ZURICH, today).label()).isEqualTo("2026-12");
        assertThat(ReportPeriod.parse("this-month", ZURICH, today).label()).isEqualTo("2027-01");
        assertThat(ReportPeriod.parse("last-quarter", ZURICH, today).label()).isEqualTo("2026-Q4");
        assertThat(ReportPeriod.parse("this-quarter", ZURICH, java.time.LocalDate.of(2026, 11, 30)).label()).isEqualTo("2026-Q4");
        assertThat(ReportPeriod.parse("last-year", ZURICH, today).label()).isEqualTo("2026");
        assertThat(ReportPeriod.parse("last-month", ZURICH, today).first()).isEqualTo(java.time.LocalDate.of(2026, 12, 1));
        assertThatThrownBy(() -> ReportPeriod.parse("2026-13", ZURICH)).hasMessage("period \"2026-13\": months are 01 to 12");
        assertThatThrownBy(() -> ReportPeriod.parse("October", ZURICH)).hasMessage(
                "period \"October\" is not a month, quarter or year: write 2026-10, 2026-Q4 or 2026");
    }
}
