package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.event.Timestamps;
import dev.vigil.infra.Headroom;
import dev.vigil.infra.HostMinute;
import dev.vigil.server.Json;
import dev.vigil.server.scrape.Scraper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/hosts}, {@code /api/v1/hosts/{host}} and {@code /api/v1/scrapes}: the hosts Vigil scrapes, each
 * minute of their resources (the USE view), and every scrape target's health.
 */
public final class HostsApi {

    private final Scraper scraper;
    private final dev.vigil.server.runtime.PipelineView pipeline;
    private final dev.vigil.config.EstateDeclaration estate;
    private final List<dev.vigil.infra.ScrapeTarget> targets;

    public HostsApi(Scraper scraper, dev.vigil.server.runtime.PipelineView pipeline, dev.vigil.config.EstateDeclaration estate,
                    List<dev.vigil.infra.ScrapeTarget> targets) {
        this.scraper = scraper;
        this.pipeline = pipeline;
        this.estate = estate;
        this.targets = targets;
    }

    /** The minutes a host's services are read over: the last hour, as the map's placements. */
    private static final long SERVICES_MINUTES = 60;

    /**
     * Per host, the services on it over the last hour and how each is known: spans, a scrape label, or its process
     * groups measured there (the same estate model the footprints and alignment read).
     */
    private Map<String, Map<String, String>> servicesOnHosts() throws java.sql.SQLException {
        long now = System.currentTimeMillis();
        long from = now - SERVICES_MINUTES * 60_000;
        return Placements.read(pipeline.store(), from * 1000, (now + 60_000) * 1000, estate, targets,
                scraper.footprints(from)).servicesOnHosts();
    }

