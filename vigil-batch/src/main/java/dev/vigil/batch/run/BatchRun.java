package dev.vigil.batch.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.vigil.batch.input.InputRecord;
import dev.vigil.batch.input.RecordReader;
import dev.vigil.batch.service.Validation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One batch run: reads the input as a stream, sends its records to the service as the strategy says,
 * retries transient failures with exponential backoff and full jitter, writes what cannot be applied to
 * the reject file with the reason, and checkpoints its progress every second so that a run killed at any
 * moment resumes where it was. Every record carries its idempotency key, so a record the service applied
 * just before the kill, and is sent again on resumption, is recognised and not applied twice.
 */
public final class BatchRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param input           the CSV or NDJSON file
     * @param target          the service's base URL
     * @param checkpoint      where progress is kept
     * @param rejects         where rejected records go
     * @param fresh           ignore (and replace) an existing checkpoint and reject file
     * @param maxRetries      transient failures of one request tolerated before its records are rejected
     * @param retryBase       first backoff; each retry doubles it, with full jitter, up to 10 s
     * @param probePerSecond  online probe calls per second (0: no probe)
     * @param onlinePath      the service's online endpoint
     * @param baseline        how long the probe measures before the run starts
     * @param checkpointEvery how often progress is written
     * @param keyPrefix       put before every idempotency key: comparisons give each strategy its own keys, so
     *                        that each applies its records anew
     * @param timeLimit       stop sending new records after this long (null: send them all); comparisons use
     *                        it so that a slow strategy need not take an hour to show its rate
     * @param recordLimit     take at most this many records of the input (0: all of them); comparisons use it
     *                        so that every strategy is measured on the same records, however fast the machine
     * @param reportTo        a Vigil server to post every request to as a call event (null: none)
     */
    public record Options(Path input, RecordReader.Format format, URI target, Strategy strategy, Path checkpoint,
                          Path rejects, boolean fresh, int maxRetries, Duration retryBase, double probePerSecond,
                          String onlinePath, Duration baseline, Duration checkpointEvery, String keyPrefix,
                          Duration timeLimit, long recordLimit, URI reportTo) {

        public static Options of(Path input, URI target, Strategy strategy) {
            return new Options(input, RecordReader.Format.of(input), target, strategy,
                    input.resolveSibling(input.getFileName() + ".checkpoint.json"),
                    input.resolveSibling(input.getFileName() + ".rejects.ndjson"), false, 5, Duration.ofMillis(50), 20,
                    "/online", Duration.ofSeconds(2), Duration.ofSeconds(1), "", null, 0, null);
        }

        public Options withFiles(Path checkpointFile, Path rejectFile) {
            return new Options(input, format, target, strategy, checkpointFile, rejectFile, fresh, maxRetries, retryBase,
                    probePerSecond, onlinePath, baseline, checkpointEvery, keyPrefix, timeLimit, recordLimit, reportTo);
        }

        public Options fresh(boolean f) {
            return new Options(input, format, target, strategy, checkpoint, rejects, f, maxRetries, retryBase,
                    probePerSecond, onlinePath, baseline, checkpointEvery, keyPrefix, timeLimit, recordLimit, reportTo);
        }

        public Options withRetries(int max, Duration base) {
            return new Options(input, format, target, strategy, checkpoint, rejects, fresh, max, base, probePerSecond,
                    onlinePath, baseline, checkpointEvery, keyPrefix, timeLimit, recordLimit, reportTo);
        }

        public Options withProbe(double perSecond, String path, Duration before) {
            return new Options(input, format, target, strategy, checkpoint, rejects, fresh, maxRetries, retryBase,
                    perSecond, path, before, checkpointEvery, keyPrefix, timeLimit, recordLimit, reportTo);
        }

        public Options withStrategy(Strategy st) {
            return new Options(input, format, target, st, checkpoint, rejects, fresh, maxRetries, retryBase,
                    probePerSecond, onlinePath, baseline, checkpointEvery, keyPrefix, timeLimit, recordLimit, reportTo);
        }

        /** Under keys of its own ({@code prefix}), and within the budget's time and records (either may be unset). */
        public Options forComparison(String prefix, Budget budget) {
            return new Options(input, format, target, strategy, checkpoint, rejects, fresh, maxRetries, retryBase,
                    probePerSecond, onlinePath, baseline, checkpointEvery, prefix, budget.time(), budget.records(), reportTo);
        }

        public Options reportingTo(URI vigil) {
            return new Options(input, format, target, strategy, checkpoint, rejects, fresh, maxRetries, retryBase,
                    probePerSecond, onlinePath, baseline, checkpointEvery, keyPrefix, timeLimit, recordLimit, vigil);
        }

        public Options withFormat(RecordReader.Format f) {
            return new Options(input, f, target, strategy, checkpoint, rejects, fresh, maxRetries, retryBase,
                    probePerSecond, onlinePath, baseline, checkpointEvery, keyPrefix, timeLimit, recordLimit, reportTo);
        }
    }

    /** Where a run stands, for a progress display. */
    /**
     * @param done      records done (contiguously from the start of the input)
     * @param doneAtStart records done when this run started (a resumed run's rate counts from there)
     */
    public record Progress(long done, long doneAtStart, long bytesRead, long totalBytes, double seconds, long rejected,
                           long retries, String phase) {
    }

    /** Receives progress now and then (from a timer thread). */
    public interface Listener {
        void progress(Progress p);
    }

    private final Options o;
    private final com.linecorp.armeria.client.ClientFactory factory;
    private final WebClient client;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vigil-batch-timer");
        t.setDaemon(true);
        return t;
    });
    private final Latencies callLatency = new Latencies();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong resolvedNow = new AtomicLong();
    private final Object resolveLock = new Object();
    private Semaphore inFlight;
    private Pacer pacer;
    private AdaptiveRate adaptiveRate;
    private final List<double[]> rateHistory = java.util.Collections.synchronizedList(new ArrayList<>());
    private Completion completion;
    private RejectFile rejectFile;
    private RunCheckpoint.Counts base = RunCheckpoint.Counts.ZERO;
    private volatile RecordReader reading;
    private volatile String phase = "starting";
    private volatile boolean limited;
    private EventReporter reporter;
    private long passStart;
    private volatile Throwable failure;

    public BatchRun(Options options) {
        this.o = options;
        // A factory of its own, closed at the end: its connections go with it.
        this.factory = com.linecorp.armeria.client.ClientFactory.builder().build();
        this.client = WebClient.builder(options.target()).factory(factory).responseTimeoutMillis(120_000)
                .maxResponseLength(0).build();
    }

    public RunResult run(Listener listener) throws IOException, InterruptedException {
        long size = Files.size(o.input());
        long modified = Files.getLastModifiedTime(o.input()).toMillis();
        String inputId = o.input().toAbsolutePath().normalize().toString();
        long resumedAt = 0;
        long rejectBytes = 0;
        completion = new Completion(0, List.of());
        if (o.fresh()) {
            Files.deleteIfExists(o.checkpoint());
        } else {
            var cp = RunCheckpoint.read(o.checkpoint());
            if (cp.isPresent()) {
                RunCheckpoint c = cp.get();
                if (!c.input().equals(inputId) || c.inputSize() != size || c.inputModified() != modified) {
                    throw new IllegalStateException(o.checkpoint() + " belongs to " + c.input() + " as it was then ("
                            + c.inputSize() + " bytes), not to this input: pass --fresh to start over, or --checkpoint FILE");
                }
                if (!c.target().equals(o.target().toString())) {
                    throw new IllegalStateException(o.checkpoint() + " is a run against " + c.target() + ", not "
                            + o.target() + ": pass --fresh to start over against the new target");
                }
                List<Long> above = new ArrayList<>();
                for (long x : c.doneAbove()) {
                    above.add(x);
                }
                completion = new Completion(c.doneBelow(), above);
                base = c.counts();
                resumedAt = c.doneBelow() + c.doneAbove().length;
                rejectBytes = c.rejectBytes();
            }
        }
        rejectFile = new RejectFile(o.rejects(), rejectBytes);
        if (o.reportTo() != null) {
            reporter = new EventReporter(WebClient.builder(o.reportTo()).factory(factory).build(), o.target(),
                    Long.toString(System.currentTimeMillis(), 36), o.strategy());
        }
        inFlight = new Semaphore(o.strategy().parallel());
        // An adaptive run steers by the probe's p99 over two seconds: at 20 calls/s that is the worst of 40, and
        // one pause would steer it. It probes at 50/s at least (100 calls a window).
        double probeRate = o.strategy().adaptiveP99Millis() > 0 && o.probePerSecond() > 0
                ? Math.max(50, o.probePerSecond()) : o.probePerSecond();
        OnlineProbe probe = probeRate > 0 ? new OnlineProbe(client, o.onlinePath(), probeRate) : null;
        Latencies onlineBefore = null;
        if (probe != null) {
            probe.start();
            phase = "measuring online latency before the run";
            // The first calls pay for connections and a cold JIT: not what online users normally see.
            Thread.sleep(Math.min(500, o.baseline().toMillis()));
            probe.cut();
            Thread.sleep(o.baseline().toMillis());
            onlineBefore = probe.cut();
        }
        Strategy s = o.strategy();
        if (s.adaptiveP99Millis() > 0 && probe == null) {
            throw new IllegalArgumentException("an adaptive strategy follows the online probe: give it a --probe-rate above 0");
        }
        if (s.throttled()) {
            // Without a given rate an adaptive run starts at a modest one and climbs.
            pacer = new Pacer(s.rate() > 0 ? s.rate() : 100.0 * s.chunk(), s.chunk());
            adaptiveRate = new AdaptiveRate(pacer.rate(), s.chunk(), s.adaptiveP99Millis());
        }
        // Read after the probe's baseline: the service's load is measured over the run alone.
        Stats before = Stats.read(client);
        long t0 = System.nanoTime();
        passStart = t0;
        var adapting = s.adaptiveP99Millis() > 0 ? timer.scheduleAtFixedRate(() -> adapt(probe, t0), 2, 2, TimeUnit.SECONDS) : null;
        long doneAtStart = completion.doneBelow();
        var progress = timer.scheduleAtFixedRate(() -> {
            RecordReader r = reading;
            listener.progress(new Progress(completion.doneBelow(), doneAtStart, r == null ? 0 : r.bytesRead(), size,
                    (System.nanoTime() - t0) / 1e9, base.rejected() + rejected.get(), base.retries() + retries.get(), phase));
        }, 200, 200, TimeUnit.MILLISECONDS);
        var checkpoints = timer.scheduleAtFixedRate(() -> checkpoint(inputId, size, modified),
                o.checkpointEvery().toMillis(), o.checkpointEvery().toMillis(), TimeUnit.MILLISECONDS);
        long records;
        try {
            if (o.strategy().validate() != Strategy.Validate.NONE) {
                phase = "validating";
                pass(true);
            }
            phase = "loading";
            records = pass(false);
            inFlight.acquire(o.strategy().parallel());
            inFlight.release(o.strategy().parallel());
            if (failure != null) {
                throw new IOException("the run stopped: " + failure.getMessage(), failure);
            }
        } finally {
            progress.cancel(false);
            checkpoints.cancel(false);
            if (adapting != null) {
                adapting.cancel(false);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        phase = "done";
        checkpoint(inputId, size, modified);
        // Every probe call sent during the run counts, those still in flight at its end too (they are the slowest).
        Latencies onlineDuring = probe == null ? null : probe.settle(Duration.ofSeconds(10));
        long probeFailures = probe == null ? 0 : probe.failures();
        if (probe != null) {
            probe.close();
        }
        Stats after = Stats.read(client);
        if (reporter != null) {
            reporter.close();
        }
        rejectFile.close();
        timer.shutdownNow();
        factory.close();
        Double utilisation = before == null || after == null ? null
                : (after.busySeconds() - before.busySeconds()) / (after.workers() * (after.uptime() - before.uptime()));
        return new RunResult(o.strategy(), records, resumedAt, base.applied() + applied.get(),
                base.duplicates() + duplicates.get(), base.rejected() + rejected.get(), base.retries() + retries.get(),
                calls.get(), seconds, resolvedNow.get() / seconds, callLatency, onlineBefore, onlineDuring, probeFailures,
                utilisation, List.copyOf(rateHistory), limited,
                reporter == null ? null : new RunResult.Reported(reporter.runId(), reporter.sent(), reporter.dropped()));
    }

    /**
     * Reads the input once. Validation pass: sends the records not yet done to the validation endpoint (or
     * checks them here) and rejects the invalid ones. Load pass: sends the records not yet done.
     *
     * @return how many records the input holds
     */
    private long pass(boolean validating) throws IOException, InterruptedException {
        Strategy s = o.strategy();
        int chunk = validating ? Math.max(s.chunk(), 1000) : s.chunk();
        long records = 0;
        try (RecordReader reader = new RecordReader(o.input(), o.format())) {
            reading = reader;
            List<InputRecord> group = new ArrayList<>(Math.min(chunk, 10_000));
            long stopAt = o.timeLimit() == null ? Long.MAX_VALUE : passStart + o.timeLimit().toNanos();
            long recordLimit = o.recordLimit() > 0 ? o.recordLimit() : Long.MAX_VALUE;
            while (reader.hasNext() && failure == null) {
                if (System.nanoTime() > stopAt || records >= recordLimit) {
                    limited = true;
                    break;
                }
                InputRecord r = reader.next();
                records++;
                if (completion.isDone(r.index())) {
                    continue;
                }
                if (!r.readable()) {
                    reject(r, r.unreadable());
                    continue;
                }
                if (validating && s.validate() == Strategy.Validate.LOCAL) {
                    String problem = Validation.problem(r.fields());
                    if (problem != null) {
                        reject(r, problem);
                    }
                    continue;
                }
                group.add(r);
                if (group.size() == chunk) {
                    dispatch(group, validating);
                    group = new ArrayList<>(Math.min(chunk, 10_000));
                }
            }
            if (!group.isEmpty()) {
                dispatch(group, validating);
            }
            // The validation pass must be over before loading skips what it rejected.
            inFlight.acquire(s.parallel());
            inFlight.release(s.parallel());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return records;
    }

    private void dispatch(List<InputRecord> group, boolean validating) throws InterruptedException {
        long due = 0;
        if (pacer != null && !validating) {
            due = pacer.next();
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
        inFlight.acquire();
        send(group, validating, 0, due);
    }

    /** Multiplicative decrease when online users suffer, additive increase while they do not (AIMD). */
    private void adapt(OnlineProbe probe, long t0) {
        double p99 = probe.cutRecent().at(0.99);
        double rate = adaptiveRate.next(pacer.rate(), p99);
        pacer.rate(rate);
        rateHistory.add(new double[] {(System.nanoTime() - t0) / 1e9, rate, p99});
    }

    /**
     * @param due when the request was due on a rate-limited schedule (0: now); its latency counts from then
     */
    private void send(List<InputRecord> group, boolean validating, int attempt, long due) {
        long start = due != 0 ? due : System.nanoTime();
        calls.incrementAndGet();
        HttpRequest req = request(group, validating);
        // Wall-clock start for the reported event, only when there is a report to make.
        long startMicros = reporter == null ? 0 : EventReporter.nowMicros() - (System.nanoTime() - start) / 1000;
        client.execute(req).aggregate().handle((resp, err) -> {
            double millis = (System.nanoTime() - start) / 1e6;
            callLatency.add(millis);
            if (reporter != null) {
                reporter.call(startMicros, "POST " + req.path(), millis, group.size(),
                        err == null && resp.status().code() < 400, attempt);
            }
            try {
                onReply(group, validating, attempt, resp, err);
            } catch (Throwable t) {
                failure = t;
                inFlight.release();
            }
            return null;
        });
    }

    private HttpRequest request(List<InputRecord> group, boolean validating) {
        Strategy s = o.strategy();
        if (validating || (!s.stream() && s.chunk() > 1)) {
            ArrayNode a = JSON.createArrayNode();
            group.forEach(r -> a.add(fields(r)));
            return HttpRequest.of(HttpMethod.POST, validating ? "/records/validate" : "/records/bulk", MediaType.JSON_UTF_8,
                    bytes(a));
        }
        if (s.stream()) {
            // NDJSON in pieces of about 64 KiB, without a length: chunked transfer, as a stream would go.
            List<HttpData> pieces = new ArrayList<>();
            StringBuilder piece = new StringBuilder();
            for (InputRecord r : group) {
                piece.append(fields(r).toString()).append('\n');
                if (piece.length() > 65_536) {
                    pieces.add(HttpData.ofUtf8(piece.toString()));
                    piece.setLength(0);
                }
            }
            if (!piece.isEmpty()) {
                pieces.add(HttpData.ofUtf8(piece.toString()));
            }
            return HttpRequest.of(RequestHeaders.builder(HttpMethod.POST, "/records/stream")
                    .contentType(MediaType.parse("application/x-ndjson")).build(), StreamMessage.of(pieces.toArray(HttpData[]::new)));
        }
        return HttpRequest.of(HttpMethod.POST, "/records", MediaType.JSON_UTF_8, bytes(fields(group.get(0))));
    }

    /** The record as sent: with its key under the prefix a comparison gives each strategy. */
    private com.fasterxml.jackson.databind.node.ObjectNode fields(InputRecord r) {
        if (o.keyPrefix().isEmpty()) {
            return r.fields();
        }
        return r.fields().deepCopy().put("id", o.keyPrefix() + r.key());
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void onReply(List<InputRecord> group, boolean validating, int attempt, AggregatedHttpResponse resp,
                         Throwable err) throws IOException {
        int status = resp == null ? 0 : resp.status().code();
        if (err != null || status >= 500 || status == 429 || status == 408) {
            String why = err != null ? err.getClass().getSimpleName() + ": " + err.getMessage()
                    : "HTTP " + status + " " + resp.contentUtf8();
            if (attempt >= o.maxRetries()) {
                for (InputRecord r : group) {
                    reject(r, "gave up after " + attempt + " retries; last: " + why);
                }
                inFlight.release();
                return;
            }
            retries.incrementAndGet();
            long cap = Math.min(10_000_000_000L, o.retryBase().toNanos() << Math.min(attempt, 20));
            long delay = ThreadLocalRandom.current().nextLong(cap + 1);
            timer.schedule(() -> send(group, validating, attempt + 1, 0), delay, TimeUnit.NANOSECONDS);
            return;
        }
        try {
            JsonNode body = resp.contentUtf8().isEmpty() ? null : JSON.readTree(resp.contentUtf8());
            if (status == 422 && group.size() == 1) {
                reject(group.get(0), body == null ? "HTTP 422" : body.path("reason").asText(body.toString()));
            } else if (status != 200 || body == null) {
                for (InputRecord r : group) {
                    reject(r, "the service refused the request: HTTP " + status + " " + resp.contentUtf8());
                }
            } else {
                JsonNode results = body.has("results") ? body.get("results") : JSON.createArrayNode().add(body);
                if (results.size() != group.size()) {
                    for (InputRecord r : group) {
                        reject(r, "the service answered " + results.size() + " results for " + group.size() + " records");
                    }
                } else {
                    for (int i = 0; i < group.size(); i++) {
                        result(group.get(i), results.get(i), validating);
                    }
                }
            }
        } finally {
            inFlight.release();
        }
    }

    private void result(InputRecord r, JsonNode res, boolean validating) throws IOException {
        String status = res.path("status").asText();
        switch (status) {
            case "applied" -> done(r, false);
            // Applied before: by an attempt whose reply was lost, or by the run this one resumes.
            case "duplicate" -> done(r, true);
            case "valid" -> {
                // Validation passed: loading sends it.
            }
            case "invalid" -> reject(r, res.path("reason").asText("invalid"));
            default -> reject(r, "the service answered status \"" + status + "\" for this record"
                    + (validating ? " on validation" : ""));
        }
    }

    /*
     * A record's counts change under the same lock as its place in the completion, and a checkpoint reads
     * both under it: otherwise a checkpoint could count a record applied that it does not hold done, and the
     * resumed run would count it again.
     */
    private void done(InputRecord r, boolean duplicate) {
        synchronized (resolveLock) {
            completion.done(r.index());
            applied.incrementAndGet();
            if (duplicate) {
                duplicates.incrementAndGet();
            }
        }
        resolvedNow.incrementAndGet();
    }

    private void reject(InputRecord r, String reason) throws IOException {
        synchronized (resolveLock) {
            rejectFile.reject(r.index(), r.key(), r.fields(), reason);
            completion.done(r.index());
            rejected.incrementAndGet();
        }
        resolvedNow.incrementAndGet();
    }

    /** Writes progress: the reject file forced first, under the same lock that marks records done. */
    private void checkpoint(String inputId, long size, long modified) {
        try {
            RunCheckpoint cp;
            synchronized (resolveLock) {
                long rejectBytes = rejectFile.sync();
                cp = new RunCheckpoint(inputId, size, modified, o.target().toString(), completion.doneBelow(),
                        completion.above(), rejectBytes, new RunCheckpoint.Counts(base.applied() + applied.get(),
                        base.duplicates() + duplicates.get(), base.rejected() + rejected.get(),
                        base.retries() + retries.get(), base.calls() + calls.get()));
            }
            cp.write(o.checkpoint());
        } catch (IOException e) {
            failure = e;
        }
    }

    /** The reference service's counters, when the target is one (null otherwise). */
    private record Stats(double busySeconds, int workers, double uptime) {
        static Stats read(WebClient client) {
            try {
                AggregatedHttpResponse r = client.get("/stats").aggregate().get(5, TimeUnit.SECONDS);
                if (r.status().code() != 200) {
                    return null;
                }
                JsonNode n = JSON.readTree(r.contentUtf8());
                if (!n.has("busySeconds") || !n.has("workers")) {
                    return null;
                }
                return new Stats(n.get("busySeconds").asDouble(), n.get("workers").asInt(), n.get("uptimeSeconds").asDouble());
            } catch (Exception e) {
                return null;
            }
        }
    }
}
