package dev.vigil.app.demo;

import dev.vigil.event.Timestamps;
import dev.vigil.summarise.WindowSpan;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds a Vigil server with the events of a simulated estate, over HTTP like any client.
 *
 * <p>Orders run through order-to-cash: placed and billed under an order id, shipped under a shipment id
 * that the dispatch event links to the order. Calls have log-normal latencies, a trickle of errors, and
 * now and then an incident that slows one service or supplier down and makes it fail more. A few percent
 * of events are held back and delivered late, out of order; a few orders stall and never finish; one event
 * in a thousand is malformed, to show that bad input is reported and the rest kept.
 *
 * <p>The warehouse system speaks its own JSON ({@code evt}, {@code ts} in epoch milliseconds, {@code rc}
 * return codes) and posts to {@code /ingest/events?source=warehouse-wms}: the demo configuration's rules
 * map it onto Vigil's events. Its heartbeats match no rule and are kept as uninterpreted.
 *
 * <p>The order service is instrumented with OpenTelemetry instead ({@link TracedService}): its calls are spans
 * sent over OTLP, which Vigil turns into the same call events.
 */
public final class Simulator implements Runnable, dev.vigil.server.DemoControl {

    private record Outgoing(long releaseNanos, long seq, String json) {
    }

    private static final class Order {
        final String orderId;
        final String channel;
        final String unit;
        String shipmentId;
        int step;
        long nextAtMicros;
        final boolean stalls;

        Order(String orderId, String channel, String unit, long startMicros, boolean stalls) {
            this.orderId = orderId;
            this.channel = channel;
            this.unit = unit;
            this.nextAtMicros = startMicros;
            this.stalls = stalls;
        }
    }

    private record Incident(String target, long untilMicros, double slowdown, double errorRate) {
    }

    private static final String[] STEPS = {"OrderPlaced", "StockReserved", "InvoiceCreated", "OrderDispatched",
            "ShipmentInTransit", "ShipmentDelivered", "PaymentReceived"};

    private final URI ingest;
    /** The service that reports through OpenTelemetry (OTLP) rather than Vigil's events. */
    private final TracedService traced;
    private final URI warehouseIngest;
    private final List<String> warehouse = new ArrayList<>();
    /** Events per second of event time: the live rate, or the backfill's while it runs. */
    private double eventsPerSecond;
    /** Whether history is being generated: no late delivery, no spans (their batching would deliver them late). */
    private boolean backfilling;
    /** Where the history ended (micros), until the live run has taken over its orders in flight; else MIN_VALUE. */
    private long historyEnd = Long.MIN_VALUE;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PriorityQueue<Outgoing> outbox = new PriorityQueue<>((a, b) -> a.releaseNanos != b.releaseNanos
            ? Long.compare(a.releaseNanos, b.releaseNanos) : Long.compare(a.seq, b.seq));
    private final List<Order> orders = new ArrayList<>();
    private final List<Incident> incidents = new ArrayList<>();
    /** The demo's own hosts, which an incident may saturate; null when the simulator runs without them. */
    private final SimulatedHosts hosts;
    /** Incidents asked for (the dashboard, --incident), started by the simulator's thread at its next tick. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Scenario> requested = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** The scenarios playing, each with when it ends (micros); read by the API's threads. */
    private final java.util.Map<Scenario, Long> playing = new java.util.concurrent.ConcurrentHashMap<>();
    /** Whether to replay the scheduled incidents once live. */
    private final boolean schedule;
    /** When the schedule began (micros, the start of the live run), or Long.MIN_VALUE before or without it. */
    private volatile long scheduleStart = Long.MIN_VALUE;
    private int scheduled;
    private long outSeq;
    private long orderSeq = 1000;
    private long shipmentSeq = 5000;
    private volatile boolean running = true;

    private final AtomicLong failedPosts = new AtomicLong();
    private volatile String lastError;

    public Simulator(URI baseUrl, double eventsPerSecond, long seed) {
        this(baseUrl, eventsPerSecond, seed, null, false);
    }

