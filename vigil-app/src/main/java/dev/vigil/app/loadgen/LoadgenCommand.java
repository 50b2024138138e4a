package dev.vigil.app.loadgen;

import dev.vigil.config.Durations;
import dev.vigil.event.Timestamps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Posts events to a Vigil server and measures acknowledged events per second and acknowledgement latency.
 *
 * <p>Closed loop (default): each client sends its next batch when the previous one is acknowledged, which
 * finds the highest sustained rate. Open loop ({@code --rate}): batches are due on a fixed schedule, and
 * latency is measured from when a batch was due, not when it was sent, so a stalled server shows up in the
 * percentiles instead of being hidden by the clients waiting for it (coordinated omission).
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true,
        description = "Post events to a Vigil server over HTTP and report acknowledged events/s and ack latency.")
public final class LoadgenCommand implements Callable<Integer> {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080", description = "Vigil base URL. Default: ${DEFAULT-VALUE}")
    URI url;

    @Option(names = "--batch", paramLabel = "EVENTS", defaultValue = "1000", description = "Events per request. Default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "8", description = "Concurrent clients (connections). Default: ${DEFAULT-VALUE}")
    int clients;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "20s", description = "Measured time. Default: ${DEFAULT-VALUE}")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "5s", description = "Unmeasured time before. Default: ${DEFAULT-VALUE}")
    Duration warmup;

    @Option(names = "--rate", paramLabel = "PER_SECOND", description = "Open loop: target events/s over all clients (default: as fast as acks allow)")
    Double rate;

    @Option(names = "--bodies", paramLabel = "N", defaultValue = "64", description = "Distinct pre-generated bodies per client. Default: ${DEFAULT-VALUE}")
    int bodies;

    @Option(names = "--write-body", paramLabel = "FILE", description = "Only write one NDJSON body of --batch events to this file (for wrk) and exit")
    java.nio.file.Path writeBody;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || clients < 1 || bodies < 1) {
            throw new IllegalArgumentException("--batch, --clients and --bodies must be at least 1");
        }
        if (writeBody != null) {
            java.nio.file.Files.write(writeBody, body(new Random(1), batch, 0));
            System.out.println("wrote " + batch + " events to " + writeBody);
            return 0;
        }
        URI ingest = url.resolve("/ingest/events");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        long warmupNanos = warmup.toNanos();
        long measureNanos = duration.toNanos();
        long start = System.nanoTime() + 200_000_000L;
        long measureFrom = start + warmupNanos;
        long end = measureFrom + measureNanos;
        Double perClientInterval = rate == null ? null : clients * batch * 1e9 / rate;
        Worker[] workers = new Worker[clients];
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            List<byte[]> b = new ArrayList<>();
            Random r = new Random(c);
            for (int i = 0; i < bodies; i++) {
                b.add(body(r, batch, c));
            }
            workers[c] = new Worker(http, ingest, b, start, measureFrom, end,
                    perClientInterval == null ? 0 : (long) (perClientInterval.doubleValue()),
                    perClientInterval == null ? 0 : (long) (perClientInterval * c / clients));
            threads[c] = Thread.ofVirtual().start(workers[c]);
        }
        System.out.printf(Locale.ROOT, "loadgen: %d clients x %d events/request, %s, %s warmup + %s measured -> %s%n",
                clients, batch, rate == null ? "closed loop" : String.format(Locale.ROOT, "open loop at %,.0f events/s", rate),
                Durations.format(warmup), Durations.format(duration), ingest);
        for (Thread t : threads) {
            t.join();
        }
        long acked = 0;
        long errors = 0;
        long requests = 0;
        long missed = 0;
        String lastError = null;
        long[] all = new long[0];
        for (Worker w : workers) {
            acked += w.ackedEvents;
            errors += w.errors;
            requests += w.latencyCount;
            missed += w.missedSchedule;
            if (w.lastError != null) {
                lastError = w.lastError;
            }
            long[] l = Arrays.copyOf(w.latencies, w.latencyCount);
            long[] merged = Arrays.copyOf(all, all.length + l.length);
            System.arraycopy(l, 0, merged, all.length, l.length);
            all = merged;
        }
        Arrays.sort(all);
        double seconds = measureNanos / 1e9;
        System.out.printf(Locale.ROOT, "acked events/s: %,.0f   requests/s: %,.1f   errors: %d%n",
                acked / seconds, requests / seconds, errors);
        System.out.printf(Locale.ROOT, "ack latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  (n=%d)%n",
                pct(all, 0.50), pct(all, 0.90), pct(all, 0.99), pct(all, 0.999),
                all.length == 0 ? 0 : all[all.length - 1] / 1e6, all.length);
        if (missed > 0) {
            System.out.printf(Locale.ROOT, "note: %d batches started late (the server could not keep up with the schedule)%n", missed);
        }
        if (lastError != null) {
            System.out.println("last error: " + lastError);
        }
        return errors == 0 ? 0 : 2;
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    static byte[] body(Random r, int n, int client) {
        long now = Timestamps.toMicros(Instant.now());
        StringBuilder sb = new StringBuilder(n * 260);
        String[] outcomes = {"ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "error"};
        for (int i = 0; i < n; i++) {
            int svc = r.nextInt(50);
            sb.append("{\"time\":\"").append(Timestamps.format(now - r.nextInt(2_000_000)))
                    .append("\",\"source\":\"service-").append(svc)
                    .append("\",\"name\":\"op-").append(r.nextInt(10))
                    .append("\",\"kind\":\"call\",\"correlation\":{\"orderId\":\"O-").append(client).append('-')
                    .append(r.nextInt(1_000_000)).append("\"},\"outcome\":\"").append(outcomes[r.nextInt(10)])
                    .append("\",\"durationMs\":").append(String.format(Locale.ROOT, "%.3f", 20 * Math.exp(r.nextGaussian())))
                    .append(",\"peer\":\"service-").append(r.nextInt(50)).append("\",\"unit\":\"unit-").append(svc % 3)
                    .append("\",\"attributes\":{\"region\":\"eu\"}}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static final class Worker implements Runnable {
        final HttpClient http;
        final URI ingest;
        final List<byte[]> bodies;
        final long start;
        final long measureFrom;
        final long end;
        final long intervalNanos;
        final long offsetNanos;
        long[] latencies = new long[1024];
        int latencyCount;
        long ackedEvents;
        long errors;
        long missedSchedule;
        String lastError;

        Worker(HttpClient http, URI ingest, List<byte[]> bodies, long start, long measureFrom, long end,
               long intervalNanos, long offsetNanos) {
            this.http = http;
            this.ingest = ingest;
            this.bodies = bodies;
            this.start = start;
            this.measureFrom = measureFrom;
            this.end = end;
            this.intervalNanos = intervalNanos;
            this.offsetNanos = offsetNanos;
        }

        @Override
        public void run() {
            long k = 0;
            while (true) {
                long intended;
                if (intervalNanos > 0) {
                    intended = start + offsetNanos + k * intervalNanos;
                    long wait = intended - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    } else if (wait < -intervalNanos) {
                        missedSchedule++;
                    }
                } else {
                    intended = System.nanoTime();
                    if (intended < start) {
                        LockSupport.parkNanos(start - intended);
                        intended = System.nanoTime();
                    }
                }
                if (intended >= end) {
                    return;
                }
                byte[] body = bodies.get((int) (k % bodies.size()));
                k++;
                HttpRequest req = HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                long accepted = 0;
                boolean ok;
                try {
                    HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                    ok = resp.statusCode() == 200;
                    if (ok) {
                        String b = resp.body();
                        int i = b.indexOf("\"accepted\":") + 11;
                        int j = i;
                        while (j < b.length() && Character.isDigit(b.charAt(j))) {
                            j++;
                        }
                        accepted = Long.parseLong(b.substring(i, j));
                    } else {
                        lastError = "HTTP " + resp.statusCode() + " " + resp.body();
                    }
                } catch (Exception e) {
                    ok = false;
                    lastError = e.toString();
                }
                long done = System.nanoTime();
                if (intended >= measureFrom && done <= end + 60_000_000_000L) {
                    if (ok) {
                        ackedEvents += accepted;
                        if (latencyCount == latencies.length) {
                            latencies = Arrays.copyOf(latencies, latencies.length * 2);
                        }
                        latencies[latencyCount++] = done - intended;
                    } else {
                        errors++;
                    }
                }
            }
        }
    }
}
