package dev.vigil.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.VigilConfig;
import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.CaseRecord;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Timestamps;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.pipeline.Pipeline;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.store.EventStore;
import dev.vigil.store.OutputStore;
import dev.vigil.testkit.Await;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The threaded runtime and the one-thread {@link Pipeline} are the same pipeline: fed the same journal (events,
 * their records' times, the journal's own ticks in a quiet gap), they compute the same KPI windows and cases,
 * whatever the threads did meanwhile. The events make cases move between partitions (a shipment's delivery
 * seen before the event that links it to its order), arrive out of order, late and too late.
 */
class RuntimeMatchesPipelineTest {

    @TempDir
    Path data;

    static VigilConfig config() throws Exception {
        return ConfigLoader.parse("""
                pipeline:
                  allowedLateness: 5s
                  maxLateness: 40s
                  idleTimeout: 2s
                  partitions: 3
                  checkpointEvery: 1h
                processes:
                  order-to-cash:
                    activities: [Placed, Paid, Shipped, Delivered]
                    start: Placed
                    end: [Delivered]
                    keys: [orderId, shipmentId]
                    stuckAfter: 20s
                """, "test.yaml");
    }

    @Test
    void theThreadedRuntimeWritesWhatTheOneThreadPipelineComputesFromTheSameJournal() throws Exception {
        VigilConfig config = config();
        long t0 = Timestamps.toMicros(Instant.now()) - 30 * 60_000_000L;
        Random r = new Random(5);
        List<Event> before = estate(r, t0, 0, 150);
        List<Event> after = estate(r, t0 + 100_000_000L, 150, 300);
        // Far behind what the quiet gap will have made the watermark: too late for the windows, late for some.
        after.add(0, call(t0 + 10_000_000L, r));
        after.add(0, call(t0 + 95_000_000L, r));

        try (EventStore journal = EventStore.open(data, EventStore.Options.DEFAULT.withTickEveryMillis(50))) {
            PipelineRuntime rt = PipelineRuntime.start(config, journal, data, 3);
            append(journal, before);
            long maxBefore = before.stream().mapToLong(Event::timeMicros).max().orElseThrow();
            // A quiet gap: only the journal's ticks can move the watermark past the newest event.
            Await.until("ticks to move the watermark past the newest event", () -> rt.status().watermark(),
                    wm -> wm > maxBefore + 5_000_000L);
            append(journal, after);
            int total = before.size() + after.size();
            Await.until("every event folded in or found too late", () -> rt.status().eventsFolded() + tooLate(rt),
                    n -> n == total);
        }

        TreeMap<String, String> liveWindows = new TreeMap<>();
        List<CaseRecord> liveCases;
        List<Rec> journalRecords = new ArrayList<>();
        try (EventStore journal = EventStore.open(data, EventStore.Options.DEFAULT);
             OutputStore store = new OutputStore(journal);
             Connection c = journal.newConnection();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT dimension, k1, k2, epoch_us(start), count, errors, timed, sketch FROM kpi_windows")) {
            while (rs.next()) {
                liveWindows.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "@" + rs.getLong(4),
                        rs.getLong(5) + "/" + rs.getLong(6) + "/" + rs.getLong(7) + "/" + HexFormat.of().formatHex(rs.getBytes(8)));
            }
            liveCases = store.cases(new OutputStore.CaseQuery(null, null, null, null, null, null, 100_000, false, null, null));
            try (EventStore.Tail tail = journal.tail(0, false)) {
                while (tail.position() < journal.acknowledgedRecordNo()) {
                    tail.next((no, firstSeq, at, events) -> journalRecords.add(new Rec(firstSeq, at, events)), 10_000, 1_000);
                }
            }
        }
        assertThat(journalRecords).as("the journal ticked in the quiet gap").anyMatch(rec -> rec.events().isEmpty());

