package dev.vigil.app.demo;

import dev.vigil.event.Timestamps;
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
public final class Simulator implements Runnable {

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
    private final double eventsPerSecond;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PriorityQueue<Outgoing> outbox = new PriorityQueue<>((a, b) -> a.releaseNanos != b.releaseNanos
            ? Long.compare(a.releaseNanos, b.releaseNanos) : Long.compare(a.seq, b.seq));
    private final List<Order> orders = new ArrayList<>();
    private final List<Incident> incidents = new ArrayList<>();
    private long outSeq;
    private long orderSeq = 1000;
    private long shipmentSeq = 5000;
    private volatile boolean running = true;

    private final AtomicLong failedPosts = new AtomicLong();
    private volatile String lastError;

    public Simulator(URI baseUrl, double eventsPerSecond, long seed) {
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

    private void generate(long now, double seconds) {
        // About a third of the traffic is the process (7 steps per order), the rest background calls.
        double ordersPerTick = eventsPerSecond * seconds / 3 / STEPS.length;
        for (int i = poisson(ordersPerTick); i > 0; i--) {
            boolean b2b = random.nextDouble() < 0.3;
            String channel = b2b ? "b2b-portal" : random.nextBoolean() ? "web-shop" : "mobile-api";
            orders.add(new Order("O-" + (++orderSeq), channel, b2b ? "wholesale" : "retail",
                    now - random.nextInt(200_000), random.nextDouble() < 0.02));
        }
        advanceOrders(now);
        double callsPerTick = eventsPerSecond * seconds * 2 / 3;
        for (int i = poisson(callsPerTick); i > 0; i--) {
            Estate.Call c = Estate.CALLS.get(random.nextInt(Estate.CALLS.size()));
            emitCall(now - random.nextInt(100_000), c.from(), c.operation(), c.to(), c.medianMs(), null);
        }
        generateWarehouse(now, seconds);
        maybeStartIncident(now);
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
                emitCall(t, "shipping", "BookCarrier", "carrier-api", 250, null);
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
        double errorRate = inc == null ? 0.01 : inc.errorRate();
        double ms = medianMs * slowdown * Math.exp(0.6 * random.nextGaussian());
        String outcome = "ok";
        double r = random.nextDouble();
        if (r < errorRate) {
            outcome = r < errorRate * 0.2 ? "timeout" : "error";
        }
        if (outcome.equals("timeout")) {
            ms = Math.max(ms, 5000);
        }
        if (from.equals(TracedService.NAME)) {
            traced.call(t, op, to, ms, outcome, orderId);
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
        if (random.nextDouble() < 0.03) {
            // Delivered late: held back 1 to 30 seconds, so it arrives after events that happened after it.
            release += (long) (1e9 * (1 + random.nextDouble() * 29));
        }
        outbox.add(new Outgoing(release, outSeq++, json));
    }

    private void maybeStartIncident(long now) {
        incidents.removeIf(i -> i.untilMicros() < now);
        // On average one incident every three minutes, lasting 30 to 90 seconds.
        if (incidents.isEmpty() && random.nextDouble() < 0.1 / 180) {
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
        HttpRequest req = HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
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
}
