package dev.vigil.server.scrape;

import dev.vigil.exposition.ExpositionParser;
import dev.vigil.infra.HostMetrics;
import dev.vigil.infra.HostMinute;
import dev.vigil.infra.NodeReading;
import dev.vigil.infra.ScrapeTarget;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes vigil.yaml's targets on their intervals, as Prometheus does: an HTTP GET asking for OpenMetrics or the
 * text format, the answer read by {@link ExpositionParser} straight into a {@link NodeReading}, the host's minute
 * updated ({@link HostMetrics}). Each target's health (up, last scrape, its duration, samples, lines refused,
 * the last error) is kept for the API. A scrape still running when the next is due is not doubled: that
 * interval is skipped and counted.
 */
public final class Scraper implements AutoCloseable {

    /** What Prometheus asks for: OpenMetrics first, the text format otherwise (no protobuf). */
    static final String ACCEPT = "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /** A day of minutes per host. */
    static final int KEEP_MINUTES = 24 * 60;

    /**
     * A target's health, as the API shows it. Times in milliseconds since the epoch; 0 before the first scrape.
     * {@code lastError} is the last failure's reason (kept after the target recovers, with its time), or null.
     */
    public record Health(String url, String host, long intervalMillis, Map<String, String> labels, boolean up,
                         long lastScrapeMillis, double durationMillis, int samples, int refusedLines, String firstRefusedLine,
                         String lastError, long lastErrorMillis, long scrapes, long failures, long skipped) {
    }

    /** A target's scrape state; written and read under the scraper's lock, handed out as a {@link Health}. */
    private static final class State {
        final ScrapeTarget target;
        volatile boolean inFlight;
        boolean up;
        long lastScrapeMillis;
        double durationMillis;
        int samples;
        int refusedLines;
        String firstRefusedLine;
        String lastError;
        long lastErrorMillis;
        long scrapes;
        long failures;
        long skipped;

        State(ScrapeTarget target) {
            this.target = target;
        }

        /** One scrape ended, at {@code started}, after {@code millis}. */
        void scraped(long started, double millis) {
            lastScrapeMillis = started;
            durationMillis = millis;
            scrapes++;
        }

        Health health() {
            return new Health(target.url(), target.host(), target.intervalMillis(), target.labels(), up, lastScrapeMillis,
                    durationMillis, samples, refusedLines, firstRefusedLine, lastError, lastErrorMillis, scrapes, failures,
                    skipped);
        }
    }

