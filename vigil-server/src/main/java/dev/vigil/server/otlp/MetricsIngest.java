package dev.vigil.server.otlp;

import dev.vigil.config.EstateDeclaration;
import dev.vigil.infra.NodeReading;
import dev.vigil.infra.OtelHostReading;
import dev.vigil.infra.OtelProcessReading;
import dev.vigil.server.ingest.StoreRefusal;
import dev.vigil.server.scrape.Scraper;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What both OTLP transports do with a metrics request: the host metrics of OpenTelemetry's system conventions
 * (the Collector's {@code hostmetrics} receiver) become the host's reading, folded into its minutes beside scraped
 * node exporters' ({@link OtelHostReading}); its process metrics become process groups' readings, folded into the
 * footprints beside process exporters' ({@link OtelProcessReading}). A request is acknowledged once each host's
 * minute it changed is in the store (a footprint minute is kept when it closes, as a scraped one). Points Vigil does
 * not keep are rejected by name in {@code partial_success}, never taken silently.
 */
public final class MetricsIngest implements OtlpExport {

    /** How many rejected metrics the partial-success message names one by one. */
    private static final int NAMED = 5;

    private final Scraper hosts;
    private final EstateDeclaration estate;

    public MetricsIngest(Scraper hosts, EstateDeclaration estate) {
        this.hosts = hosts;
        this.estate = estate;
    }

    @Override
    public String signal() {
        return "metrics";
    }

    @Override
    public String grpcPath() {
        return OtlpGrpcService.METRICS;
    }

    @Override
    public String rejectedField() {
        return "rejectedDataPoints";
    }

    @Override
    public byte[] response(int rejected, String message) {
        ExportMetricsServiceResponse.Builder response = ExportMetricsServiceResponse.newBuilder();
        if (rejected > 0) {
            response.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder().setRejectedDataPoints(rejected)
                    .setErrorMessage(message));
        }
        return response.build().toByteArray();
    }

    /** A host's readings from one request, and the time of their latest point. */
    private static final class Reading {
        final OtelHostReading otel = new OtelHostReading();
        boolean host;
        final OtelProcessReading processes = new OtelProcessReading();
        boolean process;
        long timeUnixNano;

        void at(long timeUnixNano) {
            this.timeUnixNano = Math.max(this.timeUnixNano, timeUnixNano);
        }
    }

    @Override
    public CompletableFuture<Outcome> export(byte[] bytes, int length, boolean json, java.util.concurrent.Executor blocking)
            throws Unreadable {
        OtlpMetrics request = OtlpMetrics.decode(bytes, length, json);
        if (request.total() == 0) {
            return CompletableFuture.completedFuture(new Stored(0, null));
        }
        Map<String, Reading> readings = new LinkedHashMap<>();
        // why -> metric -> points: each reason said once, after the metrics it applies to
        Map<String, Map<String, Integer>> rejectedBy = new LinkedHashMap<>();
        int rejected = 0;
        for (OtlpMetrics.Resource r : request.resources()) {
            String named = r.attributes().getOrDefault("host.name", r.attributes().get("host.id"));
            String host = named == null ? null : estate.host(named);
            String group = OtelProcessReading.groupOf(r.attributes());
            boolean counted = false;
            for (OtlpMetrics.Series s : r.metrics()) {
                Problem problem = problem(s, host, group);
                if (problem != null) {
                    rejected += s.count();
                    rejectedBy.computeIfAbsent(problem.why(), w -> new LinkedHashMap<>()).merge(problem.what(), s.count(),
                            Integer::sum);
                    continue;
                }
                Reading reading = readings.computeIfAbsent(host, h -> new Reading());
                boolean ofProcess = OtelProcessReading.METRICS.contains(s.name());
                if (ofProcess && !counted) {
                    reading.processes.process(group);
                    counted = true;
                }
                for (OtlpMetrics.Point p : s.points()) {
                    if (ofProcess) {
                        reading.processes.accept(group, s.name(), p.value());
                        reading.process = true;
                    } else {
                        reading.otel.accept(s.name(), p.attributes(), p.value());
                        reading.host = true;
                    }
                    reading.at(p.timeUnixNano());
                }
            }
        }
        String message = rejected == 0 ? null : describe(rejectedBy, rejected, request.total());
        if (readings.isEmpty()) {
            return CompletableFuture.completedFuture(new AllRejected(message));
        }
        int rejectedPoints = rejected;
        return CompletableFuture.supplyAsync(() -> {
            try {
                long now = System.currentTimeMillis();
                for (Map.Entry<String, Reading> e : readings.entrySet()) {
                    Reading r = e.getValue();
                    long at = r.timeUnixNano > 0 ? r.timeUnixNano / 1_000_000 : now;
                    if (r.host) {
                        NodeReading reading = r.otel.done();
                        hosts.observe(e.getKey(), at, reading);
                    }
                    if (r.process) {
                        hosts.observe(e.getKey(), at, r.processes.done());
                    }
                }
                return (Outcome) new Stored(rejectedPoints, message);
            } catch (java.sql.SQLException e) {
                return new NotStored(StoreRefusal.of(e));
            }
        }, blocking);
    }

    /** Which metric is not kept ({@code what}) and why: the same reason for many metrics is said once. */
    private record Problem(String what, String why) {
    }

    /** Why a metric's points are not kept, or null when they are. */
    private static Problem problem(OtlpMetrics.Series s, String host, String group) {
        boolean ofProcess = OtelProcessReading.METRICS.contains(s.name());
        if (!ofProcess && !OtelHostReading.METRICS.contains(s.name())) {
            return new Problem(s.name() + " (" + s.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")",
                    "not a host or process metric Vigil reads (it keeps OpenTelemetry's system.* host metrics and "
                    + "process.cpu.time, process.memory.usage, process.disk.io and jvm.cpu.time, listed in docs/TELEMETRY.md)");
        }
        if (host == null) {
            return new Problem(s.name(), "its resource has no host.name or host.id, so no host to place it on");
        }
        if (ofProcess && group == null) {
            return new Problem(s.name(), "its resource has no service.name or process.executable.name, so no service to "
                    + "count it to");
        }
        if (s.kind() != OtlpMetrics.Kind.GAUGE && s.kind() != OtlpMetrics.Kind.SUM) {
            return new Problem(s.name(), "a " + s.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + ", where Vigil reads a gauge or a sum");
        }
        if (s.kind() == OtlpMetrics.Kind.SUM && (OtelHostReading.COUNTERS.contains(s.name())
                || OtelProcessReading.COUNTERS.contains(s.name())) && !s.cumulative()) {
            return new Problem(s.name(), "delta temporality; send it cumulative (the Collector's hostmetrics receiver and "
                    + "the SDKs' default do)");
        }
        return null;
    }

    /** "3 of 40 data points rejected: 2 of http.server.duration (histogram): ...; 1 of ...". */
    private static String describe(Map<String, Map<String, Integer>> rejectedBy, int rejected, int total) {
        StringBuilder b = new StringBuilder().append(rejected).append(" of ").append(total)
                .append(total == 1 ? " data point" : " data points").append(" rejected");
        boolean first = true;
        for (Map.Entry<String, Map<String, Integer>> why : rejectedBy.entrySet()) {
            b.append(first ? ": " : "; ");
            first = false;
            List<Map.Entry<String, Integer>> metrics = new ArrayList<>(why.getValue().entrySet());
            for (int i = 0; i < Math.min(metrics.size(), NAMED); i++) {
                b.append(i == 0 ? "" : ", ").append(metrics.get(i).getValue()).append(" of ").append(metrics.get(i).getKey());
            }
            if (metrics.size() > NAMED) {
                b.append(" and ").append(metrics.size() - NAMED).append(" more metrics");
            }
            b.append(": ").append(why.getKey());
        }
        return b.toString();
    }
}
