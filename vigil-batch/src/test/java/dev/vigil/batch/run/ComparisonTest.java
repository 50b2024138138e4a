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
    void eachStrategyAppliesTheSameRecordsOfItsBudgetUnderKeysOfItsOwnAndTheReportShowsThemAll() throws Exception {
        service = ReferenceService.start(BatchRunTest.FAST, 0, "127.0.0.1");
        Path in = input(3000);

        // A record budget: each strategy takes the same first 500 records, however fast or loaded the machine.
        List<RunResult> results = Comparison.run(base(in), Strategy.parseList("per-record,chunk:50+parallel:4"),
                Budget.ofRecords(500), dir.resolve("work"), r -> { }, p -> { });

        assertThat(results).hasSize(2).allSatisfy(r -> {
            assertThat(r.limited()).as("stopped at its budget").isTrue();
            assertThat(r.applied()).isEqualTo(500);
            assertThat(r.rejected()).isZero();
        });
        assertThat(results).extracting(r -> r.strategy().toString()).containsExactly("per-record", "chunk:50+parallel:4");
        // Two runs, two key spaces: nothing was a duplicate of the other run, and both took records R0..R499.
        assertThat(service.ledger().applied()).isEqualTo(1000);
        assertThat(service.ledger().duplicateSubmissions()).isZero();
        java.util.Set<String> first500 = new java.util.HashSet<>();
        for (int i = 0; i < 500; i++) {
            first500.add("R" + i);
        }
        assertThat(service.ledger().keys()).allSatisfy(k -> assertThat(k).matches("cmp-[0-9a-z]+-0[12]/R[0-9]+"));
        java.util.Map<String, java.util.Set<String>> byRun = new java.util.TreeMap<>();
        service.ledger().keys().forEach(k -> byRun.computeIfAbsent(k.substring(k.indexOf('-', 4) + 1, k.indexOf('/')),
                x -> new java.util.HashSet<>()).add(k.substring(k.indexOf('/') + 1)));
        assertThat(byRun).containsOnlyKeys("01", "02").allSatisfy((run, keys) -> assertThat(keys).isEqualTo(first500));

        // Which one wins is measured (Comparison.recommend is checked on given figures below); the report
        // shows both, each marked as stopped at its budget.
        Comparison.Recommendation rec = Comparison.recommend(results, null);
        assertThat(rec.best()).isIn(results.get(0), results.get(1));
        assertThat(rec.reason()).startsWith(rec.best().strategy() + ": ");
        Path html = dir.resolve("report.html");
        HtmlReport.write(html, "in.ndjson", "http://x", results, rec, Objective.parse("online p99 < 1s"));
        String page = Files.readString(html);
        assertThat(page).contains("<svg", "per-record (budget reached)", "chunk:50+parallel:4 (budget reached)", "Recommended:")
                .endsWith("</html>\n");
        // No strategy kept the objective: no green "Recommended" box, a warning with what to do instead.
        HtmlReport.write(html, "in.ndjson", "http://x", results, new Comparison.Recommendation(null,
                "no strategy kept online p99 < 1s: lower the parallelism"), Objective.parse("online p99 < 1s"));
        assertThat(Files.readString(html)).contains("class=\"rec none\"><strong>No recommendation:</strong> no strategy kept")
                .doesNotContain("Recommended:");
    }

    @Test
    void aBudgetLargerThanTheInputTakesItAllAndIsNotReported() throws Exception {
        service = ReferenceService.start(BatchRunTest.FAST, 0, "127.0.0.1");
        Path in = input(300);

        List<RunResult> results = Comparison.run(base(in), List.of(Strategy.parse("chunk:50")), new Budget(null, 10_000),
                dir.resolve("work"), r -> { }, p -> { });

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.limited()).isFalse();
            assertThat(r.applied()).isEqualTo(300);
        });
        assertThatThrownBy(() -> Budget.ofRecords(0)).hasMessage("a record budget must be above zero, not 0");
    }

    @Test
    void theFastestStrategyIsRecommendedWithItsRatioToOneCallPerRecord() {
        RunResult perRecord = result(Strategy.PER_RECORD, 330, 8);
        RunResult chunked = result(Strategy.parse("chunk:50+parallel:4"), 101_352, 7);
        RunResult streamed = result(Strategy.parse("stream:1000"), 60_000, 120);

        Comparison.Recommendation rec = Comparison.recommend(List.of(perRecord, chunked, streamed), null);

        assertThat(rec.best()).isSameAs(chunked);
        assertThat(rec.reason()).isEqualTo("chunk:50+parallel:4: 101,352 records/s, 307.1× one call per record "
                + "(330 records/s); online p99 7.00 ms during the run (- before)");
        // With an objective, the fastest that keeps it, and how many faster ones broke it.
        Comparison.Recommendation kept = Comparison.recommend(List.of(perRecord, chunked, streamed),
                Objective.parse("online p99 < 5ms"));
        assertThat(kept.best()).isNull();
        Comparison.Recommendation within = Comparison.recommend(List.of(perRecord, streamed, chunked),
                Objective.parse("online p99 < 100ms"));
        assertThat(within.best()).isSameAs(chunked);
        assertThat(within.reason()).contains(", inside online p99 < 100 ms").doesNotContain("broke");
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
    void theTunerClimbsWhileThroughputGrowsConfirmsABreachAndStopsWhenBiggerChunksBringLess() throws Exception {
        // Given figures, not measured ones: the search is what is checked here. Throughput grows with the
        // requests in flight; online p99 is 8 ms per request in flight, so 16 in flight break 100 ms. The first
        // run of chunk:10+parallel:4 breaks it by a fluke, which its second run does not confirm. Chunks of
        // 1000 bring less than chunks of 100.
        List<String> asked = new ArrayList<>();
        boolean[] fluke = {true};
        Tuner.Point model = s -> {
            asked.add(s.chunk() + "x" + s.parallel());
            double perSecond = (s.chunk() == 1000 ? 5_000.0 : 100.0 * s.chunk()) * s.parallel();
            double p99 = 8.0 * s.parallel();
            if (s.chunk() == 10 && s.parallel() == 4 && fluke[0]) {
                fluke[0] = false;
                p99 = 500;
            }
            return result(s, perSecond, p99);
        };
        Objective protect = Objective.parse("online p99 < 100ms");
        List<RunResult> heard = new ArrayList<>();

        List<RunResult> tried = Tuner.climb(model, protect, heard::add);

        assertThat(asked).containsExactly(
                "1x1", "1x2", "1x4", "1x8", "1x16", "1x16",
                "10x1", "10x2", "10x4", "10x4", "10x8", "10x16", "10x16",
                "100x1", "100x2", "100x4", "100x8", "100x16", "100x16",
                "1000x1", "1000x2", "1000x4", "1000x8", "1000x16", "1000x16");
        assertThat(heard).isEqualTo(tried).hasSize(asked.size());
        RunResult best = Comparison.recommend(tried, protect).best();
        assertThat(best.strategy().chunk()).isEqualTo(100);
        assertThat(best.strategy().parallel()).isEqualTo(8);
        // The table says why a strategy appears twice: its second line is the run that confirmed (or not) a breach.
        List<String> lines = TextReport.table(tried).lines().toList();
        assertThat(lines.stream().filter(l -> l.contains("(again)")).count()).isEqualTo(5);
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("chunk:10+parallel:4 (again)"));
    }

    @Test
    void theTunerRunsEachPointOnItsRecordBudgetUnderKeysOfItsOwn() throws Exception {
        service = ReferenceService.start(BatchRunTest.FAST, 0, "127.0.0.1");
        Path in = input(2000);
        // An objective nothing keeps: every point is run twice (the breach confirmed), one point per chunk size,
        // eight runs in all; what is checked is that each ran its own 200 records under keys of its own.
        List<RunResult> tried = Tuner.run(base(in).withProbe(50, "/online", Duration.ofMillis(50)),
                Objective.parse("online p99 < 0ms"), Budget.ofRecords(200), dir.resolve("tune"), r -> { }, p -> { });

        assertThat(tried).hasSize(8).allSatisfy(r -> {
            assertThat(r.applied()).isEqualTo(200);
            assertThat(r.limited()).isTrue();
        });
        assertThat(tried.get(0).strategy()).isEqualTo(Strategy.PER_RECORD);
        assertThat(service.ledger().applied()).isEqualTo(200L * tried.size());
        assertThat(service.ledger().duplicateSubmissions()).isZero();
    }

    @Test
    void aProtectObjectiveIsReadWithItsStatisticAndLimitOrRefusedWithTheForm() {
        Objective o = Objective.parse("online p95 < 150ms");
        assertThat(o.quantile()).isEqualTo(0.95);
        assertThat(o.limitMillis()).isEqualTo(150);
        assertThatThrownBy(() -> Objective.parse("p99 under 200")).hasMessage("--protect \"p99 under 200\": write it as "
                + "'online p99 < 200ms' (p50, p90, p95, p99 or max of the online probe's latency)");
    }

    /** A result with the given throughput and online p99, as a run of {@code s} would report them. */
    static RunResult result(Strategy s, double perSecond, double onlineP99) {
        return new RunResult(s, 1000, 0, 1000, 0, 0, 0, 1000 / s.chunk(), 1000 / perSecond, perSecond, latencies(1), null,
                latencies(onlineP99), 0, null, List.of(), false, null);
    }

    static Latencies latencies(double ms) {
        Latencies l = new Latencies();
        for (int i = 0; i < 100; i++) {
            l.add(ms);
        }
        return l;
    }
}
