package dev.vigil.summarise;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SummariserProperties {

    static final long T0 = 1_795_000_000_000_000L;

    @Provide
    Arbitrary<Event> calls() {
        return Combinators.combine(
                Arbitraries.longs().between(0, 10 * 60_000_000L),
                Arbitraries.of("billing", "shop", "wms"),
                Arbitraries.of("Create", "GET /orders", "Ship"),
                Arbitraries.of(Outcome.class),
                Arbitraries.longs().between(0, 5_000_000L).injectNull(0.1),
                Arbitraries.of("tax-gateway", "carrier-api").injectNull(0.5),
                Arbitraries.of("retail", "logistics").injectNull(0.3),
                Arbitraries.of(EventKind.CALL, EventKind.ACTIVITY))
                .as((dt, source, name, outcome, dur, peer, unit, kind) ->
                        new Event(T0 + dt, source, name, kind, Map.of(), outcome, dur, peer, unit, Map.of()));
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

    @Property(tries = 200)
    void anyArrivalOrderGivesTheSameWindows(@ForAll @Size(max = 300) List<@net.jqwik.api.From("calls") Event> events,
                                            @ForAll long seed) {
        List<Event> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, new Random(seed));
        assertThat(same(run(events), run(shuffled))).isTrue();
    }

    @Property(tries = 200)
    void everyCallIsCountedOnceUnderItsServiceAndOperation(
            @ForAll @Size(max = 300) List<@net.jqwik.api.From("calls") Event> events) {
        long calls = events.stream().filter(e -> e.kind() == EventKind.CALL).count();
        long counted = run(events).stream().filter(w -> w.key().dimension() == Dimension.SERVICE_OPERATION)
                .mapToLong(w -> w.window().count()).sum();
        assertThat(counted).isEqualTo(calls);
    }

    @Property(tries = 200)
    void everyEventCountsUnderItsServiceAndUnitAndEveryCallToAPeerUnderItsEdge(
            @ForAll @Size(max = 300) List<@net.jqwik.api.From("calls") Event> events) {
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

    @Property(tries = 100)
    void partitionsMergedEqualOneSummariserAndMinutesRollUpIntoTheSameHours(
            @ForAll @Size(max = 300) List<@net.jqwik.api.From("calls") Event> events,
            @ForAll @IntRange(min = 1, max = 4) int partitions) {
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

    @Property(tries = 100)
    void theWatermarkClosesOnlyWindowsThatEndedAndLaterEventsForThemAreCountedTooLate(
            @ForAll @Size(min = 1, max = 200) List<@net.jqwik.api.From("calls") Event> events,
            @ForAll @IntRange(min = 0, max = 10) int minutes) {
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

    @Property(tries = 50)
    void advancingBeforeAnyEventClosesNothing(@ForAll @Size(min = 1, max = 50) List<@net.jqwik.api.From("calls") Event> events) {
        Summariser s = new Summariser();
        assertThat(s.advance(Long.MIN_VALUE, Long.MIN_VALUE)).isEmpty();
        events.forEach(s::accept);
        assertThat(s.tooLate()).isZero();
        assertThat(s.advance(Long.MIN_VALUE, Long.MIN_VALUE)).isEmpty();
        // Every event belongs at least to its service's series.
        assertThat(s.openWindows()).isPositive();
    }

    @Property(tries = 100)
    void lateEventsBeforeTheFinalLineAmendTheirWindowAndAfterItAreTooLate(
            @ForAll @Size(min = 1, max = 200) List<@net.jqwik.api.From("calls") Event> events,
            @ForAll @IntRange(min = 1, max = 10) int minutes) {
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

    /** The process the correlation stage found an event to belong to, if any. */
    @Provide
    Arbitrary<String> processes() {
        return Arbitraries.of("orders", "returns").injectNull(0.5);
    }

    @Property(tries = 200)
    void everySeriesWindowIsExactlyTheFoldOfItsOwnEventsAndDirectObservations(
            @ForAll @Size(max = 300) List<@net.jqwik.api.From("calls") Event> events,
            @ForAll @Size(max = 300) List<@net.jqwik.api.From("processes") String> processes,
            @ForAll @Size(max = 30) List<@net.jqwik.api.From("calls") Event> direct) {
        // The reference folds each series as the events come; the summariser keeps finer cells and rolls
        // them up. Direct observations land on the events' own series too, so both paths meet in one window.
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
        for (Event e : direct) {
            KpiKey key = new KpiKey(Dimension.SERVICE, e.source(), e.unit());
            s.accept(key, e.timeMicros(), e.durationMicros() == null ? -1 : e.durationMicros(), e.failed());
            fold(expected, key, e);
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

    @Property(tries = 100)
    void aCheckpointRestoredMidStreamHandsOutWhatAnUninterruptedSummariserDoes(
            @ForAll @Size(min = 1, max = 300) List<@net.jqwik.api.From("calls") Event> events,
            @ForAll @IntRange(min = 0, max = 300) int cut,
            @ForAll @IntRange(min = 0, max = 10) int minutes) throws Exception {
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
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        before.write(new java.io.DataOutputStream(bytes));
        Summariser restored = new Summariser();
        restored.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        for (Event e : events.subList(0, at)) {
            whole.accept(e);
            restored.accept(e);
        }
        wholeOut.addAll(whole.advance(Long.MAX_VALUE));
        restoredOut.addAll(restored.advance(Long.MAX_VALUE));
        assertThat(same(restoredOut, wholeOut)).isTrue();
        assertThat(restored.tooLate()).isEqualTo(whole.tooLate());
    }
}
