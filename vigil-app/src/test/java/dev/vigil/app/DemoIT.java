package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil demo} end to end: the simulated estate's events arrive in the store through HTTP. */
class DemoIT {

    @TempDir
    Path data;

    @Test
    void theDemoFeedsTheStoreWithAWholeEstateAndStopsCleanly() throws Exception {
        try (VigilProcess vigil = VigilProcess.start("demo", "--port", "0", "--data", data.toString(), "--rate", "600",
                "--backfill", "0s")) {
            JsonNode stats = Http.await(vigil.url, "/api/v1/stats", s -> s.get("stored").asLong() > 1500
                    && s.at("/uninterpretedBySource/warehouse-wms").asLong() > 0);
            assertThat(stats.get("stored").asLong()).isGreaterThan(1500);
            Set<String> sources = new HashSet<>();
            stats.get("bySource").forEach(s -> sources.add(s.get("source").asText()));
            assertThat(sources).contains("web-shop", "billing", "shipping", "warehouse", "tracking", "order-service");

            JsonNode placed = Http.get(vigil.url, "/api/v1/events?name=OrderPlaced&limit=5");
            assertThat(placed.get("events")).isNotEmpty();
            JsonNode dispatched = Http.get(vigil.url, "/api/v1/events?name=OrderDispatched&limit=1");
            if (!dispatched.get("events").isEmpty()) {
                // The event where the correlation key changes carries both keys.
                JsonNode corr = dispatched.at("/events/0/correlation");
                assertThat(corr.has("orderId") && corr.has("shipmentId")).isTrue();
                String shipment = corr.get("shipmentId").asText();
                String order = corr.get("orderId").asText();
                assertThat(Http.get(vigil.url, "/api/v1/events?key=orderId:" + order).get("events")).isNotEmpty();
                assertThat(Http.get(vigil.url, "/api/v1/events?key=shipmentId:" + shipment).get("events")).isNotEmpty();
            }
            JsonNode calls = Http.get(vigil.url, "/api/v1/events?source=billing&name=CalculateTax&limit=50");
            assertThat(calls.get("events")).allSatisfy(e -> {
                assertThat(e.get("peer").asText()).isEqualTo("tax-gateway");
                assertThat(e.get("durationMs").asDouble()).isPositive();
            });
            // The warehouse system's own JSON, through the built-in configuration's rules: epoch milliseconds
            // become the event time, return code "00" ok and anything else an error; heartbeats match no rule.
            assertThat(stats.at("/uninterpretedBySource/warehouse-wms").asLong()).isPositive();
            JsonNode picks = Http.get(vigil.url, "/api/v1/events?source=warehouse-wms&name=Pick&limit=20");
            assertThat(picks.get("events")).isNotEmpty().allSatisfy(e -> {
                assertThat(e.get("kind").asText()).isEqualTo("call");
                assertThat(e.at("/correlation/orderId").asText()).startsWith("O-");
                assertThat(java.time.Instant.parse(e.get("time").asText()))
                        .isBetween(java.time.Instant.now().minusSeconds(120), java.time.Instant.now().plusSeconds(5));
                assertThat(e.at("/attributes/site").asText()).startsWith("DC-");
            });
            // The order service reports through OpenTelemetry: its calls arrive as spans over OTLP, become call
            // events with their peer and unit, and those that serve an order carry its id as a business key.
            JsonNode traced = Http.await(vigil.url, "/api/v1/events?source=order-service&name=ReserveStock&limit=200",
                    p -> p.get("events").findValues("correlation").stream().anyMatch(c -> c.has("orderId")));
            assertThat(traced.get("events")).allSatisfy(e -> {
                assertThat(e.at("/attributes/spanKind").asText()).isEqualTo("client");
                assertThat(e.at("/correlation/traceId").asText()).hasSize(32);
                assertThat(e.get("peer").asText()).isEqualTo("warehouse");
                assertThat(e.get("unit").asText()).isEqualTo("wholesale");
            });
            String servedOrder = traced.get("events").findValues("correlation").stream().filter(c -> c.has("orderId"))
                    .findFirst().orElseThrow().get("orderId").asText();
            // the order's placement may be among the 3% the simulator delivers up to 30 s late
            Http.await(vigil.url, "/api/v1/events?key=orderId:" + servedOrder, p -> {
                List<String> names = p.get("events").findValuesAsText("name");
                return names.contains("ReserveStock") && names.contains("OrderPlaced");
            });

            // Its hosts' simulated node exporters are scraped: each host's minute fills (CPU needs two scrapes).
            JsonNode hosts = Http.await(vigil.url, "/api/v1/hosts", h -> h.get("hosts").size() == 4
                    && h.get("hosts").findValues("latest").stream().allMatch(l -> l.path("cpuUtilisation").isNumber()));
            assertThat(hosts.get("hosts")).extracting(h -> h.get("host").asText())
                    .containsExactly("app-host-1", "app-host-2", "app-host-3", "db-host-1");
            assertThat(hosts.get("hosts")).allSatisfy(h -> {
                assertThat(h.get("up").asBoolean()).isTrue();
                assertThat(h.at("/latest/cpuUtilisation").asDouble()).isBetween(0.0, 1.0);
                assertThat(h.at("/latest/cpus").asInt()).isEqualTo(4);
            });

            // The suppliers' objectives and contracts come with the demo (judging them is ObjectivesApiTest's part).
            JsonNode objectives = Http.get(vigil.url, "/api/v1/objectives").get("objectives");
            assertThat(objectives.findValuesAsText("name")).containsExactly("tax-gateway-availability", "carrier-availability",
                    "carrier-latency");
            assertThat(Http.get(vigil.url, "/api/v1/contracts").get("contracts").findValuesAsText("supplier"))
                    .containsExactly("TaxCo", "ParcelCo");
            assertThat(data.resolve("demo-config/slo.yaml")).exists();
            assertThat(vigil.terminate()).isZero();
            assertThat(String.join("\n", vigil.output())).doesNotContain("failed posts");
        }
    }

