package dev.vigil.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The delay from ingest to visibility: how long after the acknowledgement of the events that carry the
 * watermark past a window that window can be read through {@code GET /api/v1/kpis}.
 *
 * <p>Each trial posts one call to a supplier of its own ({@code peer=probe-N}) inside a fresh minute, then
 * a batch of events 1 s past that minute's end plus the allowed lateness (enough of them to reach every
 * partition), takes the time of that batch's acknowledgement, and polls the API every millisecond until
 * the window shows the call. It measures the running server as configured: start it with the allowed
 * lateness given here.
 *
 * <p>Run: {@code java -cp vigil-bench/target/benchmarks.jar dev.vigil.bench.VisibleDelay URL [trials]
 * [allowedLatenessSeconds]}
 */
public final class VisibleDelay {

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        long lateness = args.length > 2 ? Long.parseLong(args[2]) : 5;
        HttpClient http = HttpClient.newHttpClient();
        String run = Long.toString(System.currentTimeMillis() % 100_000, 36);
        // Start after whatever the server has seen, so that no probe is late for an earlier run's watermark.
        Instant start = Instant.now().minus(Duration.ofHours(6));
        String stats = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher wm = Pattern.compile("\"watermark\":\"([^\"]+)\"").matcher(stats);
        if (wm.find() && Instant.parse(wm.group(1)).plus(Duration.ofMinutes(1)).isAfter(start)) {
            start = Instant.parse(wm.group(1)).plus(Duration.ofMinutes(1)).plusSeconds(lateness);
        }
        start = start.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        if (start.plus(Duration.ofMinutes(2L * trials)).isAfter(Instant.now())) {
            throw new IllegalStateException("the server's watermark is too recent for " + trials
                    + " trials of two minutes each: use a fresh data folder");
        }
        double[] millis = new double[trials];
        for (int t = 0; t < trials; t++) {
            Instant minute = start.plus(Duration.ofMinutes(2L * t));
            String peer = "probe-" + run + "-" + t;
            post(http, base, "{\"time\":\"" + minute.plusSeconds(10) + "\",\"source\":\"probe\",\"name\":\"call\","
                    + "\"kind\":\"call\",\"peer\":\"" + peer + "\",\"durationMs\":5}\n");
            StringBuilder ticks = new StringBuilder();
            for (int i = 0; i < 64; i++) {
                ticks.append("{\"time\":\"").append(minute.plusSeconds(61 + lateness)).append("\",\"source\":\"probe\",")
                        .append("\"name\":\"tick\"}\n");
            }
            post(http, base, ticks.toString());
            long acked = System.nanoTime();
            String query = "/api/v1/kpis?dimension=peer&key=" + peer + "&from=" + minute + "&to=" + minute.plusSeconds(60);
            while (true) {
                String body = http.send(HttpRequest.newBuilder(base.resolve(query)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (body.contains("\"count\":1")) {
                    millis[t] = (System.nanoTime() - acked) / 1e6;
                    break;
                }
                if (System.nanoTime() - acked > 30_000_000_000L) {
                    throw new IllegalStateException("window of " + peer + " not visible after 30 s: " + body);
                }
                Thread.sleep(1);
            }
        }
        Arrays.sort(millis);
        System.out.printf(Locale.ROOT, "ingest-acknowledged to window visible, %d trials: median %.0f ms, p90 %.0f ms, "
                        + "min %.0f ms, max %.0f ms%n", trials, millis[trials / 2], millis[(int) (trials * 0.9)],
                millis[0], millis[trials - 1]);
    }

    private static void post(HttpClient http, URI base, String ndjson) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/ingest/events"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("ingest answered " + r.statusCode() + ": " + r.body());
        }
    }
}
