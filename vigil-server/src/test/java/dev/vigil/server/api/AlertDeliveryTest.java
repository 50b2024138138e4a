package dev.vigil.server.api;

import static dev.vigil.server.api.ApiCalls.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.event.Timestamps;
import dev.vigil.testkit.Await;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.summarise.WindowSpan;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook receiver that is down when alerts fire, stays down across a restart of Vigil, then comes up:
 * every notification arrives, each once, in Alertmanager's webhook format; the restart raises nothing again.
 */
class AlertDeliveryTest {

    @TempDir
    Path dir;

    @Test
    void notificationsWaitForADownReceiverAcrossARestartAndArriveExactlyOnce() throws Exception {
        Map<String, Integer> received = new ConcurrentHashMap<>();
        List<JsonNode> payloads = new CopyOnWriteArrayList<>();
        AtomicInteger refused = new AtomicInteger();
        boolean[] up = {false};
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (!up[0]) {
                refused.incrementAndGet();
                ex.sendResponseHeaders(503, -1);
            } else {
                received.merge(ex.getRequestHeaders().getFirst("X-Vigil-Notification"), 1, Integer::sum);
                payloads.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
                ex.sendResponseHeaders(200, -1);
            }
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

            try (VigilServer vigil = VigilServer.start(options)) {
                URI base = URI.create("http://127.0.0.1:" + vigil.port());
                ApiCalls.postEvents(base, ObjectivesApiTest.errorBurst(t0));
                Await.until("four alerts firing and each refused by the receiver",
                        () -> "firing " + firing(base) + ", refused " + refused.get() + ", outbox " + outbox(vigil),
                        seen -> firing(base) == 4 && refused.get() >= 4);
            }

            try (VigilServer vigil = VigilServer.start(options)) {
                URI base = URI.create("http://127.0.0.1:" + vigil.port());
                // Once the restarted server has judged the minute again (the whole period read back), a re-raised
                // alert would be in the history: it is not.
                judgedThrough(base, t0 + 60_000_000L);
                JsonNode alerts = ApiCalls.get(base, "/api/v1/alerts");
                assertThat(alerts.get("firing")).as("the four alerts still firing after the restart").hasSize(4);
                assertThat(alerts.get("recent")).as("the changes before the restart, and no other").hasSize(4)
                        .allSatisfy(c -> assertThat(c.get("state").asText()).isEqualTo("firing"));
                up[0] = true;
                // The outbox empty: every notification answered with a 2xx and removed, none left to send again.
                Await.until("the four notifications delivered and the outbox empty",
                        () -> new Delivery(Map.copyOf(received), outbox(vigil)),
                        seen -> seen.received().size() == 4 && seen.outbox().isEmpty());
            }
            assertThat(received.values()).as("each notification once: %s", received).containsOnly(1);
            assertThat(payloads).hasSize(4).allSatisfy(p -> {
                assertThat(p.get("version").asText()).isEqualTo("4");
                assertThat(p.get("status").asText()).isEqualTo("firing");
                assertThat(p.at("/alerts/0/labels/alertname").asText()).isEqualTo("ErrorBudgetBurn");
                assertThat(p.at("/alerts/0/labels/objective").asText()).isEqualTo("bank-ok");
            });
            assertThat(payloads).extracting(p -> p.at("/alerts/0/labels/rule").asText()).doesNotHaveDuplicates();
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void eachAlertPolicySendsTheRulesItWatchesToItsOwnTargetsAndOnlyTheChangesItAsksFor() throws Exception {
        Map<String, List<String>> received = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        for (String path : List.of("/default", "/pager")) {
            receiver.createContext(path, ex -> {
                JsonNode p = JSON.readTree(ex.getRequestBody().readAllBytes());
                received.computeIfAbsent(path, k -> new CopyOnWriteArrayList<>())
                        .add(p.at("/alerts/0/labels/rule").asText() + " " + p.get("status").asText());
                ex.sendResponseHeaders(200, -1);
                ex.close();
            });
        }
        receiver.start();
        String hooks = "http://127.0.0.1:" + receiver.getAddress().getPort();
        try {
            Files.createDirectories(dir.resolve("slo"));
            Files.writeString(dir.resolve("slo/bank.yaml"), ObjectivesApiTest.BANK_SLO + """
                      alertPolicies:
                        - alertPolicyRef: paging
                        - kind: AlertPolicy
                          metadata: {name: tickets}
                          spec:
                            alertWhenResolved: false
                            conditions:
                              - kind: AlertCondition
                                metadata: {name: slow-burn}
                                spec:
                                  severity: ticket
                                  condition: {kind: burnrate, op: gt, threshold: 3, lookbackWindow: 1d, alertAfter: 2h}
                    """);
            Files.writeString(dir.resolve("slo/alerting.yaml"), """
                    apiVersion: openslo/v1
                    kind: AlertPolicy
                    metadata: {name: paging}
                    spec:
                      conditions:
                        - kind: AlertCondition
                          metadata: {name: fast-burn}
                          spec:
                            severity: page
                            condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}
                      notificationTargets: [{targetRef: pager}]
                    ---
                    apiVersion: openslo/v1
                    kind: AlertNotificationTarget
                    metadata: {name: pager}
                    spec: {target: "%s/pager"}
                    """.formatted(hooks));
            Path yaml = dir.resolve("vigil.yaml");
            Files.writeString(yaml, """
                    pipeline: {allowedLateness: 2s, idleTimeout: 0s, partitions: 2}
                    objectives: [slo/]
                    alerting: {webhooks: ["%s/default"]}
                    """.formatted(hooks));
            ServerOptions options = ServerOptions.defaults(dir.resolve("data")).withPort(0).withBindAddress("127.0.0.1")
                    .withConfig(ConfigLoader.load(yaml));
            long t0 = WindowSpan.MINUTE.startOf(Timestamps.toMicros(Instant.now()) - 30 * 60_000_000L);
            try (VigilServer vigil = VigilServer.start(options)) {
                URI base = URI.create("http://127.0.0.1:" + vigil.port());
                ApiCalls.postEvents(base, ObjectivesApiTest.errorBurst(t0));
                Await.until("the page and the ticket firing", () -> firing(base), n -> n == 2);
                // Ten quiet minutes later the 5-minute window is clean: the page resolves, the ticket (2 h) does not.
                ApiCalls.postEvents(base, ("{\"time\":\"" + Timestamps.format(t0 + 10 * 60_000_000L)
                        + "\",\"source\":\"clock\",\"name\":\"tick\"}\n").repeat(8));
                // Every change up to the last closed minute judged, and every notification they made sent and
                // removed from the outbox: nothing else is on its way to either receiver.
                judgedThrough(base, t0 + 9 * 60_000_000L);
                Await.until("the page's firing and resolution delivered and the outbox empty",
                        () -> new Delivery(Map.copyOf(received), outbox(vigil)),
                        seen -> seen.received().containsKey("/pager") && ((List<?>) seen.received().get("/pager")).size() == 2
                                && seen.outbox().isEmpty());
            }
            assertThat(received.get("/pager")).containsExactly("page-ge14.4x-60m-5m firing", "page-ge14.4x-60m-5m resolved");
            assertThat(received.get("/default")).as("tickets: no target of its own, no resolution")
                    .containsExactly("ticket-3x-1440m-120m firing");
        } finally {
            receiver.stop(0);
        }
    }

    /** Alerts firing, or -1 while the server cannot say (still starting). */
    static int firing(URI base) {
        try {
            return JSON.readTree(ApiCalls.send(base, "/api/v1/alerts").body()).get("firing").size();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Waits until every objective has been judged through {@code minuteEnd} (the end of the last closed minute). */
    static void judgedThrough(URI base, long minuteEnd) throws Exception {
        ApiCalls.await(base, "/api/v1/objectives", o -> {
            for (JsonNode x : o.get("objectives")) {
                if (!x.path("evaluatedTo").asText().equals(Timestamps.format(minuteEnd))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** What a receiver had when the outbox was read, and what the outbox held. */
    record Delivery(Map<String, ?> received, List<String> outbox) {
    }

    /** What waits in the alert outbox: id, target, attempts and last error of each notification. */
    static List<String> outbox(VigilServer vigil) throws java.sql.SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (java.sql.Connection c = vigil.journal().newConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT id, target, attempts, last_error FROM alert_outbox ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1) + " " + rs.getString(2) + " attempts " + rs.getInt(3) + " " + rs.getString(4));
            }
        }
        return out;
    }
}
