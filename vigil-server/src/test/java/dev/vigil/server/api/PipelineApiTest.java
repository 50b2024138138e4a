package dev.vigil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.Timestamps;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.summarise.WindowSpan;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KPI and case API on a real server: events in over HTTP, windows and cases out over HTTP. */
class PipelineApiTest {

    @TempDir
    Path dir;
    VigilServer server;
    long t0;

    @BeforeEach
    void start() throws Exception {
        server = VigilServer.start(ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withConfig(ConfigLoader.parse("""
                        pipeline:
                          allowedLateness: 2s
                          maxLateness: 10m
                          idleTimeout: 0s
                          partitions: 2
                        processes:
                          orders:
                            activities: [Placed, Paid, Shipped, Delivered]
                            start: Placed
                            end: [Delivered]
                            keys: [orderId, shipmentId]
                            stuckAfter: 5m
                        """, "test.yaml")));
        t0 = WindowSpan.MINUTE.startOf(Timestamps.toMicros(Instant.now()) - 30 * 60_000_000L);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String at(long seconds) {
        return Timestamps.format(t0 + seconds * 1_000_000L);
    }

    String step(long seconds, String name, String keys) {
        return "{\"time\":\"" + at(seconds) + "\",\"source\":\"shop\",\"name\":\"" + name + "\",\"correlation\":{" + keys + "}}\n";
    }

    String call(long seconds, int durationMs) {
        return "{\"time\":\"" + at(seconds) + "\",\"source\":\"billing\",\"name\":\"Charge\",\"kind\":\"call\","
                + "\"peer\":\"bank\",\"durationMs\":" + durationMs + "}\n";
    }

    /** Events with no keys go round the partitions: eight of them move every partition's watermark. */
    String ticks(long seconds) {
        return ("{\"time\":\"" + at(seconds) + "\",\"source\":\"clock\",\"name\":\"tick\"}\n").repeat(8);
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    void post(String ndjson) throws Exception {
        ApiCalls.postEvents(base(), ndjson);
    }

    JsonNode get(String path) throws Exception {
        return ApiCalls.get(base(), path);
    }

    JsonNode await(String path, Predicate<JsonNode> until) throws Exception {
        return ApiCalls.await(base(), path, until);
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aStuckCaseSaysHowLongItHasWaitedSinceItsLastEventByTheWatermark() throws Exception {
        post(step(10, "Placed", "\"orderId\":\"O9\"") + step(70, "Paid", "\"orderId\":\"O9\""));
        post(ticks(500)); // stuckAfter 5m: the watermark passes 70 s + 300 s
        JsonNode list = await("/api/v1/cases?key=" + q("orderId:O9"), c -> c.at("/cases/0/status").asText().equals("stuck"));
        JsonNode c = list.at("/cases/0");
        assertThat(c.get("durationMs").asDouble()).as("first to last event").isEqualTo(60_000.0);
        long watermark = Timestamps.parseRfc3339(list.get("watermark").asText());
        long last = Timestamps.parseRfc3339(c.get("end").asText());
        // counted to the pipeline's watermark, and never less than the stuck timeout that made it stuck
        assertThat(c.get("sinceLastEventMs").asDouble()).isEqualTo(Math.max(300_000.0, (watermark - last) / 1000.0));
        JsonNode one = get("/api/v1/cases/" + c.get("id").asText());
        assertThat(one.at("/case/sinceLastEventMs").asDouble()).isEqualTo(Math.max(300_000.0,
                (Timestamps.parseRfc3339(one.get("watermark").asText()) - last) / 1000.0));

        post(step(520, "Shipped", "\"orderId\":\"O9\"") + step(530, "Delivered", "\"orderId\":\"O9\"") + ticks(600));
        JsonNode done = await("/api/v1/cases?key=" + q("orderId:O9"), x -> x.at("/cases/0/status").asText().equals("completed"));
        assertThat(done.at("/cases/0").has("sinceLastEventMs")).as("a completed case waits for nothing").isFalse();
    }

    @Test
    void aCaseFollowsItsChangingKeysAndItsLateEventIsMarkedAndTheWindowIsAmended() throws Exception {
        StringBuilder first = new StringBuilder()
                .append(step(1, "Placed", "\"orderId\":\"O1\""))
                .append(step(5, "Paid", "\"orderId\":\"O1\""))
                .append(step(10, "Shipped", "\"orderId\":\"O1\",\"shipmentId\":\"S1\""));
        for (int ms = 1; ms <= 100; ms++) {
            first.append(call(ms * 59 / 100, ms));
        }
        post(first.toString());
        post(ticks(90));
        // The watermark (88 s) has passed both: the delivery joins the case through the shipment id alone,
        // and the call amends the minute already emitted.
        post(step(20, "Delivered", "\"shipmentId\":\"S1\"") + call(30, 30));
        post(ticks(200));

        String window = "/api/v1/kpis?dimension=peer&key=bank&from=" + q(at(0)) + "&to=" + q(at(60));
        JsonNode kpi = await(window, k -> k.at("/points/0/count").asLong() == 101);
        assertThat(kpi.at("/points/0/errors").asLong()).isZero();
        // 1..100 ms and one more 30 ms: the exact median is 50 ms; the sketch answers within 1%.
        assertThat(kpi.at("/points/0/p50Ms").asDouble()).isBetween(49.5, 50.5);
        assertThat(kpi.at("/relativeError").asDouble()).isEqualTo(0.01);

        JsonNode list = await("/api/v1/cases?key=" + q("shipmentId:S1"),
                c -> c.at("/cases/0/status").asText().equals("completed"));
        assertThat(list.get("cases")).hasSize(1);
        JsonNode c = list.at("/cases/0");
        assertThat(c.get("path").toString()).isEqualTo("[\"Placed\",\"Paid\",\"Shipped\",\"Delivered\"]");
        assertThat(c.get("process").asText()).isEqualTo("orders");
        assertThat(get("/api/v1/cases?key=" + q("orderId:O1")).at("/cases/0/id").asText()).isEqualTo(c.get("id").asText());

        JsonNode page = get("/api/v1/cases/" + c.get("id").asText());
        List<String> names = new ArrayList<>();
        List<String> arrivals = new ArrayList<>();
        page.get("events").forEach(e -> {
            names.add(e.get("name").asText());
            arrivals.add(e.has("arrival") ? e.get("arrival").asText() : "onTime");
        });
        assertThat(names).containsExactly("Placed", "Paid", "Shipped", "Delivered");
        assertThat(arrivals).containsExactly("onTime", "onTime", "onTime", "late");
    }

    @Test
    void kpiStepsStopAtTheLastClosedMinuteAndASeriesNeverSeenIsNotFound() throws Exception {
        StringBuilder calls = new StringBuilder();
        for (int s = 0; s < 170; s += 10) {
            calls.append(call(s, 20));
        }
        post(calls + ticks(200)); // allowed lateness 2 s: minutes 0, 1 and 2 close
        String range = "&from=" + q(at(0)) + "&to=" + q(at(600));
        JsonNode kpi = await("/api/v1/kpis?dimension=peer&key=bank" + range,
                k -> k.path("closedUntil").asText().equals(at(180)));
        assertThat(kpi.get("points")).as("minutes not closed are not listed as 0").hasSize(3);
        assertThat(kpi.at("/points/0/count").asLong()).isEqualTo(6);
        assertThat(kpi.at("/points/2/count").asLong()).isEqualTo(5);

        long hour = WindowSpan.HOUR.startOf(t0);
        JsonNode hours = get("/api/v1/kpis?dimension=peer&key=bank&step=1h&from=" + q(Timestamps.format(hour))
                + "&to=" + q(Timestamps.format(hour + 3 * WindowSpan.HOUR.micros())));
        JsonNode last = hours.get("points").get(hours.get("points").size() - 1);
        assertThat(last.get("partial").asBoolean()).as("the hour still going").isTrue();
        assertThat(Timestamps.parseRfc3339(last.get("start").asText())).isLessThan(t0 + 180_000_000L);
        long closedSeconds = (t0 + 180_000_000L - Timestamps.parseRfc3339(last.get("start").asText())) / 1_000_000L;
        assertThat(last.get("ratePerSecond").asDouble()).as("its rate over its closed minutes")
                .isCloseTo(Math.round(last.get("count").asLong() * 1000.0 / closedSeconds) / 1000.0,
                        org.assertj.core.data.Offset.offset(0.0005));

        var unknown = ApiCalls.send(base(), "/api/v1/kpis?dimension=peer&key=nosuch" + range);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("not_found", "nosuch", "/api/v1/kpis/series?dimension=peer");
        assertThat(ApiCalls.send(base(), "/api/v1/kpis?dimension=peer&key=bank&name=nosuch" + range).statusCode())
                .isEqualTo(404);
        JsonNode quiet = get("/api/v1/kpis?dimension=peer&key=bank&from=" + q(Timestamps.format(t0 - 3_600_000_000L))
                + "&to=" + q(Timestamps.format(t0 - 3_000_000_000L)));
        assertThat(quiet.get("points")).as("a known series' quiet minutes are 0").hasSize(10)
                .allSatisfy(p -> assertThat(p.get("count").asLong()).isZero());
    }
}
