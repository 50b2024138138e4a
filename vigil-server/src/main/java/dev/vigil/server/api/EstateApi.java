package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Contract;
import dev.vigil.config.EstateDeclaration;
import dev.vigil.correlate.CaseRecord;
import dev.vigil.correlate.CaseStatus;
import dev.vigil.event.Timestamps;
import dev.vigil.server.Json;
import dev.vigil.server.runtime.ObjectivesRuntime;
import dev.vigil.server.runtime.PipelineRuntime;
import dev.vigil.server.runtime.PipelineView;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The estate as a whole, for the dashboard: services by business unit with their health, suppliers, the
 * observed calls between them, process summaries, and search. Everything is read from the pipeline's
 * outputs (KPI windows, cases) and the objectives' ledgers; nothing here scans the event journal.
 */
public final class EstateApi {

    private static final long MINUTE = WindowSpan.MINUTE.micros();
    private static final Set<String> ESTATE_PARAMS = Set.of("minutes");
    private static final Set<String> PROCESS_PARAMS = Set.of("from", "to", "paths");
    private static final Set<String> SEARCH_PARAMS = Set.of("q", "limit");
    /** The fields of OutputStore.ProcessSummary#completedMs, in its order. */
    private static final String[] COMPLETED_PERCENTILES = {"p50", "p90", "p99"};

    private final PipelineView pipeline;
    private final ObjectivesRuntime objectives;
    /** Fixed with the configuration, like the contracts and objectives it comes from. */
    private final Set<String> suppliers;
    /** Each supplier contract's peers (the calls its objectives measure): search finds them by company and contract. */
    private final Map<Contract, Set<String>> contractPeers;
    /** vigil.yaml's estate section: declared interactions, and host names as other sources give them. */
    private final EstateDeclaration declared;

    public EstateApi(PipelineView pipeline, ObjectivesRuntime objectives, List<Contract> contracts,
                     EstateDeclaration declared) {
        this.pipeline = pipeline;
        this.objectives = objectives;
        this.suppliers = suppliers(contracts, objectives);
        this.contractPeers = contractPeers(contracts, objectives);
        this.declared = declared;
    }

    /**
     * Peers that are external suppliers: those whose calls a supplier contract's objectives measure. A peer no
     * contract covers is taken as internal; it still appears on the map, as a service seen only by its callers.
     */
    private static Set<String> suppliers(List<Contract> contracts, ObjectivesRuntime objectives) {
        Set<String> names = new HashSet<>();
        for (Contract c : contracts) {
            if (!c.external()) {
                continue;
            }
            for (String name : c.objectives()) {
                var s = objectives.state(name);
                if (s != null && s.objective().series().dimension() == Dimension.PEER) {
                    names.add(s.objective().series().key());
                }
            }
        }
        return Set.copyOf(names);
    }

    private static Map<Contract, Set<String>> contractPeers(List<Contract> contracts, ObjectivesRuntime objectives) {
        Map<Contract, Set<String>> out = new LinkedHashMap<>();
        for (Contract c : contracts) {
            Set<String> peers = new java.util.TreeSet<>();
            for (String name : c.objectives()) {
                var s = objectives.state(name);
                if (c.external() && s != null && s.objective().series().dimension() == Dimension.PEER) {
                    peers.add(s.objective().series().key());
                }
            }
            if (!peers.isEmpty()) {
                out.put(c, peers);
            }
        }
        return out;
    }

