package dev.vigil.server.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.testkit.Await;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * OTLP/HTTP traces from the real OpenTelemetry SDK into a real server: every span the SDK ended is checked,
 * field by field, as an event in the API.
 */
class OtlpTracesTest {

    static final ObjectMapper JSON = new ObjectMapper();

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

    /** Keeps what the SDK ended, to compare with what Vigil stored. */
    static final class Recorder implements SpanExporter {
        final List<SpanData> spans = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
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
    }

    static final Resource CHECKOUT = Resource.getDefault().merge(Resource.create(Attributes.builder()
            .put("service.name", "checkout").put("service.instance.id", "checkout-7f9c").put("host.name", "web-3")
            .put("deployment.environment.name", "prod").put("vigil.unit", "retail").build()));

    /** A request as an instrumented service makes one: served, calling a peer, a database, doing local work. */
    static void handleOneOrder(Tracer tracer, boolean fail) {
        Span server = tracer.spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", "POST").setAttribute("order.id", "A-17").startSpan();
        try (Scope ignored = server.makeCurrent()) {
            Span pay = tracer.spanBuilder("POST /payments").setSpanKind(SpanKind.CLIENT)
                    .setAttribute("peer.service", "payments").setAttribute("server.address", "pay.internal").startSpan();
            if (fail) {
                pay.setStatus(StatusCode.ERROR, "card declined");
            }
            pay.end();
            tracer.spanBuilder("SELECT orders").setSpanKind(SpanKind.CLIENT).setAttribute("db.system.name", "postgresql")
                    .setAttribute("db.namespace", "orders-db").setAttribute("db.rows", 3L).startSpan().end();
            tracer.spanBuilder("price basket").startSpan().end();
            tracer.spanBuilder("publish order").setSpanKind(SpanKind.PRODUCER)
                    .setAttribute("messaging.destination.name", "orders-topic").startSpan().end();
        } finally {
            if (fail) {
                server.setStatus(StatusCode.ERROR);
            }
            server.end();
        }
    }

    /** The ways an application's SDK may reach Vigil. */
    enum Transport { HTTP_PROTOBUF, HTTP_ALIAS_PORT, GRPC }

    SpanExporter exporterFor(Transport transport) {
        return switch (transport) {
            case HTTP_PROTOBUF -> OtlpHttpSpanExporter.builder().setEndpoint(uri("/v1/traces").toString())
                    .setCompression("gzip").setTimeout(Duration.ofSeconds(60)).build();
            case HTTP_ALIAS_PORT -> OtlpHttpSpanExporter.builder()
                    .setEndpoint("http://127.0.0.1:" + server.otlpHttpPort() + "/v1/traces")
                    .setTimeout(Duration.ofSeconds(60)).build();
            case GRPC -> OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + server.otlpGrpcPort())
                    .setCompression("gzip").setTimeout(Duration.ofSeconds(60)).build();
        };
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void everySpanTheSdkExportsBecomesAnEventWithItsServicePeerOutcomeAndIds(Transport transport) throws Exception {
        Recorder recorder = new Recorder();
        SpanExporter exporter = exporterFor(transport);
        List<CompletableResultCode> exports = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger exported = new java.util.concurrent.atomic.AtomicInteger();
        SpanExporter checked = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                CompletableResultCode r = exporter.export(spans);
                exports.add(r);
                exported.addAndGet(spans.size());
                return r;
            }

