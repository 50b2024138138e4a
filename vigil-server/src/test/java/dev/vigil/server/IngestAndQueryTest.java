package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.event.Timestamps;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the real server on an ephemeral port and talks HTTP to it. */
class IngestAndQueryTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_BODY = 64 * 1024;

    @TempDir
    Path dir;
    VigilServer server;
    HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withMaxBodyBytes(MAX_BODY));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> post(String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/ingest/events")).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String contentType, String body) throws Exception {
        return post(contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    JsonNode get(String path, int expectStatus) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expectStatus);
        return JSON.readTree(r.body());
    }

    static String now() {
        return Timestamps.format(Timestamps.toMicros(Instant.now()));
    }

    static String event(String source, String name, String extra) {
        return "{\"time\":\"" + now() + "\",\"source\":\"" + source + "\",\"name\":\"" + name + "\"" + extra + "}";
    }

    @Test
    void aMixedNdjsonBatchKeepsTheGoodItemsAndReportsEachBadOne() throws Exception {
        String body = event("billing", "CreateInvoice", ",\"correlation\":{\"orderId\":\"A-17\"},\"durationMs\":12.5") + "\n"
                + "{not json\n"
                + event("billing", "CreateInvoice", ",\"outcome\":\"maybe\"") + "\n"
                + event("shop", "PlaceOrder", "") + "\n";
        HttpResponse<String> r = post("application/x-ndjson", body);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode ack = JSON.readTree(r.body());
        assertThat(ack.get("accepted").asInt()).isEqualTo(2);
        assertThat(ack.get("rejected")).hasSize(2);
        assertThat(ack.at("/rejected/0/index").asInt()).isEqualTo(1);
        assertThat(ack.at("/rejected/0/field").isNull()).isTrue();
        assertThat(ack.at("/rejected/1/index").asInt()).isEqualTo(2);
        assertThat(ack.at("/rejected/1/field").asText()).isEqualTo("outcome");
        assertThat(ack.at("/rejected/1/reason").asText()).isEqualTo("unknown outcome \"maybe\": use one of ok, error, timeout");

        JsonNode page = get("/api/v1/events", 200);
        assertThat(page.get("events")).hasSize(2);
        assertThat(page.at("/events/0/source").asText()).isEqualTo("billing");
        assertThat(page.at("/events/0/correlation/orderId").asText()).isEqualTo("A-17");
        assertThat(page.at("/events/0/durationMs").asDouble()).isEqualTo(12.5);
        assertThat(page.get("next").isNull()).isTrue();

        JsonNode stats = get("/api/v1/stats", 200);
        assertThat(stats.get("stored").asLong()).isEqualTo(2);
        assertThat(stats.at("/rejectedByReason/malformed_json").asLong()).isEqualTo(1);
        assertThat(stats.at("/rejectedByReason/invalid_value").asLong()).isEqualTo(1);
        assertThat(stats.get("bySource")).hasSize(2);
    }

    @Test
    void jsonAcceptsOneObjectOrAnArrayAndUnknownTopLevelFieldsBecomeAttributes() throws Exception {
        assertThat(post("application/json", event("a", "x", ",\"host\":\"h-1\"")).statusCode()).isEqualTo(200);
        HttpResponse<String> r = post("application/json; charset=utf-8",
                "[" + event("b", "y", "") + "," + event("c", "z", "") + "]");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("accepted").asInt()).isEqualTo(2);
        JsonNode page = get("/api/v1/events?source=a", 200);
        assertThat(page.at("/events/0/attributes/host").asText()).isEqualTo("h-1");
    }

    @Test
    void gzipBodiesAreAccepted() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write((event("a", "x", "") + "\n" + event("a", "y", "")).getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = post("application/x-ndjson", out.toByteArray(), "Content-Encoding", "gzip");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("accepted").asInt()).isEqualTo(2);
    }

    @Test
    void unusableBodiesGetAPreciseJsonErrorAndStoreNothing() throws Exception {
        HttpResponse<String> r = post("text/plain", event("a", "x", ""));
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(r.body()).get("detail").asText()).contains("text/plain").contains("application/x-ndjson");

        r = post(null, event("a", "x", ""));
        assertThat(r.statusCode()).isEqualTo(415);

        r = post("application/x-ndjson", new byte[] {1, 2, 3}, "Content-Encoding", "gzip");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("bad_encoding");

        r = post("application/x-ndjson", event("a", "x", "").getBytes(StandardCharsets.UTF_8), "Content-Encoding", "br");
        assertThat(r.statusCode()).isEqualTo(415);

        // A string left open: the array cannot be split into elements, so the body is refused as a whole.
        r = post("application/json", "[" + event("a", "x", "") + ",\n{\"time\": \"nope}]");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode err = JSON.readTree(r.body());
        assertThat(err.get("error").asText()).isEqualTo("malformed_json");
        assertThat(err.get("at").asText()).startsWith("line 2, column");

        r = post("application/x-ndjson", "");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("empty_body");

        // Blank lines only, or an empty array: no item, so not a 200 (which promises an accepted one).
        for (String[] blank : new String[][] {{"application/x-ndjson", "\n  \n\r\n"}, {"application/json", " [ ] "}}) {
            r = post(blank[0], blank[1]);
            assertThat(r.statusCode()).as(blank[1]).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("empty_body");
        }

        assertThat(get("/api/v1/stats", 200).get("stored").asLong()).isZero();
    }

    @Test
    void aBrokenArrayElementCostsOnlyItselfAndSaysWhereItIsInTheBody() throws Exception {
        HttpResponse<String> r = post("application/json", "[" + event("a", "x", "") + ",\n{\"time\": nope}]");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode ok = JSON.readTree(r.body());
        assertThat(ok.get("accepted").asInt()).isEqualTo(1);
        assertThat(ok.at("/rejected/0/index").asInt()).isEqualTo(1);
        assertThat(ok.at("/rejected/0/code").asText()).isEqualTo("malformed_json");
        assertThat(ok.at("/rejected/0/reason").asText()).contains("line 2, column");
    }

    @Test
    void aRequestRefusedOnItsHeadersGetsItsAnswerEvenWhileTheBodyIsStillComing() throws Exception {
        // A first request upgrades the client's connection to HTTP/2, as a long-lived client's would be.
        get("/health", 200);
        // The body follows the headers a little later, as it does from a busy client: the refusal must not be
        // sent (and the stream reset) before it has arrived, or the client sees the reset, not the answer.
        byte[] body = event("a", "x", "").getBytes(StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher late = HttpRequest.BodyPublishers.fromPublisher(subscriber ->
                subscriber.onSubscribe(new java.util.concurrent.Flow.Subscription() {
                    private boolean sent;

                    @Override
                    public synchronized void request(long n) {
                        if (!sent) {
                            sent = true;
                            java.util.concurrent.CompletableFuture.delayedExecutor(300, java.util.concurrent.TimeUnit.MILLISECONDS)
                                    .execute(() -> {
                                        subscriber.onNext(java.nio.ByteBuffer.wrap(body));
                                        subscriber.onComplete();
                                    });
                        }
                    }

                    @Override
                    public void cancel() {
                    }
                }), body.length);
        for (String[] refused : List.of(new String[] {"Content-Encoding", "br"}, new String[] {"Content-Type", "text/plain"})) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri("/ingest/events")).POST(late);
            if (!refused[0].equals("Content-Type")) {
                b.header("Content-Type", "application/x-ndjson");
            }
            HttpResponse<String> r = http.send(b.header(refused[0], refused[1]).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(415);
            assertThat(JSON.readTree(r.body()).get("error").asText()).startsWith("unsupported_");
        }
    }

    @Test
    void aBodyOverTheLimitGets413WhetherSentPlainOrAsAGzipBomb() throws Exception {
        StringBuilder big = new StringBuilder();
        while (big.length() <= MAX_BODY) {
            big.append(event("a", "x", "")).append('\n');
        }
        HttpResponse<String> r = post("application/x-ndjson", big.toString());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("body_too_large");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(new byte[(int) MAX_BODY * 20]);
        }
        assertThat(out.size()).isLessThan((int) MAX_BODY);
        r = post("application/x-ndjson", out.toByteArray(), "Content-Encoding", "gzip");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(r.body()).get("detail").asText()).contains("decompressed");
        assertThat(get("/api/v1/stats", 200).get("stored").asLong()).isZero();
    }

    @Test
    void aBatchWhereEveryItemIsBadIsA400WithTheSameShape() throws Exception {
        HttpResponse<String> r = post("application/x-ndjson", "{\"source\":\"a\"}\n");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode ack = JSON.readTree(r.body());
        assertThat(ack.get("accepted").asInt()).isZero();
        assertThat(ack.at("/rejected/0/field").asText()).isEqualTo("time");
    }

    @Test
    void eventsPageWithACursorAndFilterByCorrelationKeyAndTime() throws Exception {
        long base = Timestamps.toMicros(Instant.now()) - 60_000_000L;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            body.append("{\"time\":\"").append(Timestamps.format(base + i * 1000L)).append("\",\"source\":\"s\",\"name\":\"n")
                    .append(i).append("\",\"correlation\":{\"orderId\":\"O-").append(i % 5).append("\"}}\n");
        }
        assertThat(post("application/x-ndjson", body.toString()).statusCode()).isEqualTo(200);

        List<String> names = new ArrayList<>();
        String next = null;
        do {
            JsonNode page = get("/api/v1/events?limit=10" + (next == null ? "" : "&cursor=" + next), 200);
            page.get("events").forEach(e -> names.add(e.get("name").asText()));
            next = page.get("next").isNull() ? null : page.get("next").asText();
        } while (next != null);
        assertThat(names).hasSize(25).startsWith("n0", "n1").endsWith("n24");

        JsonNode byKey = get("/api/v1/events?key=orderId:O-3", 200);
        assertThat(byKey.get("events")).extracting(e -> e.get("name").asText()).containsExactly("n3", "n8", "n13", "n18", "n23");

        String from = URLEncoder.encode(Timestamps.format(base + 20_000), StandardCharsets.UTF_8);
        JsonNode late = get("/api/v1/events?order=desc&from=" + from, 200);
        assertThat(late.get("events")).extracting(e -> e.get("name").asText()).containsExactly("n24", "n23", "n22", "n21", "n20");
    }

    @Test
    void badQueryParametersAreNamed() throws Exception {
        assertThat(get("/api/v1/events?limit=0", 400).get("at").asText()).isEqualTo("limit");
        assertThat(get("/api/v1/events?cursor=garbage", 400).get("at").asText()).isEqualTo("cursor");
        assertThat(get("/api/v1/events?key=orderId", 400).get("detail").asText()).contains("name:value");
        assertThat(get("/api/v1/events?from=yesterday", 400).get("at").asText()).isEqualTo("from");
        assertThat(get("/api/v1/events?sorce=a", 400).get("detail").asText()).contains("unknown parameter \"sorce\"");
        assertThat(get("/api/v1/nothing", 404).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void aPathServedWithOtherMethodsIsRefusedWith405NamingThem() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/alerts/acknowledge")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).contains("POST");
        assertThat(r.body()).contains("method_not_allowed", "takes POST, not GET");
        HttpResponse<String> del = http.send(HttpRequest.newBuilder(uri("/api/v1/silences/7")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(del.statusCode()).isEqualTo(405);
        assertThat(del.headers().firstValue("allow")).contains("DELETE");
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri("/api/v1/events"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("allow")).contains("GET, HEAD");
    }

    @Test
    void headOnAReadingAnswersItsHeadersWithoutABody() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/stats"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(r.body()).isEmpty();
    }

    @Test
    void aPortInUseIsNamedWithTheFix() {
        ServerOptions clash = ServerOptions.defaults(dir.resolve("other")).withPort(server.port()).withBindAddress("127.0.0.1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VigilServer.start(clash))
                .hasMessage("port " + server.port() + " on 127.0.0.1 is already in use: stop what listens there or "
                        + "choose another --port");
    }

    @Test
    void healthAndReadinessAnswer() throws Exception {
        assertThat(get("/health", 200).get("status").asText()).isEqualTo("up");
        assertThat(get("/ready", 200).get("status").asText()).isEqualTo("ready");
    }
}
