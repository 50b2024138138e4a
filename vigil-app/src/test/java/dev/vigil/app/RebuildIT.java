package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.Timestamps;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil rebuild} against the jar: a live server with idle progress on sees a quiet gap (its journal
 * ticks move the watermark past the last events), then events late enough to be amended and too late to
 * count, and an order that had gone stuck moving again; after a stop, the rebuild recomputes every output from
 * the journal and must land on exactly what the live server wrote, row for row.
 */
class RebuildIT {

    static final String CONFIG = """
            pipeline:
              allowedLateness: 2s
              maxLateness: 20s
              idleTimeout: 3s
              partitions: 2
              checkpointEvery: 1s
            processes:
              order-to-cash:
                activities: [Placed, Paid, Shipped, Delivered]
                start: Placed
                end: [Delivered]
                keys: [orderId, shipmentId]
                stuckAfter: 15s
            """;

    @TempDir
    Path tmp;

    @Test
    void aRebuildFromTheJournalGivesWhatTheLiveServerWroteQuietGapsAndLateEventsIncluded() throws Exception {
        Path config = tmp.resolve("vigil.yaml");
        Files.writeString(config, CONFIG);
        Path data = tmp.resolve("data");
        long t0 = Timestamps.toMicros(Instant.now()) - 600_000_000L;
        Random r = new Random(11);

        try (VigilProcess vigil = PipelineReplayIT.serve(data, config)) {
            // A minute of orders and calls, sent in time order as an estate's clients would.
            TreeMap<Long, String> first = new TreeMap<>();
            for (int o = 0; o < 40; o++) {
                long t = t0 + o * 1_000_000L;
                first.put(t, order("O" + o, "Placed", t));
                if (o % 4 != 0) {
                    // One order in four stops after Placed: stuck once the watermark is 15 s past it.
                    first.put(t + 500_000L, order("O" + o, "Paid", t + 500_000L));
                }
            }
            for (int c = 0; c < 300; c++) {
                long t = t0 + c * 200_000L + 1 + r.nextInt(1000);
                first.put(t, call(t, r));
            }
            Http.postEvents(vigil.url, String.join("", first.values()));
            long lastEvent = t0 + 60_000_000L;
            // Nothing arrives: the journal's ticks move the watermark on past the events, closing their minutes
            // and making the stalled orders stuck. Whatever happens after the late events below (more ticks
            // until the stop) is in the journal too: no need to wait for it.
            long wm = watermarkPast(vigil.url, lastEvent + 20_000_000L);

            StringBuilder late = new StringBuilder();
            late.append(call(wm - 10_000_000L, r));            // behind the watermark, inside maxLateness: amends
            late.append(call(wm - 12_000_000L, r));
            late.append(call(t0 + 5_000_000L, r));             // far behind: too late, counted, not folded in
            late.append(order("O0", "Paid", wm - 8_000_000L)); // a stuck order moves again
            Http.postEvents(vigil.url, late.toString());
            Http.await(vigil.url, "/api/v1/stats", st -> st.at("/pipeline/eventsFolded").asLong() == 40 + 30 + 300 + 3);
            assertThat(vigil.terminate()).isZero();
        }
        Outputs live = read(data);
        assertThat(live.late().values()).as("late events marked by the live run").contains("late", "tooLate");
        assertThat(live.cases().values()).as("orders that went stuck in the quiet gap").anyMatch(c -> c.contains("|stuck|"));
        assertThat(live.windows()).as("series x minutes of one minute of events").hasSizeGreaterThanOrEqualTo(5);

        VigilProcess rebuild = VigilProcess.launch("rebuild", "--data", data.toString(), "--config", config.toString());
        assertThat(rebuild.await(180)).as("%s", rebuild.output()).isZero();
        assertThat(String.join("\n", rebuild.output())).contains("rebuilding").contains("rebuilt in");

        Outputs rebuilt = read(data);
        assertThat(PipelineReplayIT.difference(live.windows(), rebuilt.windows())).as("KPI windows").isEmpty();
        assertThat(PipelineReplayIT.difference(live.cases(), rebuilt.cases())).as("cases").isEmpty();
        assertThat(PipelineReplayIT.difference(live.late(), rebuilt.late())).as("late events").isEmpty();
    }

    private static String order(String id, String step, long t) {
        return "{\"time\":\"" + Timestamps.format(t) + "\",\"source\":\"shop\",\"name\":\"" + step
                + "\",\"correlation\":{\"orderId\":\"" + id + "\"}}\n";
    }

    private static String call(long t, Random r) {
        return "{\"time\":\"" + Timestamps.format(t) + "\",\"source\":\"billing\",\"name\":\"Charge\",\"peer\":\"bank\","
                + "\"durationMs\":" + (1 + r.nextInt(500)) + ",\"outcome\":\"" + (r.nextDouble() < 0.1 ? "error" : "ok") + "\"}\n";
    }

    /** Waits until the pipeline's watermark is at or past {@code micros}; returns where it stands. */
    private static long watermarkPast(URI base, long micros) throws Exception {
        JsonNode st = Http.await(base, "/api/v1/stats", s -> s.at("/pipeline/watermark").isTextual()
                && Timestamps.parseRfc3339(s.at("/pipeline/watermark").asText()) >= micros);
        return Timestamps.parseRfc3339(st.at("/pipeline/watermark").asText());
    }

    /** Every output row, by key; windows without their revision, which counts rewrites and so depends on timing. */
    record Outputs(TreeMap<String, String> windows, TreeMap<String, String> cases, TreeMap<String, String> late) {
    }

    static Outputs read(Path data) throws Exception {
        Outputs out = new Outputs(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + data.resolve("vigil.duckdb").toAbsolutePath());
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT dimension, k1, k2, start, count, errors, timed, sketch FROM kpi_windows")) {
                while (rs.next()) {
                    String key = rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4);
                    out.windows().put(key, key + " count " + rs.getLong(5) + " errors " + rs.getLong(6) + " timed "
                            + rs.getLong(7) + " sketch " + HexFormat.of().formatHex(rs.getBytes(8)));
                }
            }
            try (ResultSet rs = st.executeQuery("""
                    SELECT id, process, status, outcome, first_time, last_time, duration_us, path, keys, events, failed
                    FROM cases""")) {
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= 11; i++) {
                        row.append(rs.getString(i)).append('|');
                    }
                    out.cases().put(rs.getString(1), row.toString());
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT seq, lateness FROM late_events")) {
                while (rs.next()) {
                    out.late().put(String.valueOf(rs.getLong(1)), rs.getString(2));
                }
            }
        }
        return out;
    }
}