    /** {@code GET /api/v1/estate?minutes=15}: every service, supplier and call over the last closed minutes. */
    public HttpResponse estate(ServiceRequestContext ctx) {
        int minutes;
        try {
            minutes = new Params(ctx.queryParams(), ESTATE_PARAMS).integer("minutes", 15, 1, 1440);
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return ApiService.blocking(ctx, () -> {
            Reading reading = read(minutes);
            if (reading == null) {
                return Json.response(HttpStatus.OK, g -> {
                    g.writeStartObject();
                    g.writeNullField("watermark");
                    g.writeNumberField("minutes", minutes);
                    for (String f : new String[] {"units", "suppliers", "calledOnly", "calls", "unpaired"}) {
                        g.writeArrayFieldStart(f);
                        g.writeEndArray();
                    }
                    g.writeArrayFieldStart("objectives");
                    for (Judged j : objectives.current(judged -> judged.stream().map(Judged::of).toList())) {
                        j.write(g);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                });
            }
            long watermark = reading.watermark;
            long to = reading.to;
            long asked = reading.asked;
            List<OutputStore.SeriesTotal> services = reading.services;
            List<OutputStore.SeriesTotal> peers = reading.peers;
            Traced traced = reading.traced;
            // A traced caller's calls are its links (paired from spans, or to the peers its client spans named); the
            // events' calls of the same source say the same less well, and would draw each edge twice.
            List<OutputStore.SeriesTotal> calls = reading.calls.stream().filter(c -> !traced.callers().contains(c.key())).toList();
            Set<String> calledByEvents = new HashSet<>();
            calls.forEach(c -> calledByEvents.add(c.name()));
            // Rates are per second of the minutes the estate was seen: a Vigil started five minutes ago has five
            // minutes of events, and dividing them by fifteen would understate every rate threefold.
            long from = Math.max(asked, services.stream().mapToLong(OutputStore.SeriesTotal::firstMicros).min().orElse(asked));
            Map<String, List<BurnRule>> firing = reading.firing;
            List<Health.Standing> standings = reading.standings;
            double seconds = Math.max(1, (to - from) / 1e6);

            // A service reporting under several units (rare; a shared service) is listed under each.
            Map<String, List<Row>> units = new TreeMap<>();
            Set<String> emitters = new HashSet<>();
            for (OutputStore.SeriesTotal t : services) {
                emitters.add(t.key());
                units.computeIfAbsent(t.name(), u -> new ArrayList<>()).add(Row.of(t.key(), t.window(),
                        Recent.of(reading.servicesNow, reading.serviceSteps, t.key()), covering(standings, t.key(), false), firing));
            }
            List<Row> supplierRows = new ArrayList<>();
            List<Row> calledOnly = new ArrayList<>();
            for (OutputStore.SeriesTotal t : peers) {
                boolean external = suppliers.contains(t.key());
                if (!external && (emitters.contains(t.key())
                        || !calledByEvents.contains(t.key()) && !traced.callees().contains(t.key()))) {
                    continue;
                }
                (external ? supplierRows : calledOnly).add(Row.of(t.key(), t.window(),
                        Recent.of(reading.peersNow, reading.peerSteps, t.key()), covering(standings, t.key(), true), firing));
            }
            // A traced callee that sends no spans itself and that no event named as a peer: a virtual node.
            for (String callee : traced.callees()) {
                if (!emitters.contains(callee) && !suppliers.contains(callee)
                        && calledOnly.stream().noneMatch(r -> r.name.equals(callee))) {
                    calledOnly.add(Row.of(callee, traced.into(callee), Recent.NONE, covering(standings, callee, true), firing));
                }
            }
            // A supplier under contract with no calls in the window is still listed: silence is news too.
            for (String s : suppliers) {
                if (supplierRows.stream().noneMatch(r -> r.name.equals(s))) {
                    supplierRows.add(Row.of(s, null, Recent.NONE, covering(standings, s, true), firing));
                }
            }
            List<Map.Entry<String, List<Row>>> unitList = new ArrayList<>(units.entrySet());
            unitList.forEach(e -> e.getValue().sort(Row.WORST_FIRST));
            unitList.sort(Comparator.comparing((Map.Entry<String, List<Row>> e) -> e.getValue().get(0), Row.WORST_FIRST));
            supplierRows.sort(Row.WORST_FIRST);
            calledOnly.sort(Row.WORST_FIRST);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("watermark", Timestamps.format(watermark));
                g.writeStringField("from", Timestamps.format(from));
                g.writeStringField("to", Timestamps.format(to));
                g.writeNumberField("minutes", (to - from) / MINUTE);
                g.writeStringField("nowFrom", Timestamps.format(to - MINUTE));
                g.writeNumberField("trendStepMinutes", reading.stepMinutes);
                g.writeArrayFieldStart("units");
                for (Map.Entry<String, List<Row>> u : unitList) {
                    g.writeStartObject();
                    if (u.getKey().isEmpty()) {
                        g.writeNullField("unit");
                    } else {
                        g.writeStringField("unit", u.getKey());
                    }
                    g.writeStringField("status", u.getValue().get(0).health.level().wire());
                    g.writeArrayFieldStart("services");
                    for (Row r : u.getValue()) {
                        r.write(g, "service", seconds, traced);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("suppliers");
                for (Row r : supplierRows) {
                    r.write(g, "supplier", seconds, traced);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("calledOnly");
                for (Row r : calledOnly) {
                    r.write(g, "service", seconds, traced);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("calls");
                for (OutputStore.SeriesTotal c : traced.links()) {
                    writeCall(g, c, seconds, true, traced.served().get(List.of(c.key(), c.name())), !emitters.contains(c.name()));
                }
                for (OutputStore.SeriesTotal c : calls) {
                    writeCall(g, c, seconds, false, null, false);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("unpaired");
                for (OutputStore.Series u : traced.unpaired()) {
                    g.writeStartObject();
                    g.writeStringField("service", u.key());
                    g.writeStringField("end", u.name());
                    g.writeNumberField("spans", u.count());
                    g.writeEndObject();
                }
                g.writeEndArray();
                if (declared.declaresInteractions()) {
                    writeInteractions(g, traced, calls);
                }
                g.writeArrayFieldStart("objectives");
                for (Judged j : reading.judged) {
                    j.write(g);
                }
                g.writeEndArray();
                g.writeBooleanField("objectivesInStep", reading.inStep);
                g.writeEndObject();
            });
        });
    }

    /**
     * A call edge: from events ({@code traced: false}), or paired from spans, with the callee's own latency beside
     * the caller's (the difference is network and queueing) and whether the callee is a virtual node (it sends no
     * spans or events: a database, a queue, a supplier named by the caller's client spans).
     */
    private void writeCall(JsonGenerator g, OutputStore.SeriesTotal c, double seconds, boolean traced, KpiWindow served,
                           boolean virtual) throws IOException {
        g.writeStartObject();
        g.writeStringField("source", c.key());
        g.writeStringField("peer", c.name());
        g.writeBooleanField("external", suppliers.contains(c.name()));
        KpiJson.figures(g, c.window(), seconds);
        g.writeBooleanField("traced", traced);
        if (served != null) {
            g.writeObjectFieldStart("served");
            KpiJson.figures(g, served, seconds);
            g.writeEndObject();
        }
        if (traced) {
            g.writeBooleanField("virtual", virtual);
        }
        if (declared.declaresInteractions()) {
            g.writeBooleanField("declared", declared.declared(c.key(), c.name()));
        }
        g.writeEndObject();
    }

    /** Declared interactions against observed ones: what was seen but not declared, and what was declared but not seen. */
    private void writeInteractions(JsonGenerator g, Traced traced, List<OutputStore.SeriesTotal> calls) throws IOException {
        Set<List<String>> seen = new java.util.LinkedHashSet<>();
        traced.links().forEach(c -> seen.add(List.of(c.key(), c.name())));
        calls.forEach(c -> seen.add(List.of(c.key(), c.name())));
        g.writeObjectFieldStart("interactions");
        g.writeNumberField("declared", declared.pairs().size());
        g.writeArrayFieldStart("notDeclared");
        for (List<String> pair : seen) {
            if (!declared.declared(pair.get(0), pair.get(1))) {
                writePair(g, pair);
            }
        }
        g.writeEndArray();
        g.writeArrayFieldStart("notSeen");
        for (List<String> pair : declared.pairs()) {
            if (!seen.contains(pair)) {
                writePair(g, pair);
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writePair(JsonGenerator g, List<String> pair) throws IOException {
        g.writeStartObject();
        g.writeStringField("source", pair.get(0));
        g.writeStringField("peer", pair.get(1));
        g.writeEndObject();
    }

    /**
     * What spans said over the minutes read: the edges paired from them (by caller and callee), the callee's view of
     * each, the spans left unpaired, and where each service ran (hosts, after vigil.yaml's aliases, and instances).
     */
    record Traced(List<OutputStore.SeriesTotal> links, Map<List<String>, KpiWindow> served,
                  List<OutputStore.Series> unpaired, Map<String, List<OutputStore.Series>> hosts,
                  Map<String, List<OutputStore.Series>> instances, Set<String> callers, Set<String> callees) {

        static Traced read(OutputStore store, long from, long to, EstateDeclaration declared) throws java.sql.SQLException {
            List<OutputStore.SeriesTotal> links = store.totals(Dimension.LINK, from, to);
            Map<List<String>, KpiWindow> served = new java.util.HashMap<>();
            store.totals(Dimension.LINK_SERVED, from, to).forEach(t -> served.put(List.of(t.key(), t.name()), t.window()));
            Set<String> callers = new HashSet<>();
            Set<String> callees = new HashSet<>();
            links.forEach(l -> {
                callers.add(l.key());
                callees.add(l.name());
            });
            // Where services ran and what was left unpaired are counts: read as sums, no sketch merged.
            return new Traced(links, served, store.series(Dimension.LINK_UNPAIRED, from, to),
                    byService(store.series(Dimension.PLACEMENT, from, to), declared::host),
                    byService(store.series(Dimension.INSTANCE, from, to), n -> n), callers, callees);
        }

        /** Per service, its hosts (or instances) busiest first; two names one alias joins are added up. */
        private static Map<String, List<OutputStore.Series>> byService(List<OutputStore.Series> all,
                                                                      java.util.function.UnaryOperator<String> rename) {
            Map<String, Map<String, OutputStore.Series>> merged = new TreeMap<>();
            for (OutputStore.Series t : all) {
                String name = rename.apply(t.name());
                merged.computeIfAbsent(t.key(), k -> new TreeMap<>()).merge(name,
                        new OutputStore.Series(t.dimension(), t.key(), name, t.count(), t.errors()),
                        (a, b) -> new OutputStore.Series(a.dimension(), a.key(), name, a.count() + b.count(),
                                a.errors() + b.errors()));
            }
            Map<String, List<OutputStore.Series>> out = new TreeMap<>();
            merged.forEach((service, m) -> out.put(service, m.values().stream()
                    .sorted(Comparator.comparingLong((OutputStore.Series t) -> -t.count())
                            .thenComparing(OutputStore.Series::name)).toList()));
            return out;
        }

        /** The calls into a callee, as its callers saw them, over every traced edge. */
        KpiWindow into(String callee) {
            KpiWindow w = new KpiWindow();
            links.stream().filter(l -> l.name().equals(callee)).forEach(l -> w.mergeWith(l.window()));
            return w;
        }
    }

    /** How long an answer tries to read windows and objectives of one state of the store before it settles for less. */
    private static final long IN_STEP_PATIENCE_NANOS = 2_000_000_000L;

    /**
     * What one estate answer is made of: the windows of the closed minutes, and the objectives judged on exactly
     * those windows.
     *
     * @param inStep whether the objectives were judged on the windows read (the same closed minutes and the same
     *               revisions); false only when the store kept changing for {@link #IN_STEP_PATIENCE_NANOS}
     */
    private record Reading(long watermark, long to, long asked, List<OutputStore.SeriesTotal> services,
                           List<OutputStore.SeriesTotal> peers, List<OutputStore.SeriesTotal> calls,
                           Map<String, KpiWindow> servicesNow, Map<String, KpiWindow> peersNow, int stepMinutes,
                           Map<String, TreeMap<Long, KpiWindow>> serviceSteps, Map<String, TreeMap<Long, KpiWindow>> peerSteps,
                           Traced traced, List<Health.Standing> standings, Map<String, List<BurnRule>> firing,
                           List<Judged> judged, boolean inStep) {
    }

    /**
     * Reads the closed minutes and judges the objectives on the same state of the store: the objectives are
     * brought up to date first (ObjectivesRuntime#current), the windows read after, and the whole is read again
     * if the pipeline began a write that changes windows or closed minutes meanwhile. Null before any event.
     */
    private Reading read(int minutes) throws java.sql.SQLException {
        PipelineRuntime.Status status = pipeline.status();
        long deadline = System.nanoTime() + IN_STEP_PATIENCE_NANOS;
        while (true) {
            long version = status.windowsVersion();
            long watermark = status.watermark();
            if (watermark == Long.MIN_VALUE) {
                return null;
            }
            Judging judging = objectives.current(states -> new Judging(states.stream().map(Health.Standing::of).toList(),
                    objectives.firing(), states.stream().map(Judged::of).toList()));
            // Only closed minutes: a window appears once the watermark has passed its end.
            long to = WindowSpan.MINUTE.startOf(watermark);
            long asked = to - minutes * MINUTE;
            OutputStore store = pipeline.store();
            List<OutputStore.SeriesTotal> services = store.totals(Dimension.SERVICE, asked, to);
            List<OutputStore.SeriesTotal> peers = store.totals(Dimension.PEER, asked, to);
            List<OutputStore.SeriesTotal> calls = store.totals(Dimension.CALL, asked, to);
            Traced traced = Traced.read(store, asked, to, declared);
            int step = trendStep(minutes);
            long trendFrom = asked - Math.floorMod(asked, step * MINUTE);
            Map<String, TreeMap<Long, KpiWindow>> serviceSteps = store.steps(Dimension.SERVICE, trendFrom, to, step);
            Map<String, TreeMap<Long, KpiWindow>> peerSteps = store.steps(Dimension.PEER, trendFrom, to, step);
            boolean inStep = !status.windowsChangedSince(version);
            if (inStep || System.nanoTime() > deadline) {
                return new Reading(watermark, to, asked, services, peers, calls,
                        lastMinute(store, Dimension.SERVICE, to, step, serviceSteps),
                        lastMinute(store, Dimension.PEER, to, step, peerSteps), step, serviceSteps, peerSteps, traced, judging.standings(), judging.firing(),
                        judging.judged(), inStep);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.sql.SQLException("interrupted while reading the estate", e);
            }
        }
    }

    /** Minutes per step of a row's trend: a sparkline of 15 to 60 points for the windows the overview offers. */
    static int trendStep(int minutes) {
        return minutes <= 60 ? 1 : minutes <= 600 ? 10 : 60;
    }

    /** Each key's last closed minute: its trend's last step when steps are minutes, else read on its own. */
    private static Map<String, KpiWindow> lastMinute(OutputStore store, Dimension dimension, long to, int step,
                                                     Map<String, TreeMap<Long, KpiWindow>> steps) throws java.sql.SQLException {
        Map<String, KpiWindow> now = new java.util.HashMap<>();
        if (step == 1) {
            steps.forEach((key, s) -> {
                KpiWindow w = s.get(to - MINUTE);
                if (w != null) {
                    now.put(key, w);
                }
            });
        } else {
            store.steps(dimension, to - MINUTE, to, 1).forEach((key, s) -> now.put(key, s.firstEntry().getValue()));
        }
        return now;
    }

    /** The objectives as judged for one reading: their standings, the rules firing, and the list the answer gives. */
    private record Judging(List<Health.Standing> standings, Map<String, List<BurnRule>> firing, List<Judged> judged) {
    }

    /** An objective as the estate lists it: where it stands, and through which minute it was judged. */
    private record Judged(String name, String state, double achieved, long evaluatedTo) {
        static Judged of(ObjectivesRuntime.State s) {
            if (s.evaluatedTo() == Long.MIN_VALUE) {
                return new Judged(s.objective().name(), "no closed minute yet", Double.NaN, Long.MIN_VALUE);
            }
            double achieved = s.ledger().status(s.evaluatedTo()).achieved();
            String state = Double.isNaN(achieved) ? "no data" : achieved >= s.objective().spec().target() ? "met" : "breached";
            return new Judged(s.objective().name(), state, achieved, s.evaluatedTo());
        }

        void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("state", state);
            if (evaluatedTo != Long.MIN_VALUE) {
                if (Double.isNaN(achieved)) {
                    g.writeNullField("achieved");
                } else {
                    g.writeNumberField("achieved", achieved);
                }
                g.writeStringField("evaluatedTo", Timestamps.format(evaluatedTo));
            }
            g.writeEndObject();
        }
    }

    /**
     * The objectives that speak for a service (its OpenSLO {@code service}, or a series of its own) or for a
     * peer (a series of calls to it).
     */
    static List<Health.Standing> covering(List<Health.Standing> standings, String name, boolean asPeer) {
        Predicate<Health.Standing> covers = s -> {
            var o = s.objective();
            var series = o.series();
            if (asPeer) {
                return series.dimension() == Dimension.PEER && series.key().equals(name);
            }
            return name.equals(o.service()) || (series.key().equals(name)
                    && (series.dimension() == Dimension.SERVICE_OPERATION || series.dimension() == Dimension.SERVICE));
        };
        return standings.stream().filter(covers).toList();
    }

    /** A service, supplier or called-only peer: its window, the objectives covering it, and its health. */
    private record Row(String name, KpiWindow window, Recent recent, List<Health.Standing> covering, Health health) {
        /** Worst level first; within a level, what is wrong now before what was wrong earlier in the window. */
        static final Comparator<Row> WORST_FIRST = Comparator.comparing((Row r) -> r.health.level())
                .thenComparing(r -> !r.health.wrongNow())
                .thenComparing(r -> -r.recent.nowErrorRatio())
                .thenComparing(r -> r.window == null ? 0 : -r.window.errorRatio())
                .thenComparing(Row::name);

        static Row of(String name, KpiWindow window, Recent recent, List<Health.Standing> covering,
                      Map<String, List<BurnRule>> firing) {
            return new Row(name, window, recent, covering, Health.judge(window, recent, covering, firing));
        }

        void write(JsonGenerator g, String field, double seconds, Traced traced) throws IOException {
            g.writeStartObject();
            g.writeStringField(field, name);
            KpiJson.figures(g, window, seconds);
            recent.write(g);
            placed(g, "hosts", "host", traced.hosts().get(name));
            placed(g, "instances", "instance", traced.instances().get(name));
            g.writeStringField("status", health.level().wire());
            g.writeArrayFieldStart("reasons");
            for (String reason : health.reasons()) {
                g.writeString(reason);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("objectives");
            for (Health.Standing s : covering) {
                g.writeString(s.objective().name());
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    /** Where a service ran: its hosts or instances with the spans each sent, busiest first; omitted when none is known. */
    private static void placed(JsonGenerator g, String field, String name, List<OutputStore.Series> where)
            throws IOException {
        if (where == null) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (OutputStore.Series t : where) {
            g.writeStartObject();
            g.writeStringField(name, t.name());
            g.writeNumberField("spans", t.count());
            g.writeNumberField("errors", t.errors());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** {@code GET /api/v1/processes}: per process, the cases that started in the range. */
    public HttpResponse processes(ServiceRequestContext ctx) {
        long from;
        long to;
        int paths;
        try {
            Params p = new Params(ctx.queryParams(), PROCESS_PARAMS);
            Long t = p.time("to");
            Long f = p.time("from");
            to = t != null ? t : Timestamps.toMicros(java.time.Instant.now()) + 1;
            from = f != null ? f : to - 1440 * MINUTE;
            if (from >= to) {
                throw new BadParameter("from", "\"from\" must be before \"to\"");
            }
            paths = p.integer("paths", 5, 1, 50);
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return ApiService.blocking(ctx, () -> {
            Map<String, OutputStore.ProcessSummary> found = new LinkedHashMap<>();
            for (OutputStore.ProcessSummary s : pipeline.store().processSummaries(from, to, paths)) {
                found.put(s.process(), s);
            }
            // Declared processes come first, in their declared order, with or without cases.
            List<String> names = new ArrayList<>();
            pipeline.processes().all().forEach(d -> names.add(d.name()));
            found.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("from", Timestamps.format(from));
                g.writeStringField("to", Timestamps.format(to));
                g.writeArrayFieldStart("processes");
                for (String name : names) {
                    OutputStore.ProcessSummary s = found.getOrDefault(name,
                            new OutputStore.ProcessSummary(name, Map.of(), 0, null, List.of()));
                    long started = s.started();
                    g.writeStartObject();
                    g.writeStringField("name", name);
                    g.writeNumberField("started", started);
                    for (CaseStatus st : CaseStatus.values()) {
                        g.writeNumberField(st.wire(), s.byStatus().getOrDefault(st, 0L));
                    }
                    g.writeNumberField("completedOk", s.completedOk());
                    g.writeObjectFieldStart("completedDurationMs");
                    for (int i = 0; i < COMPLETED_PERCENTILES.length; i++) {
                        if (s.completedMs() == null) {
                            g.writeNullField(COMPLETED_PERCENTILES[i]);
                        } else {
                            g.writeNumberField(COMPLETED_PERCENTILES[i], Math.round(s.completedMs()[i] * 1000) / 1000.0);
                        }
                    }
                    g.writeEndObject();
                    g.writeArrayFieldStart("paths");
                    for (OutputStore.PathCount pc : s.paths()) {
                        g.writeStartObject();
                        g.writeArrayFieldStart("path");
                        for (String a : pc.path()) {
                            g.writeString(a);
                        }
                        g.writeEndArray();
                        g.writeNumberField("cases", pc.cases());
                        g.writeNumberField("share", Math.round(1e4 * pc.cases() / (double) started) / 1e4);
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

    /**
     * {@code GET /api/v1/search?q=...}: services, suppliers, processes and objectives whose name contains the
     * text (any case), and cases whose id starts with it or that carry it as a correlation key value.
     */
    public HttpResponse search(ServiceRequestContext ctx) {
        String q;
        int limit;
        try {
            Params p = new Params(ctx.queryParams(), SEARCH_PARAMS);
            q = p.text("q") == null ? "" : p.text("q").strip();
            if (q.isEmpty()) {
                throw new BadParameter("q", "\"q\" is required: a service, supplier, process or objective name, a case id, "
                        + "or a correlation key value such as an order number");
            }
            if (q.length() > 256) {
                throw new BadParameter("q", "\"q\" is longer than 256 characters");
            }
            limit = p.integer("limit", 20, 1, 100);
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        return ApiService.blocking(ctx, () -> {
            String needle = q.toLowerCase(Locale.ROOT);
            long now = Timestamps.toMicros(java.time.Instant.now());
            long since = now - 7 * 1440 * MINUTE;
            List<Hit> hits = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (OutputStore.Series s : pipeline.store().series(Dimension.SERVICE, since, now + MINUTE)) {
                if (s.key().toLowerCase(Locale.ROOT).contains(needle) && seen.add("service:" + s.key())) {
                    hits.add(new Hit("service", s.key(), s.name().isEmpty() ? "service" : "service in " + s.name()));
                }
            }
            for (OutputStore.Series s : pipeline.store().series(Dimension.PEER, since, now + MINUTE)) {
                boolean external = suppliers.contains(s.key());
                String kind = external ? "supplier" : "service";
                if (s.key().toLowerCase(Locale.ROOT).contains(needle) && seen.add(kind + ":" + s.key())) {
                    hits.add(new Hit(kind, s.key(), external ? "external supplier" : "service (seen by its callers)"));
                }
            }
            // A supplier is known by its company and its contracts as much as by the name its calls carry.
            contractPeers.forEach((c, peers) -> {
                boolean named = c.party().toLowerCase(Locale.ROOT).contains(needle) || c.name().toLowerCase(Locale.ROOT).contains(needle)
                        || c.displayName() != null && c.displayName().toLowerCase(Locale.ROOT).contains(needle);
                if (named) {
                    for (String peer : peers) {
                        if (seen.add("supplier:" + peer)) {
                            hits.add(new Hit("supplier", peer, "external supplier " + c.party() + ", contract " + c.name()));
                        }
                    }
                }
            });
            pipeline.processes().all().stream().filter(d -> d.name().toLowerCase(Locale.ROOT).contains(needle))
                    .forEach(d -> hits.add(new Hit("process", d.name(), "process")));
            objectives.states().stream().map(s -> s.objective())
                    .filter(o -> o.name().toLowerCase(Locale.ROOT).contains(needle))
                    .forEach(o -> hits.add(new Hit("objective", o.name(), "objective on " + o.series().key())));
            if (hits.size() < limit) {
                for (CaseRecord c : pipeline.store().casesMatching(q, limit - hits.size())) {
                    StringBuilder keys = new StringBuilder();
                    c.keys().forEach((k, vs) -> vs.forEach(v -> keys.append(", ").append(k).append('=').append(v)));
                    hits.add(new Hit("case", c.id(), c.process() + " case, " + c.status().wire() + keys));
                }
            }
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("q", q);
                g.writeArrayFieldStart("results");
                for (Hit h : hits.subList(0, Math.min(limit, hits.size()))) {
                    g.writeStartObject();
                    g.writeStringField("kind", h.kind());
                    g.writeStringField("name", h.name());
                    g.writeStringField("detail", h.detail());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        });
    }

    /** One search result: what kind of thing, its name (or case id), and a line saying what it is. */
    private record Hit(String kind, String name, String detail) {
    }
}
