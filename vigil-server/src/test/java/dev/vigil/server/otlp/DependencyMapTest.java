package dev.vigil.server.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.event.Timestamps;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.testkit.Await;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dependency map and the estate model from spans two real OpenTelemetry SDKs made, as two services would: the
 * calls between them paired end to end, the database one of them calls (uninstrumented) as a virtual node, a
 * client span that names no peer counted as unpaired, where each service ran, and vigil.yaml's declared
 * interactions held against what was seen.
 */
class DependencyMapTest {

    @TempDir
    Path dir;
    VigilServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    static Resource resource(String service, String host, String instance) {
        return Resource.getDefault().merge(Resource.create(Attributes.builder().put("service.name", service)
                .put("host.name", host).put("service.instance.id", instance).build()));
    }

    @Test
    void callsBetweenTracedServicesArePairedEndToEndAndUninstrumentedPeersBecomeVirtualNodes() throws Exception {
        var config = ConfigLoader.parse("""
                telemetry: {pairWithin: 10s}
                estate:
                  interactions:
                    web: [orders]
                    orders: [shop-db, billing]
                  hostAliases: {web-host.internal: web-1}
                """, "vigil.yaml");
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1").withConfig(config));
        OtlpTracesTest.Recorder recorder = new OtlpTracesTest.Recorder();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10)).plusSeconds(10);
        try (SdkTracerProvider web = provider("web", "web-host.internal", "web-a", recorder);
             SdkTracerProvider orders = provider("orders", "app-2", "orders-a", recorder)) {
            for (int i = 0; i < 5; i++) {
                request(web.get("test"), orders.get("test"), t0.plusSeconds(i), i == 4, i == 0);
            }
        }
        SpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(uri("/v1/traces").toString())
                .setTimeout(Duration.ofSeconds(60)).build();
        assertThat(exporter.export(recorder.spans).join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
        exporter.shutdown().join(10, TimeUnit.SECONDS);
        // Event time moves on only with events: one from a clock source three minutes on closes the spans' minute
        // and ends every pairing wait.
        String tick = "{\"time\":\"" + Timestamps.format(Timestamps.toMicros(t0.plus(Duration.ofMinutes(3))))
                + "\",\"source\":\"clock\",\"name\":\"tick\"}";
        HttpResponse<String> sent = http.send(HttpRequest.newBuilder(uri("/ingest/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(tick)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        JsonNode estate = Await.until("both edges in the estate", this::estate,
                e -> call(e, "web", "orders") != null && call(e, "orders", "shop-db") != null
                        && call(e, "orders", "shop-db").get("count").asLong() == 5);

        JsonNode paired = call(estate, "web", "orders");
        assertThat(paired.get("traced").asBoolean()).isTrue();
        assertThat(paired.get("virtual").asBoolean()).isFalse();
        assertThat(paired.get("declared").asBoolean()).isTrue();
        assertThat(paired.get("count").asLong()).isEqualTo(5);
        assertThat(paired.get("errors").asLong()).as("the failed call, failed at the callee").isEqualTo(1);
        assertThat(paired.get("p50Ms").asDouble()).as("as web saw it").isCloseTo(120, within(2.5));
        assertThat(paired.at("/served/p50Ms").asDouble()).as("as orders served it").isCloseTo(100, within(2.5));
        assertThat(paired.at("/served/errors").asLong()).isEqualTo(1);

        JsonNode virtual = call(estate, "orders", "shop-db");
        assertThat(virtual.get("virtual").asBoolean()).isTrue();
        assertThat(virtual.has("served")).isFalse();
        assertThat(virtual.get("p50Ms").asDouble()).isCloseTo(7, within(0.5));
        assertThat(calls(estate)).as("every edge once: the client spans' own peers do not draw it again")
                .containsExactlyInAnyOrder("web->orders", "orders->shop-db");

        assertThat(estate.get("unpaired")).hasSize(1);
        assertThat(estate.at("/unpaired/0/service").asText()).isEqualTo("orders");
        assertThat(estate.at("/unpaired/0/end").asText()).isEqualTo("client");
        assertThat(estate.at("/unpaired/0/spans").asLong()).isEqualTo(1);

        assertThat(estate.at("/interactions/declared").asInt()).isEqualTo(3);
        assertThat(estate.at("/interactions/notDeclared")).isEmpty();
        assertThat(estate.at("/interactions/notSeen")).hasSize(1);
        assertThat(estate.at("/interactions/notSeen/0/source").asText()).isEqualTo("orders");
        assertThat(estate.at("/interactions/notSeen/0/peer").asText()).isEqualTo("billing");

        JsonNode webRow = service(estate, "web");
        assertThat(webRow.at("/hosts/0/host").asText()).as("named as vigil.yaml's alias says").isEqualTo("web-1");
        assertThat(webRow.at("/hosts/0/spans").asLong()).isEqualTo(10);
        assertThat(webRow.at("/instances/0/instance").asText()).isEqualTo("web-a");
        JsonNode ordersRow = service(estate, "orders");
        assertThat(ordersRow.at("/hosts/0/host").asText()).isEqualTo("app-2");
        assertThat(ordersRow.at("/hosts/0/spans").asLong()).isEqualTo(16);
        assertThat(estate.get("calledOnly")).extracting(r -> r.get("service").asText()).containsExactly("shop-db");

        // Rebuilt from the journal alone (no checkpoint), the map is the same: the journal keeps what pairing reads.
        server.close();
        deleteTree(dir.resolve("pipeline"));
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1").withConfig(config));
        JsonNode rebuilt = Await.until("the map rebuilt", () -> estate(), e -> e.get("calls").equals(estate.get("calls"))
                && e.get("unpaired").equals(estate.get("unpaired")) && e.get("units").equals(estate.get("units")));
        assertThat(rebuilt.get("interactions")).isEqualTo(estate.get("interactions"));
    }

    JsonNode estate() throws Exception {
        return OtlpTracesTest.JSON.readTree(http.send(HttpRequest.newBuilder(uri("/api/v1/estate?minutes=60")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    static void deleteTree(Path p) throws java.io.IOException {
        try (var all = java.nio.file.Files.walk(p)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /**
     * One request: web serves it and calls orders (120 ms as web sees it); orders serves it in 100 ms, querying its
     * database (7 ms) and, the first time, making a call that names no peer.
     */
    static void request(Tracer web, Tracer orders, Instant at, boolean fail, boolean lonely) {
        Span entry = web.spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER).setStartTimestamp(at).startSpan();
        Span client = web.spanBuilder("POST /orders").setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(entry))
                .setAttribute("peer.service", "orders").setStartTimestamp(at.plusMillis(5)).startSpan();
        Span served = orders.spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER).setParent(Context.root().with(client))
                .setStartTimestamp(at.plusMillis(15)).startSpan();
        Span work = orders.spanBuilder("price basket").setParent(Context.root().with(served))
                .setStartTimestamp(at.plusMillis(20)).startSpan();
        orders.spanBuilder("SELECT orders").setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(work))
                .setAttribute("db.system.name", "postgresql").setAttribute("db.namespace", "shop-db")
                .setStartTimestamp(at.plusMillis(21)).startSpan().end(at.plusMillis(28));
        if (lonely) {
            orders.spanBuilder("callback").setSpanKind(SpanKind.CLIENT).setParent(Context.root().with(work))
                    .setStartTimestamp(at.plusMillis(30)).startSpan().end(at.plusMillis(31));
        }
        work.end(at.plusMillis(100));
        if (fail) {
            served.setStatus(StatusCode.ERROR, "out of stock");
        }
        served.end(at.plusMillis(115));
        client.end(at.plusMillis(125));
        entry.end(at.plusMillis(130));
    }

    static SdkTracerProvider provider(String service, String host, String instance, OtlpTracesTest.Recorder recorder) {
        return SdkTracerProvider.builder().setResource(resource(service, host, instance))
                .addSpanProcessor(SimpleSpanProcessor.create(recorder)).build();
    }

    static JsonNode call(JsonNode estate, String source, String peer) {
        for (JsonNode c : estate.get("calls")) {
            if (c.get("source").asText().equals(source) && c.get("peer").asText().equals(peer)) {
                return c;
            }
        }
        return null;
    }

    static List<String> calls(JsonNode estate) {
        List<String> out = new ArrayList<>();
        estate.get("calls").forEach(c -> out.add(c.get("source").asText() + "->" + c.get("peer").asText()));
        return out;
    }

    static JsonNode service(JsonNode estate, String name) {
        for (JsonNode u : estate.get("units")) {
            for (JsonNode s : u.get("services")) {
                if (s.get("service").asText().equals(name)) {
                    return s;
                }
            }
        }
        throw new AssertionError("no service " + name + " in " + estate);
    }
}
