package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.Timestamps;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint and replay: the same events sent to a Vigil that runs through, and to one killed with SIGKILL
 * three times at random moments (its pipeline mid-work, checkpoints every second), must leave the same KPI
 * windows and the same cases in the store.
 *
 * <p>Batches are sent one at a time and a kill only ever follows an acknowledgement, so both servers hold
 * the same journal; what differs is how far the crashed one's pipeline had got, which is the point.
 */
class PipelineReplayIT {

    static final String CONFIG = """
            pipeline:
              allowedLateness: 30s
              maxLateness: 10m
              idleTimeout: 0s
              partitions: 2
              checkpointEvery: 1s
            processes:
              order-to-cash:
                activities: [Placed, Paid, Shipped, Delivered]
                start: Placed
                end: [Delivered]
                keys: [orderId, shipmentId]
                stuckAfter: 2m
            """;

    @TempDir
    Path tmp;

    @Test
    void killedAndRestartedGivesTheSameKpisAndCasesAsARunThatNeverCrashed() throws Exception {
        Path config = tmp.resolve("vigil.yaml");
        Files.writeString(config, CONFIG);
        List<String> batches = batches(new Random(7), Timestamps.toMicros(Instant.now()) - 20 * 60_000_000L);
        int events = batches.stream().mapToInt(b -> (int) b.lines().count()).sum();

        Outputs uninterrupted;
        String uninterruptedStats;
        try (VigilProcess vigil = serve(tmp.resolve("a"), config)) {
            for (String b : batches) {
                Http.postEvents(vigil.url, b);
            }
            uninterrupted = settled(vigil.url, events);
            uninterruptedStats = Http.get(vigil.url, "/api/v1/stats").get("pipeline").toString()
                    + Http.get(vigil.url, "/api/v1/kpis/series?dimension=peer") + Http.get(vigil.url, "/api/v1/kpis?dimension=peer&key=bank");
            assertThat(vigil.terminate()).isZero();
            System.out.println("--- uninterrupted run:\n" + String.join("\n", vigil.output()));
        }

        Random random = new Random();
        TreeSet<Integer> kills = new TreeSet<>();
        // Batches go 25 ms apart, so the first life lasts over a second and takes a checkpoint (awaited below)
        // that the next start restores; the other kills fall anywhere.
        kills.add(45 + random.nextInt(20));
        while (kills.size() < 3) {
            kills.add(1 + random.nextInt(batches.size() - 2));
        }
        Path b = tmp.resolve("b");
        int next = 0;
        List<String> lives = new ArrayList<>();
        for (int killAfter : kills) {
            try (VigilProcess vigil = serve(b, config)) {
                while (next < killAfter) {
                    Http.postEvents(vigil.url, batches.get(next++));
                    Thread.sleep(25);
                }
                if (killAfter == kills.first()) {
                    // The first life must leave a checkpoint for the next start to restore: wait for it rather
                    // than trust that over a second of posting got one written.
                    Http.await(vigil.url, "/api/v1/stats", st -> st.at("/pipeline/checkpointRecord").asLong() > 0);
                }
                Thread.sleep(random.nextInt(300));
                vigil.kill();
                lives.addAll(vigil.output());
                System.out.println("--- killed after batch " + killAfter + ":\n" + String.join("\n", vigil.output()));
            }
        }
        Outputs recovered;
        try (VigilProcess vigil = serve(b, config)) {
            while (next < batches.size()) {
                Http.postEvents(vigil.url, batches.get(next++));
            }
            recovered = settled(vigil.url, events);
            lives.addAll(vigil.output());
            System.out.println("--- recovered run:\n" + String.join("\n", vigil.output()));
        }
        assertThat(lives).as("a restart restored a checkpoint (else only the full replay was tested)")
                .anyMatch(l -> l.contains("restored the checkpoint at journal record"));
        assertThat(uninterrupted.cases()).hasSizeGreaterThan(100);
        assertThat(uninterrupted.windows()).as("windows; stats %s", uninterruptedStats).hasSizeGreaterThan(20);
        assertThat(difference(uninterrupted.cases(), recovered.cases())).as("cases after kills at batches %s", kills).isEmpty();
        assertThat(difference(uninterrupted.windows(), recovered.windows())).as("KPI windows after kills at batches %s", kills)
                .isEmpty();
    }

    /** What differs between two outputs, shortly: a full dump of 1,500 cases would hide the point. */
    static List<String> difference(TreeMap<String, String> expected, TreeMap<String, String> actual) {
        List<String> out = new ArrayList<>();
        for (var e : expected.entrySet()) {
            String a = actual.get(e.getKey());
            if (a == null) {
                out.add("missing " + e.getValue());
            } else if (!a.equals(e.getValue())) {
                out.add("expected " + e.getValue() + "\n   but was " + a);
            }
        }
        actual.forEach((k, v) -> {
            if (!expected.containsKey(k)) {
                out.add("unexpected " + v);
            }
        });
        if (out.size() > 8) {
            int n = out.size();
            out.subList(8, n).clear();
            out.add("... " + (n - 8) + " more differences (of " + expected.size() + " expected, " + actual.size() + " actual)");
        }
        return out;
    }

