package dev.vigil.server.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.Timestamps;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.testkit.Await;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's latency beside its host's saturation, from what real clients send: the service's spans (the
 * OpenTelemetry SDK, placing it on host web-3) and web-3's system metrics (OTLP/JSON, as a collector sends them),
 * half an hour of each, with the service slow in five minutes and the host saturated in four of them.
 */
class AlignmentApiTest {

    @TempDir
    Path dir;
    VigilServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        server.close();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static final Set<Integer> SLOW = Set.of(10, 11, 12, 13, 20);
    static final Set<Integer> BUSY = Set.of(10, 11, 12, 13, 25);

    @Test
    void latencyThatRoseWithTheHostsCpuSaturationIsSaidOnTheServicesAlignment() throws Exception {
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1"));
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(45));
        OtlpTracesTest.Recorder recorder = new OtlpTracesTest.Recorder();
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder()
                        .put("service.name", "shipping").put("host.name", "web-3").build())))
                .addSpanProcessor(SimpleSpanProcessor.create(recorder)).build()) {
            Tracer tracer = provider.get("test");
            for (int minute = 0; minute < 30; minute++) {
                for (int i = 0; i < 10; i++) {
                    Instant start = t0.plusSeconds(minute * 60L + i * 5L);
                    long ms = SLOW.contains(minute) ? 600 : 200;
                    tracer.spanBuilder("POST /shipments").setSpanKind(SpanKind.SERVER).setStartTimestamp(start)
                            .startSpan().end(start.plusMillis(ms));
                }
            }
        }
        SpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(uri("/v1/traces").toString())
                .setTimeout(Duration.ofSeconds(60)).build();
        assertThat(exporter.export(recorder.spans).join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
        exporter.shutdown().join(10, TimeUnit.SECONDS);
        for (int minute = 0; minute < 30; minute++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/v1/metrics"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(hostReading(t0.plusSeconds(minute * 60L + 30), minute))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        // Event time moves on with events only: one two minutes past the last closes every minute of the spans.
        String tick = "{\"time\":\"" + Timestamps.format(Timestamps.toMicros(t0.plus(Duration.ofMinutes(32))))
                + "\",\"source\":\"clock\",\"name\":\"tick\"}";
        http.send(HttpRequest.newBuilder(uri("/ingest/events")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(tick)).build(), HttpResponse.BodyHandlers.ofString());

        JsonNode alignment = Await.until("the service's slow minutes beside its host's", () -> OtlpTracesTest.JSON.readTree(
                http.send(HttpRequest.newBuilder(uri("/api/v1/alignment/shipping?minutes=60")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()), a -> a.get("minutes").size() >= 30
                        && a.get("findings").size() > 0);
        assertThat(alignment.at("/hosts/0/host").asText()).isEqualTo("web-3");
        assertThat(alignment.at("/hosts/0/knownFrom").asText()).isEqualTo("spans");
        assertThat(alignment.at("/hostMinutes/web-3").size()).isEqualTo(30);
        JsonNode finding = alignment.at("/findings/0");
        assertThat(finding.get("kind").asText()).isEqualTo("saturation");
        assertThat(finding.get("resource").asText()).isEqualTo("cpu");
        assertThat(finding.get("slowMinutes").asInt()).isEqualTo(5);
        assertThat(finding.get("together").asInt()).isEqualTo(4);
        assertThat(finding.get("otherSaturated").asInt()).isEqualTo(1);
        assertThat(finding.get("sentence").asText()).startsWith("p95 of shipping rose with CPU saturation on host web-3: "
                + "in 4 of 5 minutes when p95 was 1.5 times its median or more (").endsWith("web-3's CPU was saturated; "
                + "in the other minutes, 1 of 25.");

        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(uri("/api/v1/alignment/shipping?minutes=5")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    /** web-3's system metrics at {@code at}: two CPUs a third busy, load per core 1.4 in the busy minutes. */
    static String hostReading(Instant at, int minute) {
        long nanos = Timestamps.toMicros(at) * 1000;
        double busy = minute * 60 * 2 / 3.0;
        double idle = minute * 60 * 2 - busy + 1000;
        double load = BUSY.contains(minute) ? 2.8 : 0.6;
        return String.format(Locale.ROOT, """
                {"resourceMetrics":[{"resource":{"attributes":[{"key":"host.name","value":{"stringValue":"web-3"}}]},
                 "scopeMetrics":[{"metrics":[
                  {"name":"system.cpu.time","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
                   {"asDouble":%f,"timeUnixNano":"%d","attributes":[{"key":"cpu","value":{"stringValue":"0"}},{"key":"state","value":{"stringValue":"user"}}]},
                   {"asDouble":%f,"timeUnixNano":"%d","attributes":[{"key":"cpu","value":{"stringValue":"0"}},{"key":"state","value":{"stringValue":"idle"}}]},
                   {"asDouble":0,"timeUnixNano":"%d","attributes":[{"key":"cpu","value":{"stringValue":"1"}},{"key":"state","value":{"stringValue":"idle"}}]}]}},
                  {"name":"system.cpu.load_average.1m","gauge":{"dataPoints":[{"asDouble":%f,"timeUnixNano":"%d"}]}}]}]}]}""",
                busy, nanos, idle, nanos, nanos, load, nanos);
    }
}
