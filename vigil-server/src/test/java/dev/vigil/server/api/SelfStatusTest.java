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
        assertThat(SelfStatus.readingBacklog(WATERMARK, behind, 1234)).isEqualTo("Reading a backlog: KPIs, cases and "
                + "alerts have reached 2026-11-20 10:00 UTC (17 d 4 h behind the clock), 1,234 journal records to go; the "
                + "newest minutes appear once it has caught up.");
    }

    @Test
    void aQuietEstateOrAPipelineThatHasReadEverythingIsNotReadingABacklog() {
        // No events for an hour: the watermark stands still, but nothing is left to read.
        assertThat(SelfStatus.readingBacklog(WATERMARK, 3_600_000L, 0)).isNull();
        // A few records behind the clock by seconds: live.
        assertThat(SelfStatus.readingBacklog(WATERMARK, 3_000L, 40)).isNull();
        assertThat(SelfStatus.readingBacklog(WATERMARK, null, 40)).isNull();
    }

    @Test
    void delaysReadInTheDashboardsWords() {
        assertThat(SelfStatus.inWords(5_000)).isEqualTo("5 s");
        assertThat(SelfStatus.inWords(125_000)).isEqualTo("2 min 5 s");
        assertThat(SelfStatus.inWords(3 * 3_600_000L + 12 * 60_000)).isEqualTo("3 h 12 min");
        assertThat(SelfStatus.inWords(2 * 86_400_000L)).isEqualTo("2 d");
    }
}