    @Test
    void anIncidentAskedForOnTheCommandLinePlaysAtOnceAndSaturatesItsHost() throws Exception {
        try (VigilProcess vigil = VigilProcess.start("demo", "--port", "0", "--data", data.toString(), "--rate", "300",
                "--backfill", "0s", "--no-scheduled-incidents", "--incident", "host-saturation")) {
            JsonNode demo = Http.await(vigil.url, "/api/v1/demo",
                    d -> d.get("running").findValuesAsText("name").contains("host-saturation"));
            assertThat(demo.get("upcoming")).as("no schedule").isEmpty();
            assertThat(demo.get("incidents").findValuesAsText("name"))
                    .containsExactly("carrier-outage", "stuck-orders", "slow-database", "host-saturation");
            // The warehouse's host runs its CPUs flat out while the incident lasts (four minutes: longer than this wait),
            // and only that host: the others stay near their usual load.
            JsonNode hosts = Http.await(vigil.url, "/api/v1/hosts", java.time.Duration.ofSeconds(200), h -> {
                for (JsonNode host : h.get("hosts")) {
                    if (host.get("host").asText().equals("app-host-3")) {
                        return host.at("/latest/cpuUtilisation").asDouble() >= 0.9;
                    }
                }
                return false;
            });
            for (JsonNode host : hosts.get("hosts")) {
                if (!host.get("host").asText().equals("app-host-3")) {
                    assertThat(host.at("/latest/loadPerCore").asDouble()).as(host.toString()).isLessThan(1.5);
                }
            }
            // One more, asked for over the API as the dashboard's demo bar does.
            java.net.http.HttpResponse<String> played = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(vigil.url.resolve("/api/v1/demo/incidents"))
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"incident\": \"stuck-orders\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(played.statusCode()).as(played.body()).isEqualTo(202);
            Http.await(vigil.url, "/api/v1/demo", d -> d.get("running").findValuesAsText("name").contains("stuck-orders"));
            assertThat(vigil.terminate()).isZero();
            assertThat(String.join("\n", vigil.output())).contains("demo incident: host-saturation until");
        }
    }