        Pipeline reference = new Pipeline(config.processes(), config.lateness(), 1);
        TreeMap<String, String> windows = new TreeMap<>();
        TreeMap<String, CaseRecord> cases = new TreeMap<>();
        for (Rec rec : journalRecords) {
            if (rec.events().isEmpty()) {
                reference.tick(rec.at());
            }
            for (int i = 0; i < rec.events().size(); i++) {
                reference.accept(rec.events().get(i), rec.firstSeq() + i, rec.at());
            }
        }
        Pipeline.Emitted out = reference.advance();
        for (MergedWindow w : out.windows()) {
            windows.put(w.key().dimension().wire() + "|" + w.key().primary() + "|" + w.key().secondary() + "@" + w.startMicros(),
                    w.window().count() + "/" + w.window().errors() + "/" + w.window().timed() + "/"
                            + HexFormat.of().formatHex(w.window().sketchBytes()));
        }
        for (CaseChange ch : out.cases()) {
            switch (ch) {
                case CaseChange.Updated u -> cases.put(u.record().id(), u.record());
                case CaseChange.Retired gone -> cases.remove(gone.id());
            }
        }
        assertThat(reference.partition(0).late().snapshot().values()).as("some events were late or too late")
                .anyMatch(n -> n.late() > 0).anyMatch(n -> n.tooLate() > 0);
        assertThat(windows).as("windows of the one-thread pipeline").isNotEmpty();
        assertThat(liveWindows).isEqualTo(windows);
        TreeMap<String, CaseRecord> live = new TreeMap<>();
        liveCases.forEach(cr -> live.put(cr.id(), cr));
        assertThat(live).isEqualTo(cases);
    }

    record Rec(long firstSeq, long at, List<Event> events) {
    }

    private static long tooLate(PipelineRuntime rt) {
        return rt.status().lateBySource().values().stream().mapToLong(n -> n.tooLate()).sum();
    }

    private static void append(EventStore journal, List<Event> events) {
        for (int i = 0; i < events.size(); i += 40) {
            journal.append(events.subList(i, Math.min(events.size(), i + 40)), Map.of(),
                    Timestamps.toMicros(Instant.now())).join();
        }
    }

    /**
     * Orders {@code from..to} over about 100 s, each Placed, Paid, Shipped (links order and shipment), Delivered
     * (shipment only); one in five has its Delivered sent before its Shipped, so the shipment's case starts
     * elsewhere and must move. Plus calls to a supplier. Sent in time order give or take 8 s.
     */
    private static List<Event> estate(Random r, long t0, int from, int to) {
        record Arriving(long at, Event e) {
        }
        List<Arriving> out = new ArrayList<>();
        for (int o = from; o < to; o++) {
            long t = t0 + (long) (r.nextDouble() * 100_000_000L);
            boolean early = r.nextInt(5) == 0;
            String[] steps = {"Placed", "Paid", "Shipped", "Delivered"};
            int last = r.nextInt(6) == 0 ? 2 : 4; // some stop after Paid: stuck
            for (int s = 0; s < last; s++) {
                Map<String, String> keys = switch (steps[s]) {
                    case "Shipped" -> Map.of("orderId", "O" + o, "shipmentId", "S" + o);
                    case "Delivered" -> Map.of("shipmentId", "S" + o);
                    default -> Map.of("orderId", "O" + o);
                };
                Event e = new Event(t, "shop", steps[s], EventKind.ACTIVITY, keys, r.nextInt(20) == 0 ? Outcome.ERROR : Outcome.OK,
                        null, null, null, Map.of());
                long arrives = t + (long) (r.nextDouble() * 8_000_000L);
                if (early && s == 3) {
                    arrives = t - 3_000_000L - (long) (r.nextDouble() * 2_000_000L); // sent before Shipped arrives
                }
                out.add(new Arriving(arrives, e));
                t += 500_000L + (long) (r.nextDouble() * 2_000_000L);
            }
        }
        for (int c = 0; c < 200; c++) {
            long t = t0 + (long) (r.nextDouble() * 100_000_000L);
            out.add(new Arriving(t + (long) (r.nextDouble() * 8_000_000L), call(t, r)));
        }
        out.sort(Comparator.comparingLong(Arriving::at));
        return new ArrayList<>(out.stream().map(Arriving::e).toList());
    }

    private static Event call(long t, Random r) {
        return new Event(t, "billing", "Charge", EventKind.CALL, Map.of(), r.nextInt(10) == 0 ? Outcome.ERROR : Outcome.OK,
                (long) (r.nextDouble() * 300_000), "bank", "retail", Map.of());
    }
}
