package dev.vigil.server.api;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.event.StoredEvent;
import dev.vigil.query.EventPage;
import dev.vigil.query.EventQuery;
import dev.vigil.query.IngestStats;
import dev.vigil.query.PageCursor;
import dev.vigil.server.Json;
import dev.vigil.correlate.CaseRecord;
import dev.vigil.correlate.CaseStatus;
import dev.vigil.event.Timestamps;
import dev.vigil.event.WireName;
import dev.vigil.order.LateCounts;
import dev.vigil.server.runtime.PipelineRuntime;
import dev.vigil.server.runtime.PipelineView;
import dev.vigil.store.EventStore;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.util.List;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.vigil.server.report.ContractReport;
import dev.vigil.server.report.ReportRequest;

/** The read side of the JSON API under {@code /api/v1}. Queries run on the blocking executor, never on an event loop. */
public final class ApiService {

    private static final Logger LOG = LoggerFactory.getLogger(ApiService.class);
    private static final Set<String> EVENT_PARAMS = Set.of("source", "name", "peer", "outcome", "key", "from", "to", "limit",
            "cursor", "order");

    private static final Set<String> KPI_PARAMS = Set.of("dimension", "key", "name", "from", "to", "step");
    private static final Set<String> SERIES_PARAMS = Set.of("dimension", "from", "to");
    private static final Set<String> CASE_PARAMS = Set.of("process", "status", "from", "to", "key", "limit", "order", "cursor");
    private static final Set<String> REPORT_PARAMS = Set.of("contract", "unit", "all", "period", "format", "zone");
    private static final int MAX_STEPS = 10_000;

    private final EventStore journal;
    private final PipelineView pipeline;
    /** The journal\'s forwarding to Kafka, or null. */
    private final dev.vigil.server.runtime.JournalForwarder forwarder;
    private final dev.vigil.server.runtime.ObjectivesRuntime objectives;
    private final List<dev.vigil.assess.Contract> contracts;

    public ApiService(EventStore journal, PipelineView pipeline, dev.vigil.server.runtime.ObjectivesRuntime objectives,
                      List<dev.vigil.assess.Contract> contracts, dev.vigil.server.runtime.JournalForwarder forwarder) {
        this.forwarder = forwarder;
        this.journal = journal;
        this.pipeline = pipeline;
        this.objectives = objectives;
        this.contracts = List.copyOf(contracts);
    }