    /**
     * A parser per I/O thread and format, reused: its name caches then hold what every node exporter repeats
     * (a parser per scrape would start them empty each time).
     */
    private static final ThreadLocal<Map<ExpositionParser.Format, ExpositionParser>> PARSERS = ThreadLocal.withInitial(() -> {
        Map<ExpositionParser.Format, ExpositionParser> m = new java.util.EnumMap<>(ExpositionParser.Format.class);
        for (ExpositionParser.Format f : ExpositionParser.Format.values()) {
            m.put(f, new ExpositionParser(f));
        }
        return m;
    });

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Scraper.class);

    /** How long hosts' and footprints' minutes are kept in the store: the longest period a headroom is asked over. */
    public static final Duration KEPT = Duration.ofDays(90);

    private final Map<String, State> states = new LinkedHashMap<>();
    /** Where closed minutes are kept across restarts, or null (tests of the scraper alone). */
    private final dev.vigil.store.HostStore store;
    private final HostMetrics hosts = new HostMetrics(KEEP_MINUTES);
    private final dev.vigil.infra.Footprints footprints = new dev.vigil.infra.Footprints(KEEP_MINUTES);
    /** Orders OTLP readings' folding and saving (see {@link #observe}). */
    private final Object otlpOrder = new Object();
    private final ScheduledExecutorService timer;
    private final java.util.concurrent.ExecutorService io;
    private final HttpClient http;

    private Scraper(List<ScrapeTarget> targets, dev.vigil.store.HostStore store) {
        this.store = store;
        for (ScrapeTarget t : targets) {
            states.put(t.url(), new State(t));
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("vigil-scraper").daemon(true).unstarted(r));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL)
                .executor(io = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().name("vigil-scrape-io").daemon(true).unstarted(r)))
                .build();
    }

    /** Starts scraping without keeping minutes (see {@link #start(List, dev.vigil.store.HostStore)}). */
    public static Scraper start(List<ScrapeTarget> targets) {
        return start(targets, null);
    }

    /**
     * Starts scraping; the targets' first scrapes spread evenly over their interval (the first target at once).
     * The last day's minutes kept in {@code store} are put back first, and each minute is written there as it closes.
     */
    public static Scraper start(List<ScrapeTarget> targets, dev.vigil.store.HostStore store) {
        Scraper s = new Scraper(targets, store);
        if (store != null) {
            try {
                s.hosts.restore(store.since(System.currentTimeMillis() - KEEP_MINUTES * 60_000L));
                s.footprints.restore(store.footprintsSince(System.currentTimeMillis() - KEEP_MINUTES * 60_000L));
            } catch (java.sql.SQLException e) {
                LOG.warn("the hosts' kept minutes could not be read; they start empty: {}", e.getMessage());
            }
        }
        if (store != null) {
            s.timer.scheduleWithFixedDelay(s::prune, 0, 60, TimeUnit.MINUTES);
        }
        // Spread evenly over each interval, not all at once: 500 targets opening connections in the same second
        // overflowed a listener's backlog, and a scrape waited on retried connects past its next due time.
        int i = 0;
        int n = s.states.size();
        for (State st : s.states.values()) {
            long first = st.target.intervalMillis() * i++ / n;
            s.timer.scheduleAtFixedRate(() -> s.scrape(st), first, st.target.intervalMillis(), TimeUnit.MILLISECONDS);
        }
        return s;
    }

    /** Forgets kept minutes older than {@link #KEPT}, at start and hourly: a year of 500 hosts' minutes would be 260 million rows. */
    private void prune() {
        try {
            long deleted = store.prune(System.currentTimeMillis() - KEPT.toMillis());
            if (deleted > 0) {
                LOG.info("forgot {} host and footprint minutes older than {} days", deleted, KEPT.toDays());
            }
        } catch (java.sql.SQLException | RuntimeException e) {
            LOG.warn("old host and footprint minutes could not be forgotten (retried in an hour): {}", e.getMessage());
        }
    }

    private void scrape(State st) {
        if (st.inFlight) {
            synchronized (this) {
                st.skipped++;
            }
            return;
        }
        st.inFlight = true;
        long started = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        ScrapeTarget t = st.target;
        // Answer within the interval (as Prometheus's scrape timeout), and never wait more than 10 s.
        Duration timeout = Duration.ofMillis(Math.max(500, Math.min(10_000, t.intervalMillis() * 9 / 10)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(t.url())).timeout(timeout).header("Accept", ACCEPT)
                .header("X-Prometheus-Scrape-Timeout-Seconds", String.valueOf(timeout.toMillis() / 1000.0)).GET().build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
            try {
                double millis = (System.nanoTime() - startNanos) / 1e6;
                if (failure != null) {
                    failed(st, started, millis, why(failure));
                } else if (response.statusCode() != 200) {
                    String body = new String(response.body(), 0, Math.min(response.body().length, 200), StandardCharsets.UTF_8);
                    failed(st, started, millis, "HTTP " + response.statusCode() + (body.isBlank() ? "" : ": " + body.strip()));
                } else {
                    NodeReading reading = new NodeReading();
                    dev.vigil.infra.ProcessReading processes = new dev.vigil.infra.ProcessReading();
                    byte[] body = response.body();
                    PARSERS.get().get(ExpositionParser.Format.ofContentType(
                            response.headers().firstValue("content-type").orElse(null))).parse(body, 0, body.length,
                            dev.vigil.exposition.ExpositionSink.both(reading, processes));
                    reading.done();
                    synchronized (this) {
                        keep(hosts.observe(t.host(), started, reading));
                        if (!processes.isEmpty()) {
                            keepFootprints(footprints.observe(t.host(), started, processes));
                        }
                        st.scraped(started, millis);
                        st.up = true;
                        st.samples = reading.samples();
                        st.refusedLines = reading.refusedLines();
                        st.firstRefusedLine = reading.firstError();
                    }
                }
            } finally {
                st.inFlight = false;
            }
        });
    }

    /**
     * Folds a reading a host sent itself (OTLP host metrics). When this returns, the minute it closed and the one it
     * changed are in the store: the sender was told its data is kept.
     *
     * @throws java.sql.SQLException when the store did not take them (the reading is still folded in)
     */
    public void observe(String host, long timeMillis, NodeReading reading) throws java.sql.SQLException {
        // Requests run concurrently: folding and saving in one order keeps a later state of a minute from being
        // overwritten in the store by an earlier one.
        synchronized (otlpOrder) {
            List<HostMinute> changed = new java.util.ArrayList<>(2);
            synchronized (this) {
                HostMinute closed = hosts.observe(host, timeMillis, reading);
                if (closed != null) {
                    changed.add(closed);
                }
                HostMinute open = hosts.openMinute(host);
                if (open != null) {
                    changed.add(open);
                }
            }
            if (store != null && !changed.isEmpty()) {
                store.save(changed);
            }
        }
    }

    /**
     * A host's minutes from {@code fromMillis} on, oldest first: those held (the last day, and the open minute) and,
     * for a longer period, the kept ones before them.
     */
    public List<HostMinute> history(String host, long fromMillis) throws java.sql.SQLException {
        List<HostMinute> held = minutes(host);
        java.util.TreeMap<Long, HostMinute> out = new java.util.TreeMap<>();
        if (store != null && (held.isEmpty() || held.get(0).minuteStartMillis() > fromMillis)) {
            store.since(host, fromMillis).forEach(m -> out.put(m.minuteStartMillis(), m));
        }
        held.stream().filter(m -> m.minuteStartMillis() >= fromMillis).forEach(m -> out.put(m.minuteStartMillis(), m));
        return List.copyOf(out.values());
    }

    /**
     * Folds process groups' figures a host sent itself (OpenTelemetry process metrics). The minutes it closed are
     * written to the store as scraped ones are; the minute still filling is not kept until it closes.
     */
    public void observe(String host, long timeMillis, dev.vigil.infra.ProcessReading reading) {
        List<dev.vigil.infra.FootprintMinute> closed;
        synchronized (this) {
            closed = footprints.observe(host, timeMillis, reading);
        }
        keepFootprints(closed);
    }

    /** Writes closed footprint minutes to the store; a store that cannot take them costs their persistence only. */
    private void keepFootprints(List<dev.vigil.infra.FootprintMinute> closed) {
        if (!closed.isEmpty() && store != null) {
            try {
                store.saveFootprints(closed);
            } catch (java.sql.SQLException e) {
                LOG.warn("{} footprint minutes could not be kept: {}", closed.size(), e.getMessage());
            }
        }
    }

    /** Writes a closed minute to the store; a store that cannot take it costs the minute's persistence only. */
    private void keep(HostMinute closed) {
        if (closed != null && store != null) {
            try {
                store.save(List.of(closed));
            } catch (java.sql.SQLException e) {
                LOG.warn("host {}'s minute could not be kept: {}", closed.host(), e.getMessage());
            }
        }
    }

    private synchronized void failed(State st, long started, double millis, String why) {
        st.scraped(started, millis);
        st.up = false;
        st.samples = 0;
        st.refusedLines = 0;
        st.firstRefusedLine = null;
        st.lastError = why;
        st.lastErrorMillis = started;
        st.failures++;
    }

    /** A failed scrape in words. */
    static String why(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ConnectException) {
            return "connection refused: nothing listens at the target's address";
        }
        if (cause instanceof HttpTimeoutException) {
            return "no answer within the scrape timeout";
        }
        if (cause instanceof java.nio.channels.UnresolvedAddressException
                || cause instanceof java.net.UnknownHostException) {
            return "unknown host: the target's name does not resolve";
        }
        String m = cause.getMessage();
        return cause.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Every target's health, in vigil.yaml's order. */
    public synchronized List<Health> health() {
        List<Health> out = new ArrayList<>();
        states.values().forEach(s -> out.add(s.health()));
        return out;
    }

    /** The hosts seen in node exporter scrapes. */
    public synchronized List<String> hosts() {
        return hosts.hosts();
    }

    /** Process groups' minutes from {@code fromMillis} on (the last day; closed minutes are kept across restarts). */
    public synchronized List<dev.vigil.infra.FootprintMinute> footprints(long fromMillis) {
        return footprints.since(fromMillis);
    }

    /** A host's minutes, oldest first, the open minute last. */
    public synchronized List<HostMinute> minutes(String host) {
        return hosts.minutes(host);
    }

    /** Stops scraping and keeps the minutes still filling, so that a restart within the minute goes on with them. */
    @Override
    public void close() {
        timer.shutdownNow();
        http.shutdownNow();
        io.shutdownNow();
        if (store != null) {
            try {
                synchronized (this) {
                    store.save(hosts.openMinutes());
                }
            } catch (java.sql.SQLException e) {
                LOG.warn("the hosts' current minutes could not be kept: {}", e.getMessage());
            } finally {
                try {
                    store.close();
                } catch (java.sql.SQLException e) {
                    LOG.warn("closing the hosts' store failed: {}", e.getMessage());
                }
            }
        }
    }
}
