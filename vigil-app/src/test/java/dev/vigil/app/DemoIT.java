package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
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
        try (VigilProcess vigil = VigilProcess.start("demo", "--port", "0", "--data", data.toString(), "--rate", "600")) {
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
}
