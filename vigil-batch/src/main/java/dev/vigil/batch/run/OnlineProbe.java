package dev.vigil.batch.run;

import com.linecorp.armeria.client.WebClient;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What online users of the service feel while a batch runs: a GET on the service's online endpoint at a
 * fixed rate, open loop. Each call's latency counts from when it was due, not from when it went out, so a
 * stalled service shows up in full instead of as one slow call (coordinated omission). A measurement holds
 * the calls sent while it was the current one; {@link #settle} ends one with every such call answered.
 */
public final class OnlineProbe implements AutoCloseable {

    private final WebClient client;
    private final String path;
    private final long intervalNanos;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vigil-online-probe");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong failures = new AtomicLong();
    /** Per measurement still watched: calls sent into it, and of those not yet answered (guarded by this). */
    private final java.util.Map<Latencies, long[]> pending = new java.util.IdentityHashMap<>();
    private volatile Latencies current = new Latencies();
    private volatile Latencies recent = new Latencies();
    private long started;
    private long sent;

    public OnlineProbe(WebClient client, String path, double perSecond) {
        this.client = client;
        this.path = path;
        this.intervalNanos = (long) (1e9 / perSecond);
    }

    public void start() {
        started = System.nanoTime();
        timer.scheduleAtFixedRate(this::tick, 0, intervalNanos, TimeUnit.NANOSECONDS);
    }

    /** Sends every call that is due by now, each stamped with the time it was due. */
    private void tick() {
        long now = System.nanoTime();
        while (started + sent * intervalNanos <= now) {
            long due = started + sent * intervalNanos;
            sent++;
            Latencies into;
            synchronized (this) {
                into = current;
                long[] counts = pending.computeIfAbsent(into, k -> new long[2]);
                counts[0]++;
                counts[1]++;
            }
            Latencies window = recent;
            client.get(path).aggregate().handle((r, e) -> {
                if (e != null || r.status().code() >= 500) {
                    failures.incrementAndGet();
                }
                double ms = (System.nanoTime() - due) / 1e6;
                into.add(ms);
                window.add(ms);
                synchronized (this) {
                    long[] counts = pending.get(into);
                    if (counts != null) {
                        counts[1]--;
                        notifyAll();
                    }
                }
                return null;
            });
        }
    }

    /** Ends the current measurement and starts a new one; returns the one ended. */
    public synchronized Latencies cut() {
        Latencies l = current;
        current = new Latencies();
        pending.remove(l);
        return l;
    }

    /**
     * Ends the current measurement once it holds at least one call (a run shorter than the probe's interval
     * would hold none, and say nothing of online users) and every call sent in it has been answered or has
     * failed: calls still in flight at the end are the slowest, and a result read at once would miss them.
     * Waits at most {@code patience}; then returns what was answered by then.
     */
    public Latencies settle(java.time.Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        Latencies l;
        synchronized (this) {
            while (pending.getOrDefault(current, new long[2])[0] == 0 && System.nanoTime() < deadline) {
                wait(Math.max(1, Math.min(intervalNanos / 1_000_000 + 1, (deadline - System.nanoTime()) / 1_000_000)));
            }
            l = current;
            current = new Latencies();
            long[] counts = pending.get(l);
            while (counts != null && counts[1] > 0 && System.nanoTime() < deadline) {
                wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            pending.remove(l);
        }
        return l;
    }

    /** What the probe saw since the last call of this method: the window an adaptive rate looks at. */
    public Latencies cutRecent() {
        Latencies l = recent;
        recent = new Latencies();
        return l;
    }

    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
