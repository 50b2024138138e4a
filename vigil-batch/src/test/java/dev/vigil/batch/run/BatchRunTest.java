package dev.vigil.batch.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.batch.service.ReferenceService;
import dev.vigil.batch.service.ServiceModel;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Batch runs against the real reference service over HTTP, checked against its ledger and the reject file. */
class BatchRunTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Cheap enough for a test, expensive enough that parallelism matters. */
    static final ServiceModel FAST = ServiceModel.DEFAULT.withCosts(Duration.ofNanos(200_000), Duration.ofNanos(5_000))
            .withWorkers(4);

    @TempDir
    Path dir;
    ReferenceService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.stop();
        }
    }

    /** What an input holds: the keys the service should apply and the positions that should be rejected. */
    record Input(Path file, Set<String> valid, Set<Long> bad) {
    }

    /** {@code n} records, every 50th with a negative amount, and one line that is not JSON. */
    Input ndjson(int n) throws Exception {
        Path f = dir.resolve("records.ndjson");
        Set<String> valid = new HashSet<>();
        Set<Long> bad = new HashSet<>();
        List<String> lines = new ArrayList<>();
        long index = 0;
        for (int i = 0; i < n; i++) {
            if (i == n / 3) {
                lines.add("{\"id\": \"broken\", amount: }");
                bad.add(index++);
            }
            boolean invalid = i % 50 == 7;
            lines.add("{\"id\":\"R" + i + "\",\"customer\":\"C" + (i % 97) + "\",\"amount\":" + (invalid ? -5 : i % 1000)
                    + ",\"currency\":\"EUR\"}");
            if (invalid) {
                bad.add(index);
            } else {
                valid.add("R" + i);
            }
            index++;
        }
        Files.write(f, lines);
        return new Input(f, valid, bad);
    }

    BatchRun.Options options(Input in, String strategy) {
        return BatchRun.Options.of(in.file(), URI.create("http://127.0.0.1:" + service.port()), Strategy.parse(strategy))
                .withRetries(10, Duration.ofMillis(1)).withProbe(50, "/online", Duration.ofMillis(200));
    }

    static List<JsonNode> rejects(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"per-record", "chunk:50", "parallel:4", "chunk:50+parallel:4", "stream:700",
            "stream:300+parallel:3", "validate-then-load+chunk:50", "validate-then-load:local+chunk:40+parallel:2"})
    void everyStrategyAppliesEachValidRecordOnceAndRejectsEachBadOneWithItsReason(String strategy) throws Exception {
        service = ReferenceService.start(FAST, 0, "127.0.0.1");
        Input in = ndjson(1500);
        BatchRun.Options o = options(in, strategy);

        RunResult r = new BatchRun(o).run(p -> { });

        assertThat(service.ledger().keys()).isEqualTo(in.valid());
        assertThat(service.ledger().duplicateSubmissions()).isZero();
        assertThat(r.applied()).isEqualTo(in.valid().size());
        assertThat(r.rejected()).isEqualTo(in.bad().size());
        List<JsonNode> rejects = rejects(o.rejects());
        assertThat(rejects).extracting(j -> j.get("index").asLong()).containsExactlyInAnyOrderElementsOf(in.bad());
        assertThat(rejects).filteredOn(j -> j.has("record"))
                .allSatisfy(j -> assertThat(j.get("reason").asText()).isEqualTo("amount must be at least 0, not -5"));
        assertThat(rejects).filteredOn(j -> !j.has("record"))
                .singleElement().satisfies(j -> assertThat(j.get("reason").asText()).startsWith("line 501: not JSON"));
        assertThat(r.records()).isEqualTo(1501);
        assertThat(r.callLatency().count()).isEqualTo(r.calls());
        // The probe measured before the run, and during it: at least one call, answered before the result.
        assertThat(r.onlineBefore().count()).isPositive();
        assertThat(r.onlineDuring().count()).isPositive();
        // The service counts the busy time of requests still in progress when asked: a share, never above one.
        assertThat(r.utilisation()).isBetween(0.0, 1.0 + 1e-9);
    }

    @Test
    void transientAndLostRepliesAreRetriedAndTheLedgerStillAppliesEachRecordOnce() throws Exception {
        service = ReferenceService.start(FAST.withFaults(0.2, 0.1), 0, "127.0.0.1");
        Input in = ndjson(1500);

        RunResult r = new BatchRun(options(in, "chunk:20+parallel:4")).run(p -> { });

        assertThat(service.ledger().keys()).isEqualTo(in.valid());
        assertThat(r.retries()).isPositive();
        // A lost reply means the records were applied: their retry comes back as duplicates, not applied twice.
        // (The ledger counts more: a retry whose own reply is lost again is a duplicate the run never hears of.)
        assertThat(r.duplicates()).isPositive().isLessThanOrEqualTo(service.ledger().duplicateSubmissions());
        assertThat(r.applied()).isEqualTo(in.valid().size());
        assertThat(r.rejected()).isEqualTo(in.bad().size());
    }

    @Test
    void aRequestThatKeepsFailingHasItsRecordsRejectedAfterTheRetryLimit() throws Exception {
        service = ReferenceService.start(FAST.withFaults(1.0, 0), 0, "127.0.0.1");
        Input in = ndjson(100);
        BatchRun.Options o = options(in, "chunk:10").withRetries(2, Duration.ofMillis(1));

        RunResult r = new BatchRun(o).run(p -> { });

        assertThat(service.ledger().applied()).isZero();
        assertThat(r.rejected()).isEqualTo(101);
        assertThat(r.retries()).isEqualTo(2L * 10);
        assertThat(rejects(o.rejects())).filteredOn(j -> j.has("record"))
                .allSatisfy(j -> assertThat(j.get("reason").asText()).startsWith("gave up after 2 retries; last: HTTP 503"));
    }

    @Test
    void aSecondRunWithTheSameArgumentsFindsEverythingDoneAndSendsNothing() throws Exception {
        service = ReferenceService.start(FAST, 0, "127.0.0.1");
        Input in = ndjson(300);
        new BatchRun(options(in, "chunk:25")).run(p -> { });
        long requests = service.ledger().applied();

        RunResult again = new BatchRun(options(in, "chunk:25")).run(p -> { });

        assertThat(again.calls()).isZero();
        assertThat(again.resumedAt()).isEqualTo(301);
        assertThat(service.ledger().applied()).isEqualTo(requests);
        assertThat(rejects(options(in, "chunk:25").rejects())).hasSize(in.bad().size());
    }

    @Test
    void aStallIsChargedToEveryRequestDueDuringItNotOnlyToTheOnesInFlight() throws Exception {
        service = ReferenceService.start(ServiceModel.DEFAULT.withCosts(Duration.ofMillis(1), Duration.ZERO).withWorkers(2),
                0, "127.0.0.1");
        Input in = ndjson(600);
        // 200 records/s, one per request: 3 s of schedule, fixed in advance. The service stalls for 1 s once the
        // run has sent its first records (its first progress report), with over 2.5 s of the schedule to go:
        // ~200 requests fall due meanwhile and can only leave once it ends. Measured from when they were due,
        // a sixth of all requests waited more than half a second, however fast or slow the machine (a slow
        // one sends late, which only adds to the wait).
        BatchRun.Options o = options(in, "per-record+parallel:2+throttle:200").withProbe(0, "/online", Duration.ZERO);
        java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>> stall = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicLong doneAtStall = new java.util.concurrent.atomic.AtomicLong(-1);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

        RunResult r = new BatchRun(o).run(p -> {
            if (p.done() > 0 && doneAtStall.compareAndSet(-1, p.done())) {
                http.sendAsync(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
                        + "/admin/stall?millis=1000")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).whenComplete((resp, e) -> {
                            if (e != null) {
                                stall.completeExceptionally(e);
                            } else {
                                stall.complete(resp);
                            }
                        });
            }
        });

        assertThat(stall).as("the stall was asked for during the run (at %d records done)", doneAtStall.get())
                .isCompletedWithValueMatching(resp -> resp.statusCode() == 200);
        assertThat(service.ledger().keys()).isEqualTo(in.valid());
        // Timed from the moment each request went out, only the two in flight at the stall would be slow,
        // and the 90th percentile would be a few milliseconds.
        assertThat(r.callLatency().at(0.9)).isGreaterThan(400);
        assertThat(r.callLatency().max()).isGreaterThan(900);
    }

    @Test
    void anAdaptiveRunAppliesEverythingAndRecordsTheRateItSetEachSecond() throws Exception {
        service = ReferenceService.start(FAST, 0, "127.0.0.1");
        Input in = ndjson(6000);

        RunResult r = new BatchRun(options(in, "chunk:10+parallel:2+throttle:2000+adaptive:50ms")).run(p -> { });

        assertThat(service.ledger().keys()).isEqualTo(in.valid());
        assertThat(r.rateHistory()).isNotEmpty().allSatisfy(h -> assertThat(h[1]).isGreaterThanOrEqualTo(10));
    }

    @Test
    void injectedLatencySpikesShowInTheTailOfTheRequestLatency() throws Exception {
        service = ReferenceService.start(FAST.withSpikes(0.1, Duration.ofMillis(60)), 0, "127.0.0.1");
        Input in = ndjson(400);

        RunResult r = new BatchRun(options(in, "chunk:4+parallel:4").withProbe(0, "/online", Duration.ZERO)).run(p -> { });

        assertThat(service.ledger().keys()).isEqualTo(in.valid());
        // One request in ten (as the service's seeded dice fall) holds a worker 60 ms more. However slow the
        // machine, those requests are at least that slow, so the tail of the latency shows every one of them:
        // the k-th slowest request took 60 ms or more (the sketch answers within 1%).
        long spikes = service.spikes();
        long calls = r.calls();
        assertThat(calls).isEqualTo(100);
        assertThat(spikes).isBetween(1L, calls / 2);
        assertThat(r.callLatency().count()).isEqualTo(calls);
        assertThat(r.callLatency().at(1 - (spikes - 1.0) / calls)).isGreaterThanOrEqualTo(60 * 0.99);
        assertThat(r.callLatency().max()).isGreaterThanOrEqualTo(60);
    }

    @Test
    void progressIsABarWithRateAndEtaOnATerminalAndAPlainLineElsewhere() {
        BatchRun.Progress p = new BatchRun.Progress(25_000, 0, 250, 1000, 5, 12, 3, "loading");
        assertThat(TextReport.progress(p, true)).isEqualTo("\r[########......................]  25%  25,000 done, "
                + "5,000 records/s, ETA 0:15, 12 rejected, 3 retries  (loading)   ");
        assertThat(TextReport.progress(p, false)).isEqualTo("loading: 25% of the input read (25,000 done, 5,000 "
                + "records/s, ETA 0:15, 12 rejected, 3 retries)");
    }
}
