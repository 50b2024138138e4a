package dev.vigil.summarise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.testkit.Gen;
import dev.vigil.testkit.Props;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SummariserProperties {

    static final long T0 = 1_795_000_000_000_000L;

    /**
     * A call or activity within ten minutes of T0 (small offsets, so many in the first minute, as often as any
     * other size): three services and operations (and one time in five one of a hundred more services, so that a
     * minute holds enough cells to grow its table), any outcome, a duration up to 5 s (none one time in ten), a
     * peer half the time, a unit seven times in ten. Names are fresh strings half the time, as events decoded
     * from the network bring them: equal names must find the same window without being the same object.
     */
    static Event call(Gen g) {
        long dt = g.longs(0, 10 * 60_000_000L);
        String source = g.chance(0.2) ? "svc-" + g.ints(0, 99) : g.oneOf("billing", "shop", "wms");
        String name = g.oneOf("Create", "GET /orders", "Ship");
        if (g.bool()) {
            source = new String(source.toCharArray());
            name = new String(name.toCharArray());
        }
        Outcome outcome = g.oneOf(Outcome.class);
        Long dur = g.orNull(0.1, () -> g.longs(0, 5_000_000L));
        String peer = g.orNull(0.5, () -> g.oneOf("tax-gateway", "carrier-api"));
        String unit = g.orNull(0.3, () -> g.oneOf("retail", "logistics"));
        EventKind kind = g.oneOf(EventKind.CALL, EventKind.ACTIVITY);
        return new Event(T0 + dt, source, name, kind, Map.of(), outcome, dur, peer, unit, Map.of());
    }

    static List<Event> calls(Gen g, int min, int max) {
        return g.list(min, max, () -> call(g));
    }

    static List<ClosedWindow> run(List<Event> events) {
        Summariser s = new Summariser();
        events.forEach(s::accept);
        return s.advance(Long.MAX_VALUE);
    }

    static boolean same(List<ClosedWindow> a, List<ClosedWindow> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            ClosedWindow x = a.get(i);
            ClosedWindow y = b.get(i);
            if (!x.key().equals(y.key()) || x.startMicros() != y.startMicros() || !x.window().sameAs(y.window())) {
                return false;
            }
        }
        return true;
    }

    record Shuffle(List<Event> events, long seed) {
    }

    @Test
    void anyArrivalOrderGivesTheSameWindows() {
        Props.forAll(200, g -> new Shuffle(calls(g, 0, 300), g.anyLong()),
                in -> anyArrivalOrderGivesTheSameWindows(in.events(), in.seed()));
    }

    static void anyArrivalOrderGivesTheSameWindows(List<Event> events, long seed) {
        List<Event> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, new Random(seed));
        assertThat(same(run(events), run(shuffled))).isTrue();
    }

    /**
     * Equal names share one cell whatever string objects carry them: a cell per distinct (kind is call, source,
     * name where kept, unit, peer) and minute, however many events and however the table grew.
     */
    @Test
    void equalFieldsShareOneOpenCellWhateverStringsCarryThem() {
        Props.forAll(200, g -> calls(g, 0, 600), SummariserProperties::equalFieldsShareOneOpenCellWhateverStringsCarryThem);
    }

    static void equalFieldsShareOneOpenCellWhateverStringsCarryThem(List<Event> events) {
        Summariser s = new Summariser();
        java.util.Set<List<Object>> cells = new java.util.HashSet<>();
        for (Event e : events) {
            s.accept(e);
            boolean call = e.kind() == EventKind.CALL;
            cells.add(java.util.Arrays.asList(call, e.source(), call ? e.name() : "", e.unit(), e.peer(),
                    e.timeMicros() / 60_000_000L));
        }
        assertThat(s.openWindows()).isEqualTo(cells.size());
    }

    @Test
    void everyCallIsCountedOnceUnderItsServiceAndOperation() {
        Props.forAll(200, g -> calls(g, 0, 300), SummariserProperties::everyCallIsCountedOnceUnderItsServiceAndOperation);
    }

    static void everyCallIsCountedOnceUnderItsServiceAndOperation(List<Event> events) {
        long calls = events.stream().filter(e -> e.kind() == EventKind.CALL).count();
        long counted = run(events).stream().filter(w -> w.key().dimension() == Dimension.SERVICE_OPERATION)
                .mapToLong(w -> w.window().count()).sum();
        assertThat(counted).isEqualTo(calls);
    }

    @Test
    void everyEventCountsUnderItsServiceAndUnitAndEveryCallToAPeerUnderItsEdge() {
        Props.forAll(200, g -> calls(g, 0, 300), SummariserProperties::everyEventCountsUnderItsServiceAndUnitAndEveryCallToAPeerUnderItsEdge);
    }

    static void everyEventCountsUnderItsServiceAndUnitAndEveryCallToAPeerUnderItsEdge(List<Event> events) {
        List<ClosedWindow> windows = run(events);
        Map<List<String>, Long> byServiceUnit = new java.util.HashMap<>();
        Map<List<String>, Long> byEdge = new java.util.HashMap<>();
        for (Event e : events) {
            byServiceUnit.merge(List.of(e.source(), e.unit() == null ? "" : e.unit()), 1L, Long::sum);
            if (e.peer() != null) {
                byEdge.merge(List.of(e.source(), e.peer()), 1L, Long::sum);
            }
        }
        assertThat(totals(windows, Dimension.SERVICE)).isEqualTo(byServiceUnit);
        assertThat(totals(windows, Dimension.CALL)).isEqualTo(byEdge);
    }

    private static Map<List<String>, Long> totals(List<ClosedWindow> windows, Dimension dimension) {
        Map<List<String>, Long> out = new java.util.HashMap<>();
        windows.stream().filter(w -> w.key().dimension() == dimension).forEach(w ->
                out.merge(List.of(w.key().primary(), w.key().secondary()), w.window().count(), Long::sum));
        return out;
    }

    record Partitioned(List<Event> events, int partitions) {
    }

    @Test
    void partitionsMergedEqualOneSummariserAndMinutesRollUpIntoTheSameHours() {
        Props.forAll(100, g -> new Partitioned(calls(g, 0, 300), g.ints(1, 4)),
                in -> partitionsMergedEqualOneSummariserAndMinutesRollUpIntoTheSameHours(in.events(), in.partitions()));
    }

    static void partitionsMergedEqualOneSummariserAndMinutesRollUpIntoTheSameHours(List<Event> events, int partitions) {
        List<Summariser> parts = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            parts.add(new Summariser());
        }
        for (int i = 0; i < events.size(); i++) {
            parts.get(i % partitions).accept(events.get(i));
        }
        List<ClosedWindow> all = new ArrayList<>();
        parts.forEach(p -> all.addAll(p.advance(Long.MAX_VALUE)));
        List<ClosedWindow> whole = run(events);
        assertThat(same(Summariser.merge(all, WindowSpan.MINUTE), whole)).isTrue();
        assertThat(same(Summariser.merge(all, WindowSpan.HOUR), Summariser.merge(whole, WindowSpan.HOUR))).isTrue();
    }

    record Watermarked(List<Event> events, int minutes) {
    }

    @Test
    void theWatermarkClosesOnlyWindowsThatEndedAndLaterEventsForThemAreCountedTooLate() {
        Props.forAll(100, g -> new Watermarked(calls(g, 1, 200), g.ints(0, 10)),
                in -> theWatermarkClosesOnlyWindowsThatEndedAndLaterEventsForThemAreCountedTooLate(in.events(), in.minutes()));
    }

    static void theWatermarkClosesOnlyWindowsThatEndedAndLaterEventsForThemAreCountedTooLate(List<Event> events, int minutes) {
        Summariser s = new Summariser();
        events.forEach(s::accept);
        long watermark = T0 + minutes * 60_000_000L;
        List<ClosedWindow> closed = s.advance(watermark);
        assertThat(closed).allSatisfy(w -> assertThat(w.endMicros()).isLessThanOrEqualTo(watermark));
        long before = s.tooLate();
        s.accept(new Event(watermark - 1, "late", "Op", EventKind.CALL, Map.of(), Outcome.OK, 5L, null, null, Map.of()));
        boolean windowClosed = WindowSpan.MINUTE.startOf(watermark - 1) + WindowSpan.MINUTE.micros() <= watermark;
        assertThat(s.tooLate() - before).isEqualTo(windowClosed ? 1 : 0);
    }

    @Test
    void advancingBeforeAnyEventClosesNothing() {
        Props.forAll(50, g -> calls(g, 1, 50), SummariserProperties::advancingBeforeAnyEventClosesNothing);
    }

    static void advancingBeforeAnyEventClosesNothing(List<Event> events) {
        Summariser s = new Summariser();
        assertThat(s.advance(Long.MIN_VALUE, Long.MIN_VALUE)).isEmpty();
        events.forEach(s::accept);
        assertThat(s.tooLate()).isZero();
        assertThat(s.advance(Long.MIN_VALUE, Long.MIN_VALUE)).isEmpty();
        // Every event belongs at least to its service's series.
        assertThat(s.openWindows()).isPositive();
    }

    @Test
    void lateEventsBeforeTheFinalLineAmendTheirWindowAndAfterItAreTooLate() {
        Props.forAll(100, g -> new Watermarked(calls(g, 1, 200), g.ints(1, 10)),
                in -> lateEventsBeforeTheFinalLineAmendTheirWindowAndAfterItAreTooLate(in.events(), in.minutes()));
    }

    static void lateEventsBeforeTheFinalLineAmendTheirWindowAndAfterItAreTooLate(List<Event> events, int minutes) {
        Summariser s = new Summariser();
        events.forEach(s::accept);
        // On a minute boundary, so that the window of (watermark - 1) is closed by it.
        long watermark = WindowSpan.MINUTE.startOf(T0 + minutes * 60_000_000L);
        long finalLine = watermark - 60_000_000L;
        s.advance(watermark, finalLine);
        Event amending = new Event(watermark - 1, "late", "Op", EventKind.CALL, Map.of(), Outcome.OK, 5L, null, null, Map.of());
        Event tooLate = new Event(finalLine - 60_000_001L, "late", "Op", EventKind.CALL, Map.of(), Outcome.OK, 5L, null, null, Map.of());
        s.accept(amending);
        s.accept(tooLate);
        List<ClosedWindow> out = s.advance(watermark, finalLine);
        assertThat(s.tooLate()).isEqualTo(1);
        // The amending call's two series (its operation, its service), each holding that one event.
        assertThat(out).hasSize(2).allSatisfy(w -> {
            assertThat(w.key().primary()).isEqualTo("late");
            assertThat(w.window().count()).isEqualTo(1);
        });
    }

    /** Each event's series spelled out on their own, as the summariser's class comment states them. */
    static List<KpiKey> seriesOf(Event e, String process) {
        List<KpiKey> keys = new ArrayList<>();
        if (e.kind() == EventKind.CALL) {
            keys.add(new KpiKey(Dimension.SERVICE_OPERATION, e.source(), e.name()));
        }
        keys.add(new KpiKey(Dimension.SERVICE, e.source(), e.unit()));
        if (e.peer() != null) {
            keys.add(KpiKey.of(Dimension.PEER, e.peer()));
            keys.add(new KpiKey(Dimension.CALL, e.source(), e.peer()));
        }
        if (e.unit() != null) {
            keys.add(KpiKey.of(Dimension.UNIT, e.unit()));
        }
        if (process != null) {
            keys.add(new KpiKey(Dimension.PROCESS_ACTIVITY, process, e.name()));
        }
        return keys;
    }

    /** The process the correlation stage found an event to belong to, if any (none half the time). */
    static String process(Gen g) {
        return g.orNull(0.5, () -> g.oneOf("orders", "returns"));
    }

    record WithProcesses(List<Event> events, List<String> processes) {
    }

    @Test
    void everySeriesWindowIsExactlyTheFoldOfItsOwnEvents() {
        Props.forAll(200, g -> new WithProcesses(calls(g, 0, 300), g.list(0, 300, () -> process(g))),
                in -> everySeriesWindowIsExactlyTheFoldOfItsOwnEvents(in.events(), in.processes()));
    }

    static void everySeriesWindowIsExactlyTheFoldOfItsOwnEvents(List<Event> events, List<String> processes) {
        // The reference folds each series as the events come; the summariser keeps finer cells and rolls
        // them up.
        TreeMap<Long, TreeMap<KpiKey, KpiWindow>> expected = new TreeMap<>();
        Summariser s = new Summariser();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            String process = i < processes.size() ? processes.get(i) : null;
            s.accept(e, process);
            for (KpiKey key : seriesOf(e, process)) {
                fold(expected, key, e);
            }
        }
        List<ClosedWindow> want = new ArrayList<>();
        expected.forEach((start, m) -> m.forEach((key, w) -> want.add(new ClosedWindow(key, WindowSpan.MINUTE, start, w))));
        assertThat(same(s.advance(Long.MAX_VALUE), want)).isTrue();
    }

    private static void fold(TreeMap<Long, TreeMap<KpiKey, KpiWindow>> into, KpiKey key, Event e) {
        into.computeIfAbsent(WindowSpan.MINUTE.startOf(e.timeMicros()), s -> new TreeMap<>())
                .computeIfAbsent(key, k -> new KpiWindow())
                .accept(e.durationMicros() == null ? -1 : e.durationMicros(), e.failed());
    }

    record Cut(List<Event> events, int cut, int minutes) {
    }

    @Test
    void aSnapshotRestoredMidStreamSourceBySourceHandsOutWhatAnUninterruptedSummariserDoes() {
        Props.forAll(100, g -> new Cut(calls(g, 1, 300), g.ints(0, 300), g.ints(0, 10)),
                in -> aSnapshotRestoredMidStreamSourceBySourceHandsOutWhatAnUninterruptedSummariserDoes(in.events(), in.cut(), in.minutes()));
    }

    static void aSnapshotRestoredMidStreamSourceBySourceHandsOutWhatAnUninterruptedSummariserDoes(List<Event> events, int cut, int minutes)
            throws Exception {
        int at = Math.min(cut, events.size());
        long watermark = WindowSpan.MINUTE.startOf(T0 + minutes * 60_000_000L);
        long finalLine = watermark - 60_000_000L;
        Summariser whole = new Summariser();
        Summariser before = new Summariser();
        List<ClosedWindow> wholeOut = new ArrayList<>();
        List<ClosedWindow> restoredOut = new ArrayList<>();
        for (int i = 0; i < at; i++) {
            whole.accept(events.get(i));
            before.accept(events.get(i));
        }
        wholeOut.addAll(whole.advance(watermark, finalLine));
        restoredOut.addAll(before.advance(watermark, finalLine));
        // The rest come after that advance: open windows, amendments and too-late events alike.
        for (int i = at; i < events.size(); i++) {
            whole.accept(events.get(i));
            before.accept(events.get(i));
        }
        java.util.Map<String, byte[]> bySource = new java.util.TreeMap<>();
        before.snapshotBySource(bySource::put);
        // Each source's state in a summariser of its own, as after a rescale, then added up like partitions.
        List<Summariser> restored = new ArrayList<>();
        for (var e : bySource.entrySet()) {
            Summariser r = new Summariser();
            r.restoreSource(e.getKey(), new java.io.DataInputStream(new java.io.ByteArrayInputStream(e.getValue())));
            // The runtime tells a restored summariser where time stands before anything else.
            restoredOut.addAll(r.advance(watermark, finalLine));
            restored.add(r);
        }
        Summariser fresh = new Summariser();
        fresh.advance(watermark, finalLine);
        restored.add(fresh);
        for (Event e : events.subList(0, at)) {
            whole.accept(e);
            fresh.accept(e);
        }
        wholeOut.addAll(whole.advance(Long.MAX_VALUE));
        for (Summariser r : restored) {
            restoredOut.addAll(r.advance(Long.MAX_VALUE));
        }
        assertThat(same(Summariser.merge(restoredOut, WindowSpan.MINUTE), Summariser.merge(wholeOut, WindowSpan.MINUTE))).isTrue();
    }
}
