package dev.vigil.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.VigilConfig;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Timestamps;
import dev.vigil.testkit.Await;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.store.EventStore;
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
        try (EventStore journal = EventStore.open(data, EventStore.Options.DEFAULT)) {
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

    static VigilConfig withOrders() throws Exception {
        return ConfigLoader.parse("""
                pipeline:
                  allowedLateness: 30s
                  maxLateness: 10m
                  idleTimeout: 0s
                  checkpointEvery: 1h
                processes:
                  order-to-cash:
                    activities: [Placed, Paid, Delivered]
                    start: Placed
                    end: [Delivered]
                    keys: [orderId]
                    stuckAfter: 1h
                """, "test.yaml");
    }

    @Test
    void aCheckpointTakenOnTwoPartitionsIsRestoredOnOneWithTheSameWindowsAndCases() throws Exception {
        long t0 = WindowSpan.MINUTE.startOf(Timestamps.toMicros(Instant.now()) - 20 * 60_000_000L);
        String[] services = {"billing", "shop", "catalog"};
        String[] peers = {"bank", "parcelco"};
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            long t = t0 + i * 60_000L;
            events.add(new Event(t, services[i % 3], "Call", EventKind.CALL, Map.of(), Outcome.OK, 1000L, peers[i % 2], null, Map.of()));
            if (i % 30 == 0) {
                // An order placed now is paid 20 s and delivered 40 s later: many span the two runs.
                String order = "O-" + i;
                events.add(new Event(t, "shop", "Placed", EventKind.ACTIVITY, Map.of("orderId", order), Outcome.OK, null, null, null, Map.of()));
                events.add(new Event(t + 20_000_000L, "billing", "Paid", EventKind.ACTIVITY, Map.of("orderId", order), Outcome.OK, null, null, null, Map.of()));
                events.add(new Event(t + 40_000_000L, "logistics", "Delivered", EventKind.ACTIVITY, Map.of("orderId", order), Outcome.OK, null, null, null, Map.of()));
            }
        }
        events.sort(java.util.Comparator.comparingLong(Event::timeMicros));
        int half = events.size() / 2;
        // The first run on two partitions: its stop writes a checkpoint.
        try (EventStore journal = EventStore.open(data, EventStore.Options.DEFAULT)) {
            PipelineRuntime rt = PipelineRuntime.start(withOrders(), journal, data, 2);
            for (int i = 0; i < half; i += 100) {
                journal.append(events.subList(i, Math.min(half, i + 100)), Map.of(), Timestamps.toMicros(Instant.now())).join();
            }
            Await.until("the first half folded", () -> rt.status().eventsFolded(), n -> n == half);
        }
        // The second on one partition: it restores that checkpoint (it does not rebuild) and takes the rest.
        try (EventStore journal = EventStore.open(data, EventStore.Options.DEFAULT)) {
            PipelineRuntime rt = PipelineRuntime.start(withOrders(), journal, data, 1);
            assertThat(rt.status().checkpointRecord()).as("the checkpoint restored, not the journal replayed").isPositive();
            for (int i = half; i < events.size(); i += 100) {
                journal.append(events.subList(i, Math.min(events.size(), i + 100)), Map.of(), Timestamps.toMicros(Instant.now())).join();
            }
            Await.until("every event folded and five minutes closed", () -> rt.status().eventsFolded() + " folded, watermark "
                    + rt.status().watermark(), s -> rt.status().eventsFolded() == events.size()
                    && rt.status().watermark() >= t0 + 5 * 60_000_000L);
            for (String peer : peers) {
                List<OutputStore.KpiStep> steps = rt.store().kpis(Dimension.PEER, peer, null, t0, t0 + 5 * 60_000_000L, WindowSpan.MINUTE);
                assertThat(steps).as(peer).hasSize(5).allSatisfy(s -> assertThat(s.window().count()).isEqualTo(500));
            }
            long calls = 0;
            for (String service : services) {
                List<OutputStore.KpiStep> steps = rt.store().kpis(Dimension.SERVICE_OPERATION, service, "Call", t0,
                        t0 + 5 * 60_000_000L, WindowSpan.MINUTE);
                // A thousand calls a minute, taking turns among three services: 333 or 334 each.
                assertThat(steps).as(service).hasSize(5).allSatisfy(s -> assertThat(s.window().count()).isBetween(333L, 334L));
                calls += steps.stream().mapToLong(s -> s.window().count()).sum();
            }
            assertThat(calls).isEqualTo(5000);
            // 200 orders, each delivered 40 s after it was placed: one completed case each with its whole path,
            // also those the two runs split (a case id names the order, so a lost first half would not show in counts).
            Await.until("200 completed cases and no other", () -> rt.store().caseCounts(),
                    c -> c.equals(Map.of("completed", 200L)));
            assertThat(rt.store().cases(new OutputStore.CaseQuery(null, null, null, null, null, null, 1000, false, null, null)))
                    .hasSize(200).allSatisfy(c -> assertThat(c.path()).as(c.id()).containsExactly("Placed", "Paid", "Delivered"));
        }
    }

    @Test
    void outputsGatheredForOneWriteKeepEachWindowsNewestRevisionOnly() {
        var a = dev.vigil.summarise.KpiKey.of(Dimension.SERVICE, "a");
        var b = dev.vigil.summarise.KpiKey.of(Dimension.SERVICE, "b");
        long m = WindowSpan.MINUTE.micros();
        var w = new dev.vigil.summarise.KpiWindow();
        List<dev.vigil.pipeline.MergedWindow> gathered = new ArrayList<>(List.of(
                new dev.vigil.pipeline.MergedWindow(a, 0, w, 1),
                new dev.vigil.pipeline.MergedWindow(b, 0, w, 1),
                new dev.vigil.pipeline.MergedWindow(a, m, w, 1),
                new dev.vigil.pipeline.MergedWindow(a, 0, w, 2),
                new dev.vigil.pipeline.MergedWindow(b, m, w, 3),
                new dev.vigil.pipeline.MergedWindow(a, 0, w, 3)));

        assertThat(PipelineRuntime.newestRevisions(gathered))
                .extracting(x -> x.key().primary() + "@" + x.startMicros() / m + "r" + x.revision())
                .containsExactly("b@0r1", "a@1r1", "b@1r3", "a@0r3");
    }
}
