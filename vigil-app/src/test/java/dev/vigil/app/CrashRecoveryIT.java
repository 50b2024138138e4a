package dev.vigil.app;

import dev.vigil.testkit.Await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.Timestamps;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged means durable: a real {@code vigil serve} child process, several concurrent clients, SIGKILL
 * at a random moment mid-stream, a restart on the same data folder, and every acknowledged event must be
 * there exactly once. Three rounds on the same folder, so recovery of a recovered store is covered too.
 */
class CrashRecoveryIT {

    @TempDir
    Path data;

    @Test
    void everyAcknowledgedEventSurvivesSigkillExactlyOnce() throws Exception {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Random random = new Random();
        for (int round = 0; round < 3; round++) {
            try (VigilProcess vigil = VigilProcess.start("serve", "--port", "0", "--bind", "127.0.0.1",
                    "--data", data.toString())) {
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < 8; c++) {
                    String prefix = "r" + round + "c" + c + "-";
                    clients.add(Thread.ofPlatform().start(() -> postUntilStopped(vigil.url, prefix, stop, acked)));
                }
                // SIGKILL mid-stream: after a random number of acknowledged events (400 to 2,000 this round), not
                // after a time, which a loaded machine might spend before acknowledging anything.
                int before = acked.size();
                int target = before + 400 + random.nextInt(1600);
                Await.until("round " + round + ": " + (target - before) + " more events acknowledged",
                        () -> acked.size() - before, n -> acked.size() >= target);
                vigil.kill();
                stop.set(true);
                for (Thread t : clients) {
                    t.join();
                }
            }
            try (VigilProcess vigil = VigilProcess.start("serve", "--port", "0", "--bind", "127.0.0.1",
                    "--data", data.toString())) {
                Map<String, Integer> seen = new HashMap<>();
                for (JsonNode e : Http.allEvents(vigil.url)) {
                    seen.merge(e.at("/correlation/eid").asText(), 1, Integer::sum);
                }
                List<String> missing = acked.stream().filter(id -> !seen.containsKey(id)).limit(10).toList();
                assertThat(missing).as("acknowledged events missing after SIGKILL and restart").isEmpty();
                assertThat(seen.entrySet().stream().filter(en -> en.getValue() > 1).map(Map.Entry::getKey).limit(10).toList())
                        .as("events stored more than once").isEmpty();
                long seqs = Http.get(vigil.url, "/api/v1/stats").get("lastSeq").asLong();
                assertThat(seqs).isEqualTo(seen.size());
                vigil.kill();
            }
        }
        assertThat(acked).hasSizeGreaterThan(1000);
    }

    @Test
    void anAcknowledgedHostMinuteFromOtlpMetricsSurvivesSigkill() throws Exception {
        try (VigilProcess vigil = VigilProcess.start("serve", "--port", "0", "--bind", "127.0.0.1", "--data", data.toString(),
                "--otlp-grpc-port", "off")) {
            var exporter = io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter.builder()
                    .setEndpoint(vigil.url.resolve("/v1/metrics").toString()).setTimeout(Duration.ofSeconds(60)).build();
            var reader = io.opentelemetry.sdk.metrics.export.PeriodicMetricReader.builder(exporter)
                    .setInterval(Duration.ofHours(1)).build();
            var key = io.opentelemetry.api.common.AttributeKey.stringKey("state");
            try (var provider = io.opentelemetry.sdk.metrics.SdkMeterProvider.builder().registerMetricReader(reader)
                    .setResource(io.opentelemetry.sdk.resources.Resource.create(io.opentelemetry.api.common.Attributes.of(
                            io.opentelemetry.api.common.AttributeKey.stringKey("host.name"), "killed-host"))).build()) {
                var meter = provider.get("hostmetrics");
                meter.counterBuilder("system.cpu.time").ofDoubles().buildWithCallback(m -> {
                    m.record(10, io.opentelemetry.api.common.Attributes.of(key, "user"));
                    m.record(90, io.opentelemetry.api.common.Attributes.of(key, "idle"));
                });
                meter.upDownCounterBuilder("system.memory.usage").buildWithCallback(m -> {
                    m.record(3_000, io.opentelemetry.api.common.Attributes.of(key, "used"));
                    m.record(1_000, io.opentelemetry.api.common.Attributes.of(key, "free"));
                });
                assertThat(reader.forceFlush().join(60, java.util.concurrent.TimeUnit.SECONDS).isSuccess())
                        .as("acknowledged").isTrue();
            }
            // Killed once the answers came: nothing after them (a graceful stop, a minute closing) may be what kept it.
            vigil.kill();
        }
        try (VigilProcess vigil = VigilProcess.start("serve", "--port", "0", "--bind", "127.0.0.1", "--data", data.toString(),
                "--otlp-grpc-port", "off")) {
            JsonNode hosts = Http.get(vigil.url, "/api/v1/hosts");
            JsonNode latest = null;
            for (JsonNode h : hosts.get("hosts")) {
                if (h.get("host").asText().equals("killed-host")) {
                    latest = h.get("latest");
                }
            }
            assertThat(latest).as("the host's minute after SIGKILL: %s", hosts).isNotNull();
            assertThat(latest.get("memoryUtilisation").asDouble()).isEqualTo(0.75);
            vigil.kill();
        }
    }

    private static void postUntilStopped(URI base, String prefix, AtomicBoolean stop, Set<String> acked) {
        int n = 0;
        while (!stop.get()) {
            StringBuilder body = new StringBuilder();
            List<String> ids = new ArrayList<>();
            long now = Timestamps.toMicros(Instant.now());
            for (int i = 0; i < 50; i++) {
                String id = prefix + (n++);
                ids.add(id);
                body.append("{\"time\":\"").append(Timestamps.format(now)).append("\",\"source\":\"crash-test\",")
                        .append("\"name\":\"Post\",\"correlation\":{\"eid\":\"").append(id).append("\"}}\n");
            }
            try {
                HttpResponse<String> r = Http.CLIENT.send(HttpRequest.newBuilder(base.resolve("/ingest/events"))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/x-ndjson")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && Http.JSON.readTree(r.body()).get("accepted").asInt() == ids.size()) {
                    acked.addAll(ids);
                }
            } catch (Exception e) {
                // The server was killed: this request was never acknowledged, so it may or may not be stored.
                if (stop.get()) {
                    return;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
