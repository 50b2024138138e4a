package dev.vigil.server.api;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.config.EstateDeclaration;
import dev.vigil.event.Timestamps;
import dev.vigil.infra.Alignment;
import dev.vigil.infra.HostMinute;
import dev.vigil.infra.ScrapeTarget;
import dev.vigil.server.Json;
import dev.vigil.server.runtime.PipelineView;
import dev.vigil.server.scrape.Scraper;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/alignment/{service}?minutes=60}: a service's minutes beside its hosts' on one time axis, and
 * what they say together ({@link Alignment}). A service's hosts are those its spans name (after vigil.yaml's
 * {@code estate.hostAliases}) and those whose scrape target carries the label {@code service} naming it.
 */
public final class AlignmentApi {

    private static final long MINUTE = WindowSpan.MINUTE.micros();
    private static final Set<String> PARAMS = Set.of("minutes");

    private final PipelineView pipeline;
    private final Scraper scraper;
    private final EstateDeclaration estate;
    private final List<ScrapeTarget> targets;

    public AlignmentApi(PipelineView pipeline, Scraper scraper, EstateDeclaration estate, List<ScrapeTarget> targets) {
        this.pipeline = pipeline;
        this.scraper = scraper;
        this.estate = estate;
        this.targets = targets;
    }

    public HttpResponse alignment(ServiceRequestContext ctx, String service) {
        int minutes;
        try {
            minutes = new Params(ctx.queryParams(), PARAMS).integer("minutes", 60, 10, 1440);
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return ApiService.blocking(ctx, () -> {
            long watermark = pipeline.status().watermark();
            long to = watermark == Long.MIN_VALUE ? WindowSpan.MINUTE.startOf(Timestamps.toMicros(java.time.Instant.now()))
                    : WindowSpan.MINUTE.startOf(watermark);
            long from = to - minutes * MINUTE;
            OutputStore store = pipeline.store();
            List<OutputStore.KpiStep> steps = store.kpis(Dimension.SERVICE, service, null, from, to, WindowSpan.MINUTE);
            Map<String, String> hosts = Placements.read(store, from, to, estate, targets,
                    scraper.footprints(from / 1000)).hostsOf(service);
            Map<String, List<HostMinute>> hostMinutes = new LinkedHashMap<>();
            for (String host : hosts.keySet()) {
                hostMinutes.put(host, scraper.minutes(host).stream()
                        .filter(m -> m.minuteStartMillis() * 1000 >= from && m.minuteStartMillis() * 1000 < to).toList());
            }
            List<Alignment.ServiceMinute> serviceMinutes = new ArrayList<>();
            for (OutputStore.KpiStep s : steps) {
                KpiWindow w = s.window();
                serviceMinutes.add(new Alignment.ServiceMinute(s.startMicros() / 1000, w.count(), w.durationAt(0.95) / 1000));
            }
            List<Alignment.Finding> findings = Alignment.findings(service, serviceMinutes, hostMinutes);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("service", service);
                g.writeStringField("from", Timestamps.format(from));
                g.writeStringField("to", Timestamps.format(to));
                Placements.write(g, "hosts", "host", hosts);
                g.writeArrayFieldStart("minutes");
                for (OutputStore.KpiStep s : steps) {
                    g.writeStartObject();
                    g.writeStringField("minute", Timestamps.format(s.startMicros()));
                    KpiJson.figures(g, s.window(), 60);
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeObjectFieldStart("hostMinutes");
                for (Map.Entry<String, List<HostMinute>> h : hostMinutes.entrySet()) {
                    g.writeArrayFieldStart(h.getKey());
                    for (HostMinute m : h.getValue()) {
                        HostsApi.minute(g, m);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
                g.writeArrayFieldStart("findings");
                for (Alignment.Finding f : findings) {
                    g.writeStartObject();
                    g.writeStringField("kind", f.kind());
                    g.writeStringField("host", f.host());
                    g.writeStringField("resource", f.resource());
                    g.writeNumberField("slowMinutes", f.slow());
                    g.writeNumberField("together", f.together());
                    g.writeNumberField("otherMinutes", f.others());
                    g.writeNumberField("otherSaturated", f.elsewhere());
                    g.writeNumberField("medianP95Ms", Math.round(f.medianP95() * 1000) / 1000.0);
                    g.writeNumberField("slowP95Ms", Math.round(f.slowP95() * 1000) / 1000.0);
                    g.writeStringField("sentence", f.sentence());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        });
    }
}