    /**
     * @param hosts    the demo's simulated hosts (an incident may saturate one), or null
     * @param schedule whether to replay the scheduled incidents ({@link #SCHEDULE}), besides those asked for
     */
    Simulator(URI baseUrl, double eventsPerSecond, long seed, SimulatedHosts hosts, boolean schedule) {
        this.hosts = hosts;
        this.schedule = schedule;
        this.ingest = baseUrl.resolve("/ingest/events");
        this.traced = new TracedService(baseUrl);
        this.warehouseIngest = baseUrl.resolve("/ingest/events?source=warehouse-wms");
        this.eventsPerSecond = eventsPerSecond;
        this.random = new Random(seed);
    }

    public long failedPosts() {
        return failedPosts.get();
    }

    public String lastError() {
        return lastError;
    }

    public void stop() {
        running = false;
    }

    /** Sends the traced service's last spans. */
    public void close() {
        traced.close();
    }

    @Override
    public void run() {
        if (schedule) {
            scheduleStart = Timestamps.toMicros(java.time.Instant.now());
        }
        if (historyEnd != Long.MIN_VALUE) {
            long shift = Timestamps.toMicros(java.time.Instant.now()) - historyEnd;
            for (Order o : orders) {
                o.nextAtMicros += shift;
            }
            historyEnd = Long.MIN_VALUE;
        }
        long tickNanos = 100_000_000L;
        long next = System.nanoTime();
        while (running) {
            long nowMicros = Timestamps.toMicros(java.time.Instant.now());
            generate(nowMicros, tickNanos / 1e9);
            flush(System.nanoTime());
            next += tickNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                next = System.nanoTime();
            }
        }
    }

    /**
     * The share of orders that stall on their own, and the orders the stuck-orders incident stalls within 15 s: at 2%
     * the estate made about 1,000 stuck cases an hour at 300 events/s and a wave of 60 was lost among them; now about
     * 100 an hour, against which the wave stands out.
     */
    static final double STALLING = 0.002;
    static final int STUCK_WAVE = 150;

    private void generate(long now, double seconds) {
        // About a third of the traffic is the process (7 steps per order), the rest background calls.
        double ordersPerTick = eventsPerSecond * seconds / 3 / STEPS.length;
        for (int i = poisson(ordersPerTick); i > 0; i--) {
            boolean b2b = random.nextDouble() < 0.3;
            String channel = b2b ? "b2b-portal" : random.nextBoolean() ? "web-shop" : "mobile-api";
            orders.add(new Order("O-" + (++orderSeq), channel, b2b ? "wholesale" : "retail",
                    now - random.nextInt(200_000), random.nextDouble() < STALLING));
        }
        advanceOrders(now);
        double callsPerTick = eventsPerSecond * seconds * 2 / 3;
        for (int i = poisson(callsPerTick); i > 0; i--) {
            Estate.Call c = Estate.CALLS.get(random.nextInt(Estate.CALLS.size()));
            emitCall(now - random.nextInt(100_000), c.from(), c.operation(), c.to(), c.medianMs(), null);
        }
        if (!backfilling) {
            generateWarehouse(now, seconds);
            playScenarios(now);
        }
        maybeStartIncident(now, seconds);
    }

    /**
     * The demo's schedule: the first incident 45 s in, so that a new user sees an alert within a minute or two,
     * then one every four minutes, and the round again every sixteen.
     */
    static final List<Map.Entry<Duration, Scenario>> SCHEDULE = List.of(
            Map.entry(Duration.ofSeconds(45), Scenario.CARRIER_OUTAGE),
            Map.entry(Duration.ofMinutes(5), Scenario.STUCK_ORDERS),
            Map.entry(Duration.ofMinutes(9), Scenario.SLOW_DATABASE),
            Map.entry(Duration.ofMinutes(13), Scenario.HOST_SATURATION));
    static final Duration ROUND = Duration.ofMinutes(16);

    /** When the n-th scheduled incident starts (micros). */
    private long scheduledAt(int n) {
        return scheduleStart + (n / SCHEDULE.size()) * ROUND.toNanos() / 1000
                + SCHEDULE.get(n % SCHEDULE.size()).getKey().toNanos() / 1000;
    }

    private void playScenarios(long now) {
        playing.values().removeIf(until -> until < now);
        while (scheduleStart != Long.MIN_VALUE && scheduledAt(scheduled) <= now) {
            requested.add(SCHEDULE.get(scheduled++ % SCHEDULE.size()).getValue());
        }
        for (Scenario sc; (sc = requested.poll()) != null; ) {
            start(sc, now);
        }
    }

    private void start(Scenario sc, long now) {
        long until = now + sc.lasts.toNanos() / 1000;
        playing.put(sc, until);
        switch (sc) {
            case CARRIER_OUTAGE -> incidents.add(new Incident("carrier-api", until, 6, 0.4));
            case SLOW_DATABASE -> incidents.add(new Incident(TracedService.DATABASE, until, 15, 0));
            case HOST_SATURATION -> {
                incidents.add(new Incident(TracedService.CALLEE, until, 3, 0));
                if (hosts != null) {
                    hosts.saturate("app-host-3", System.nanoTime() + sc.lasts.toNanos());
                }
            }
            case STUCK_ORDERS -> {
                for (int i = 0; i < STUCK_WAVE; i++) {
                    boolean b2b = random.nextDouble() < 0.3;
                    orders.add(new Order("O-" + (++orderSeq), b2b ? "b2b-portal" : "web-shop", b2b ? "wholesale" : "retail",
                            now + random.nextInt(15_000_000), true));
                }
            }
        }
        System.out.println();
        System.out.println("demo incident: " + sc.wire + " until " + Timestamps.format(until) + ": " + sc.description);
    }

    /** A past incident of the backfill: from when, and what. */
    private record Planned(long fromMicros, Incident incident) {
    }

    /**
     * The history before the live run: event time from {@code span} ago up to now, at {@code rate} events per second,
     * posted in time order as fast as Vigil stores them, with incidents of its own so that budgets, trends, alert
     * history and last month's contract report have a past: a two-day carrier degradation in the middle of the
     * previous month (ParcelCo misses its availability objective that month), a tax gateway failing for six hours
     * last week, and a slow warehouse database two days ago. Called before {@link #run}: live events move the
     * watermark past anything older.
     *
     * @param progress told the share done, from 0 to 1, now and then
     */
    void backfill(Duration span, double rate, java.util.function.DoubleConsumer progress) throws InterruptedException {
        long now = Timestamps.toMicros(java.time.Instant.now());
        long from = WindowSpan.MINUTE.startOf(now - span.toNanos() / 1000);
        long end = now - 5_000_000L;
        List<Planned> plan = new ArrayList<>();
        long hour = 3_600_000_000L;
        java.time.ZonedDateTime month = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).withDayOfMonth(1)
                .truncatedTo(java.time.temporal.ChronoUnit.DAYS).minusMonths(1);
        long carrier = Timestamps.toMicros(month.plusDays(11).plusHours(6).toInstant());
        plan.add(new Planned(carrier, new Incident("carrier-api", carrier + 44 * hour, 4, 0.3)));
        plan.add(new Planned(now - 6 * 24 * hour, new Incident("tax-gateway", now - 6 * 24 * hour + 6 * hour, 2, 0.12)));
        plan.add(new Planned(now - 2 * 24 * hour, new Incident(TracedService.DATABASE, now - 2 * 24 * hour + 2 * hour, 15, 0)));
        plan.removeIf(p -> p.incident().untilMicros() < from || p.fromMicros() > end);
        plan.sort(java.util.Comparator.comparingLong(Planned::fromMicros));
        double live = eventsPerSecond;
        eventsPerSecond = rate;
        backfilling = true;
        try {
            long tick = 10_000_000L;
            long reported = Long.MIN_VALUE;
            for (long t = from; t < end && running; t += tick) {
                while (!plan.isEmpty() && plan.get(0).fromMicros() <= t) {
                    incidents.add(plan.remove(0).incident());
                }
                eventsPerSecond = historyRate(rate, live, end - t);
                generate(t, tick / 1e6);
                if (outbox.size() >= 5000) {
                    postHistory();
                }
                if (t - reported >= (end - from) / 50) {
                    reported = t;
                    progress.accept((t - from) / (double) (end - from));
                }
            }
            postHistory();
            // The orders still in flight finish live: dropped, each became a stuck case at the moment the demo went
            // live (300 of them with the history's ramp, a false alarm before any incident). The live run moves
            // their next steps on by the time the history took to send.
            historyEnd = end;
            incidents.clear();
            progress.accept(1);
        } finally {
            eventsPerSecond = live;
            backfilling = false;
        }
    }

    /** How long the history's rate takes to come within 1/e of the live rate's, going back from now. */
    static final Duration RAMP = Duration.ofMinutes(5);

    /**
     * The history's rate at {@code ageMicros} before its end: the reduced rate for most of it, rising to the live
     * rate over its last minutes. A step from 0.5 to 300 events/s at the moment the demo went live read on every
     * chart as a traffic surge; the ramp costs about the live rate times {@link #RAMP} more events (90,000 at 300/s).
     */
    static double historyRate(double reduced, double live, long ageMicros) {
        if (ageMicros > FULL_HISTORY.toNanos() / 1000) {
            return reduced / 4;
        }
        return reduced + Math.max(0, live - reduced) * Math.exp(-ageMicros / (RAMP.toNanos() / 1000.0));
    }

    /**
     * How far back the history keeps its reduced rate; older (the first days of last month, late in a month, when the
     * history reaches back to its start) a quarter of it. At the full rate a demo started on the 31st read 60 days
     * of history, half again the events of one started on the 8th, and went live that much later.
     */
    static final Duration FULL_HISTORY = Duration.ofDays(35);

    /** Posts every event the backfill made, in order; a refusal for load is waited out (history is not dropped). */
    private void postHistory() throws InterruptedException {
        StringBuilder body = new StringBuilder(outbox.size() * 260);
        while (!outbox.isEmpty()) {
            body.append(outbox.poll().json()).append('\n');
        }
        if (body.isEmpty()) {
            return;
        }
        HttpRequest req = ndjson(ingest, body, Duration.ofSeconds(60));
        for (int attempt = 1; running; attempt++) {
            try {
                HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() == 200 || resp.statusCode() == 400) {
                    return;
                }
                lastError = "HTTP " + resp.statusCode() + ": " + resp.body();
                if (resp.statusCode() != 503 || attempt >= 30) {
                    failedPosts.incrementAndGet();
                    return;
                }
            } catch (IOException e) {
                lastError = e.toString();
                if (attempt >= 30) {
                    failedPosts.incrementAndGet();
                    return;
                }
            }
            Thread.sleep(1000);
        }
    }

    @Override
    public List<Playable> scenarios() {
        return java.util.Arrays.stream(Scenario.values()).map(s -> new Playable(s.wire, s.description))
                .toList();
    }

    @Override
    public List<Played> running() {
        return playing.entrySet().stream().map(e -> new Played(e.getKey().wire, Timestamps.toInstant(e.getValue())))
                .sorted(java.util.Comparator.comparing(Played::at)).toList();
    }

    @Override
    public List<Played> upcoming() {
        if (scheduleStart == Long.MIN_VALUE) {
            return List.of();
        }
        List<Played> out = new ArrayList<>();
        for (int n = scheduled; n < scheduled + SCHEDULE.size(); n++) {
            out.add(new Played(SCHEDULE.get(n % SCHEDULE.size()).getValue().wire, Timestamps.toInstant(scheduledAt(n))));
        }
        return out;
    }

    @Override
    public Played inject(String name) throws UnknownScenario {
        Scenario sc = Scenario.named(name);
        requested.add(sc);
        return new Played(sc.wire, java.time.Instant.now().plus(sc.lasts));
    }

    /** Picks and packs for orders in flight, in the warehouse system's own format, and a heartbeat a second. */
    private void generateWarehouse(long now, double seconds) {
        long millis = now / 1000;
        for (int i = poisson(eventsPerSecond * seconds / 50); i > 0 && !orders.isEmpty(); i--) {
            Order o = orders.get(random.nextInt(orders.size()));
            boolean pick = random.nextBoolean();
            String rc = random.nextDouble() < 0.03 ? "E7" : "00";
            warehouse.add(String.format(Locale.ROOT,
                    "{\"evt\":\"%s\",\"ts\":%d,\"order\":{\"no\":\"%s\"},\"dur_ms\":%d,\"rc\":\"%s\",\"site\":\"DC-%d\"}",
                    pick ? "PICK_DONE" : "PACK_DONE", millis - random.nextInt(500), o.orderId,
                    Math.round(Math.exp(Math.log(pick ? 900 : 400) + 0.5 * random.nextGaussian())), rc, 1 + random.nextInt(3)));
        }
        if (random.nextDouble() < seconds) {
            warehouse.add("{\"evt\":\"HEARTBEAT\",\"ts\":" + millis + ",\"site\":\"DC-1\"}");
        }
    }

    private void advanceOrders(long now) {
        for (Iterator<Order> it = orders.iterator(); it.hasNext(); ) {
            Order o = it.next();
            while (o.step < STEPS.length && o.nextAtMicros <= now) {
                emitStep(o);
                o.step++;
                if (o.stalls && o.step == 2) {
                    o.step = STEPS.length; // never progresses again: a stuck case
                }
                o.nextAtMicros += (long) (1_000_000 * (0.5 + random.nextDouble() * 4));
            }
            if (o.step >= STEPS.length) {
                it.remove();
            }
        }
    }

    private void emitStep(Order o) {
        String step = STEPS[o.step];
        long t = o.nextAtMicros;
        StringBuilder corr = new StringBuilder();
        String source;
        String unit;
        switch (step) {
            case "OrderPlaced" -> {
                source = o.channel;
                unit = o.unit;
                corr.append("\"orderId\":\"").append(o.orderId).append('"');
            }
            case "StockReserved" -> {
                source = "warehouse";
                unit = "logistics";
                corr.append("\"orderId\":\"").append(o.orderId).append('"');
                emitCall(t, "order-service", "ReserveStock", "warehouse", 45, o.orderId);
            }
            case "InvoiceCreated" -> {
                source = "billing";
                unit = "wholesale";
                corr.append("\"orderId\":\"").append(o.orderId).append('"');
                emitCall(t, "billing", "CalculateTax", "tax-gateway", 120, o.orderId);
            }
            case "OrderDispatched" -> {
                // The event that carries both keys: from here on the case continues under the shipment id.
                o.shipmentId = "S-" + (++shipmentSeq);
                source = "shipping";
                unit = "logistics";
                corr.append("\"orderId\":\"").append(o.orderId).append("\",\"shipmentId\":\"").append(o.shipmentId).append('"');
                emitCall(t, "shipping", "BookCarrier", "carrier-api", 250, o.orderId);
            }
            case "ShipmentInTransit", "ShipmentDelivered" -> {
                source = "tracking";
                unit = "logistics";
                corr.append("\"shipmentId\":\"").append(o.shipmentId).append('"');
            }
            default -> {
                source = "billing";
                unit = "wholesale";
                corr.append("\"orderId\":\"").append(o.orderId).append('"');
            }
        }
        String json = "{\"time\":\"" + Timestamps.format(t) + "\",\"source\":\"" + source + "\",\"name\":\"" + step
                + "\",\"kind\":\"activity\",\"correlation\":{" + corr + "},\"unit\":\"" + unit
                + "\",\"attributes\":{\"process\":\"order-to-cash\"}}";
        enqueue(json);
    }

    private void emitCall(long t, String from, String op, String to, double medianMs, String orderId) {
        Incident inc = incidentOn(to, t);
        double slowdown = inc == null ? 1 : inc.slowdown();
        // The warehouse waits on its database: a slow database slows every call to the warehouse.
        Incident db = to.equals(TracedService.CALLEE) ? incidentOn(TracedService.DATABASE, t) : null;
        if (db != null) {
            slowdown *= db.slowdown();
        }
        // Six in a thousand calls fail on a good day: well inside the suppliers' 1.5% budgets, so that their alerts
        // fire for incidents, not for the noise of a quiet hour.
        double errorRate = inc == null ? 0.006 : inc.errorRate();
        double ms = medianMs * slowdown * Math.exp(0.6 * random.nextGaussian());
        String outcome = "ok";
        double r = random.nextDouble();
        if (r < errorRate) {
            outcome = r < errorRate * 0.2 ? "timeout" : "error";
        }
        if (outcome.equals("timeout")) {
            ms = Math.max(ms, 5000);
        }
        if (from.equals(TracedService.NAME) && !backfilling) {
            traced.call(t, op, to, ms, outcome, orderId, db != null);
            return;
        }
        StringBuilder json = new StringBuilder(256)
                .append("{\"time\":\"").append(Timestamps.format(t)).append("\",\"source\":\"").append(from)
                .append("\",\"name\":\"").append(op).append("\",\"kind\":\"call\",\"outcome\":\"").append(outcome)
                .append("\",\"durationMs\":").append(String.format(Locale.ROOT, "%.3f", ms))
                .append(",\"peer\":\"").append(to).append("\",\"unit\":\"").append(Estate.unitOf(from)).append('"');
        if (orderId != null) {
            json.append(",\"correlation\":{\"orderId\":\"").append(orderId).append("\"}");
        }
        if (Estate.SUPPLIERS.contains(to)) {
            json.append(",\"attributes\":{\"external\":true}");
        }
        json.append('}');
        if (random.nextDouble() < 0.001) {
            // A sender bug, as in any estate: the outcome is mistyped. Vigil reports it and keeps the rest.
            enqueue(json.toString().replace("\"outcome\":\"" + outcome + "\"", "\"outcome\":\"fail\""));
            return;
        }
        enqueue(json.toString());
    }

    private void enqueue(String json) {
        long release = System.nanoTime();
        if (!backfilling && random.nextDouble() < 0.03) {
            // Delivered late: held back 1 to 30 seconds, so it arrives after events that happened after it.
            release += (long) (1e9 * (1 + random.nextDouble() * 29));
        }
        outbox.add(new Outgoing(release, outSeq++, json));
    }

    private void maybeStartIncident(long now, double seconds) {
        incidents.removeIf(i -> i.untilMicros() < now);
        // On average one small incident every half hour, lasting 30 to 90 seconds, besides the scenarios.
        if (incidents.isEmpty() && random.nextDouble() < seconds / 1800) {
            List<String> targets = new ArrayList<>(Estate.SUPPLIERS);
            targets.add("warehouse");
            targets.add("catalog");
            String target = targets.get(random.nextInt(targets.size()));
            incidents.add(new Incident(target, now + (long) (1e6 * (30 + random.nextInt(60))),
                    4 + random.nextInt(6), 0.05 + random.nextDouble() * 0.15));
        }
    }

    private Incident incidentOn(String target, long t) {
        for (Incident i : incidents) {
            if (i.target().equals(target) && t <= i.untilMicros()) {
                return i;
            }
        }
        return null;
    }

    private int poisson(double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double l = Math.exp(-mean);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > l);
        return k - 1;
    }

    private void flush(long nowNanos) {
        StringBuilder body = new StringBuilder();
        while (!outbox.isEmpty() && outbox.peek().releaseNanos() <= nowNanos) {
            body.append(outbox.poll().json()).append('\n');
        }
        post(ingest, body);
        StringBuilder wms = new StringBuilder();
        warehouse.forEach(line -> wms.append(line).append('\n'));
        warehouse.clear();
        post(warehouseIngest, wms);
    }

    private void post(URI target, StringBuilder body) {
        if (body.isEmpty()) {
            return;
        }
        HttpRequest req = ndjson(target, body, Duration.ofSeconds(30));
        try {
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            // 400 with a per-item answer is expected now and then: the simulator sends a few malformed events.
            if (resp.statusCode() != 200 && resp.statusCode() != 400) {
                failedPosts.incrementAndGet();
                lastError = "HTTP " + resp.statusCode() + ": " + resp.body();
            }
        } catch (IOException e) {
            failedPosts.incrementAndGet();
            lastError = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** A POST of NDJSON lines, as any client of /ingest/events sends them. */
    private static HttpRequest ndjson(URI target, CharSequence body, Duration timeout) {
        return HttpRequest.newBuilder(target).timeout(timeout).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }
}