    /** {@code GET /api/v1/scrapes}. */
    public HttpResponse scrapes(ServiceRequestContext ctx) {
        HttpResponse refused = Params.refuseAny(ctx);
        if (refused != null) {
            return refused;
        }
        List<Scraper.Health> health = scraper.health();
        return Json.response(HttpStatus.OK, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("targets");
            for (Scraper.Health h : health) {
                g.writeStartObject();
                g.writeStringField("url", h.url());
                g.writeStringField("host", h.host());
                g.writeNumberField("intervalSeconds", h.intervalMillis() / 1000.0);
                if (!h.labels().isEmpty()) {
                    g.writeObjectFieldStart("labels");
                    for (var l : new java.util.TreeMap<>(h.labels()).entrySet()) {
                        g.writeStringField(l.getKey(), l.getValue());
                    }
                    g.writeEndObject();
                }
                g.writeBooleanField("up", h.up());
                if (h.lastScrapeMillis() == 0) {
                    g.writeNullField("lastScrape");
                } else {
                    g.writeStringField("lastScrape", Timestamps.format(h.lastScrapeMillis() * 1000));
                    g.writeNumberField("durationMs", Math.round(h.durationMillis() * 100) / 100.0);
                }
                g.writeNumberField("samples", h.samples());
                g.writeNumberField("refusedLines", h.refusedLines());
                if (h.firstRefusedLine() != null) {
                    g.writeStringField("firstRefusedLine", h.firstRefusedLine());
                }
                if (h.lastError() == null) {
                    g.writeNullField("lastError");
                } else {
                    g.writeStringField("lastError", h.lastError());
                    g.writeStringField("lastErrorAt", Timestamps.format(h.lastErrorMillis() * 1000));
                }
                g.writeNumberField("scrapes", h.scrapes());
                g.writeNumberField("failures", h.failures());
                g.writeNumberField("skipped", h.skipped());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * {@code GET /api/v1/hosts}: each host with its latest minute and whether all its targets are up; a host whose
     * targets never answered is listed too, with no minute.
     */
    public HttpResponse hosts(ServiceRequestContext ctx) {
        HttpResponse refused = Params.refuseAny(ctx);
        if (refused != null) {
            return refused;
        }
        List<Scraper.Health> health = scraper.health();
        java.util.SortedSet<String> names = new java.util.TreeSet<>(scraper.hosts());
        health.forEach(h -> names.add(h.host()));
        return ApiService.blocking(ctx, () -> {
            Map<String, Map<String, String>> on = servicesOnHosts();
            return Json.response(HttpStatus.OK, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("hosts");
            for (String host : names) {
                List<HostMinute> minutes = scraper.minutes(host);
                g.writeStartObject();
                g.writeStringField("host", host);
                g.writeBooleanField("up", health.stream().filter(h -> h.host().equals(host)).allMatch(Scraper.Health::up));
                g.writeFieldName("latest");
                if (minutes.isEmpty()) {
                    g.writeNull();
                } else {
                    minute(g, minutes.get(minutes.size() - 1));
                }
                headroom(g, "1d", Headroom.of(minutes));
                Placements.write(g, "services", "service", on.getOrDefault(host, Map.of()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            });
        });
    }

    private static final java.util.Set<String> HOST_PARAMS = java.util.Set.of("period");
    /** As long as the scraper keeps minutes in the store. */
    private static final java.time.Duration LONGEST_PERIOD = Scraper.KEPT;

    /**
     * {@code GET /api/v1/hosts/{host}?period=1d}: the host's minutes, oldest first (the last one still open), and its
     * headroom over the period (1 minute to 90 days; minutes older than a day come from the store).
     */
    public HttpResponse host(ServiceRequestContext ctx, String host) {
        java.time.Duration period;
        String asked = null;
        try {
            asked = new Params(ctx.queryParams(), HOST_PARAMS).text("period");
            period = asked == null ? java.time.Duration.ofDays(1) : dev.vigil.config.Durations.parse(asked);
            if (period.compareTo(java.time.Duration.ofMinutes(1)) < 0 || period.compareTo(LONGEST_PERIOD) > 0) {
                throw new BadParameter("period", "period must be between 1m and 90d, such as 1h, 1d or 30d; found " + asked);
            }
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        } catch (IllegalArgumentException e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", "period must be a duration such as 1h, 1d or 30d; "
                    + "found " + asked, "period");
        }
        List<HostMinute> minutes = scraper.minutes(host);
        List<Scraper.Health> hostTargets = scraper.health().stream().filter(h -> h.host().equals(host)).toList();
        if (minutes.isEmpty() && hostTargets.isEmpty()) {
            return Json.error(HttpStatus.NOT_FOUND, "not_found", "no host " + host + " in any scrape or OTLP metrics: "
                    + "GET /api/v1/hosts lists the hosts, GET /api/v1/scrapes the targets and their health", "host");
        }
        String periodText = asked == null ? "1d" : asked;
        long from = System.currentTimeMillis() - period.toMillis();
        return ApiService.blocking(ctx, () -> {
            Headroom headroom = Headroom.of(scraper.history(host, from));
            Map<String, String> on = servicesOnHosts().getOrDefault(host, Map.of());
            return Json.response(HttpStatus.OK, g -> {
            g.writeStartObject();
            g.writeStringField("host", host);
            // a host that sends its own metrics (OTLP) has no target to be down
            g.writeBooleanField("up", hostTargets.stream().allMatch(Scraper.Health::up));
            headroom(g, periodText, headroom);
            Placements.write(g, "services", "service", on);
            g.writeArrayFieldStart("minutes");
            for (HostMinute m : minutes) {
                minute(g, m);
            }
            g.writeEndArray();
            g.writeEndObject();
            });
        });
    }

    /** Capacity and what is left of it at the 95th percentile peak over the period (null without minutes). */
    private static void headroom(JsonGenerator g, String period, Headroom h) throws IOException {
        if (h == null) {
            g.writeNullField("headroom");
            return;
        }
        g.writeObjectFieldStart("headroom");
        g.writeStringField("period", period);
        g.writeNumberField("minutes", h.minutes());
        g.writeNumberField("cpus", h.cpus());
        number(g, "cpuPeakP95", h.cpuPeakP95());
        number(g, "cpuHeadroomCores", Math.round(h.cpuHeadroomCores() * 1000) / 1000.0);
        number(g, "memoryBytes", h.memoryBytes());
        number(g, "memoryUsedP95", h.memoryUsedP95());
        number(g, "memoryHeadroomBytes", Math.round(h.memoryHeadroomBytes()));
        g.writeEndObject();
    }

    static void minute(JsonGenerator g, HostMinute m) throws IOException {
        g.writeStartObject();
        g.writeStringField("minute", Timestamps.format(m.minuteStartMillis() * 1000));
        g.writeNumberField("scrapes", m.scrapes());
        g.writeNumberField("cpus", m.cpus());
        number(g, "cpuUtilisation", m.cpuUtilisation());
        number(g, "cpuUtilisationMax", m.cpuUtilisationMax());
        number(g, "loadPerCore", m.loadPerCore());
        number(g, "cpuPressure", m.cpuPressure());
        number(g, "memoryUtilisation", m.memoryUtilisation());
        if (Double.isNaN(m.memoryTotalBytes())) {
            g.writeNullField("memoryTotalBytes");
        } else {
            g.writeNumberField("memoryTotalBytes", Math.round(m.memoryTotalBytes()));
        }
        number(g, "majorFaultsPerSecond", m.majorFaultsPerSecond());
        number(g, "diskBusy", m.diskBusy());
        number(g, "diskQueue", m.diskQueue());
        number(g, "filesystemFree", m.filesystemFree());
        number(g, "networkBytesPerSecond", m.networkBytesPerSecond());
        number(g, "networkErrorsPerSecond", m.networkErrorsPerSecond());
        number(g, "networkDropsPerSecond", m.networkDropsPerSecond());
        g.writeEndObject();
    }

    /**
     * A figure, or null where the exporter said nothing (JSON has no NaN): bytes and other large figures as whole
     * numbers, shares and rates to four decimals (0.7672, not 0.7671999999998661).
     */
    private static void number(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            g.writeNullField(field);
        } else if (Math.abs(v) >= 1000) {
            g.writeNumberField(field, Math.round(v));
        } else {
            g.writeNumberField(field, Math.round(v * 10_000) / 10_000.0);
        }
    }
}