    record Outputs(TreeMap<String, String> cases, TreeMap<String, String> windows) {
    }

    static VigilProcess serve(Path data, Path config) throws Exception {
        return VigilProcess.start("serve", "--port", "0", "--bind", "127.0.0.1", "--data", data.toString(),
                "--config", config.toString());
    }

    /**
     * Orders over six minutes (some linked to a shipment, some stalling) and calls to two suppliers, sent in
     * batches of 100 in an order that is shuffled within 20 s: inside the 30 s allowed lateness.
     */
    static List<String> batches(Random r, long t0) {
        record Line(long arrival, String json) {
        }
        List<Line> lines = new ArrayList<>();
        String[] steps = {"Placed", "Paid", "Shipped", "Delivered"};
        for (int o = 0; o < 1500; o++) {
            long t = t0 + (long) (r.nextDouble() * 360_000_000L);
            int last = r.nextDouble() < 0.1 ? 1 + r.nextInt(2) : 4;
            for (int s = 0; s < last; s++) {
                String keys = switch (steps[s]) {
                    case "Shipped" -> "\"orderId\":\"O" + o + "\",\"shipmentId\":\"S" + o + "\"";
                    case "Delivered" -> "\"shipmentId\":\"S" + o + "\"";
                    default -> "\"orderId\":\"O" + o + "\"";
                };
                lines.add(new Line(t + (long) (r.nextDouble() * 20_000_000L), "{\"time\":\"" + Timestamps.format(t)
                        + "\",\"source\":\"shop\",\"name\":\"" + steps[s] + "\",\"correlation\":{" + keys + "},\"outcome\":\""
                        + (r.nextDouble() < 0.05 ? "error" : "ok") + "\"}"));
                t += (long) (r.nextDouble() * 30_000_000L);
            }
        }
        for (int c = 0; c < 6000; c++) {
            long t = t0 + (long) (r.nextDouble() * 360_000_000L);
            lines.add(new Line(t + (long) (r.nextDouble() * 20_000_000L), "{\"time\":\"" + Timestamps.format(t)
                    + "\",\"source\":\"billing\",\"name\":\"Charge\",\"peer\":\"" + (r.nextBoolean() ? "bank" : "tax")
                    + "\",\"unit\":\"retail\",\"durationMs\":" + Math.round(Math.exp(3 + r.nextGaussian()) * 1000) / 1000.0
                    + ",\"outcome\":\"" + (r.nextDouble() < 0.02 ? "error" : "ok") + "\"}"));
        }
        lines.sort(Comparator.comparingLong(Line::arrival));
        List<String> batches = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 100) {
            StringBuilder b = new StringBuilder();
            lines.subList(i, Math.min(lines.size(), i + 100)).forEach(l -> b.append(l.json()).append('\n'));
            batches.add(b.toString());
        }
        return batches;
    }

    /** Waits until the pipeline has folded every event and stored what they gave, then reads the outputs. */
    static Outputs settled(URI base, int events) throws Exception {
        Http.await(base, "/api/v1/stats", st -> st.at("/pipeline/eventsStored").asLong() == events);
        return read(base);
    }

    static Outputs read(URI base) throws Exception {
        TreeMap<String, String> cases = new TreeMap<>();
        String cursor = null;
        do {
            JsonNode page = Http.get(base, "/api/v1/cases?limit=1000"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            page.get("cases").forEach(c -> cases.put(c.get("id").asText(), c.toString()));
            cursor = page.get("next").isNull() ? null : page.get("next").asText();
        } while (cursor != null);
        TreeMap<String, String> windows = new TreeMap<>();
        String range = "&from=" + URLEncoder.encode(Timestamps.format(Timestamps.toMicros(Instant.now()) - 3_600_000_000L),
                StandardCharsets.UTF_8);
        for (String dimension : List.of("service-operation", "process-activity", "peer", "unit")) {
            for (JsonNode s : Http.get(base, "/api/v1/kpis/series?dimension=" + dimension + range).get("series")) {
                String key = URLEncoder.encode(s.get("key").asText(), StandardCharsets.UTF_8);
                String name = s.has("name") ? "&name=" + URLEncoder.encode(s.get("name").asText(), StandardCharsets.UTF_8) : "";
                for (JsonNode point : Http.get(base, "/api/v1/kpis?dimension=" + dimension + "&key=" + key + name + range)
                        .get("points")) {
                    if (point.get("count").asLong() > 0) {
                        windows.put(dimension + "/" + s.get("key").asText() + "/" + (s.has("name") ? s.get("name").asText() : "")
                                + "@" + point.get("start").asText(), point.toString());
                    }
                }
            }
        }
        return new Outputs(cases, windows);
    }
}