    /** The calls to the carrier in [from, to), by its one-minute KPIs. */
    private static long calls(VigilProcess vigil, Instant from, Instant to) throws Exception {
        JsonNode minutes = Http.get(vigil.url, "/api/v1/kpis?dimension=peer&key=carrier-api&step=1m&from="
                + from.truncatedTo(java.time.temporal.ChronoUnit.MINUTES) + "&to=" + to.truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
        long n = 0;
        for (JsonNode p : minutes.get("points")) {
            n += p.get("count").asLong();
        }
        return n;
    }

    @Test
    void theDemoGeneratesAWeekOfHistoryWithItsIncidentsBeforeGoingLiveAndNotAgainOnARestart() throws Exception {
        Instant started = Instant.now();
        String oneHour = "/api/v1/events?peer=tax-gateway&limit=10000&from=" + started.minus(java.time.Duration.ofDays(3))
                + "&to=" + started.minus(java.time.Duration.ofDays(3)).plus(java.time.Duration.ofHours(1));
        int before;
        try (VigilProcess vigil = VigilProcess.start("demo", "--port", "0", "--data", data.toString(), "--rate", "100",
                "--backfill", "7d", "--no-scheduled-incidents")) {
            // Live once the pipeline has read the history: the watermark is at the wall clock again.
            Http.await(vigil.url, "/api/v1/stats", java.time.Duration.ofSeconds(240), s -> !s.at("/pipeline/watermark").isNull()
                    && Instant.parse(s.at("/pipeline/watermark").asText()).isAfter(Instant.now().minusSeconds(60)));
            // Events from the whole week, a day's worth each day, by the KPIs of a supplier's calls.
            JsonNode days = Http.get(vigil.url, "/api/v1/kpis?dimension=peer&key=tax-gateway&step=1d&from="
                    + started.minus(java.time.Duration.ofDays(8)) + "&to=" + Instant.now().plusSeconds(60));
            assertThat(days.get("points").size()).isBetween(7, 9);
            // The history rises to the live rate over its last minutes: going live is no surge on the charts.
            long lastTen = calls(vigil, started.minus(java.time.Duration.ofMinutes(10)), started);
            long threeHoursBefore = calls(vigil, started.minus(java.time.Duration.ofMinutes(190)), started.minus(java.time.Duration.ofMinutes(180)));
            assertThat(lastTen).as("calls to the carrier in the history's last ten minutes, against ten minutes three hours "
                    + "before (" + threeHoursBefore + ")").isGreaterThan(10 * Math.max(1, threeHoursBefore));
            // The tax gateway's six bad hours six days ago fired its page alert then (recorded, not sent: long past).
            JsonNode alerts = Http.get(vigil.url, "/api/v1/alerts");
            assertThat(alerts.get("recent")).anySatisfy(a -> {
                assertThat(a.get("objective").asText()).isEqualTo("tax-gateway-availability");
                assertThat(a.get("severity").asText()).isEqualTo("page");
                assertThat(Instant.parse(a.get("at").asText())).isBetween(started.minus(java.time.Duration.ofDays(6)),
                        started.minus(java.time.Duration.ofDays(5)));
            });
            before = Http.get(vigil.url, oneHour).get("events").size();
            assertThat(before).isPositive();
            assertThat(vigil.terminate()).isZero();
            assertThat(String.join("\n", vigil.output())).contains("history: 100% of 7 days generated and sent")
                    .doesNotContain("failed posts");
        }
        // Started again on the same folder, the demo goes on live: its history is not sent a second time.
        try (VigilProcess again = VigilProcess.start("demo", "--port", "0", "--data", data.toString(), "--rate", "100",
                "--backfill", "7d", "--no-scheduled-incidents")) {
            Http.await(again.url, "/api/v1/stats", s -> s.at("/sinceStart/accepted").asLong() >= 2_000);
            assertThat(Http.get(again.url, oneHour).get("events").size()).as("events of an hour three days ago").isEqualTo(before);
            assertThat(again.terminate()).isZero();
            assertThat(String.join("\n", again.output())).contains("already holds").doesNotContain("history: 100%");
        }
    }
}
