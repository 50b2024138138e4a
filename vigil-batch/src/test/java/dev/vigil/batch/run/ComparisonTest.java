package dev.vigil.batch.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.batch.service.ReferenceService;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonTest {

    @TempDir
    Path dir;
    ReferenceService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.stop();
        }
    }

    Path input(int n) throws Exception {
        Path f = dir.resolve("in.ndjson");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"id\":\"R" + i + "\",\"amount\":" + (i % 10) + "}");
        }
        Files.write(f, lines);
        return f;
    }

    BatchRun.Options base(Path in) {
        return BatchRun.Options.of(in, URI.create("http://127.0.0.1:" + service.port()), Strategy.PER_RECORD)
                .withProbe(50, "/online", Duration.ofMillis(200));
    }

    @Test
    void eachStrategyAppliesTheRecordsUnderKeysOfItsOwnAndTheFasterOneIsRecommendedWithItsRatio() throws Exception {
        service = ReferenceService.start(BatchRunTest.FAST, 0, "127.0.0.1");
        Path in = input(3000);

        List<RunResult> results = Comparison.run(base(in), Strategy.parseList("per-record,chunk:50+parallel:4"),
                Duration.ofMillis(700), dir.resolve("work"), r -> { }, p -> { });

        assertThat(results).hasSize(2);
        assertThat(results.get(0).timeLimited()).isTrue();
        assertThat(results.get(1).applied()).isEqualTo(3000);
        // Two runs, two key spaces: nothing was a duplicate of the other run.
        assertThat(service.ledger().applied()).isEqualTo(results.get(0).applied() + results.get(1).applied());
        assertThat(service.ledger().duplicateSubmissions()).isZero();
        assertThat(service.ledger().keys()).allSatisfy(k -> assertThat(k).startsWith("cmp-").contains("/R"));

        Comparison.Recommendation rec = Comparison.recommend(results, null);
        assertThat(rec.best()).isSameAs(results.get(1));
        assertThat(rec.reason()).startsWith("chunk:50+parallel:4: ").contains("× one call per record");

        Path html = dir.resolve("report.html");
        HtmlReport.write(html, "in.ndjson", "http://x", results, rec, Objective.parse("online p99 < 1s"));
        String page = Files.readString(html);
        assertThat(page).contains("<svg", "per-record", "chunk:50+parallel:4", "Recommended:").endsWith("</html>\n");
    }

    @Test
    void anObjectiveNoStrategyKeepsRecommendsNothingAndSaysWhatToTry() {
        RunResult slow = new RunResult(Strategy.PER_RECORD, 10, 0, 10, 0, 0, 0, 10, 1, 10, new Latencies(), null,
                latencies(500), 0, null, List.of(), false, null);
        Comparison.Recommendation rec = Comparison.recommend(List.of(slow), Objective.parse("online p99 < 200ms"));
        assertThat(rec.best()).isNull();
        assertThat(rec.reason()).isEqualTo("no strategy kept online p99 < 200 ms: lower the parallelism, throttle "
                + "(throttle:R or adaptive), or relax the objective");
    }

    @Test
    void theTunerClimbsWhileThroughputGrowsAndStopsAtTheObjective() throws Exception {
        service = ReferenceService.start(BatchRunTest.FAST, 0, "127.0.0.1");
        Path in = input(20_000);
        List<RunResult> tried = Tuner.run(base(in).withProbe(100, "/online", Duration.ofMillis(50)),
                Objective.parse("online p99 < 2s"), Duration.ofMillis(300),
                dir.resolve("tune"), r -> { }, p -> { });

        assertThat(tried).hasSizeLessThan(Tuner.CHUNKS.length * 7);
        assertThat(tried.get(0).strategy()).isEqualTo(Strategy.PER_RECORD);
        RunResult best = Comparison.recommend(tried, Objective.parse("online p99 < 2s")).best();
        assertThat(best.strategy().chunk()).isGreaterThan(1);
    }

    @Test
    void aProtectObjectiveIsReadWithItsStatisticAndLimitOrRefusedWithTheForm() {
        Objective o = Objective.parse("online p95 < 150ms");
        assertThat(o.quantile()).isEqualTo(0.95);
        assertThat(o.limitMillis()).isEqualTo(150);
        assertThatThrownBy(() -> Objective.parse("p99 under 200")).hasMessage("--protect \"p99 under 200\": write it as "
                + "'online p99 < 200ms' (p50, p90, p95, p99 or max of the online probe's latency)");
    }

    static Latencies latencies(double ms) {
        Latencies l = new Latencies();
        for (int i = 0; i < 100; i++) {
            l.add(ms);
        }
        return l;
    }
}
