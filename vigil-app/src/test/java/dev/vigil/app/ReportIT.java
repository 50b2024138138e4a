package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.event.Timestamps;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.print.PrintOptions;

/**
 * A contract's period report from a real Vigil fed over HTTP: the figures in JSON against the events posted,
 * the same report as CSV, as HTML written by the CLI and opened in headless chromium (no console errors,
 * the charts drawn, printable to PDF), and read again by the CLI from the data folder once the server stopped.
 */
class ReportIT {

    static final long MINUTE = 60_000_000L;

    @TempDir
    Path dir;

    @Test
    void aContractReportAgreesWithTheEventsInJsonCsvAndHtmlAndOpensInABrowserWithoutErrors() throws Exception {
        Files.createDirectories(dir.resolve("slo"));
        Files.writeString(dir.resolve("slo/carrier.yaml"), """
                apiVersion: openslo/v1
                kind: SLO
                metadata: {name: carrier-availability, displayName: Carrier API availability}
                spec:
                  service: shipping
                  indicator:
                    metadata: {name: carrier-ok}
                    spec:
                      ratioMetric:
                        good: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api, good: notFailed}}}
                        total: {metricSource: {type: Vigil, spec: {dimension: peer, key: carrier-api}}}
                  timeWindow:
                    - {duration: 1M, isRolling: false, calendar: {startTime: 2026-01-01 00:00:00, timeZone: UTC}}
                  budgetingMethod: Occurrences
                  objectives: [{targetPercent: 99}]
                ---
                apiVersion: vigil.dev/v1
                kind: Contract
                metadata: {name: parcelco-2026, displayName: ParcelCo <delivery> services}
                spec:
                  supplier: ParcelCo
                  unit: retail
                  objectives: [carrier-availability]
                  notes: Credits are claimed within 30 days.
                  penaltyBands:
                    - {below: 99.5, consequence: 5% service credit}
                    - {below: 97, consequence: 10% service credit}
                """);
        Path yaml = dir.resolve("vigil.yaml");
        Files.writeString(yaml, "pipeline: {allowedLateness: 2s, idleTimeout: 0s}\nobjectives: [slo/]\n");
        Path data = dir.resolve("data");

        // Six minutes of calls, all in one month: five with 1 failure in 200, then one with 50 in 100.
        long t0 = Timestamps.toMicros(Instant.now()) / MINUTE * MINUTE - 40 * MINUTE;
        if (!month(t0 - 6 * MINUTE).equals(month(t0 + 4 * MINUTE))) {
            t0 -= 60 * MINUTE;
        }
        String period = month(t0).toString();
        StringBuilder body = new StringBuilder();
        for (int m = -5; m <= 0; m++) {
            int calls = m < 0 ? 200 : 100;
            for (int i = 0; i < calls; i++) {
                boolean failed = m < 0 ? i == 0 : i % 2 == 0;
                body.append(call(t0 + m * MINUTE + i * 100_000L, failed));
            }
        }
        body.append(("{\"time\":\"" + Timestamps.format(t0 + 3 * MINUTE) + "\",\"source\":\"clock\",\"name\":\"tick\"}\n").repeat(8));
        long total = 5 * 200 + 100;
        long bad = 5 + 50;

        JsonNode json;
        try (VigilProcess vigil = VigilProcess.start("serve", "--port", "0", "--bind", "127.0.0.1", "--data", data.toString(),
                "--config", yaml.toString())) {
            Http.postEvents(vigil.url, body.toString());
            String query = "/api/v1/reports?contract=parcelco-2026&period=" + period;
            json = Http.await(vigil.url, query + "&format=json", j -> j.at("/contracts/0/objectives/0/units/total").asLong() == total);

            JsonNode o = json.at("/contracts/0/objectives/0");
            assertThat(json.get("zone").asText()).isEqualTo("UTC");
            assertThat(json.at("/contracts/0/supplier").asText()).isEqualTo("ParcelCo");
            assertThat(json.at("/contracts/0/met").asBoolean()).isFalse();
            assertThat(o.get("achievedPercent").asDouble()).isCloseTo(100.0 * (total - bad) / total, within(1e-9));
            // This month is still running: its verdict is "so far", nothing is decided.
            assertThat(o.get("verdict").asText()).isEqualTo("breached so far");
            assertThat(o.get("periodClosed").asBoolean()).isFalse();
            assertThat(o.at("/budget/total").asDouble()).isCloseTo(0.01 * total, within(1e-9));
            assertThat(o.at("/budget/consumed").asDouble()).isEqualTo(bad);
            assertThat(o.at("/penaltyBand/consequence").asText()).isEqualTo("10% service credit");
            assertThat(o.get("breaches")).hasSize(1);
            assertThat(Timestamps.parseRfc3339(o.at("/breaches/0/start").asText())).isEqualTo(t0);
            assertThat(Timestamps.parseRfc3339(o.at("/breaches/0/end").asText())).isEqualTo(t0 + MINUTE);
            assertThat(o.at("/breaches/0/worst").asDouble()).isEqualTo(50.0);
            assertThat(o.at("/breaches/0/worstUnit").asText()).isEqualTo("%");
            long hour = t0 / (60 * MINUTE) * 60 * MINUTE;
            assertThat(Timestamps.parseRfc3339(o.at("/costliestHours/0/start").asText())).isEqualTo(hour);
            assertThat(o.at("/costliestHours/0/consumed").asDouble()).isGreaterThanOrEqualTo(50);

            String csv = Http.CLIENT.send(HttpRequest.newBuilder(vigil.url.resolve(query + "&format=csv")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            List<String> lines = csv.lines().toList();
            assertThat(lines.get(0)).startsWith("record,period,contract,party_role,party,unit,objective,target_percent,achieved_percent");
            assertThat(lines).filteredOn(l -> l.startsWith("objective,")).singleElement().satisfies(l -> assertThat(l)
                    .contains(",parcelco-2026,supplier,ParcelCo,retail,carrier-availability,99,95,\"breached so far\",events,1045,1100,11,55,500,97,\"10% service credit\""));
            assertThat(lines).filteredOn(l -> l.startsWith("breach,")).hasSize(1);

            assertThat(badRequest(vigil.url, "/api/v1/reports?contract=parcelco-2026&period=2026-13")).isEqualTo(
                    "period: period \"2026-13\": months are 01 to 12");
            assertThat(badRequest(vigil.url, "/api/v1/reports?contract=parcelco-2026&unit=retail&period=" + period)).isEqualTo(
                    "contract: give exactly one of contract (a contract's name), unit (a business unit's contracts) or all");
            assertThat(badRequest(vigil.url, "/api/v1/reports?unit=retial&period=" + period)).isEqualTo(
                    "unit: no contract serves the business unit \"retial\"; did you mean \"retail\"? (units: retail)");
            assertThat(badRequest(vigil.url, "/api/v1/reports?all=true&period=" + period + "&format=pdf")).isEqualTo(
                    "format: format must be html, csv or json, not \"pdf\"");

            // The CLI asks the running server and writes the HTML; chromium opens it as a file, offline.
            Path html = dir.resolve("report.html");
            VigilProcess cli = VigilProcess.launch("report", "--contract", "parcelco-2026", "--period", period,
                    "--server", vigil.url.toString(), "--out", html.toString());
            assertThat(cli.await(60)).as("%s", cli.output()).isZero();
            openInBrowser(html);

            VigilProcess wrong = VigilProcess.launch("report", "--contract", "parcelco", "--period", period,
                    "--server", vigil.url.toString(), "--format", "json", "--out", "-");
            assertThat(wrong.await(60)).isEqualTo(2);
            assertThat(wrong.output()).anySatisfy(l -> assertThat(l).isEqualTo("vigil report: no contract named \"parcelco\"; "
                    + "did you mean \"parcelco-2026\"? (contracts: parcelco-2026)"));
            assertThat(vigil.terminate()).isZero();
        }

        // Stopped: the CLI reads the data folder itself, and tells the same figures.
        Path offline = dir.resolve("offline.json");
        VigilProcess cli = VigilProcess.launch("report", "--unit", "retail", "--period", period, "--format", "json",
                "--data", data.toString(), "--config", yaml.toString(), "--out", offline.toString());
        assertThat(cli.await(60)).as("%s", cli.output()).isZero();
        JsonNode again = Http.JSON.readTree(offline.toFile());
        ((ObjectNode) again).remove("generatedAt");
        ((ObjectNode) json).remove("generatedAt");
        assertThat(again).isEqualTo(json);
    }

    private void openInBrowser(Path html) throws Exception {
        try (Browser b = Browser.start()) {
            b.driver.get(html.toUri().toString());
            assertThat(b.driver.getTitle()).startsWith("Service level report ").endsWith(" · ParcelCo <delivery> services");
            assertThat(b.driver.findElement(By.tagName("h2")).getText()).isEqualTo("ParcelCo <delivery> services");
            assertThat(b.driver.findElements(By.cssSelector("article svg"))).hasSize(2)
                    .allSatisfy(svg -> assertThat(svg.findElements(By.cssSelector("polyline, circle"))).isNotEmpty());
            assertThat(b.driver.findElement(By.cssSelector("table.summary tbody tr")).getText())
                    .contains("Carrier API availability", "99%", "95%", "breached so far", "500%", "at risk: below 97%: 10% service credit");
            assertThat(b.driver.findElements(By.xpath("//h4[.='Breach intervals']/following-sibling::table[1]/tbody/tr")))
                    .hasSize(1);
            assertThat(b.consoleErrors()).isEmpty();
            String pdf = b.driver.print(new PrintOptions()).getContent();
            byte[] bytes = Base64.getDecoder().decode(pdf);
            assertThat(new String(bytes, 0, 5, StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");
        }
    }

    /** The parameter and detail of a 400 answer. */
    static String badRequest(java.net.URI base, String path) throws Exception {
        HttpResponse<String> r = Http.CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode e = Http.JSON.readTree(r.body());
        return e.get("at").asText() + ": " + e.get("detail").asText();
    }

    static YearMonth month(long micros) {
        return YearMonth.from(Timestamps.toInstant(micros).atZone(ZoneOffset.UTC));
    }

    static String call(long at, boolean failed) {
        return "{\"time\":\"" + Timestamps.format(at) + "\",\"source\":\"shipping\",\"name\":\"BookPickup\",\"kind\":\"call\","
                + "\"peer\":\"carrier-api\",\"durationMs\":20,\"outcome\":\"" + (failed ? "error" : "ok") + "\"}\n";
    }
}
