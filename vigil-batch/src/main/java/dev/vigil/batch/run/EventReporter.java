package dev.vigil.batch.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import dev.vigil.event.Timestamps;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every request of a batch run as a canonical call event, posted to a Vigil server's ingest endpoint
 * ({@code --report-to}), so that a batch run shows up in monitoring like production traffic: source
 * {@code vigil-batch}, the endpoint as the operation, the target as the peer, the run's id as a correlation
 * key. Events go in NDJSON batches every half second. When Vigil cannot keep up, events beyond a bounded
 * queue are counted as dropped rather than slowing the batch down; the count is reported.
 */
public final class EventReporter implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebClient vigil;
    private final String runId;
    private final String peer;
    private final String strategy;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(200_000);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failedPosts = new AtomicLong();
    private final Thread poster;
    private volatile boolean closing;

    public EventReporter(WebClient vigil, URI target, String runId, Strategy strategy) {
        this.vigil = vigil;
        this.runId = runId;
        this.peer = target.getHost() + (target.getPort() > 0 ? ":" + target.getPort() : "");
        this.strategy = strategy.toString();
        this.poster = Thread.ofPlatform().daemon(true).name("vigil-batch-report").start(this::postLoop);
    }

    /** One request: when it started, what it called, how long it took, with how many records, and how it ended. */
    public void call(long startEpochMicros, String operation, double millis, int records, boolean ok, int attempt) {
        ObjectNode e = JSON.createObjectNode()
                .put("time", Timestamps.format(startEpochMicros))
                .put("source", "vigil-batch")
                .put("name", operation)
                .put("kind", "call")
                .put("peer", peer)
                .put("durationMs", Math.round(millis * 1000) / 1000.0)
                .put("outcome", ok ? "ok" : "error");
        e.putObject("correlation").put("batchRun", runId);
        e.putObject("attributes").put("strategy", strategy).put("records", records).put("attempt", attempt);
        if (!queue.offer(e.toString())) {
            dropped.incrementAndGet();
        }
    }

    private void postLoop() {
        List<String> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                String first = queue.poll(500, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 4999);
                StringBuilder body = new StringBuilder();
                batch.forEach(l -> body.append(l).append('\n'));
                post(body.toString(), batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void post(String ndjson, int events) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                AggregatedHttpResponse r = vigil.execute(HttpRequest.of(HttpMethod.POST, "/ingest/events",
                        MediaType.parse("application/x-ndjson"), ndjson)).aggregate().get(30, TimeUnit.SECONDS);
                if (r.status().code() == 200 || r.status().code() == 400) {
                    // 400: some items were refused, the rest stored; either way, done with this batch.
                    sent.addAndGet(events);
                    return;
                }
            } catch (Exception e) {
                // retried below
            }
            try {
                Thread.sleep(200L << attempt);
            } catch (InterruptedException e) {
                return;
            }
        }
        failedPosts.incrementAndGet();
        dropped.addAndGet(events);
    }

    public long sent() {
        return sent.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public String runId() {
        return runId;
    }

    /** Posts what is queued, then stops. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        poster.join(60_000);
    }

    static long nowMicros() {
        return Timestamps.toMicros(Instant.now());
    }
}
