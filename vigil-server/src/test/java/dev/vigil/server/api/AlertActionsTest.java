package dev.vigil.server.api;

import static dev.vigil.server.api.ApiCalls.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.event.Timestamps;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.summarise.WindowSpan;
import dev.vigil.testkit.Await;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What people do about alerts, through the API as the dashboard and scripts do it: a silence holds back one rule's
 * notifications while the others arrive, an acknowledgement names who is on a firing, both survive a restart, and
 * requests from another origin, of another type or with bad fields are refused with the reason.
 */
class AlertActionsTest {

    @TempDir
    Path dir;

    @Test
    void aSilencedRuleFiresWithoutNotifyingAndAnAcknowledgementIsKeptAcrossARestart() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            received.add(JSON.readTree(ex.getRequestBody().readAllBytes()).at("/alerts/0/labels/rule").asText());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        try {
            Files.createDirectories(dir.resolve("slo"));
            Files.writeString(dir.resolve("slo/bank.yaml"), ObjectivesApiTest.BANK_SLO);
            Path yaml = dir.resolve("vigil.yaml");
            Files.writeString(yaml, """
                    pipeline: {allowedLateness: 2s, idleTimeout: 0s, partitions: 2}
                    objectives: [slo/]
                    alerting: {webhooks: ["http://127.0.0.1:%d/hook"]}
                    """.formatted(receiver.getAddress().getPort()));
            ServerOptions options = ServerOptions.defaults(dir.resolve("data")).withPort(0).withBindAddress("127.0.0.1")
                    .withConfig(ConfigLoader.load(yaml));
            long t0 = WindowSpan.MINUTE.startOf(Timestamps.toMicros(Instant.now()) - 30 * 60_000_000L);
            String pageRule;
            String ackedRule;
            try (VigilServer vigil = VigilServer.start(options)) {
                URI base = URI.create("http://127.0.0.1:" + vigil.port());
                List<String> rules = new ArrayList<>();
                ApiCalls.get(base, "/api/v1/objectives/bank-ok").at("/objective/alerts").forEach(a -> rules.add(a.get("rule").asText()));
                assertThat(rules).hasSize(4);
                pageRule = rules.stream().filter(r -> r.startsWith("page")).findFirst().orElseThrow();
                ackedRule = rules.stream().filter(r -> !r.equals(pageRule)).findFirst().orElseThrow();

                HttpResponse<String> created = post(base, "/api/v1/silences", """
                        {"objective": "bank-ok", "rule": "%s", "for": "2h", "by": "ops on call", "reason": "bank maintenance"}
                        """.formatted(pageRule), null);
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                JsonNode silence = JSON.readTree(created.body());
                assertThat(silence.get("state").asText()).isEqualTo("active");

                ApiCalls.postEvents(base, ObjectivesApiTest.errorBurst(t0));
                // All four rules fire; three notifications arrive and nothing is left to send: the silenced rule's
                // was never queued.
                Await.until("four alerts firing, three notified, the outbox empty",
                        () -> "firing " + AlertDeliveryTest.firing(base) + ", received " + received + ", outbox "
                                + AlertDeliveryTest.outbox(vigil),
                        seen -> AlertDeliveryTest.firing(base) == 4 && received.size() == 3 && seen.endsWith("outbox []"));
                assertThat(received).doesNotContain(pageRule);
                JsonNode alerts = ApiCalls.get(base, "/api/v1/alerts");
                JsonNode silenced = find(alerts.get("firing"), pageRule);
                assertThat(silenced.at("/silenced/by").asText()).isEqualTo("ops on call");
                assertThat(silenced.at("/silenced/reason").asText()).isEqualTo("bank maintenance");
                assertThat(silenced.get("since").asText()).isNotEmpty();
                assertThat(alerts.get("silences")).hasSize(1);

                HttpResponse<String> ack = post(base, "/api/v1/alerts/acknowledge", """
                        {"objective": "bank-ok", "rule": "%s", "by": "Ana", "note": "calling the bank"}""".formatted(ackedRule), null);
                assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
                assertThat(find(ApiCalls.get(base, "/api/v1/alerts").get("firing"), ackedRule).at("/acknowledged/by").asText())
                        .isEqualTo("Ana");
                // A second responder's word is added, not put in place of the first's.
                assertThat(post(base, "/api/v1/alerts/acknowledge", """
                        {"objective": "bank-ok", "rule": "%s", "by": "Bo", "note": "taking over"}""".formatted(ackedRule), null)
                        .statusCode()).isEqualTo(200);
                JsonNode both = find(ApiCalls.get(base, "/api/v1/alerts").get("firing"), ackedRule);
                assertThat(both.at("/acknowledged/by").asText()).isEqualTo("Ana");
                assertThat(both.get("acknowledgements").findValuesAsText("by")).containsExactly("Ana", "Bo");

                // Refusals, each with its reason.
                assertRefused(post(base, "/api/v1/alerts/acknowledge", """
                        {"objective": "bank-ok", "rule": "page-99x-1m-1m", "by": "Ana"}""", null), 400, "has no alert rule");
                assertRefused(post(base, "/api/v1/silences", """
                        {"objective": "nosuch", "for": "1h", "by": "x", "reason": "y"}""", null), 400, "no objective named");
                assertRefused(post(base, "/api/v1/silences", """
                        {"objective": "bank-ok", "for": "forever", "by": "x", "reason": "y"}""", null), 400, "\"for\"");
                assertRefused(post(base, "/api/v1/silences", """
                        {"objective": "bank-ok", "for": "1h", "until": "2030-01-01T00:00:00Z", "by": "x", "reason": "y"}""", null),
                        400, "either");
                assertRefused(post(base, "/api/v1/silences", """
                        {"objective": "bank-ok", "for": "1h", "reason": "y"}""", null), 400, "\"by\" is required");
                assertRefused(post(base, "/api/v1/silences", "[1]", null), 400, "one JSON object");
                // A misspelt field is named, not ignored: "untill" must not silence for a default.
                assertRefused(post(base, "/api/v1/silences", """
                        {"objective": "bank-ok", "for": "1h", "by": "x", "reason": "y", "untill": "2030-01-01T00:00:00Z"}""", null),
                        400, "unknown field \"untill\"");
                assertRefused(post(base, "/api/v1/silences", """
                        {"objective": "bank-ok", "for": "1h", "by": "x", "reason": "y"}""", "http://evil.example"), 403,
                        "may not change");
                HttpResponse<String> form = ApiCalls.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/v1/silences"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("objective=bank-ok")).build(), HttpResponse.BodyHandlers.ofString());
                assertRefused(form, 415, "application/json");
                // The dashboard's own origin is this server's.
                assertThat(post(base, "/api/v1/silences", """
                        {"objective": "bank-ok", "for": "1h", "by": "x", "reason": "from the dashboard"}""",
                        "http://127.0.0.1:" + vigil.port()).statusCode()).isEqualTo(201);

                HttpResponse<String> ended = ApiCalls.HTTP.send(HttpRequest.newBuilder(
                        base.resolve("/api/v1/silences/" + silence.get("id").asLong() + "?by=Ana")).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
                HttpResponse<String> again = ApiCalls.HTTP.send(HttpRequest.newBuilder(
                        base.resolve("/api/v1/silences/" + silence.get("id").asLong() + "?by=Ana")).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertRefused(again, 404, "no silence");
            }

            try (VigilServer vigil = VigilServer.start(options)) {
                URI base = URI.create("http://127.0.0.1:" + vigil.port());
                AlertDeliveryTest.judgedThrough(base, t0 + 60_000_000L);
                JsonNode alerts = ApiCalls.get(base, "/api/v1/alerts");
                assertThat(find(alerts.get("firing"), ackedRule).at("/acknowledged/note").asText()).isEqualTo("calling the bank");
                // The rule's own silence was ended; the objective-wide one made from the dashboard holds.
                assertThat(find(alerts.get("firing"), pageRule).at("/silenced/reason").asText()).isEqualTo("from the dashboard");
                JsonNode silences = ApiCalls.get(base, "/api/v1/silences").get("silences");
                assertThat(silences).hasSize(2);
                assertThat(silences.get(1).get("state").asText()).isEqualTo("ended");
                assertThat(silences.get(1).get("expiredBy").asText()).isEqualTo("Ana");
            }
        } finally {
            receiver.stop(0);
        }
    }

    private static JsonNode find(JsonNode firing, String rule) {
        for (JsonNode a : firing) {
            if (a.get("rule").asText().equals(rule)) {
                return a;
            }
        }
        throw new AssertionError("no firing alert " + rule + " in " + firing);
    }

    private static HttpResponse<String> post(URI base, String path, String json, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (origin != null) {
            b.header("Origin", origin);
        }
        return ApiCalls.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertRefused(HttpResponse<String> r, int status, String says) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(JSON.readTree(r.body()).get("detail").asText()).contains(says);
    }
}
