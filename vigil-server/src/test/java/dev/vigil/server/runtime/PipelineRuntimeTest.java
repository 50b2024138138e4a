package dev.vigil.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.VigilConfig;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Timestamps;
import dev.vigil.testkit.Await;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.store.EventJournal;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.WindowSpan;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRuntimeTest {

    @TempDir
    Path data;

    static VigilConfig config(String checkpointEvery) throws Exception {
        return ConfigLoader.parse("""
                pipeline:
                  allowedLateness: 30s
                  maxLateness: 10m
                  idleTimeout: 0s
                  partitions: 2
                  checkpointEvery: %s
                """.formatted(checkpointEvery), "test.yaml");
    }

    @Test
    void everyCallIsCountedOnceInTheStoredWindows() throws Exception {
        long t0 = WindowSpan.MINUTE.startOf(Timestamps.toMicros(Instant.now()) - 20 * 60_000_000L);
        Random r = new Random(7);
        List<Event> events = new ArrayList<>();
        List<long[]> arrival = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            // Shuffled within 20 s of arrival: inside the 30 s allowed lateness.
            arrival.add(new long[] {t0 + i * 60_000L + (long) (r.nextDouble() * 20_000_000L), i});
        }
        arrival.sort(java.util.Comparator.comparingLong((long[] a) -> a[0]));
        for (long[] a : arrival) {
            events.add(new Event(t0 + a[1] * 60_000L, "billing", "Charge", EventKind.CALL, Map.of(), Outcome.OK,
                    (long) (r.nextDouble() * 100_000), "bank", null, Map.of()));
        }
        try (EventJournal journal = EventJournal.open(data, EventJournal.Options.DEFAULT)) {
            PipelineRuntime rt = PipelineRuntime.start(config("1h"), journal, data, 2);
            for (int i = 0; i < events.size(); i += 100) {
                journal.append(events.subList(i, i + 100), Map.of(), Timestamps.toMicros(Instant.now())).join();
            }
            // 6000 calls one every 60 ms from t0: 1000 per minute over 6 minutes; the watermark (max - 30 s) closes
            // five. Settled once every event is folded and the watermark the store was written with has passed the
            // fifth minute: the writer sets it after writing the windows it closes, with every partition's part.
            record Progress(long folded, long watermark) {
                @Override
                public String toString() {
                    return folded + " events folded, watermark " + (watermark == Long.MIN_VALUE ? "none" : Timestamps.format(watermark));
                }
            }
            PipelineRuntime.Status st = rt.status();
            Await.until("every event folded and five minutes closed and written", () -> new Progress(st.eventsFolded(), st.watermark()),
                    p -> p.folded() == events.size() && p.watermark() >= t0 + 5 * 60_000_000L);
            List<OutputStore.KpiStep> steps = rt.store().kpis(Dimension.PEER, "bank", null, t0, t0 + 3_600_000_000L, WindowSpan.MINUTE);
            assertThat(steps).hasSize(5);
            assertThat(steps).allSatisfy(s -> assertThat(s.window().count()).isEqualTo(1000));
        }
    }
}
