package dev.vigil.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.correlate.Processes;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionTest {

    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_000_000 * MINUTE;

    @Test
    void aPartitionThatClosedNothingIsDueAsSoonAsItsWatermarkEntersALaterMinute() {
        // The merge stage waits for every partition's watermark: one with no events of its own must still report
        // at once that time moved on, not at its next periodic drain.
        Partition p = new Partition(new Processes(List.of()));
        p.advanceTo(T0 + 10_000_000, T0 - 5 * MINUTE);
        assertThat(p.windowDue()).as("its first watermark").isTrue();
        p.drain();
        p.advanceTo(T0 + 50_000_000, T0 - 5 * MINUTE);
        assertThat(p.windowDue()).as("time moved within the same minute").isFalse();
        p.advanceTo(T0 + MINUTE + 1, T0 - 4 * MINUTE);
        assertThat(p.windowDue()).as("time entered the next minute").isTrue();
        assertThat(p.drain().watermark()).isEqualTo(T0 + MINUTE + 1);
        assertThat(p.windowDue()).as("drained").isFalse();
    }
}
