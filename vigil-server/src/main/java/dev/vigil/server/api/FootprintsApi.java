package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.config.EstateDeclaration;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Timestamps;
import dev.vigil.infra.FootprintMinute;
import dev.vigil.infra.HostMinute;
import dev.vigil.infra.HostShares;
import dev.vigil.infra.ScrapeTarget;
import dev.vigil.infra.ServiceFootprint;
import dev.vigil.server.Json;
import dev.vigil.server.runtime.PipelineView;
import dev.vigil.server.scrape.Scraper;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.WindowSpan;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/footprints?minutes=60}: what each service uses of its hosts. Measured per process group where a
 * process exporter ({@code prometheus-process-exporter}) or OpenTelemetry process metrics say so; otherwise, for a
 * service placed on a host (by its spans or a scrape label), estimated as its share of what the host used less its
 * measured groups, by the weights declared in vigil.yaml ({@code estate.weights}), and said to be an estimate. Per
 * minute, per event of the service and per case of its declared business transaction ({@code estate.transactions}),
 * with the earlier half of the period against the later. A group is the service of its own name unless
 * {@code estate.processGroups} names another.
 */
public final class FootprintsApi {

    private static final long MINUTE_MILLIS = 60_000;
    private static final Set<String> PARAMS = Set.of("minutes", "service");
    /** The steps the minutes are listed in: the finest that lists at most {@link #MAX_STEPS} of them. */
    private static final int[] STEP_MINUTES = {1, 5, 15, 30, 60};
    private static final int MAX_STEPS = 60;

    private final PipelineView pipeline;
    private final Scraper scraper;
    private final EstateDeclaration estate;
    private final Processes processes;
    private final List<ScrapeTarget> targets;

    public FootprintsApi(PipelineView pipeline, Scraper scraper, EstateDeclaration estate, Processes processes,
                         List<ScrapeTarget> targets) {
        this.pipeline = pipeline;
        this.scraper = scraper;
        this.estate = estate;
        this.processes = processes;
        this.targets = targets;
    }

