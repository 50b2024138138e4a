package dev.vigil.bench;

import com.google.protobuf.ByteString;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.store.EventStore;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * How fast the estate's views answer over an estate of {@code services} services on {@code hosts} hosts with
 * {@code minutes} minutes of history (a day by default), everything in one real server:
 * <ul>
 *   <li>spans sent over OTLP/HTTP: each minute, each service serves one request that calls the next service, which
 *       serves it (three spans a trace, so every minute has a paired edge per service, its placement and
 *       instance, and its service and operation series);</li>
 *   <li>each host's minutes and each measured service's footprint minutes written to the store before the server
 *       starts (the server puts the last day back in memory, as after a restart): a day of scrapes of 300 hosts
 *       would take a day to make;</li>
 *   <li>once the pipeline and the event table have caught up and the roll-ups reach the last minutes, each view
 *       asked {@code rounds} times, one at a time, after three unmeasured asks: the map ({@code /api/v1/estate}), one
 *       service's footprint (what its page asks), every service's footprint, and one service's alignment, each over
 *       15 or 60 minutes and over the whole day.</li>
 * </ul>
 * Prints the volumes and, per view, the first answer (nothing of it read before: the store keeps rolled stretches it
 * has merged), then over the measured asks the median, the 90th percentile, the fastest and the slowest, and the size.
 *
 * <pre>java -Xmx4g -cp vigil-bench/target/benchmarks.jar dev.vigil.bench.EstateViewsLoad 1000 300 1440 20</pre>
 */
public final class EstateViewsLoad {

