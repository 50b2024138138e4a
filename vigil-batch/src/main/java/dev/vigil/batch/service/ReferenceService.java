package dev.vigil.batch.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * A real HTTP service to push batches through, whose costs and faults are set by a {@link ServiceModel}.
 * Every request holds one of the service's workers for its fixed overhead plus its per-record cost; when
 * all workers are busy, requests wait. The online endpoint needs a worker too, which is how a batch run
 * makes online users wait. The contract is in docs/LAB.md; point the lab at any service that keeps it.
 */
public final class ReferenceService implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServiceModel model;
    private final Ledger ledger = new Ledger();
    private final Semaphore workers;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final SplittableRandom dice;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong failedRequests = new AtomicLong();
    private final AtomicLong onlineCalls = new AtomicLong();
    private final AtomicLong spikes = new AtomicLong();
    /*
     * Busy time: that of holds ended, plus, for the holds in progress, the time since each began (their count
     * and the sum of their starts). Read together under the lock, the busy time at any moment counts every
     * worker's time up to that moment, so two readings a run apart differ by at most workers x elapsed: a
     * request that straddles the first reading is not charged in full to the second.
     */
    private final Object busyLock = new Object();
    private long busyNanos;
    private int holding;
    private long holdingStartSum;
    private final long startedNanos = System.nanoTime();
    private final Server server;

    private ReferenceService(ServiceModel model, int port, String bind) {
        this.model = model;
        this.workers = new Semaphore(model.workers(), true);
        this.dice = new SplittableRandom(model.seed());
        var b = Server.builder()
                .maxRequestLength(512L * 1024 * 1024)
                .requestTimeoutMillis(0)
                .gracefulShutdownTimeoutMillis(0, 0)
                .service("/records", (ctx, req) -> body(ctx, req, a -> applyOne(a)))
                .service("/records/bulk", (ctx, req) -> body(ctx, req, a -> applyMany(parseArray(a))))
                .service("/records/stream", (ctx, req) -> body(ctx, req, a -> applyMany(parseLines(a))))
                .service("/records/validate", (ctx, req) -> body(ctx, req, a -> validate(parseArray(a))))
                .service("/online", (ctx, req) -> work(ctx, this::online))
                .service("/ledger", (ctx, req) -> json(HttpStatus.OK, ledgerJson()))
                .service("/stats", (ctx, req) -> json(HttpStatus.OK, statsJson()))
                .service("/admin/stall", (ctx, req) -> loopbackOnly(ctx, () -> stall(ctx)))
                .service("/admin/reset", (ctx, req) -> loopbackOnly(ctx, () -> {
                    ledger.clear();
                    return json(HttpStatus.OK, JSON.createObjectNode().put("reset", true));
                }));
        if (bind == null) {
            b.http(port);
        } else {
            b.http(new java.net.InetSocketAddress(bind, port));
        }
        this.server = b.build();
    }

    /** Starts the service; port 0 picks a free one. */
    /** The admin endpoints change what every client sees: only someone on this machine may call them. */
    private static HttpResponse loopbackOnly(ServiceRequestContext ctx, java.util.function.Supplier<HttpResponse> admin) {
        java.net.InetAddress from = ctx.remoteAddress().getAddress();
        if (from != null && from.isLoopbackAddress()) {
            return admin.get();
        }
        return json(HttpStatus.FORBIDDEN, JSON.createObjectNode().put("error", "forbidden")
                .put("detail", "the /admin endpoints answer clients on this machine only (loopback)"));
    }

    public static ReferenceService start(ServiceModel model, int port, String bind) {
        ReferenceService s = new ReferenceService(model, port, bind);
        s.server.start().join();
        return s;
    }

    public int port() {
        return server.activeLocalPort();
    }

    public Ledger ledger() {
        return ledger;
    }

    /** Requests that took the model's spike longer, so far. */
    public long spikes() {
        return spikes.get();
    }

    // --- request handling -------------------------------------------------------------------------------

    private record Reply(HttpStatus status, JsonNode body) {
    }

    private HttpResponse body(ServiceRequestContext ctx, com.linecorp.armeria.common.HttpRequest req,
                              Function<AggregatedHttpRequest, Reply> handler) {
        return HttpResponse.of(req.aggregate().thenApplyAsync(a -> {
            Reply r;
            try {
                r = handler.apply(a);
            } catch (BadRequest e) {
                r = new Reply(HttpStatus.BAD_REQUEST, error("bad_request", e.getMessage()));
            }
            return toResponse(r);
        }, handlers));
    }

    private HttpResponse work(ServiceRequestContext ctx, java.util.function.Supplier<Reply> handler) {
        return HttpResponse.of(CompletableFuture.supplyAsync(() -> toResponse(handler.get()), handlers));
    }

    private static HttpResponse toResponse(Reply r) {
        try {
            return HttpResponse.of(r.status(), MediaType.JSON_UTF_8, JSON.writeValueAsBytes(r.body()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse json(HttpStatus status, JsonNode body) {
        return toResponse(new Reply(status, body));
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    private static List<JsonNode> parseArray(AggregatedHttpRequest a) {
        try {
            JsonNode n = JSON.readTree(a.content().array());
            if (n == null || !n.isArray()) {
                throw new BadRequest("the body must be a JSON array of records");
            }
            List<JsonNode> out = new ArrayList<>(n.size());
            n.forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new BadRequest("the body is not JSON: " + e.getMessage());
        }
    }

    private static List<JsonNode> parseLines(AggregatedHttpRequest a) {
        List<JsonNode> out = new ArrayList<>();
        int line = 0;
        for (String l : a.contentUtf8().split("\n")) {
            line++;
            if (l.isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readTree(l));
            } catch (IOException e) {
                throw new BadRequest("line " + line + " is not JSON: " + e.getMessage());
            }
        }
        return out;
    }

    private Reply applyOne(AggregatedHttpRequest a) {
        JsonNode record;
        try {
            record = JSON.readTree(a.content().array());
        } catch (IOException e) {
            throw new BadRequest("the body is not JSON: " + e.getMessage());
        }
        Reply many = applyMany(List.of(record));
        if (many.status() != HttpStatus.OK) {
            return many;
        }
        JsonNode result = many.body().get("results").get(0);
        return new Reply("invalid".equals(result.get("status").asText()) ? HttpStatus.UNPROCESSABLE_ENTITY : HttpStatus.OK,
                result);
    }

    /** Applies the valid records of one request; answers each record's fate, or 503 for the whole request. */
    private Reply applyMany(List<JsonNode> batch) {
        requests.incrementAndGet();
        double roll;
        double spikeRoll;
        synchronized (dice) {
            roll = dice.nextDouble();
            spikeRoll = dice.nextDouble();
        }
        boolean spike = spikeRoll < model.spikes();
        long cost = model.overhead().toNanos() + batch.size() * model.perRecord().toNanos()
                + (spike ? model.spike().toNanos() : 0);
        if (roll < model.transientErrors()) {
            hold(model.overhead().toNanos());
            failedRequests.incrementAndGet();
            return new Reply(HttpStatus.SERVICE_UNAVAILABLE, error("unavailable", "transient failure (injected); retry"));
        }
        if (spike) {
            spikes.incrementAndGet();
        }
        hold(cost);
        ArrayNode results = JSON.createArrayNode();
        for (int i = 0; i < batch.size(); i++) {
            JsonNode r = batch.get(i);
            ObjectNode res = results.addObject();
            res.put("index", i);
            String problem = Validation.problem(r);
            if (r != null && r.hasNonNull("id")) {
                res.put("id", r.get("id").asText());
            }
            if (problem != null) {
                invalid.incrementAndGet();
                res.put("status", "invalid").put("reason", problem);
            } else {
                records.incrementAndGet();
                res.put("status", ledger.apply(r.get("id").asText()) == Ledger.Outcome.APPLIED ? "applied" : "duplicate");
            }
        }
        if (roll < model.transientErrors() + model.ambiguousErrors()) {
            // Applied, but the caller never hears so: it must retry, and the ledger must not apply twice.
            failedRequests.incrementAndGet();
            return new Reply(HttpStatus.SERVICE_UNAVAILABLE, error("unavailable", "reply lost after applying (injected); retry"));
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("results", results);
        return new Reply(HttpStatus.OK, out);
    }

    private Reply validate(List<JsonNode> batch) {
        requests.incrementAndGet();
        // Checking is cheaper than applying: a tenth of the per-record cost.
        hold(model.overhead().toNanos() + batch.size() * model.perRecord().toNanos() / 10);
        ArrayNode results = JSON.createArrayNode();
        for (int i = 0; i < batch.size(); i++) {
            String problem = Validation.problem(batch.get(i));
            ObjectNode res = results.addObject().put("index", i).put("status", problem == null ? "valid" : "invalid");
            if (problem != null) {
                res.put("reason", problem);
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("results", results);
        return new Reply(HttpStatus.OK, out);
    }

    private Reply online() {
        onlineCalls.incrementAndGet();
        hold(model.overhead().toNanos());
        return new Reply(HttpStatus.OK, JSON.createObjectNode().put("ok", true));
    }

    /** Holds a worker for {@code nanos}: waits for one when all are busy. */
    private void hold(long nanos) {
        workers.acquireUninterruptibly();
        long start;
        synchronized (busyLock) {
            start = System.nanoTime();
            holding++;
            holdingStartSum += start;
        }
        try {
            long end = start + nanos;
            for (long left = nanos; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        } finally {
            synchronized (busyLock) {
                busyNanos += System.nanoTime() - start;
                holding--;
                holdingStartSum -= start;
            }
            workers.release();
        }
    }

    private HttpResponse stall(ServiceRequestContext ctx) {
        long millis = Long.parseLong(ctx.queryParams().get("millis", "1000"));
        handlers.execute(() -> {
            workers.acquireUninterruptibly(model.workers());
            try {
                LockSupport.parkNanos(millis * 1_000_000L);
            } finally {
                workers.release(model.workers());
            }
        });
        return json(HttpStatus.OK, JSON.createObjectNode().put("stalledMillis", millis));
    }

    private static JsonNode error(String code, String detail) {
        return JSON.createObjectNode().put("error", code).put("detail", detail);
    }

    private JsonNode ledgerJson() {
        return JSON.createObjectNode().put("applied", ledger.applied())
                .put("duplicateSubmissions", ledger.duplicateSubmissions()).put("invalidRejected", invalid.get());
    }

    private JsonNode statsJson() {
        long now;
        long busy;
        synchronized (busyLock) {
            now = System.nanoTime();
            busy = busyNanos + holding * now - holdingStartSum;
        }
        double elapsed = (now - startedNanos) / 1e9;
        return JSON.createObjectNode()
                .put("workers", model.workers())
                .put("requests", requests.get())
                .put("records", records.get())
                .put("invalid", invalid.get())
                .put("failedRequests", failedRequests.get())
                .put("onlineCalls", onlineCalls.get())
                .put("spikes", spikes.get())
                .put("busySeconds", busy / 1e9)
                .put("uptimeSeconds", elapsed);
    }

    @Override
    public void close() {
        stop().join();
    }

    /** Stops without waiting: Armeria's own shutdown takes about 2 s, which tests need not sit through. */
    public CompletableFuture<Void> stop() {
        return server.stop().thenRun(handlers::shutdownNow);
    }
}
