package dev.vigil.server.api;

import static dev.vigil.server.api.ApiCalls.await;
import static dev.vigil.server.api.ApiCalls.get;
import static dev.vigil.server.api.ApiCalls.postEvents;
import static dev.vigil.server.api.ApiCalls.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vigil.event.Timestamps;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.summarise.WindowSpan;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An OpenSLO objective named in vigil.yaml, judged on the KPI windows of events posted over HTTP. */
public class ObjectivesApiTest {

    /** 99% of calls to the bank must not fail, over a rolling day. */
    public static final String BANK_SLO = """
            apiVersion: openslo/v1
            kind: SLO
            metadata: {name: bank-ok}
            spec:
              service: billing
              indicator:
                metadata: {name: bank-calls-ok}
                spec:
                  ratioMetric:
                    good: {metricSource: {type: Vigil, spec: {dimension: peer, key: bank, good: notFailed}}}
                    total: {metricSource: {type: Vigil, spec: {dimension: peer, key: bank}}}
              timeWindow: [{duration: 1d, isRolling: true}]
              budgetingMethod: Occurrences
              objectives: [{target: 0.99}]
            """;

    @TempDir
    Path dir;

    @Test
    void anObjectiveShowsItsAchievedValueBudgetAndTheBurnRateAlertsAnErrorBurstFires() throws Exception {
        Files.createDirectories(dir.resolve("slo"));
        Files.writeString(dir.resolve("slo/bank.yaml"), BANK_SLO);
        Files.writeString(dir.resolve("slo/contract.yaml"), """
                apiVersion: vigil.dev/v1
                kind: Contract
                metadata: {name: bank-2026}
                spec:
                  supplier: First Bank
                  objectives: [bank-ok]
                  penaltyBands:
                    - {below: 99, consequence: 5% credit}
                    - {below: 90, consequence: 20% credit}
                """);
        Path yaml = dir.resolve("vigil.yaml");
        Files.writeString(yaml, """
                pipeline: {allowedLateness: 2s, idleTimeout: 0s, partitions: 2}
                objectives: [slo/]
                """);
        long t0 = WindowSpan.MINUTE.startOf(Timestamps.toMicros(Instant.now()) - 30 * 60_000_000L);
        try (VigilServer server = VigilServer.start(ServerOptions.defaults(dir.resolve("data")).withPort(0)
                .withBindAddress("127.0.0.1").withConfig(ConfigLoader.load(yaml)))) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            postEvents(base, errorBurst(t0));

            // Judged on all 100 calls: a partition slow to start hands in its half of the minute as a revision,
            // which the objective takes in at once. 1% of 100 calls may fail: a budget of 1.
            JsonNode o = await(base, "/api/v1/objectives", j -> Math.abs(j.at("/objectives/0/budget/total").asDouble() - 1.0) < 1e-9)
                    .at("/objectives/0");
            assertThat(o.get("name").asText()).isEqualTo("bank-ok");
            assertThat(o.get("achieved").asDouble()).isEqualTo(0.5);
            assertThat(o.get("state").asText()).isEqualTo("breached");
            // 1% of 100 calls may fail: a budget of 1, of which 50 spent.
            assertThat(o.at("/budget/total").asDouble()).isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
            assertThat(o.at("/budget/consumed").asDouble()).isEqualTo(50);
            assertThat(o.at("/burnRate/1h").asDouble()).isEqualTo(50, org.assertj.core.api.Assertions.within(1e-9));
            // A rolling day is never "in progress"; each burn window says how much of it holds data: from the
            // burst's minute to the last minute judged.
            assertThat(o.get("period").asText()).isEqualTo("rolling");
            long judged = Timestamps.parseRfc3339(o.get("evaluatedTo").asText());
            for (var w : java.util.Map.of("1h", 60L, "6h", 360L, "1d", 1440L, "3d", 4320L).entrySet()) {
                double share = Math.min(1, (judged - t0) / (w.getValue() * 60_000_000.0));
                assertThat(o.at("/burnRateCoverage/" + w.getKey()).asDouble()).as(w.getKey())
                        .isEqualTo(Math.round(share * 1e4) / 1e4);
            }

            JsonNode alerts = get(base, "/api/v1/alerts");
            // A 1-day period scales the workbook's factors by 1/30; 50x burns past all four.
            assertThat(alerts.get("firing")).hasSize(4).allSatisfy(a -> assertThat(a.get("objective").asText()).isEqualTo("bank-ok"));

            JsonNode history = get(base, "/api/v1/objectives/bank-ok").get("history");
            // Hourly steps over the rolling day up to the last minute judged; the last one is that minute.
            assertThat(history.size()).isBetween(24, 25);
            assertThat(history.get(history.size() - 1).get("achieved").asDouble()).isEqualTo(0.5);
            assertThat(history.get(history.size() - 1).get("budgetConsumed").asDouble()).isEqualTo(50);
            assertThat(send(base, "/api/v1/objectives/nope").statusCode()).isEqualTo(404);

            JsonNode contract = get(base, "/api/v1/contracts").at("/contracts/0");
            assertThat(contract.get("supplier").asText()).isEqualTo("First Bank");
            // 50% achieved falls below both bands: the strictest applies.
            assertThat(contract.at("/objectives/0/achievedPercent").asDouble()).isEqualTo(50);
            assertThat(contract.at("/objectives/0/met").asBoolean()).isFalse();
            assertThat(contract.at("/objectives/0/penaltyBand/consequence").asText()).isEqualTo("20% credit");
        }
    }

    /**
     * 100 calls to the bank in the minute from {@code t0}, every other one failed, then events past the minute
     * and the 2 s lateness in every partition, so that the minute closes.
     */
    static String errorBurst(long t0) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            body.append("{\"time\":\"").append(Timestamps.format(t0 + i * 500_000L)).append("\",\"source\":\"billing\",")
                    .append("\"name\":\"Charge\",\"kind\":\"call\",\"peer\":\"bank\",\"durationMs\":10,\"outcome\":\"")
                    .append(i % 2 == 0 ? "error" : "ok").append("\"}\n");
        }
        body.append(("{\"time\":\"" + Timestamps.format(t0 + 90_000_000L) + "\",\"source\":\"clock\",\"name\":\"tick\"}\n").repeat(8));
        return body.toString();
    }
}
