package dev.vigil.server.api;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.config.EstateDeclaration;
import dev.vigil.event.Timestamps;
import dev.vigil.infra.FootprintMinute;
import dev.vigil.infra.ServiceFootprint;
import dev.vigil.server.Json;
import dev.vigil.server.runtime.PipelineView;
import dev.vigil.server.scrape.Scraper;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.WindowSpan;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/footprints?minutes=60}: what each service uses of its hosts, measured per process group by a
 * process exporter ({@code prometheus-process-exporter}) on each host: CPU cores, resident memory and disk bytes per
 * minute, and per event of the service (its events in the same minutes). A group is the service of its own name
 * unless vigil.yaml's {@code estate.processGroups} names another.
 */
public final class FootprintsApi {

    private static final long MINUTE_MILLIS = 60_000;
    private static final Set<String> PARAMS = Set.of("minutes");

    private final PipelineView pipeline;
    private final Scraper scraper;
    private final EstateDeclaration estate;

    public FootprintsApi(PipelineView pipeline, Scraper scraper, EstateDeclaration estate) {
        this.pipeline = pipeline;
        this.scraper = scraper;
        this.estate = estate;
    }

    public HttpResponse footprints(ServiceRequestContext ctx) {
        int minutes;
        try {
            minutes = new Params(ctx.queryParams(), PARAMS).integer("minutes", 60, 1, 1440);
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return ApiService.blocking(ctx, () -> {
            long now = System.currentTimeMillis();
            long openMinute = Math.floorDiv(now, MINUTE_MILLIS) * MINUTE_MILLIS;
            long from = openMinute - minutes * MINUTE_MILLIS;
            List<FootprintMinute> all = scraper.footprints(from);
            OutputStore store = pipeline.store();
            Map<String, Map<Long, Long>> events = new TreeMap<>();
            for (FootprintMinute m : all) {
                String service = estate.serviceOfGroup(m.group());
                if (!events.containsKey(service)) {
                    Map<Long, Long> counts = new TreeMap<>();
                    for (OutputStore.KpiStep k : store.kpis(Dimension.SERVICE, service, null, from * 1000,
                            openMinute * 1000, WindowSpan.MINUTE)) {
                        counts.put(k.startMicros() / 1000, k.window().count());
                    }
                    events.put(service, counts);
                }
            }
            List<ServiceFootprint> services = ServiceFootprint.of(all, estate::serviceOfGroup, openMinute, events);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("from", Timestamps.format(from * 1000));
                g.writeStringField("to", Timestamps.format(now * 1000));
                g.writeStringField("method", "measured per process group (process exporter)");
                g.writeArrayFieldStart("services");
                for (ServiceFootprint s : services) {
                    g.writeStartObject();
                    g.writeStringField("service", s.service());
                    g.writeArrayFieldStart("groups");
                    for (String gr : s.groups()) {
                        g.writeString(gr);
                    }
                    g.writeEndArray();
                    g.writeArrayFieldStart("hosts");
                    for (String h : s.hosts()) {
                        g.writeString(h);
                    }
                    g.writeEndArray();
                    number(g, "cores", s.cores(), 1000);
                    number(g, "residentBytes", s.residentBytes(), 1);
                    g.writeNumberField("events", s.events());
                    number(g, "cpuMsPerEvent", s.cpuMsPerEvent(), 1000);
                    number(g, "diskBytesPerEvent", s.diskBytesPerEvent(), 1);
                    g.writeArrayFieldStart("minutes");
                    for (ServiceFootprint.Minute m : s.minutes()) {
                        g.writeStartObject();
                        g.writeStringField("minute", Timestamps.format(m.minuteStartMillis() * 1000));
                        g.writeBooleanField("closed", m.closed());
                        number(g, "cores", m.cores(), 1000);
                        number(g, "residentBytes", m.residentBytes(), 1);
                        number(g, "diskBytesPerSecond", m.diskBytesPerSecond(), 1);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        });
    }

    /** A figure rounded to 1/{@code scale}, or null where there is none (JSON has no NaN). */
    private static void number(com.fasterxml.jackson.core.JsonGenerator g, String field, double v, double scale)
            throws java.io.IOException {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, Math.round(v * scale) / scale);
        }
    }
}