            @Override
            public CompletableResultCode flush() {
                return exporter.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return exporter.shutdown();
            }
        };
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setResource(CHECKOUT)
                .addSpanProcessor(SimpleSpanProcessor.create(recorder))
                .addSpanProcessor(BatchSpanProcessor.builder(checked).build()).build()) {
            Tracer tracer = provider.get("vigil-test");
            handleOneOrder(tracer, false);
            provider.forceFlush().join(60, TimeUnit.SECONDS);
            handleOneOrder(tracer, true);
            provider.forceFlush().join(60, TimeUnit.SECONDS);
            // before the provider closes the exporter: each export's own result, as the SDK saw the answer
            Await.until("the SDK to export all 10 spans", exported::get, n -> n == 10);
            assertThat(exports).allSatisfy(r -> assertThat(r.join(60, TimeUnit.SECONDS).isSuccess()).isTrue());
        }

        Map<String, JsonNode> stored = awaitEvents("source=checkout", recorder.spans.size());
        assertThat(stored).hasSize(10);
        for (SpanData span : recorder.spans) {
            JsonNode e = stored.get(span.getSpanId());
            assertThat(e).as("span %s %s", span.getName(), span.getSpanId()).isNotNull();
            assertThat(e.get("source").asText()).isEqualTo("checkout");
            assertThat(e.get("unit").asText()).isEqualTo("retail");
            assertThat(e.get("name").asText()).isEqualTo(span.getName());
            assertThat(e.at("/correlation/traceId").asText()).isEqualTo(span.getTraceId());
            assertThat(e.at("/attributes/parentSpanId").asText(null))
                    .isEqualTo(span.getParentSpanContext().isValid() ? span.getParentSpanId() : null);
            assertThat(e.at("/attributes/host.name").asText()).isEqualTo("web-3");
            assertThat(e.at("/attributes/service.instance.id").asText()).isEqualTo("checkout-7f9c");
            assertThat(e.at("/attributes/deployment.environment.name").asText()).isEqualTo("prod");
            assertThat(e.at("/attributes/telemetry.sdk.language").isMissingNode()).as("SDK attributes are left out").isTrue();
            assertThat(e.get("outcome").asText()).isEqualTo(span.getStatus().getStatusCode() == StatusCode.ERROR ? "error" : "ok");
            long micros = (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1000;
            assertThat(e.get("durationMs").asDouble()).isEqualTo(micros / 1000.0);
            assertThat(e.get("time").asText()).isEqualTo(dev.vigil.event.Timestamps.format(span.getEndEpochNanos() / 1000));
            String peer = switch (span.getName()) {
                case "POST /payments" -> "payments";
                case "SELECT orders" -> "orders-db";
                case "publish order" -> "orders-topic";
                default -> null;
            };
            assertThat(e.path("peer").asText(null)).as(span.getName()).isEqualTo(peer);
            assertThat(e.get("kind").asText()).isEqualTo(span.getKind() == SpanKind.INTERNAL ? "other" : "call");
            assertThat(e.at("/attributes/spanKind").asText()).isEqualTo(span.getKind().name().toLowerCase());
        }
        JsonNode served = stored.values().stream().filter(e -> e.get("name").asText().equals("POST /orders")).findFirst().orElseThrow();
        assertThat(served.at("/attributes/order.id").asText()).isEqualTo("A-17");
        JsonNode rows = stored.values().stream().filter(e -> e.get("name").asText().equals("SELECT orders")).findFirst().orElseThrow();
        assertThat(rows.at("/attributes/db.rows").asLong()).isEqualTo(3);
        JsonNode declined = stored.values().stream()
                .filter(e -> e.get("name").asText().equals("POST /payments") && e.get("outcome").asText().equals("error"))
                .findFirst().orElseThrow();
        assertThat(declined.at("/attributes/statusMessage").asText()).isEqualTo("card declined");
    }

    @Test
    void aBusinessKeyNamedInVigilYamlJoinsTheTracedRequestToTheEventsOfItsOrder() throws Exception {
        server.close();
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withConfig(dev.vigil.config.yaml.ConfigLoader.parse("""
                        telemetry:
                          spanKeys:
                            orderId: [app.order_id, order.id]
                        """, "vigil.yaml")));
        String placed = "{\"time\":\"" + dev.vigil.event.Timestamps.format(System.currentTimeMillis() * 1000)
                + "\",\"source\":\"shop\",\"name\":\"OrderPlaced\",\"correlation\":{\"orderId\":\"A-17\"}}";
        HttpResponse<String> business = http.send(HttpRequest.newBuilder(uri("/ingest/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(placed)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(business.statusCode()).as(business.body()).isEqualTo(200);
        Recorder recorder = new Recorder();
        SpanExporter exporter = exporterFor(Transport.HTTP_PROTOBUF);
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setResource(CHECKOUT)
                .addSpanProcessor(SimpleSpanProcessor.create(recorder)).build()) {
            handleOneOrder(provider.get("vigil-test"), false);
        }
        assertThat(exporter.export(recorder.spans).join(60, TimeUnit.SECONDS).isSuccess()).isTrue();

        JsonNode page = Await.until("the order's events", () -> getJson("/api/v1/events?key=orderId:A-17"),
                p -> p.get("events").size() >= 2);
        assertThat(page.get("events")).extracting(e -> e.get("name").asText())
                .containsExactlyInAnyOrder("OrderPlaced", "POST /orders");
        JsonNode request = page.get("events").get(0).get("name").asText().equals("POST /orders")
                ? page.get("events").get(0) : page.get("events").get(1);
        assertThat(request.at("/correlation/traceId").asText()).isEqualTo(recorder.spans.get(0).getTraceId());
        exporter.shutdown().join(10, TimeUnit.SECONDS);
    }

    @Test
    void theSdksOwnJsonEncodingWithHexIdsIsReadAsTheSameSpans() throws Exception {
        Recorder recorder = new Recorder();
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setResource(CHECKOUT)
                .addSpanProcessor(SimpleSpanProcessor.create(recorder)).build()) {
            handleOneOrder(provider.get("vigil-test"), false);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        TraceRequestMarshaler.create(recorder.spans).writeJsonTo(body);
        assertThat(body.toString(StandardCharsets.UTF_8)).contains(recorder.spans.get(0).getTraceId());

        HttpResponse<String> r = post("application/json", body.toByteArray());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).has("partialSuccess")).as(r.body()).isFalse();

        Map<String, JsonNode> stored = awaitEvents("key=traceId:" + recorder.spans.get(0).getTraceId(), 5);
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(
                recorder.spans.stream().map(SpanData::getSpanId).toList());
    }

    @Test
    void badSpansAreRejectedOneByOneNamingWhatIsWrongAndTheGoodOnesBesideThemAreKept() throws Exception {
        String now = Long.toString(System.currentTimeMillis() * 1_000_000L);
        String good = span("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "GET /stock", now);
        String base64Ids = span("W47/95gDgQPSabYzgT/GDA==", "7uGbfsPBsXQ=", "GET /base64", now);
        String noEnd = "{\"traceId\":\"5b8efff798038103d269b633813fc60d\",\"spanId\":\"eee19b7ec3c1b175\",\"name\":\"x\","
                + "\"kind\":2,\"startTimeUnixNano\":\"" + now + "\"}";
        String body = "{\"resourceSpans\":["
                + "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"stock\"}}]},"
                + "\"scopeSpans\":[{\"spans\":[" + good + "," + base64Ids + "," + noEnd + "]}]},"
                + "{\"resource\":{\"attributes\":[]},\"scopeSpans\":[{\"spans\":["
                + span("5b8efff798038103d269b633813fc60e", "eee19b7ec3c1b176", "GET /nameless", now) + "]}]}]}";
        HttpResponse<String> r = post("application/json", body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode partial = JSON.readTree(r.body()).get("partialSuccess");
        assertThat(partial.get("rejectedSpans").asText()).isEqualTo("3");
        assertThat(partial.get("errorMessage").asText())
                .startsWith("3 of 4 spans rejected")
                .contains("span 1 (traceId): traceId must be 32 hex digits (OTLP/JSON writes ids as hex, not base64)")
                .contains("span 2 (endTimeUnixNano): endTimeUnixNano is missing")
                .contains("span 3 (resource.service.name): the span's resource has no service.name");

        Map<String, JsonNode> stored = awaitEvents("source=stock", 1);
        assertThat(stored).containsOnlyKeys("eee19b7ec3c1b174");
        JsonNode stats = Await.until("the rejections to be counted", () -> getJson("/api/v1/stats"),
                s -> s.at("/rejectedByReason/invalid_value").asLong() == 1);
        assertThat(stats.at("/rejectedByReason/missing_field").asLong()).isEqualTo(2);
    }

    @Test
    void aBodyThatIsNoOtlpMessageIsRefusedWithAStatusInTheRequestsEncoding() throws Exception {
        HttpResponse<String> json = post("application/json", "{\"resourceSpans\": {}}".getBytes(StandardCharsets.UTF_8));
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(json.body()).get("code").asInt()).isEqualTo(3);
        assertThat(JSON.readTree(json.body()).get("message").asText()).contains("resourceSpans must be an array, not object");

        HttpResponse<byte[]> proto = http.send(HttpRequest.newBuilder(uri("/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0x0a, 0x7f, 0x01})).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(proto.statusCode()).isEqualTo(400);
        assertThat(proto.headers().firstValue("content-type")).hasValue("application/x-protobuf");
        // google.rpc.Status: 1 code, 2 message (its class is not in the OTLP artifact; read the fields as such)
        com.google.protobuf.UnknownFieldSet status = com.google.protobuf.UnknownFieldSet.parseFrom(proto.body());
        assertThat(status.getField(1).getVarintList()).containsExactly(3L);
        assertThat(status.getField(2).getLengthDelimitedList().get(0).toStringUtf8()).isEqualTo(
                "not an OTLP ExportTraceServiceRequest in protobuf: a field of 127 bytes where 1 are left in its message"
                        + " (at byte 1)");

        HttpResponse<String> text = post("text/plain", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(text.body()).contains("send application/x-protobuf or application/json");

        String allBad = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"00\"}]}]}]}";
        HttpResponse<String> none = post("application/json", allBad.getBytes(StandardCharsets.UTF_8));
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(none.body()).get("message").asText()).startsWith("1 of 1 span rejected");
    }

    @Test
    void aRequestOfTheOtherSignalOrOverTheSizeLimitOrCutShortIsRefusedSayingWhereToSendItOrWhatIsWrong() throws Exception {
        HttpResponse<String> metrics = post("application/json", "{\"resourceMetrics\": []}".getBytes(StandardCharsets.UTF_8));
        assertThat(metrics.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(metrics.body()).get("message").asText()).contains("send it to /v1/metrics");

        HttpResponse<String> spans = http.send(HttpRequest.newBuilder(uri("/v1/metrics"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"resourceSpans\": []}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(spans.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(spans.body()).get("message").asText()).contains("send it to /v1/traces");

        HttpResponse<String> cut = post("application/json", "{\"resourceSpans\": [".getBytes(StandardCharsets.UTF_8));
        assertThat(cut.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(cut.body()).get("message").asText()).contains("line 1").doesNotContain("Source")
                .doesNotContain("REDACTED");

        // HTTP/1.1, as curl and most exporters send: over HTTP/2 the server resets the stream of a body over the limit.
        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<byte[]> huge = http11.send(HttpRequest.newBuilder(uri("/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[17 << 20])).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(huge.headers().firstValue("content-type")).hasValue("application/x-protobuf");
        com.google.protobuf.UnknownFieldSet status = com.google.protobuf.UnknownFieldSet.parseFrom(huge.body());
        assertThat(status.getField(1).getVarintList()).containsExactly(3L);
        assertThat(status.getField(2).getLengthDelimitedList().get(0).toStringUtf8()).contains("raise --max-body");
    }

    @Test
    void aGrpcCallWhoseMessageIsNoOtlpRequestEndsWithInvalidArgumentAndAReadableMessage() throws Exception {
        byte[] frame = {0, 0, 0, 0, 3, 0x0a, 0x7f, 0x01};
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.otlpGrpcPort() + OtlpGrpcService.TRACES))
                .header("Content-Type", "application/grpc").POST(HttpRequest.BodyPublishers.ofByteArray(frame)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("grpc-status")).hasValue("3");
        assertThat(r.headers().firstValue("grpc-message").orElseThrow()).startsWith("not an OTLP ExportTraceServiceRequest");

        byte[] lying = {0, 0, 0, 0, 9, 0x0a};
        HttpResponse<String> short_ = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.otlpGrpcPort() + OtlpGrpcService.TRACES))
                .header("Content-Type", "application/grpc").POST(HttpRequest.BodyPublishers.ofByteArray(lying)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(short_.headers().firstValue("grpc-status")).hasValue("3");
        assertThat(short_.headers().firstValue("grpc-message")).hasValue(
                "the gRPC frame says 9 bytes but 1 follow (a unary call sends exactly one message)");

        HttpResponse<String> api = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.otlpGrpcPort() + "/api/v1/events")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(404);
        assertThat(api.body()).contains("this port serves OTLP/gRPC (" + OtlpGrpcService.TRACES + ", " + OtlpGrpcService.METRICS + ") only")
                .contains("is on port " + server.port());
    }

    @Test
    void theGrpcPortAnswersInGrpcStatusesToAnyNameForItAndToMethodsItDoesNotServe() throws Exception {
        // HTTP/1.1 over a socket: the JDK's client cannot set Host, and a Collector names Vigil as it knows it
        String logs = exchange(server.otlpGrpcPort(), "vigil.example:4317",
                "/opentelemetry.proto.collector.logs.v1.LogsService/Export", "application/grpc", new byte[] {0, 0, 0, 0, 0});
        assertThat(logs).startsWith("HTTP/1.1 200").contains("grpc-status: 12")
                .contains("grpc-message: Vigil does not take logs");
        String traces = exchange(server.otlpGrpcPort(), "vigil.example:4317", OtlpGrpcService.TRACES,
                "application/grpc", new byte[] {0, 0, 0, 0, 0});
        assertThat(traces).as("a name the guard of the API's port would refuse").startsWith("HTTP/1.1 200")
                .contains("grpc-status: 0");
        String json = exchange(server.otlpGrpcPort(), "localhost", OtlpGrpcService.TRACES, "application/grpc+json",
                new byte[] {0, 0, 0, 0, 0});
        assertThat(json).contains("grpc-status: 12").contains("not grpc+json");
        String unnamed = exchange(server.otlpGrpcPort(), "localhost", OtlpGrpcService.TRACES, "application/grpc",
                new byte[] {1, 0, 0, 0, 0});
        assertThat(unnamed).contains("grpc-status: 13").contains("names no grpc-encoding");
        String api = exchange(server.port(), "vigil.example", "/v1/traces", "application/x-protobuf", new byte[0]);
        assertThat(api).as("the API's port keeps its guard").startsWith("HTTP/1.1 421");
    }

    /** One HTTP/1.1 POST over a socket; the answer's head and body as text. */
    private static String exchange(int port, String host, String path, String contentType, byte[] body) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: " + contentType
                    + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
        }
    }

    @Test
    void grpcJavasStrictClientReadsEveryStatusWhetherTheCallSucceedsOrEndsWithoutAMessage() throws Exception {
        io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", server.otlpGrpcPort())
                .usePlaintext().build();
        try {
            var stub = io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            long end = System.currentTimeMillis() * 1_000_000L;
            var good = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                    .setTraceId(com.google.protobuf.ByteString.fromHex("5b8efff798038103d269b633813fc60c"))
                    .setSpanId(com.google.protobuf.ByteString.fromHex("eee19b7ec3c1b174")).setName("GET /stock")
                    .setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER)
                    .setStartTimeUnixNano(end - 2_000_000).setEndTimeUnixNano(end).build();
            var noEnd = good.toBuilder().setSpanId(com.google.protobuf.ByteString.fromHex("eee19b7ec3c1b175"))
                    .clearEndTimeUnixNano().build();
            var service = io.opentelemetry.proto.resource.v1.Resource.newBuilder().addAttributes(
                    io.opentelemetry.proto.common.v1.KeyValue.newBuilder().setKey("service.name").setValue(
                            io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue("stock"))).build();
            var request = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.newBuilder()
                    .addResourceSpans(io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder().setResource(service)
                            .addScopeSpans(io.opentelemetry.proto.trace.v1.ScopeSpans.newBuilder().addSpans(good).addSpans(noEnd)))
                    .build();
            var answer = stub.export(request);
            assertThat(answer.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
            assertThat(answer.getPartialSuccess().getErrorMessage()).contains("span 1 (endTimeUnixNano)");

            var allBad = request.toBuilder().setResourceSpans(0, request.getResourceSpans(0).toBuilder().clearResource()).build();
            io.grpc.StatusRuntimeException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
                    io.grpc.StatusRuntimeException.class, () -> stub.export(allBad));
            assertThat(refused).as("a status the client can read, not UNKNOWN").isNotNull();
            assertThat(refused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
            assertThat(refused.getStatus().getDescription()).startsWith("2 of 2 spans rejected")
                    .contains("resource.service.name");
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    static String span(String traceId, String spanId, String name, String endNanos) {
        long start = Long.parseLong(endNanos) - 5_000_000L;
        return "{\"traceId\":\"" + traceId + "\",\"spanId\":\"" + spanId + "\",\"name\":\"" + name + "\",\"kind\":2,"
                + "\"startTimeUnixNano\":\"" + start + "\",\"endTimeUnixNano\":\"" + endNanos + "\"}";
    }

    HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/v1/traces")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The events a query finds, by span id, once there are {@code count} of them. */
    Map<String, JsonNode> awaitEvents(String query, int count) throws Exception {
        JsonNode page = Await.until(count + " events for " + query, () -> getJson("/api/v1/events?limit=1000&" + query),
                p -> p.get("events").size() >= count);
        Map<String, JsonNode> bySpan = new HashMap<>();
        for (JsonNode e : page.get("events")) {
            bySpan.put(e.at("/attributes/spanId").asText(), e);
        }
        return bySpan;
    }
}