    public HttpResponse footprints(ServiceRequestContext ctx) {
        int minutes;
        String only;
        try {
            Params params = new Params(ctx.queryParams(), PARAMS);
            minutes = params.integer("minutes", 60, 1, 1440);
            only = params.text("service");
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return ApiService.blocking(ctx, () -> {
            long now = System.currentTimeMillis();
            long openMinute = Math.floorDiv(now, MINUTE_MILLIS) * MINUTE_MILLIS;
            long from = openMinute - minutes * MINUTE_MILLIS;
            List<FootprintMinute> measured = scraper.footprints(from);
            OutputStore store = pipeline.store();
            Map<String, Set<String>> placed = Placements.read(store, from * 1000, (openMinute + MINUTE_MILLIS) * 1000,
                    estate, targets, measured).servicesByHost();
            if (only != null) {
                // One service's footprint needs its own groups, its hosts, and what else runs there (their measured
                // use is taken off the host's before shares are made): the rest of the estate is left unread.
                placed.values().removeIf(services -> !services.contains(only));
                measured = measured.stream().filter(m -> placed.containsKey(m.host())
                        || only.equals(estate.serviceOfGroup(m.group()))).toList();
            }
            Map<String, List<HostMinute>> hostMinutes = new TreeMap<>();
            for (String host : placed.keySet()) {
                hostMinutes.put(host, scraper.minutes(host).stream().filter(m -> m.minuteStartMillis() >= from).toList());
            }
            List<FootprintMinute> estimated = HostShares.estimate(hostMinutes, measured, estate::serviceOfGroup, placed,
                    estate::weight);
            List<ServiceFootprint> services = ServiceFootprint.of(measured, estimated, estate::serviceOfGroup, openMinute,
                    counts(store, only, from, openMinute));
            int step = stepMinutes(minutes);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("from", Timestamps.format(from * 1000));
                g.writeStringField("to", Timestamps.format(now * 1000));
                g.writeNumberField("stepMinutes", step);
                g.writeArrayFieldStart("services");
                for (ServiceFootprint s : services) {
                    if (only == null || only.equals(s.service())) {
                        write(g, s, step);
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        });
    }

    /**
     * Every service's (or only one's) events per minute, and the cases begun per minute of each declared
     * transaction's process.
     */
    private ServiceFootprint.Counts counts(OutputStore store, String only, long from, long to) throws java.sql.SQLException {
        Map<String, Map<Long, Long>> events = new HashMap<>();
        // A service's own events; for one that sends none (a database, a service seen only by its callers), the
        // calls into it as its callers saw them.
        for (Dimension d : new Dimension[] {Dimension.SERVICE, Dimension.PEER}) {
            store.countsPerMinute(d, only, from * 1000, to * 1000).forEach((service, perMinute) -> {
                if (!events.containsKey(service)) {
                    Map<Long, Long> millis = new HashMap<>();
                    perMinute.forEach((micros, n) -> millis.put(micros / 1000, n));
                    events.put(service, millis);
                }
            });
        }
        Map<String, Map<Long, Long>> begun = new HashMap<>();
        java.util.SortedSet<String> wanted = new java.util.TreeSet<>();
        estate.transactions().forEach((service, process) -> {
            if (only == null || only.equals(service)) {
                wanted.add(process);
            }
        });
        for (String process : wanted) {
            int p = processes.indexOf(process);
            if (p < 0) {
                continue;
            }
            Map<Long, Long> perMinute = new HashMap<>();
            for (OutputStore.KpiStep k : store.kpis(Dimension.PROCESS_ACTIVITY, process, processes.get(p).start(),
                    from * 1000, to * 1000, WindowSpan.MINUTE)) {
                perMinute.put(k.startMicros() / 1000, k.window().count());
            }
            begun.put(process, perMinute);
        }
        Map<String, Map<Long, Long>> transactions = new HashMap<>();
        estate.transactions().forEach((service, process) -> transactions.put(service, begun.getOrDefault(process, Map.of())));
        return new ServiceFootprint.Counts(events, transactions, estate.transactions());
    }

    /** The finest step that lists a range's minutes in at most {@link #MAX_STEPS} points: a day of minutes is 48. */
    static int stepMinutes(int minutes) {
        for (int step : STEP_MINUTES) {
            if ((minutes + step - 1) / step <= MAX_STEPS) {
                return step;
            }
        }
        return STEP_MINUTES[STEP_MINUTES.length - 1];
    }

    private static void write(JsonGenerator g, ServiceFootprint s, int step) throws IOException {
        g.writeStartObject();
        g.writeStringField("service", s.service());
        g.writeStringField("method", s.method().wire());
        if (s.method() != ServiceFootprint.Method.MEASURED) {
            g.writeStringField("estimate", "the use of hosts no process exporter measures the service on, less their "
                    + "measured process groups, shared among the services placed on each by their declared weights "
                    + "(estate.weights; 1 when not declared): an upper bound, as it includes the operating system");
        }
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
        if (s.transaction() != null) {
            g.writeObjectFieldStart("perTransaction");
            g.writeStringField("process", s.transaction());
            g.writeNumberField("cases", s.transactions());
            number(g, "cpuMs", s.cpuMsPerTransaction(), 1000);
            number(g, "diskBytes", s.diskBytesPerTransaction(), 1);
            g.writeEndObject();
        }
        g.writeObjectFieldStart("trend");
        number(g, "earlierCores", s.trend().earlierCores(), 1000);
        number(g, "laterCores", s.trend().laterCores(), 1000);
        number(g, "earlierCpuMsPerEvent", s.trend().earlierCpuMsPerEvent(), 1000);
        number(g, "laterCpuMsPerEvent", s.trend().laterCpuMsPerEvent(), 1000);
        g.writeEndObject();
        g.writeArrayFieldStart("minutes");
        for (ServiceFootprint.Minute m : ServiceFootprint.inSteps(s.minutes(), step * MINUTE_MILLIS)) {
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

    /** A figure rounded to 1/{@code scale}, or null where there is none (JSON has no NaN). */
    private static void number(JsonGenerator g, String field, double v, double scale) throws IOException {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            g.writeNullField(field);
        } else if (scale == 1) {
            g.writeNumberField(field, Math.round(v));
        } else {
            g.writeNumberField(field, Math.round(v * scale) / scale);
        }
    }
}