    /**
     * {@code GET /api/v1/contracts}: each contract with its objectives' standing in their current period and,
     * for each, the strictest penalty band its achieved value falls below.
     */
    public HttpResponse contracts(ServiceRequestContext ctx) {
        return blocking(ctx, () -> objectives.current(judged -> Json.response(HttpStatus.OK, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("contracts");
            for (var c : contracts) {
                g.writeStartObject();
                dev.vigil.server.report.ReportJson.contract(g, c);
                g.writeStringField("period", c.period());
                g.writeArrayFieldStart("objectives");
                for (String name : c.objectives()) {
                    var s = judged.stream().filter(x -> x.objective().name().equals(name)).findFirst().orElse(null);
                    g.writeStartObject();
                    g.writeStringField("name", name);
                    if (s != null && s.evaluatedTo() != Long.MIN_VALUE) {
                        var st = s.ledger().status(s.evaluatedTo());
                        var f = s.ledger().forecast(s.evaluatedTo(), Health.FORECAST_PACE);
                        double achieved = st.achieved();
                        ObjectiveJson.period(g, f);
                        if (!Double.isNaN(achieved)) {
                            // So far: the period may not be over; "met" and the band are as of now, the forecast
                            // says where the period is heading.
                            g.writeNumberField("achievedPercent", 100 * achieved);
                            g.writeBooleanField("met", achieved >= s.objective().spec().target());
                            dev.vigil.server.report.ReportJson.penaltyBand(g, c.bandReached(s.objective().name(), 100 * achieved));
                        }
                        if (f.inProgress() && !Double.isNaN(f.achieved())) {
                            g.writeObjectFieldStart("forecast");
                            g.writeNumberField("achievedPercent", 100 * f.achieved());
                            g.writeBooleanField("met", f.achieved() >= s.objective().spec().target());
                            dev.vigil.server.report.ReportJson.penaltyBand(g, c.bandReached(s.objective().name(), 100 * f.achieved()));
                            g.writeNumberField("paceCoverage", Math.round(f.paceCoverage() * 1e4) / 1e4);
                            g.writeEndObject();
                        }
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        })));
    }

    /**
     * {@code GET /api/v1/reports}: a period report of one contract, a business unit's contracts or all, as
     * HTML (the default), CSV or JSON (docs/API.md).
     */
    public HttpResponse report(ServiceRequestContext ctx) {
        ReportRequest request;
        try {
            Params p = new Params(ctx.queryParams(), REPORT_PARAMS);
            String all = p.text("all");
            if (all != null && !all.equals("true") && !all.equals("false")) {
                throw new BadParameter("all", "\"all\" is true or false");
            }
            request = ReportRequest.of(p.text("contract"), p.text("unit"), "true".equals(all), p.text("period"),
                    p.text("format"), p.text("zone"));
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        } catch (ReportRequest.Invalid e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        List<dev.vigil.assess.Objective> declared = objectives.states().stream().map(s -> s.objective()).toList();
        return blocking(ctx, () -> {
            ContractReport report;
            try {
                report = ContractReport.build(declared, contracts, pipeline.store(), request,
                        dev.vigil.event.Timestamps.toMicros(java.time.Instant.now()));
            } catch (ReportRequest.Invalid e) {
                return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
            }
            var headers = com.linecorp.armeria.common.ResponseHeaders.builder(HttpStatus.OK)
                    .contentType(com.linecorp.armeria.common.MediaType.parse(request.format().mediaType));
            if (request.format() == ReportRequest.Format.CSV) {
                headers.set("Content-Disposition", "attachment; filename=\"" + request.fileName() + "\"");
            }
            return HttpResponse.of(headers.build(), com.linecorp.armeria.common.HttpData.wrap(request.format().render(report)));
        });
    }

    /** {@code GET /api/v1/objectives}: every objective's standing in its current period. */
    public HttpResponse objectives(ServiceRequestContext ctx) {
        return blocking(ctx, () -> objectives.current(judged -> Json.response(HttpStatus.OK, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("objectives");
            for (var s : judged) {
                ObjectiveJson.write(g, s);
            }
            g.writeEndArray();
            g.writeEndObject();
        })));
    }

    /** {@code GET /api/v1/objectives/{name}}: one objective, and its budget and burn rates through the period. */
    public HttpResponse objective(ServiceRequestContext ctx, String name) {
        return blocking(ctx, () -> objectives.current(judged -> {
            var s = judged.stream().filter(x -> x.objective().name().equals(name)).findFirst().orElse(null);
            if (s == null) {
                return Json.error(HttpStatus.NOT_FOUND, "not_found", "no objective " + name
                        + " (GET /api/v1/objectives lists them; they come from the OpenSLO files vigil.yaml names)", null);
            }
            return Json.response(HttpStatus.OK, g -> ObjectiveJson.history(g, s));
        }));
    }

    /** {@code GET /api/v1/kpis}: one series' windows, merged into steps of 1m, 1h or 1d. */
    public HttpResponse kpis(ServiceRequestContext ctx) {
        Dimension dimension;
        String key;
        String name;
        WindowSpan step;
        long from;
        long to;
        try {
            Params p = new Params(ctx.queryParams(), KPI_PARAMS);
            dimension = dimension(p);
            key = p.text("key");
            if (key == null) {
                throw new BadParameter("key", "\"key\" is required: the service, process, peer or unit, e.g. key=billing "
                        + "(GET /api/v1/kpis/series lists them)");
            }
            name = p.text("name");
            String s = p.text("step");
            step = s == null ? WindowSpan.MINUTE : java.util.Arrays.stream(WindowSpan.values()).filter(w -> w.wire().equals(s))
                    .findFirst().orElseThrow(() -> new BadParameter("step", "\"step\" must be 1m, 1h or 1d, not \"" + s + "\""));
            long[] range = range(p, step);
            from = range[0];
            to = range[1];
            if ((to - from) / step.micros() > MAX_STEPS) {
                throw new BadParameter("from", "the range holds more than " + MAX_STEPS + " steps of " + step.wire()
                        + "; narrow it or use a coarser step");
            }
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return blocking(ctx, () -> {
            // Read before the windows: a minute closed after this has its window written after it, never before.
            long watermark = pipeline.status().watermark();
            List<OutputStore.KpiStep> steps = pipeline.store().kpis(dimension, key, name, from, to, step);
            if (steps.isEmpty() && !pipeline.store().hasSeries(dimension, key, name)) {
                return Json.error(HttpStatus.NOT_FOUND, "not_found", "no " + dimension.wire() + " series '" + key + "'"
                        + (name == null ? "" : " named '" + name + "'") + " has any KPI window (names are exact; "
                        + "GET /api/v1/kpis/series?dimension=" + dimension.wire() + " lists them)", "key");
            }
            // Minutes the watermark has not closed have no window yet: listing them as 0 would read as a drop.
            long closedUntil = watermark == Long.MIN_VALUE ? Long.MIN_VALUE : WindowSpan.MINUTE.startOf(watermark);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("dimension", dimension.wire());
                g.writeStringField("key", key);
                if (name != null) {
                    g.writeStringField("name", name);
                }
                g.writeStringField("step", step.wire());
                g.writeStringField("from", Timestamps.format(from));
                g.writeStringField("to", Timestamps.format(to));
                g.writeNumberField("relativeError", KpiWindow.RELATIVE_ACCURACY);
                g.writeStringField("percentiles", "each pNN is within relativeError of the exact duration percentile "
                        + "(DDSketch); count, errors and rate are exact");
                if (closedUntil == Long.MIN_VALUE) {
                    g.writeNullField("closedUntil");
                } else {
                    g.writeStringField("closedUntil", Timestamps.format(closedUntil));
                }
                g.writeArrayFieldStart("points");
                int i = 0;
                for (long t = from; t < to && t < closedUntil; t += step.micros()) {
                    KpiWindow w = i < steps.size() && steps.get(i).startMicros() == t ? steps.get(i++).window() : null;
                    g.writeStartObject();
                    g.writeStringField("start", Timestamps.format(t));
                    // An hour or a day still going: its closed minutes so far, its rate over them.
                    boolean partial = t + step.micros() > closedUntil;
                    KpiJson.figures(g, w, ((partial ? closedUntil : t + step.micros()) - t) / 1e6);
                    if (partial) {
                        g.writeBooleanField("partial", true);
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        });
    }

    /** {@code GET /api/v1/kpis/series}: which keys and names a dimension has windows for. */
    public HttpResponse series(ServiceRequestContext ctx) {
        Dimension dimension;
        long from;
        long to;
        try {
            Params p = new Params(ctx.queryParams(), SERIES_PARAMS);
            dimension = dimension(p);
            long[] range = range(p, WindowSpan.HOUR);
            from = range[0];
            to = range[1];
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return blocking(ctx, () -> {
            List<OutputStore.Series> list = pipeline.store().series(dimension, from, to);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("dimension", dimension.wire());
                g.writeArrayFieldStart("series");
                for (OutputStore.Series s : list) {
                    g.writeStartObject();
                    g.writeStringField("key", s.key());
                    if (!s.name().isEmpty()) {
                        g.writeStringField("name", s.name());
                    }
                    g.writeNumberField("count", s.count());
                    g.writeNumberField("errors", s.errors());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        });
    }

    private static Dimension dimension(Params p) {
        String d = p.text("dimension");
        if (d == null) {
            throw new BadParameter("dimension", "\"dimension\" is required: one of " + WireName.list(Dimension.values()));
        }
        return WireName.parse(Dimension.values(), d).orElseThrow(() -> new BadParameter("dimension",
                "unknown dimension \"" + d + "\": use one of " + WireName.list(Dimension.values())));
    }

    /** [from, to) aligned to the step; by default the last hour (1m), day (1h) or 30 days (1d). */
    private static long[] range(Params p, WindowSpan step) {
        Long from = p.time("from");
        Long to = p.time("to");
        long end = to != null ? to : Timestamps.toMicros(java.time.Instant.now()) + step.micros();
        end = step.startOf(end - 1) + step.micros();
        long span = switch (step) {
            case MINUTE -> 3_600_000_000L;
            case HOUR -> 86_400_000_000L;
            case DAY -> 30 * 86_400_000_000L;
        };
        long start = step.startOf(from != null ? from : end - span);
        if (start >= end) {
            throw new BadParameter("from", "\"from\" must be before \"to\"");
        }
        return new long[] {start, end};
    }

    /** {@code GET /api/v1/cases}. */
    public HttpResponse cases(ServiceRequestContext ctx) {
        OutputStore.CaseQuery q;
        try {
            Params p = new Params(ctx.queryParams(), CASE_PARAMS);
            String st = p.text("status");
            CaseStatus status = st == null ? null : WireName.parse(CaseStatus.values(), st).orElseThrow(() ->
                    new BadParameter("status", "unknown status \"" + st + "\": use one of " + WireName.list(CaseStatus.values())));
            Params.KeyFilter key = p.key();
            boolean desc = p.descending();
            Long afterTime = null;
            String afterId = null;
            String cursor = p.text("cursor");
            if (cursor != null) {
                String[] c = decodeCaseCursor(cursor);
                if (c == null || !c[2].equals(desc ? "d" : "a")) {
                    throw new BadParameter("cursor", "\"cursor\" is not one this server gave out for this order; pass back "
                            + "the \"next\" value of the previous page");
                }
                afterTime = Long.parseLong(c[0]);
                afterId = c[1];
            }
            int limit = p.integer("limit", 100, 1, 1000);
            q = new OutputStore.CaseQuery(p.text("process"), status, p.time("from"), p.time("to"),
                    key == null ? null : key.name(), key == null ? null : key.value(), limit, desc, afterTime, afterId);
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return blocking(ctx, () -> {
            long watermark = pipeline.status().watermark();
            List<CaseRecord> page = pipeline.store().cases(q);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                writeWatermark(g, watermark);
                g.writeArrayFieldStart("cases");
                for (CaseRecord c : page) {
                    writeCase(g, c, watermark, stuckAfterMicros(c.process()));
                }
                g.writeEndArray();
                if (page.size() < q.limit()) {
                    g.writeNullField("next");
                } else {
                    CaseRecord last = page.get(page.size() - 1);
                    g.writeStringField("next", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                            ("c1:" + last.firstMicros() + ":" + (q.descending() ? "d" : "a") + ":" + last.id())
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                }
                g.writeEndObject();
            });
        });
    }

    private static String[] decodeCaseCursor(String cursor) {
        try {
            String s = new String(java.util.Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8);
            String[] parts = s.split(":", 4);
            if (parts.length != 4 || !parts[0].equals("c1")) {
                return null;
            }
            Long.parseLong(parts[1]);
            return new String[] {parts[1], parts[3], parts[2]};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code GET /api/v1/cases/{id}}: the case and its events in event-time order. */
    public HttpResponse caseById(ServiceRequestContext ctx, String id) {
        return blocking(ctx, () -> {
            var found = pipeline.store().caseById(id);
            if (found.isEmpty()) {
                return Json.error(HttpStatus.NOT_FOUND, "not_found", "no case " + id
                        + " (ids come from GET /api/v1/cases; a case merged into another takes the other's id)", null);
            }
            CaseRecord c = found.get();
            Set<String> activities = new java.util.HashSet<>();
            pipeline.processes().all().stream().filter(d -> d.name().equals(c.process()))
                    .forEach(d -> activities.addAll(d.activities()));
            java.util.TreeMap<Long, StoredEvent> bySeq = new java.util.TreeMap<>();
            for (Map.Entry<String, List<String>> k : c.keys().entrySet()) {
                for (String v : k.getValue()) {
                    EventPage page = journal.query(new EventQuery(null, null, k.getKey(), v, null, null,
                            EventQuery.MAX_LIMIT, false, null));
                    for (StoredEvent e : page.events()) {
                        if (activities.contains(e.event().name())) {
                            bySeq.put(e.seq(), e);
                        }
                    }
                }
            }
            List<StoredEvent> events = new java.util.ArrayList<>(bySeq.values());
            events.sort(java.util.Comparator.comparingLong((StoredEvent e) -> e.event().timeMicros()).thenComparingLong(StoredEvent::seq));
            Map<Long, String> arrival = pipeline.store().lateness(bySeq.keySet());
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                long watermark = pipeline.status().watermark();
                writeWatermark(g, watermark);
                g.writeFieldName("case");
                writeCase(g, c, watermark, stuckAfterMicros(c.process()));
                g.writeArrayFieldStart("events");
                for (StoredEvent e : events) {
                    Json.writeEvent(g, e, arrival.get(e.seq()));
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        });
    }

    /** The event time the answer's cases stand at (their {@code sinceLastEventMs} is counted to it). */
    private static void writeWatermark(com.fasterxml.jackson.core.JsonGenerator g, long watermark) throws java.io.IOException {
        if (watermark == Long.MIN_VALUE) {
            g.writeNullField("watermark");
        } else {
            g.writeStringField("watermark", Timestamps.format(watermark));
        }
    }

    /**
     * @param watermark the pipeline's watermark: an open or stuck case says how long it has waited since its last
     *                  event by it (event time, so a replayed history reads as it happened), which is what a stuck case
     *                  is about; its duration (first to last event) says nothing of that
     */
    /** A process's stuck timeout, or 0 for one vigil.yaml no longer declares. */
    private long stuckAfterMicros(String process) {
        int p = pipeline.processes().indexOf(process);
        return p < 0 ? 0 : pipeline.processes().get(p).stuckAfterMicros();
    }

    private static void writeCase(com.fasterxml.jackson.core.JsonGenerator g, CaseRecord c, long watermark,
                                  long stuckAfterMicros) throws java.io.IOException {
        g.writeStartObject();
        g.writeStringField("id", c.id());
        g.writeStringField("process", c.process());
        g.writeStringField("status", c.status().wire());
        g.writeStringField("outcome", c.outcome());
        g.writeStringField("start", Timestamps.format(c.firstMicros()));
        g.writeStringField("end", Timestamps.format(c.lastMicros()));
        g.writeNumberField("durationMs", c.durationMicros() / 1000.0);
        if (c.status() != CaseStatus.COMPLETED && watermark != Long.MIN_VALUE) {
            // The pipeline's watermark is its slowest partition's; the case's own partition, whose clock made it
            // stuck, may be ahead: a stuck case has waited its process's stuck timeout at least.
            long floor = c.status() == CaseStatus.STUCK ? stuckAfterMicros : 0;
            g.writeNumberField("sinceLastEventMs", Math.max(floor, Math.max(0, watermark - c.lastMicros())) / 1000.0);
        }
        g.writeArrayFieldStart("path");
        for (String a : c.path()) {
            g.writeString(a);
        }
        g.writeEndArray();
        g.writeObjectFieldStart("keys");
        for (Map.Entry<String, List<String>> k : c.keys().entrySet()) {
            g.writeArrayFieldStart(k.getKey());
            for (String v : k.getValue()) {
                g.writeString(v);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeNumberField("events", c.events());
        g.writeNumberField("failedEvents", c.failedEvents());
        g.writeEndObject();
    }

    /** {@code GET /api/v1/events}. */
    public HttpResponse events(ServiceRequestContext ctx) {
        EventQuery q;
        try {
            q = eventQuery(new Params(ctx.queryParams(), EVENT_PARAMS));
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return blocking(ctx, () -> {
            EventPage page = journal.query(q);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("events");
                for (StoredEvent e : page.events()) {
                    Json.writeEvent(g, e);
                }
                g.writeEndArray();
                if (page.next() == null) {
                    g.writeNullField("next");
                } else {
                    g.writeStringField("next", page.next().encode());
                }
                g.writeEndObject();
            });
        });
    }

    static EventQuery eventQuery(Params p) {
        Params.KeyFilter key = p.key();
        boolean newestFirst = p.descending();
        PageCursor after = null;
        String cursor = p.text("cursor");
        if (cursor != null) {
            after = PageCursor.decode(cursor).orElseThrow(() -> new BadParameter("cursor",
                    "\"cursor\" is not one this server gave out; pass back the \"next\" value of the previous page"));
            if (after.newestFirst() != newestFirst) {
                throw new BadParameter("cursor", "the cursor was made for order=" + (after.newestFirst() ? "desc" : "asc")
                        + "; keep the same order while paging");
            }
        }
        Long from = p.time("from");
        Long to = p.time("to");
        if (from != null && to != null && from > to) {
            throw new BadParameter("from", "\"from\" must not be after \"to\"");
        }
        int limit = p.integer("limit", EventQuery.DEFAULT_LIMIT, 1, EventQuery.MAX_LIMIT);
        String outcome = p.text("outcome");
        if (outcome != null && !EventQuery.OUTCOMES.contains(outcome)) {
            throw new BadParameter("outcome", "\"outcome\" must be one of " + String.join(", ", EventQuery.OUTCOMES)
                    + " (failed: error or timeout), not \"" + outcome + "\"");
        }
        return new EventQuery(p.text("source"), p.text("name"), key == null ? null : key.name(),
                key == null ? null : key.value(), from, to, limit, newestFirst, after, p.text("peer"), outcome);
    }

    /** {@code GET /api/v1/stats}. */
    public HttpResponse stats(ServiceRequestContext ctx) {
        HttpResponse refused = Params.refuseAny(ctx);
        if (refused != null) {
            return refused;
        }
        return blocking(ctx, () -> {
            IngestStats s = journal.stats();
            EventStore.CommitStats c = journal.commitStats();
            Map<String, Long> cases = pipeline.store().caseCounts();
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeNumberField("stored", s.storedEvents());
                g.writeNumberField("lastSeq", s.lastSeq());
                g.writeNumberField("pending", journal.pendingEvents());
                g.writeObjectFieldStart("sinceStart");
                g.writeNumberField("accepted", c.events());
                g.writeNumberField("rejected", c.rejected());
                g.writeNumberField("commits", c.commits());
                g.writeNumberField("eventsPerCommit", Math.round(c.eventsPerCommit() * 10) / 10.0);
                g.writeNumberField("requestsPerCommit", Math.round(c.requestsPerCommit() * 10) / 10.0);
                g.writeObjectFieldStart("commitMillisAtMost");
                g.writeNumberField("p50", c.commitMicrosAt(0.5) / 1000.0);
                g.writeNumberField("p99", c.commitMicrosAt(0.99) / 1000.0);
                g.writeNumberField("max", c.commitMicrosAt(1.0) / 1000.0);
                g.writeEndObject();
                g.writeEndObject();
                g.writeArrayFieldStart("bySource");
                for (IngestStats.SourceNameCount sn : s.bySourceAndName()) {
                    g.writeStartObject();
                    g.writeStringField("source", sn.source());
                    g.writeStringField("name", sn.name());
                    g.writeNumberField("count", sn.count());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeObjectFieldStart("rejectedByReason");
                for (Map.Entry<String, Long> r : s.rejectedByReason().entrySet()) {
                    g.writeNumberField(r.getKey(), r.getValue());
                }
                g.writeEndObject();
                g.writeObjectFieldStart("uninterpretedBySource");
                for (Map.Entry<String, Long> r : s.uninterpretedBySource().entrySet()) {
                    g.writeNumberField(r.getKey(), r.getValue());
                }
                g.writeEndObject();
                writePipeline(g, cases);
                g.writeObjectFieldStart("health");
                SelfStatus.of(journal, pipeline, forwarder, arrivals).write(g);
                g.writeEndObject();
                g.writeEndObject();
            });
        });
    }

    private final SelfStatus.Arrivals arrivals = new SelfStatus.Arrivals();

    /** GET /api/v1/status: Vigil's own health from counters alone (no query), for the dashboard's status line. */
    public HttpResponse status(ServiceRequestContext ctx) {
        SelfStatus s = SelfStatus.of(journal, pipeline, forwarder, arrivals);
        return Json.response(HttpStatus.OK, g -> {
            g.writeStartObject();
            s.write(g);
            g.writeEndObject();
        });
    }

    private void writePipeline(com.fasterxml.jackson.core.JsonGenerator g, Map<String, Long> cases) throws java.io.IOException {
        PipelineRuntime.Status st = pipeline.status();
        g.writeObjectFieldStart("pipeline");
        g.writeNumberField("partitions", pipeline.partitions());
        g.writeStringField("state", pipeline.failed() ? "failed (see the log)" : "running");
        if (st.watermark() == Long.MIN_VALUE) {
            g.writeNullField("watermark");
        } else {
            g.writeStringField("watermark", Timestamps.format(st.watermark()));
        }
        g.writeNumberField("eventsFolded", st.eventsFolded());
        g.writeNumberField("eventsStored", st.eventsStored());
        g.writeNumberField("casesInMemory", st.casesInMemory());
        g.writeNumberField("windowsWritten", st.windowsWritten());
        g.writeNumberField("writes", st.writes());
        g.writeNumberField("tooLateAtMerge", st.mergerTooLate());
        g.writeNumberField("checkpointRecord", st.checkpointRecord());
        g.writeObjectFieldStart("cases");
        for (Map.Entry<String, Long> e : cases.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeArrayFieldStart("lateBySource");
        for (Map.Entry<String, LateCounts.Count> e : st.lateBySource().entrySet()) {
            g.writeStartObject();
            g.writeStringField("source", e.getKey());
            g.writeNumberField("late", e.getValue().late());
            g.writeNumberField("tooLate", e.getValue().tooLate());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    interface Query {
        HttpResponse run() throws SQLException;
    }

    static HttpResponse blocking(ServiceRequestContext ctx, Query query) {
        Supplier<HttpResponse> task = () -> {
            try {
                return query.run();
            } catch (dev.vigil.store.StoreUnavailable e) {
                return Json.error(ResponseHeaders.builder(HttpStatus.SERVICE_UNAVAILABLE).add(HttpHeaderNames.RETRY_AFTER,
                        String.valueOf(dev.vigil.store.StoreUnavailable.RETRY_AFTER_SECONDS)), "store_unavailable", e.getMessage());
            } catch (SQLException e) {
                LOG.error("query failed", e);
                return Json.error(HttpStatus.INTERNAL_SERVER_ERROR, "query_failed", e.getMessage(), null);
            }
        };
        return HttpResponse.of(CompletableFuture.supplyAsync(task, ctx.blockingTaskExecutor()));
    }
}
