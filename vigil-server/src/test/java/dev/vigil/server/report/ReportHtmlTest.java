package dev.vigil.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.assess.Budgeting;
import dev.vigil.assess.Indicator;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.assess.PeriodReport;
import dev.vigil.assess.ReportPeriod;
import dev.vigil.assess.Tally;
import dev.vigil.assess.TimeWindow;
import dev.vigil.event.Timestamps;
import dev.vigil.summarise.Dimension;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportHtmlTest {

    static final ZoneId ZURICH = ZoneId.of("Europe/Zurich");
    static final long MINUTE = 60_000_000L;

    static PeriodReport.Result october(String firstData) {
        Objective o = new Objective("carrier-availability", null, "shipping", new Objective.Series(Dimension.PEER, "carrier-api", null),
                new ObjectiveLedger.Spec("carrier-availability", new Indicator.NotFailed(), 0.985,
                        new TimeWindow.Rolling(28L * 1440 * MINUTE), new Budgeting.Occurrences(), List.of()));
        ReportPeriod period = ReportPeriod.parse("2026-10", ZURICH);
        List<PeriodReport.Minute> minutes = new ArrayList<>();
        long from = Timestamps.toMicros(LocalDateTime.parse(firstData).atZone(ZURICH).toInstant());
        for (long t = from; t < period.endMicros(); t += 60 * MINUTE) {
            minutes.add(new PeriodReport.Minute(t, new Tally(10, 10), 1.0));
        }
        return PeriodReport.of(o, period, minutes, period.endMicros());
    }

    @Test
    void aPeriodWhoseFirstDaysHadNoDataSaysFromWhenItsFiguresAre() {
        assertThat(ReportHtml.coverage(october("2026-10-30T21:00"), ZURICH))
                .isEqualTo(" No data before 30 Oct: the figures cover 2 days of the period's 31.");
        assertThat(ReportHtml.coverage(october("2026-10-01T00:00"), ZURICH)).as("data from the first day").isEmpty();
    }
}
