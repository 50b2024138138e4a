package dev.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.batch.service.ReferenceService;
import dev.vigil.batch.service.ServiceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil batch compare} through the real jar: a table, a recommendation with its reason, an HTML report. */
class BatchCompareIT {

    @TempDir
    Path dir;

    @Test
    void compareRecommendsTheFasterStrategyAndWritesAReportOrRefusesABadStrategyByName() throws Exception {
        Path input = dir.resolve("orders.csv");
        List<String> lines = new ArrayList<>(List.of("id,amount,currency"));
        for (int i = 0; i < 4000; i++) {
            lines.add("O" + i + "," + (i % 100) + ",EUR");
        }
        Files.write(input, lines);
        try (ReferenceService service = ReferenceService.start(
                ServiceModel.DEFAULT.withCosts(Duration.ofMillis(1), Duration.ofNanos(10_000)).withWorkers(4), 0, "127.0.0.1")) {
            String target = "http://127.0.0.1:" + service.port();
            // The same 2,000 records for each strategy (a record budget, not a time one): one call per record
            // holds the service 2,000 x 1 ms one after the other, at least 2 s on any machine; 40 calls of 50
            // records, four at a time, hold it 40 x 1.5 ms. The ratio is the service's cost model, not the
            // machine's speed.
            VigilProcess compare = VigilProcess.launch("batch", "compare", input.toString(), "--target", target,
                    "--strategies", "per-record,chunk:50+parallel:4", "--records", "2000", "--baseline", "500ms",
                    "--protect", "online p99 < 1s");
            assertThat(compare.await(120)).as("%s", compare.output()).isZero();
            String out = String.join("\n", compare.output());
            assertThat(out).contains("per-record", "recommended: chunk:50+parallel:4: ", "× one call per record");
            Path html = dir.resolve("orders.csv.compare.html");
            assertThat(Files.readString(html)).contains("<svg", "Recommended:", "per-record (budget reached)",
                    "chunk:50+parallel:4 (budget reached)");

            VigilProcess bad = VigilProcess.launch("batch", "compare", input.toString(), "--target", target,
                    "--strategies", "per-record,chunky:5");
            assertThat(bad.await(60)).isEqualTo(1);
            assertThat(String.join("\n", bad.output())).contains("unknown part \"chunky:5\"");
        }
    }
}
