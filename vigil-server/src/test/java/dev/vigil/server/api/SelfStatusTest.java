package dev.vigil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.event.Timestamps;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SelfStatusTest {

    private static final long WATERMARK = Timestamps.toMicros(Instant.parse("2026-11-20T10:00:30Z"));

    @Test
    void aPipelineReadingHistorySaysHowFarItHasReachedAndHowMuchIsLeft() {
        long behind = ((17L * 24 + 4) * 3600 + 5 * 60) * 1000;
        assertThat(SelfStatus.readingBacklog(WATERMARK, behind, 1234, 0, false)).isEqualTo("Reading a backlog: KPIs, cases and "
                + "alerts have reached 2026-11-20 10:00 UTC (17 d 4 h behind the clock), 1,234 journal records to go; the "
                + "newest minutes appear once it has caught up.");
    }

    @Test
    void historyStillArrivingIsABacklogEvenWhileThePipelineKeepsUpWithIt() {
        assertThat(SelfStatus.readingBacklog(WATERMARK, 86_400_000L, 0, 0, true)).isEqualTo("Reading a backlog: KPIs, "
                + "cases and alerts have reached 2026-11-20 10:00 UTC (1 d behind the clock), more arriving; the newest "
                + "minutes appear once it has caught up.");
        // The journal read, its events' outputs still queued inside the pipeline: not caught up either.
        assertThat(SelfStatus.readingBacklog(WATERMARK, 86_400_000L, 0, 120_000, false)).isEqualTo("Reading a backlog: "
                + "KPIs, cases and alerts have reached 2026-11-20 10:00 UTC (1 d behind the clock), 120,000 events read and "
                + "being written; the newest minutes appear once it has caught up.");
        assertThat(SelfStatus.readingBacklog(WATERMARK, 86_400_000L, 7, 120_000, true)).contains(
                "7 journal records to go, 120,000 events read and being written and more arriving;");
    }

    @Test
    void recordsArriveLatelyWhenTheAcknowledgedRecordMovedInTheLastHalfMinute() {
        SelfStatus.Arrivals arrivals = new SelfStatus.Arrivals();
        long s = 1_000_000_000L;
        assertThat(arrivals.lately(500, 0)).as("the first ask has nothing to compare with").isFalse();
        assertThat(arrivals.lately(500, 5 * s)).isFalse();
        assertThat(arrivals.lately(900, 10 * s)).isTrue();
        assertThat(arrivals.lately(900, 39 * s)).isTrue();
        assertThat(arrivals.lately(900, 41 * s)).isFalse();
    }

    @Test
    void aQuietEstateOrAPipelineThatHasReadEverythingIsNotReadingABacklog() {
        // No events for an hour: the watermark stands still, but nothing is left to read.
        assertThat(SelfStatus.readingBacklog(WATERMARK, 3_600_000L, 0, 0, false)).isNull();
        // A few records behind the clock by seconds: live.
        assertThat(SelfStatus.readingBacklog(WATERMARK, 3_000L, 40, 0, true)).isNull();
        assertThat(SelfStatus.readingBacklog(WATERMARK, null, 40, 0, true)).isNull();
    }

    @Test
    void delaysReadInTheDashboardsWords() {
        assertThat(SelfStatus.inWords(5_000)).isEqualTo("5 s");
        assertThat(SelfStatus.inWords(125_000)).isEqualTo("2 min 5 s");
        assertThat(SelfStatus.inWords(3 * 3_600_000L + 12 * 60_000)).isEqualTo("3 h 12 min");
        assertThat(SelfStatus.inWords(2 * 86_400_000L)).isEqualTo("2 d");
    }
}
