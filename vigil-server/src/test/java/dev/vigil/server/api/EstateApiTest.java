package dev.vigil.server.api;

import static dev.vigil.server.api.ApiCalls.JSON;
import static dev.vigil.server.api.ApiCalls.await;
import static dev.vigil.server.api.ApiCalls.get;
import static dev.vigil.server.api.ApiCalls.postEvents;
import static dev.vigil.server.api.ApiCalls.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.Timestamps;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.summarise.WindowSpan;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The estate, processes and search endpoints the dashboard reads, against sums of events posted over HTTP. */
class EstateApiTest {

    @TempDir
    Path dir;

    @Test
    void theEstateProcessesAndSearchAgreeWithThePostedEvents() throws Exception {
        Files.writeString(dir.resolve("slo.yaml"), ObjectivesApiTest.BANK_SLO + """
                ---
                apiVersion: vigil.dev/v1
                kind: Contract
                metadata: {name: bank-2026}
                spec: {supplier: First Bank, objectives: [bank-ok]}
                """);
        Path yaml = dir.resolve("vigil.yaml");
        Files.writeString(yaml, """
                pipeline: {allowedLateness: 2s, idleTimeout: 0s, partitions: 2}
                processes:
                  checkout:
                    activities: [Placed, Paid]
                    start: Placed
                    end: [Paid]
                    keys: [orderId]
                    stuckAfter: 1m
                objectives: [slo.yaml]
                """);
        long t0 = WindowSpan.MINUTE.startOf(Timestamps.toMicros(Instant.now()) - 30 * 60_000_000L);
        StringBuilder body = new StringBuilder();
        // billing (wholesale) calls the bank 100 times, 1..100 ms, every other call failing.
        for (int i = 1; i <= 100; i++) {
            body.append(event(t0 + i * 100_000L, "billing", "Pay", "\"kind\":\"call\",\"peer\":\"bank\",\"durationMs\":" + i
                    + ",\"unit\":\"wholesale\",\"outcome\":\"" + (i % 2 == 0 ? "error" : "ok") + "\""));
        }
        // shop (retail): 10 calls to catalog, which emits nothing itself, and the checkout process's activities.
        for (int i = 0; i < 10; i++) {
            body.append(event(t0 + 20_000_000L + i, "shop", "GetProduct",
                    "\"kind\":\"call\",\"peer\":\"catalog\",\"durationMs\":5,\"unit\":\"retail\""));
        }
        body.append(event(t0 + 1_000_000L, "shop", "Placed", "\"correlation\":{\"orderId\":\"O-1\"},\"unit\":\"retail\""));
        body.append(event(t0 + 3_000_000L, "shop", "Paid", "\"correlation\":{\"orderId\":\"O-1\"},\"unit\":\"retail\""));
        body.append(event(t0 + 2_000_000L, "shop", "Placed", "\"correlation\":{\"orderId\":\"O-2\"},\"unit\":\"retail\""));
        body.append(event(t0 + 6_000_000L, "shop", "Paid", "\"correlation\":{\"orderId\":\"O-2\"},\"unit\":\"retail\""));
        body.append(event(t0 + 4_000_000L, "shop", "Placed", "\"correlation\":{\"orderId\":\"O-3\"},\"unit\":\"retail\""));
        // Moves the watermark nine minutes on: the first minute closes, O-3 is overdue.
        // (Repeated: uncorrelated events are spread over the partitions, and each must see the time move.)
        body.append(event(t0 + 10 * 60_000_000L, "clock", "Tick", "\"kind\":\"activity\"").repeat(8));

        try (VigilServer server = VigilServer.start(ServerOptions.defaults(dir.resolve("data")).withPort(0)
                .withBindAddress("127.0.0.1").withConfig(ConfigLoader.load(yaml)))) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            postEvents(base, body.toString());
            // Each partition hands its part of a minute to the merger when its own watermark passes; one that was
            // slow to start revises a minute the others already closed. Wait for the minutes closed and all parts in.
            JsonNode estate = await(base, "/api/v1/estate", e -> e.get("units").size() == 2
                    && e.get("to").asText().equals(Timestamps.format(t0 + 9 * 60_000_000L))
                    && e.at("/units/0/services/0/count").asLong() == 100 && e.at("/calls/1/count").asLong() == 10);

            // The objectives in the same answer were judged on exactly these windows: the same minutes, all parts.
            assertThat(estate.get("objectivesInStep").asBoolean()).isTrue();
            assertThat(estate.get("objectives")).singleElement().satisfies(o -> {
                assertThat(o.get("name").asText()).isEqualTo("bank-ok");
                assertThat(o.get("evaluatedTo").asText()).isEqualTo(estate.get("to").asText());
                assertThat(o.get("achieved").asDouble()).isEqualTo(0.5);
                assertThat(o.get("state").asText()).isEqualTo("breached");
            });

            // Closed minutes t0 .. t0+9m (the watermark is 2 s short of t0+10m): nine minutes since the first window.
            assertThat(estate.get("from").asText()).isEqualTo(Timestamps.format(t0));
            assertThat(estate.get("to").asText()).isEqualTo(Timestamps.format(t0 + 9 * 60_000_000L));
            assertThat(estate.get("minutes").asInt()).isEqualTo(9);
            // Worst first: wholesale (billing breaches bank-ok) before retail.
            assertThat(estate.get("units").findValuesAsText("unit")).containsExactly("wholesale", "retail");
            JsonNode billing = estate.at("/units/0/services/0");
            assertThat(billing.get("service").asText()).isEqualTo("billing");
            assertThat(billing.get("count").asLong()).isEqualTo(100);
            assertThat(billing.get("errors").asLong()).isEqualTo(50);
            assertThat(billing.get("errorRatio").asDouble()).isEqualTo(0.5);
            assertThat(billing.get("ratePerSecond").asDouble()).isEqualTo(Math.round(100 * 1000 / 540.0) / 1000.0);
            assertThat(billing.get("p95Ms").asDouble()).isCloseTo(95, within(95 * 0.02));
            assertThat(billing.get("status").asText()).isEqualTo("breached");
            assertThat(texts(billing.get("objectives"))).containsExactly("bank-ok");
            // Its calls were all in the first minute: the last closed minute (t0+8m) had none, the trend one step.
            assertThat(estate.get("nowFrom").asText()).isEqualTo(Timestamps.format(t0 + 8 * 60_000_000L));
            assertThat(estate.get("trendStepMinutes").asInt()).isEqualTo(1);
            assertThat(billing.at("/now/count").asLong()).isZero();
            assertThat(billing.get("trend")).singleElement().satisfies(step -> {
                assertThat(step.get("start").asText()).isEqualTo(Timestamps.format(t0));
                assertThat(step.get("count").asLong()).isEqualTo(100);
                assertThat(step.get("errors").asLong()).isEqualTo(50);
                assertThat(step.get("p95Ms").asDouble()).isCloseTo(95, within(95 * 0.02));
            });
            assertThat(texts(billing.get("reasons"))).anySatisfy(s -> assertThat(s).startsWith("bank-ok breached: 50.00% achieved"));
            JsonNode shop = estate.at("/units/1/services/0");
            assertThat(shop.get("service").asText()).isEqualTo("shop");
            assertThat(shop.get("count").asLong()).isEqualTo(15);
            assertThat(shop.get("status").asText()).isEqualTo("ok");

            // The bank is a supplier (its calls are what a supplier contract's objective measures); catalog is not.
            assertThat(estate.get("suppliers")).hasSize(1);
            assertThat(estate.at("/suppliers/0/supplier").asText()).isEqualTo("bank");
            assertThat(estate.at("/suppliers/0/count").asLong()).isEqualTo(100);
            assertThat(estate.at("/suppliers/0/status").asText()).isEqualTo("breached");
            assertThat(estate.get("calledOnly").findValuesAsText("service")).containsExactly("catalog");
            assertThat(estate.at("/calledOnly/0/count").asLong()).isEqualTo(10);
            assertThat(estate.get("calls")).hasSize(2);
            assertThat(estate.at("/calls/0/source").asText() + ">" + estate.at("/calls/0/peer").asText()
                    + " " + estate.at("/calls/0/external").asBoolean() + " " + estate.at("/calls/0/count").asLong())
                    .isEqualTo("billing>bank true 100");
            assertThat(estate.at("/calls/1/source").asText() + ">" + estate.at("/calls/1/peer").asText()
                    + " " + estate.at("/calls/1/external").asBoolean() + " " + estate.at("/calls/1/count").asLong())
                    .isEqualTo("shop>catalog false 10");
            // The clock's event is in the minute the watermark has not closed: not counted yet.
            assertThat(estate.findValuesAsText("service")).doesNotContain("clock");

            JsonNode process = await(base, "/api/v1/processes?from=" + Timestamps.format(t0 - 60_000_000L),
                    p -> p.at("/processes/0/stuck").asLong() == 1 && p.at("/processes/0/completed").asLong() == 2).at("/processes/0");
            assertThat(process.get("name").asText()).isEqualTo("checkout");
            assertThat(process.get("started").asLong()).isEqualTo(3);
            assertThat(process.get("open").asLong()).isZero();
            assertThat(process.get("completedOk").asLong()).isEqualTo(2);
            // Completed in 2 s and 4 s: exact percentiles, interpolated.
            assertThat(process.at("/completedDurationMs/p50").asDouble()).isEqualTo(3000);
            assertThat(process.at("/completedDurationMs/p90").asDouble()).isEqualTo(3800);
            assertThat(process.at("/paths/0/path").toString()).isEqualTo("[\"Placed\",\"Paid\"]");
            assertThat(process.at("/paths/0/cases").asLong()).isEqualTo(2);
            assertThat(process.at("/paths/0/share").asDouble()).isEqualTo(0.6667);
            assertThat(process.at("/paths/1/path").toString()).isEqualTo("[\"Placed\"]");

            JsonNode byOrder = get(base, "/api/v1/search?q=O-3");
            assertThat(byOrder.get("results")).hasSize(1);
            assertThat(byOrder.at("/results/0/kind").asText()).isEqualTo("case");
            assertThat(byOrder.at("/results/0/detail").asText()).isEqualTo("checkout case, stuck, orderId=O-3");
            String id = byOrder.at("/results/0/name").asText();
            assertThat(get(base, "/api/v1/search?q=" + id.substring(0, 6)).findValuesAsText("name")).contains(id);
            JsonNode bank = get(base, "/api/v1/search?q=BANK").get("results");
            assertThat(bank).hasSize(2);
            assertThat(bank.get(0).get("kind").asText() + " " + bank.get(0).get("name").asText()).isEqualTo("supplier bank");
            assertThat(bank.get(1).get("kind").asText() + " " + bank.get(1).get("name").asText()).isEqualTo("objective bank-ok");
            assertThat(get(base, "/api/v1/search?q=check").at("/results/0/kind").asText()).isEqualTo("process");
            // A supplier by its company's name (the contract's party) and by its contract's name.
            for (String q : new String[] {"first%20bank", "bank-2026"}) {
                JsonNode company = get(base, "/api/v1/search?q=" + q).get("results");
                assertThat(company).as(q).singleElement().satisfies(r -> {
                    assertThat(r.get("kind").asText()).isEqualTo("supplier");
                    assertThat(r.get("name").asText()).isEqualTo("bank");
                    assertThat(r.get("detail").asText()).isEqualTo("external supplier First Bank, contract bank-2026");
                });
            }
            assertThat(get(base, "/api/v1/search?q=%25").get("results")).isEmpty();

            assertBadParameter(base, "/api/v1/search", "q");

            // The events behind a supplier's bad minute: the calls to it, the failed ones only.
            JsonNode failedCalls = get(base, "/api/v1/events?peer=bank&outcome=failed&limit=1000").get("events");
            assertThat(failedCalls).hasSize(50).allSatisfy(e -> {
                assertThat(e.get("peer").asText()).isEqualTo("bank");
                assertThat(e.get("outcome").asText()).isEqualTo("error");
            });
            assertThat(get(base, "/api/v1/events?peer=bank&outcome=ok&limit=1000").get("events")).hasSize(50);
            assertBadParameter(base, "/api/v1/events?outcome=maybe", "outcome");
            assertBadParameter(base, "/api/v1/estate?minutes=0", "minutes");
            assertBadParameter(base, "/api/v1/estate?window=5", "window");
            assertBadParameter(base, "/api/v1/processes?paths=100", "paths");
        }
    }

    private static String event(long micros, String source, String name, String rest) {
        return "{\"time\":\"" + Timestamps.format(micros) + "\",\"source\":\"" + source + "\",\"name\":\"" + name + "\","
                + rest + "}\n";
    }

    private void assertBadParameter(URI base, String path, String parameter) throws Exception {
        HttpResponse<String> r = send(base, path);
        assertThat(r.statusCode()).as(path).isEqualTo(400);
        JsonNode e = JSON.readTree(r.body());
        assertThat(e.get("error").asText()).isEqualTo("bad_parameter");
        assertThat(e.get("at").asText()).isEqualTo(parameter);
    }

    private static java.util.List<String> texts(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
