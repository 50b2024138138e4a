package dev.vigil.server.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.testkit.Await;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP metrics from the real OpenTelemetry SDK into a real server: a host's system metrics, recorded under the
 * names and attributes of the semantic conventions (as the Collector's hostmetrics receiver sends them), become
 * that host's minutes in {@code /api/v1/hosts}, figure by figure; metrics Vigil does not keep are rejected by name.
 */
class OtlpMetricsTest {

    @TempDir
    Path dir;
    VigilServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withOtlp(new ServerOptions.OtlpPorts(0, 0)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /**
     * A host's counters and gauges, as its kernel would give them: each collection reads them as they stand, the
     * counters moving with time (each CPU 60% busy, 250 KB/s received), so their rates do not depend on when the
     * collections happen.
     */
    static final class Host {
        final long start = System.nanoTime();
        final double load = 1.1;

        double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }

        double[] cpu() {
            double t = seconds();
            return new double[] {100 + t * 0.45, 50 + t * 0.15, 850 + t * 0.4}; // user, system, idle (per CPU)
        }

        double net() {
            return 1_000_000 + seconds() * 250_000;
        }

        /** Registers the host's instruments, named and attributed as OpenTelemetry's system conventions say. */
        void instruments(Meter meter) {
            meter.counterBuilder("system.cpu.time").ofDoubles().setUnit("s").buildWithCallback(m -> {
                double[] c = cpu();
                for (String n : new String[] {"0", "1"}) {
                    m.record(c[0], Attributes.of(AttributeKey.stringKey("cpu"), n, AttributeKey.stringKey("state"), "user"));
                    m.record(c[1], Attributes.of(AttributeKey.stringKey("cpu"), n, AttributeKey.stringKey("state"), "system"));
                    m.record(c[2], Attributes.of(AttributeKey.stringKey("cpu"), n, AttributeKey.stringKey("state"), "idle"));
                }
            });
            meter.gaugeBuilder("system.cpu.load_average.1m").buildWithCallback(m -> m.record(load));
            meter.upDownCounterBuilder("system.memory.usage").setUnit("By").buildWithCallback(m -> {
                m.record(6_000_000_000L, Attributes.of(AttributeKey.stringKey("state"), "used"));
                m.record(1_000_000_000L, Attributes.of(AttributeKey.stringKey("state"), "free"));
                m.record(1_000_000_000L, Attributes.of(AttributeKey.stringKey("state"), "cached"));
            });
            meter.upDownCounterBuilder("system.filesystem.usage").setUnit("By").buildWithCallback(m -> {
                Attributes root = Attributes.of(AttributeKey.stringKey("mountpoint"), "/", AttributeKey.stringKey("type"), "ext4");
                m.record(70_000_000_000L, root.toBuilder().put("state", "used").build());
                m.record(30_000_000_000L, root.toBuilder().put("state", "free").build());
            });
            meter.counterBuilder("system.network.io").setUnit("By").buildWithCallback(m ->
                    m.record(Math.round(net()), Attributes.of(AttributeKey.stringKey("device"), "eth0",
                            AttributeKey.stringKey("direction"), "receive")));
        }
    }

    enum Transport { HTTP_PROTOBUF, GRPC }

    MetricExporter exporterFor(Transport t) {
        return switch (t) {
            case HTTP_PROTOBUF -> OtlpHttpMetricExporter.builder().setEndpoint(uri("/v1/metrics").toString())
                    .setCompression("gzip").setTimeout(Duration.ofSeconds(60)).build();
            case GRPC -> OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + server.otlpGrpcPort())
                    .setTimeout(Duration.ofSeconds(60)).build();
        };
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aHostsSystemMetricsBecomeItsMinuteFigureByFigure(Transport transport) throws Exception {
        Host host = new Host();
        MetricExporter exporter = exporterFor(transport);
        PeriodicMetricReader reader = PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build();
        try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader)
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("host.name"), "otel-host-1",
                        AttributeKey.stringKey("service.name"), "otelcol"))).build()) {
            host.instruments(provider.get("hostmetrics"));
            assertThat(reader.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
            // A second collection once the first is in: counters become rates over the time between the two.
            Await.until("the host's first reading", () -> latest("otel-host-1"), m -> m != null);
            assertThat(reader.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
        }
        JsonNode minute = Await.until("the host's minute", () -> latest("otel-host-1"),
                m -> m != null && !m.path("cpuUtilisation").isNull() && !m.path("cpuUtilisation").isMissingNode());
        assertThat(minute.get("cpus").asInt()).isEqualTo(2);
        // A share of two counters' increments: exact, however long the interval.
        assertThat(minute.get("cpuUtilisation").asDouble()).as("busy share of the CPUs").isCloseTo(0.6, within(0.01));
        assertThat(minute.get("loadPerCore").asDouble()).as("1.1 over 2 CPUs").isCloseTo(0.55, within(0.001));
        assertThat(minute.get("memoryUtilisation").asDouble()).as("used of used + free + cached").isCloseTo(0.75, within(0.001));
        assertThat(minute.get("memoryTotalBytes").asLong()).isEqualTo(8_000_000_000L);
        assertThat(minute.get("filesystemFree").asDouble()).isCloseTo(0.3, within(0.001));
        // The counter moves with the test's clock, the rate is over the SDK's timestamps: equal but for the moments
        // between the SDK's reading of its clock and its callback, a small part of an interval that spans an export.
        assertThat(minute.get("networkBytesPerSecond").asDouble()).isCloseTo(250_000, within(62_500.0));

        // Headroom: capacity less the 95th percentile peak, over the period asked (a day by default).
        JsonNode page = OtlpTracesTest.JSON.readTree(http.send(HttpRequest.newBuilder(uri("/api/v1/hosts/otel-host-1?period=1h"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(page.at("/headroom/period").asText()).isEqualTo("1h");
        assertThat(page.at("/headroom/cpus").asInt()).isEqualTo(2);
        assertThat(page.at("/headroom/cpuHeadroomCores").asDouble()).as("2 CPUs, 60% busy at the peak").isCloseTo(0.8, within(0.02));
        assertThat(page.at("/headroom/memoryHeadroomBytes").asLong()).isEqualTo(2_000_000_000L);
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(uri("/api/v1/hosts/otel-host-1?period=forever")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("period must be a duration such as 1h, 1d or 30d; found forever");
    }

    JsonNode latest(String host) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/hosts")).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode h : OtlpTracesTest.JSON.readTree(r.body()).get("hosts")) {
            if (h.get("host").asText().equals(host)) {
                return h.get("latest");
            }
        }
        return null;
    }

    /** Keeps what the SDK collected, to send it as a client of our own would. */
    static final class Collected implements MetricExporter {
        final List<MetricData> metrics = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<MetricData> batch) {
            metrics.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return AggregationTemporality.CUMULATIVE;
        }
    }

    @Test
    void metricsVigilDoesNotKeepAreRejectedByNameAndTheHostsOnesBesideThemAreKept() throws Exception {
        Collected collected = new Collected();
        List<MetricData> first;
        PeriodicMetricReader reader = PeriodicMetricReader.builder(collected).setInterval(Duration.ofHours(1)).build();
        try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader)
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("host.name"), "otel-host-2"))).build()) {
            Meter meter = provider.get("app");
            new Host().instruments(meter);
            var latency = meter.histogramBuilder("http.server.request.duration").setUnit("s").build();
            latency.record(0.2);
            latency.record(0.4, Attributes.of(AttributeKey.stringKey("http.route"), "/orders"));
            reader.forceFlush().join(60, TimeUnit.SECONDS);
            // One collection, as an exporter sends it (closing the provider collects once more).
            first = List.copyOf(collected.metrics);
        }
        long others = first.stream().filter(m -> !m.getName().startsWith("system."))
                .mapToLong(m -> m.getData().getPoints().size()).sum();
        long all = first.stream().mapToLong(m -> m.getData().getPoints().size()).sum();
        for (boolean json : new boolean[] {false, true}) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            MetricsRequestMarshaler request = MetricsRequestMarshaler.create(first);
            if (json) {
                request.writeJsonTo(body);
            } else {
                request.writeBinaryTo(body);
            }
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri("/v1/metrics"))
                    .header("Content-Type", json ? "application/json" : "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            long rejected;
            String message;
            if (json) {
                JsonNode answer = OtlpTracesTest.JSON.readTree(r.body());
                rejected = answer.at("/partialSuccess/rejectedDataPoints").asLong();
                message = answer.at("/partialSuccess/errorMessage").asText();
            } else {
                ExportMetricsServiceResponse answer = ExportMetricsServiceResponse.parseFrom(r.body());
                rejected = answer.getPartialSuccess().getRejectedDataPoints();
                message = answer.getPartialSuccess().getErrorMessage();
            }
            assertThat(rejected).as("every point but the host's: %s", message).isEqualTo(others).isGreaterThanOrEqualTo(2);
            assertThat(message).startsWith(others + " of " + all + " data points rejected: ")
                    .contains("2 of http.server.request.duration (histogram)")
                    .contains(": not a host or process metric Vigil reads (it keeps OpenTelemetry's system.* host metrics "
                            + "and process.cpu.time, process.memory.usage, process.disk.io and jvm.cpu.time, listed in "
                            + "docs/TELEMETRY.md)");
            assertThat(message.split("not a host or process metric", -1)).as("the reason said once: %s", message).hasSize(2);
        }
        JsonNode minute = Await.until("the host's minute", () -> latest("otel-host-2"), m -> m != null);
        assertThat(minute.get("memoryUtilisation").asDouble()).isCloseTo(0.75, within(0.001));
    }

    @Test
    void aRequestWithNoHostMetricIsRefusedAndABodyThatIsNoRequestNamesWhy() throws Exception {
        String onlyApp = """
                {"resourceMetrics":[{"resource":{"attributes":[{"key":"host.name","value":{"stringValue":"h"}}]},
                 "scopeMetrics":[{"metrics":[{"name":"queue.depth","gauge":{"dataPoints":[{"asInt":"3","timeUnixNano":"1"}]}},
                  {"name":"system.cpu.time","sum":{"aggregationTemporality":1,"isMonotonic":true,
                   "dataPoints":[{"asDouble":1.5,"timeUnixNano":"1","attributes":[{"key":"state","value":{"stringValue":"idle"}}]}]}}]}]}]}""";
        HttpResponse<String> r = post(onlyApp);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode status = OtlpTracesTest.JSON.readTree(r.body());
        assertThat(status.get("code").asInt()).isEqualTo(3);
        assertThat(status.get("message").asText()).isEqualTo("2 of 2 data points rejected: 1 of queue.depth (gauge): not a "
                + "host or process metric Vigil reads (it keeps OpenTelemetry's system.* host metrics and process.cpu.time, "
                + "process.memory.usage, process.disk.io and jvm.cpu.time, listed in docs/TELEMETRY.md); "
                + "1 of system.cpu.time: delta temporality; send it cumulative (the Collector's hostmetrics receiver and "
                + "the SDKs' default do)");
        HttpResponse<String> bad = post("{\"resourceMetrics\": {\"not\": \"an array\"}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(OtlpTracesTest.JSON.readTree(bad.body()).get("message").asText())
                .isEqualTo("not an OTLP ExportMetricsServiceRequest in JSON: resourceMetrics is not an array");
        HttpResponse<String> number = post("{\"resourceMetrics\": [5]}");
        assertThat(number.statusCode()).isEqualTo(400);
        assertThat(OtlpTracesTest.JSON.readTree(number.body()).get("message").asText())
                .isEqualTo("not an OTLP ExportMetricsServiceRequest in JSON: resourceMetrics[0] is number, not an object");
        HttpResponse<String> inner = post("{\"resourceMetrics\": [{\"scopeMetrics\": [[1]]}]}");
        assertThat(OtlpTracesTest.JSON.readTree(inner.body()).get("message").asText())
                .isEqualTo("not an OTLP ExportMetricsServiceRequest in JSON: scopeMetrics[0] is array, not an object");
    }

    HttpResponse<String> post(String json) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/v1/metrics")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A clock the test moves: the SDK stamps its points with it, so minutes close without waiting for them. */
    static final class TestClock implements io.opentelemetry.sdk.common.Clock {
        volatile long nanos;

        TestClock(long millis) {
            nanos = millis * 1_000_000;
        }

        @Override
        public long now() {
            return nanos;
        }

        @Override
        public long nanoTime() {
            return nanos;
        }
    }

    @Test
    void aServicesProcessMetricsBecomeItsMeasuredFootprintKeptAcrossARestart() throws Exception {
        // Three collections 30 s apart, the first early in a minute three minutes ago: the third closes the first
        // minute. The process burns 0.25 CPU seconds per second, holds 300 MB, reads and writes 40 KB/s.
        long t0 = (System.currentTimeMillis() / 60_000 - 3) * 60_000 + 5_000;
        TestClock clock = new TestClock(t0);
        MetricExporter exporter = exporterFor(Transport.HTTP_PROTOBUF);
        PeriodicMetricReader reader = PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build();
        try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).setClock(clock)
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("host.name"), "app-7",
                        AttributeKey.stringKey("service.name"), "shipping",
                        AttributeKey.longKey("process.pid"), 4242L))).build()) {
            Meter meter = provider.get("process");
            meter.counterBuilder("process.cpu.time").ofDoubles().setUnit("s").buildWithCallback(m -> {
                double t = (clock.nanos / 1e6 - t0) / 1000;
                m.record(10 + t * 0.2, Attributes.of(AttributeKey.stringKey("cpu.mode"), "user"));
                m.record(5 + t * 0.05, Attributes.of(AttributeKey.stringKey("cpu.mode"), "system"));
            });
            meter.upDownCounterBuilder("process.memory.usage").setUnit("By").buildWithCallback(m -> m.record(300_000_000L));
            meter.counterBuilder("process.disk.io").setUnit("By").buildWithCallback(m -> {
                long t = (clock.nanos / 1_000_000 - t0) / 1000;
                m.record(1_000_000 + t * 30_000, Attributes.of(AttributeKey.stringKey("disk.io.direction"), "read"));
                m.record(500_000 + t * 10_000, Attributes.of(AttributeKey.stringKey("disk.io.direction"), "write"));
            });
            for (int i = 0; i < 3; i++) {
                clock.nanos = (t0 + i * 30_000L) * 1_000_000;
                assertThat(reader.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
            }
        }
        JsonNode shipping = footprint("shipping");
        assertThat(shipping).as("the footprint of shipping").isNotNull();
        assertThat(shipping.get("method").asText()).isEqualTo("measured");
        assertThat(shipping.get("groups").toString()).isEqualTo("[\"shipping\"]");
        assertThat(shipping.get("hosts").toString()).isEqualTo("[\"app-7\"]");
        JsonNode first = shipping.get("minutes").get(0);
        assertThat(first.get("closed").asBoolean()).isTrue();
        assertThat(first.get("cores").asDouble()).isCloseTo(0.25, within(0.001));
        assertThat(first.get("residentBytes").asLong()).isEqualTo(300_000_000L);
        assertThat(first.get("diskBytesPerSecond").asDouble()).isCloseTo(40_000, within(1.0));

        server.close();
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withOtlp(new ServerOptions.OtlpPorts(0, 0)));
        JsonNode kept = footprint("shipping");
        assertThat(kept).as("the footprint after a restart").isNotNull();
        assertThat(kept.get("minutes")).as("the closed minute is kept; the open one was not").hasSize(1);
        assertThat(kept.get("minutes").get(0).get("cores").asDouble()).isCloseTo(0.25, within(0.001));
    }

    JsonNode footprint(String service) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/footprints?minutes=10")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode s : OtlpTracesTest.JSON.readTree(r.body()).get("services")) {
            if (s.get("service").asText().equals(service)) {
                return s;
            }
        }
        return null;
    }

    @Test
    void anAcknowledgedMinuteIsInTheStoreAndSurvivesARestart() throws Exception {
        Host host = new Host();
        MetricExporter exporter = exporterFor(Transport.HTTP_PROTOBUF);
        PeriodicMetricReader reader = PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build();
        try (SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader)
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("host.name"), "otel-host-3"))).build()) {
            host.instruments(provider.get("hostmetrics"));
            assertThat(reader.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
        }
        // No wait: acknowledged means kept. A restart right away must find the minute.
        server.close();
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withOtlp(new ServerOptions.OtlpPorts(0, 0)));
        JsonNode minute = latest("otel-host-3");
        assertThat(minute).as("the minute after the restart").isNotNull();
        assertThat(minute.get("memoryUtilisation").asDouble()).isCloseTo(0.75, within(0.001));
    }
}