    private static final long MINUTE = 60_000;

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int hosts = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int minutes = args.length > 2 ? Integer.parseInt(args[2]) : 1440;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        Path dir = Files.createTempDirectory("vigil-estate-views");
        long now = System.currentTimeMillis();
        long first = (now / MINUTE - minutes) * MINUTE;
        long t0 = System.nanoTime();
        seedHosts(dir, services, hosts, minutes, first);
        System.out.printf(Locale.ROOT, "seeded %,d host minutes and %,d footprint minutes in %.0f s%n",
                (long) hosts * minutes, (long) measured(services) * minutes, (System.nanoTime() - t0) / 1e9);
        ServerOptions options = ServerOptions.defaults(dir).withPort(0).withBindAddress("127.0.0.1")
                .withConfig(ConfigLoader.parse("pipeline: {allowedLateness: 5s, maxLateness: 2m}\n", "vigil.yaml"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try (VigilServer server = VigilServer.start(options)) {
            String base = "http://127.0.0.1:" + server.port();
            t0 = System.nanoTime();
            long spans = 0;
            for (int m = 0; m < minutes; m++) {
                byte[] body = minuteOfSpans(services, hosts, first + m * MINUTE, m).toByteArray();
                spans += 3L * services;
                send(http, base, body);
                if (m % 120 == 0) {
                    System.out.printf(Locale.ROOT, "  minute %d of %d sent (%,d spans)%n", m, minutes, spans);
                }
            }
            System.out.printf(Locale.ROOT, "sent %,d spans in %.0f s; waiting for the pipeline and the event table%n",
                    spans, (System.nanoTime() - t0) / 1e9);
            waitCaughtUp(http, base, first + (minutes - 1) * MINUTE);
            System.out.printf(Locale.ROOT, "caught up %.0f s after the first span; store %,d MiB%n",
                    (System.nanoTime() - t0) / 1e9, sizeMiB(dir));
            // What the views hold, so that a fast answer is not an empty one.
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            var estate = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/estate?minutes=15"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            var footprints = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/footprints?minutes=60"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            long estimated = 0;
            for (var f : footprints.get("services")) {
                estimated += f.get("method").asText().equals("estimated") ? 1 : 0;
            }
            int units = 0;
            for (var u : estate.get("units")) {
                units += u.get("services").size();
            }
            System.out.printf(Locale.ROOT, "the map holds %d services and %d calls (%d unpaired); footprints: %d services, "
                    + "%d of them estimated%n", units, estate.get("calls").size(), estate.get("unpaired").size(),
                    footprints.get("services").size(), estimated);
            String service = "svc-" + (services / 2);
            String[] views = {
                    "/api/v1/estate?minutes=15", "/api/v1/estate?minutes=" + Math.min(1440, minutes),
                    "/api/v1/footprints?minutes=60&service=" + service,
                    "/api/v1/footprints?minutes=" + Math.min(1440, minutes) + "&service=" + service,
                    "/api/v1/footprints?minutes=60", "/api/v1/footprints?minutes=" + Math.min(1440, minutes),
                    "/api/v1/alignment/" + service + "?minutes=60",
                    "/api/v1/alignment/" + service + "?minutes=" + Math.min(1440, minutes)};
            System.out.printf(Locale.ROOT, "%-58s %9s %9s %9s %9s %9s %11s%n", "view", "first ms", "median ms", "p90 ms",
                    "min ms", "max ms", "bytes");
            for (String view : views) {
                double[] ms = new double[rounds];
                double firstAsk = 0;
                long bytes = 0;
                for (int i = -3; i < rounds; i++) {
                    long start = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + view)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    double took = (System.nanoTime() - start) / 1e6;
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(view + " answered " + r.statusCode() + ": " + new String(r.body()));
                    }
                    bytes = r.body().length;
                    if (i >= 0) {
                        ms[i] = took;
                    } else if (i == -3) {
                        firstAsk = took;
                    }
                }
                Arrays.sort(ms);
                System.out.printf(Locale.ROOT, "%-58s %9.1f %9.1f %9.1f %9.1f %9.1f %,11d%n", view, firstAsk, ms[rounds / 2],
                        ms[(int) Math.ceil(rounds * 0.9) - 1], ms[0], ms[rounds - 1], bytes);
            }
        }
    }

    /** Seven services in ten have a process group measured; the others are estimated from their hosts. */
    private static int measured(int services) {
        return services * 7 / 10;
    }

    private static String host(int service, int hosts) {
        return "host-" + (service % hosts);
    }

    /**
     * Writes the hosts' and footprints' minutes straight into the store's tables in two statements (the folder is
     * made by the store first, so the tables are its own): through {@link dev.vigil.store.HostStore}, row by row as
     * the scraper writes them, 1.4 million minutes would take most of an hour to seed.
     */
    private static void seedHosts(Path dir, int services, int hosts, int minutes, long first) throws Exception {
        EventStore.open(dir, EventStore.Options.DEFAULT).close();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(EventStore.FILE_NAME));
             java.sql.Statement st = c.createStatement()) {
            st.execute("SELECT setseed(0.11)");
            st.execute(String.format(Locale.ROOT, """
                    INSERT INTO host_minutes
                    SELECT 'host-' || h, make_timestamp((%d + m * 60000) * 1000), 4, 8, cpu, least(1, cpu + 0.1), cpu * 1.2,
                           0.02, 0.6, 32e9, 0.1, 0.2, 0.05, 0.4, 2e6, 0, 0
                    FROM (SELECT h, m, 0.2 + 0.5 * random() AS cpu FROM range(%d) t(h), range(%d) u(m))""",
                    first, hosts, minutes));
            st.execute(String.format(Locale.ROOT, """
                    INSERT INTO footprint_minutes
                    SELECT 'host-' || (s %% %d), 'svc-' || s, make_timestamp((%d + m * 60000) * 1000), 4,
                           0.1 + 0.3 * random(), 5e8, 1e4, 2
                    FROM range(%d) t(s), range(%d) u(m)""", hosts, first, measured(services), minutes));
        }
    }

    /**
     * One minute of traffic: each service's trace (its SERVER span, its CLIENT span to the next service, that
     * service's SERVER span under it), grouped by service as an SDK batches them.
     */
    static ExportTraceServiceRequest minuteOfSpans(int services, int hosts, long minuteStart, int minute) {
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        for (int s = 0; s < services; s++) {
            ScopeSpans.Builder scope = ScopeSpans.newBuilder();
            long at = (minuteStart + (s % 50) * 1000L) * 1_000_000L;
            ByteString trace = id(16, minute, s);
            ByteString root = id(8, minute, s * 4 + 1);
            ByteString client = id(8, minute, s * 4 + 2);
            scope.addSpans(span(trace, root, ByteString.EMPTY, "GET /op", Span.SpanKind.SPAN_KIND_SERVER, at, 20));
            scope.addSpans(span(trace, client, root, "call", Span.SpanKind.SPAN_KIND_CLIENT, at + 2_000_000, 10)
                    .addAttributes(attr("peer.service", "svc-" + ((s + 1) % services))));
            // the SERVER span this service served for the previous service's call
            int caller = (s + services - 1) % services;
            long callerAt = (minuteStart + (caller % 50) * 1000L) * 1_000_000L;
            scope.addSpans(span(id(16, minute, caller), id(8, minute, caller * 4 + 3), id(8, minute, caller * 4 + 2),
                    "GET /op", Span.SpanKind.SPAN_KIND_SERVER, callerAt + 3_000_000, 8));
            request.addResourceSpans(ResourceSpans.newBuilder().setResource(Resource.newBuilder()
                    .addAttributes(attr("service.name", "svc-" + s))
                    .addAttributes(attr("service.instance.id", "svc-" + s + "-1"))
                    .addAttributes(attr("host.name", host(s, hosts))))
                    .addScopeSpans(scope));
        }
        return request.build();
    }

    private static Span.Builder span(ByteString trace, ByteString id, ByteString parent, String name, Span.SpanKind kind,
                                     long startNanos, long millis) {
        return Span.newBuilder().setTraceId(trace).setSpanId(id).setParentSpanId(parent).setName(name).setKind(kind)
                .setStartTimeUnixNano(startNanos).setEndTimeUnixNano(startNanos + millis * 1_000_000L);
    }

    private static ByteString id(int bytes, int minute, int n) {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        if (bytes == 16) {
            b.putLong(0x5157_0000_0000_0000L | minute);
        }
        b.putLong(((long) minute << 32) | n);
        return ByteString.copyFrom(b.array());
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static void send(HttpClient http, String base, byte[] body) throws Exception {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
                    .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return;
            }
            if (r.statusCode() != 503 || attempt > 100) {
                throw new IllegalStateException("/v1/traces answered " + r.statusCode() + ": " + r.body());
            }
            Thread.sleep(500);
        }
    }

    /**
     * Until the event table and the pipeline have every acknowledged record and the roll-ups reach the last minute
     * sent less the lateness and a period: the state of a server that has caught up.
     */
    private static void waitCaughtUp(HttpClient http, String base, long lastMinute) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        while (true) {
            var status = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/status")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            long events = status.at("/loaderBacklog/events").asLong();
            long behind = status.at("/pipelineRecordsBehind").asLong();
            // Rolled up to within maxLateness and a period of the watermark: the state a server is in once caught up.
            String rolled = status.at("/rolledUpTo/tenMinutes").asText(null);
            boolean rolledUp = rolled != null && java.time.Instant.parse(rolled).toEpochMilli() >= lastMinute - 15 * MINUTE;
            if (events == 0 && behind == 0 && rolledUp) {
                return;
            }
            System.out.printf(Locale.ROOT, "  event table %,d events behind, pipeline %,d records behind, rolled up to %s%n",
                    events, behind, rolled);
            Thread.sleep(5000);
        }
    }

    private static long sizeMiB(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() >> 20;
        }
    }
}
