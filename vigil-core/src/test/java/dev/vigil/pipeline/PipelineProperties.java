package dev.vigil.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.CaseRecord;
import dev.vigil.correlate.CaseStatus;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.testkit.Props;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PipelineProperties {

    static final long SECOND = 1_000_000L;
    static final LatenessPolicy POLICY = new LatenessPolicy(10 * SECOND, 300 * SECOND, 1_000);
    static final ProcessDef ORDER = new ProcessDef("order-to-cash", List.of("Placed", "Paid", "Shipped", "Delivered"),
            "Placed", Set.of("Delivered"), List.of("orderId", "shipmentId"), 600 * SECOND);
    static final Processes PROCESSES = new Processes(List.of(ORDER));
    static final long T0 = 1_800_000_000_000_000L;

    /** A generated business transaction: which events it has, and whether its link event exists. */
    record Tx(int n, boolean linked, List<Event> events) {
    }

    static List<Tx> estate(long seed, int cases) {
        Random r = new Random(seed);
        List<Tx> txs = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            long t = T0 + (long) (r.nextDouble() * 20 * 60 * SECOND);
            String order = "O-" + i;
            String ship = "S-" + i;
            String customer = "C-" + r.nextInt(3);
            boolean linked = r.nextDouble() < 0.8;
            int steps = 1 + r.nextInt(4);
            List<Event> ev = new ArrayList<>();
            for (int s = 0; s < steps; s++) {
                String act = ORDER.activities().get(s);
                Map<String, String> keys = new LinkedHashMap<>();
                // Not a declared key: it is shared by many orders and must join none of them.
                keys.put("customerId", customer);
                switch (act) {
                    case "Placed", "Paid" -> keys.put("orderId", order);
                    case "Shipped" -> {
                        if (!linked) {
                            continue;
                        }
                        keys.put("orderId", order);
                        keys.put("shipmentId", ship);
                    }
                    default -> keys.put("shipmentId", ship);
                }
                ev.add(event(t, "shop", act, EventKind.ACTIVITY, keys, r.nextDouble() < 0.1,
                        (long) (r.nextDouble() * 2 * SECOND)));
                t += (long) (r.nextDouble() * 90 * SECOND);
            }
            txs.add(new Tx(i, linked, ev));
        }
        return txs;
    }

    static List<Event> calls(long seed, int n) {
        Random r = new Random(seed ^ 0x5DEECE66DL);
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = T0 + (long) (r.nextDouble() * 20 * 60 * SECOND);
            out.add(new Event(t, "svc-" + r.nextInt(3), "op-" + r.nextInt(2), EventKind.CALL, Map.of(),
                    r.nextDouble() < 0.05 ? Outcome.ERROR : Outcome.OK, (long) Math.exp(9 + r.nextGaussian()),
                    r.nextBoolean() ? "bank" : null, "retail", Map.of()));
        }
        return out;
    }

    static Event event(long t, String source, String name, EventKind kind, Map<String, String> keys, boolean failed,
                       long duration) {
        return new Event(t, source, name, kind, keys, failed ? Outcome.ERROR : Outcome.OK, duration, null, null, Map.of());
    }

    /** Arrival order: each event delayed by a jitter below {@code maxDelay}, so none arrives later than that. */
    static List<Event> arrival(List<Event> events, long seed, long maxDelay) {
        Random r = new Random(seed);
        record Arriving(long at, int i, Event e) {
        }
        List<Arriving> a = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            a.add(new Arriving(events.get(i).timeMicros() + (long) (r.nextDouble() * maxDelay), i, events.get(i)));
        }
        a.sort(Comparator.comparingLong(Arriving::at).thenComparingInt(Arriving::i));
        return a.stream().map(Arriving::e).toList();
    }

    /** What the store would hold after the run: the last revision of each window, the cases by id. */
    record Outcome2(Map<String, KpiWindow> windows, Map<String, CaseRecord> cases, int maxRevision) {
    }

    static Outcome2 run(List<Event> arrival, int partitions, int advanceEvery) {
        Pipeline p = new Pipeline(PROCESSES, POLICY, partitions);
        Map<String, KpiWindow> windows = new TreeMap<>();
        Map<String, CaseRecord> cases = new TreeMap<>();
        int[] maxRevision = {0};
        java.util.function.Consumer<Pipeline.Emitted> apply = em -> {
            for (MergedWindow w : em.windows()) {
                windows.put(w.key() + "@" + w.startMicros(), w.window().copy());
                maxRevision[0] = Math.max(maxRevision[0], w.revision());
            }
            for (CaseChange c : em.cases()) {
                switch (c) {
                    case CaseChange.Updated u -> cases.put(u.record().id(), u.record());
                    case CaseChange.Retired r -> cases.remove(r.id());
                }
            }
        };
        long seq = 0;
        for (Event e : arrival) {
            p.accept(e, ++seq, 0);
            if (seq % advanceEvery == 0) {
                apply.accept(p.advance(0));
            }
        }
        apply.accept(p.advance(0));
        // The estate goes quiet: idle time moves every watermark past everything.
        apply.accept(p.advance(100_000_000L));
        return new Outcome2(windows, cases, maxRevision[0]);
    }

    static List<Event> all(List<Tx> txs, List<Event> calls) {
        List<Event> events = new ArrayList<>(calls);
        txs.forEach(t -> events.addAll(t.events()));
        events.sort(Comparator.comparingLong(Event::timeMicros));
        return events;
    }

    static void assertSame(Outcome2 a, Outcome2 b) {
        assertThat(b.windows().keySet()).isEqualTo(a.windows().keySet());
        a.windows().forEach((k, w) -> assertThat(b.windows().get(k).sameAs(w)).as("window %s: %s vs %s", k, w, b.windows().get(k)).isTrue());
        assertThat(b.cases()).isEqualTo(a.cases());
    }

    /** The seed of the generated estate and arrival order, the partitions, how many events between advances. */
    record Run(long seed, int partitions, int advanceEvery) {
    }

    @Test
    void anyArrivalOrderWithinTheAllowedLatenessGivesIdenticalKpisAndCases() {
        Props.forAll(60, g -> new Run(g.anyLong(), g.ints(1, 4), g.ints(1, 50)),
                in -> anyArrivalOrderWithinTheAllowedLatenessGivesIdenticalKpisAndCases(in.seed(), in.partitions(), in.advanceEvery()));
    }

    static void anyArrivalOrderWithinTheAllowedLatenessGivesIdenticalKpisAndCases(long seed, int partitions, int advanceEvery) {
        List<Event> events = all(estate(seed, 60), calls(seed, 300));
        Outcome2 inOrder = run(events, 1, 1_000_000);
        Outcome2 shuffled = run(arrival(events, seed, POLICY.allowedLatenessMicros()), partitions, advanceEvery);
        assertSame(inOrder, shuffled);
        assertThat(shuffled.maxRevision()).as("nothing was late, so nothing was amended").isEqualTo(1);
    }

    @Test
    void lateEventsWithinTheMaximumLatenessAmendWindowsToTheSameResult() {
        Props.forAll(60, g -> new Run(g.anyLong(), g.ints(1, 4), g.ints(1, 20)),
                in -> lateEventsWithinTheMaximumLatenessAmendWindowsToTheSameResult(in.seed(), in.partitions(), in.advanceEvery()));
    }

    static void lateEventsWithinTheMaximumLatenessAmendWindowsToTheSameResult(long seed, int partitions, int advanceEvery) {
        List<Event> events = all(estate(seed, 60), calls(seed, 300));
        Outcome2 inOrder = run(events, 1, 1_000_000);
        // Up to two minutes late: far past the 10 s allowed lateness, inside the 5 min maximum.
        Outcome2 late = run(arrival(events, seed, 120 * SECOND), partitions, advanceEvery);
        assertSame(inOrder, late);
    }

    record Partitioned(long seed, int partitions) {
    }

    @Test
    void correlationWithChangingKeysJoinsExactlyTheEventsItShould() {
        Props.forAll(100, g -> new Partitioned(g.anyLong(), g.ints(1, 4)),
                in -> correlationWithChangingKeysJoinsExactlyTheEventsItShould(in.seed(), in.partitions()));
    }

    static void correlationWithChangingKeysJoinsExactlyTheEventsItShould(long seed, int partitions) {
        List<Tx> txs = estate(seed, 40);
        Outcome2 out = run(arrival(all(txs, List.of()), seed, POLICY.allowedLatenessMicros()), partitions, 7);
        // The expected cases, worked out independently: a linked transaction is one case with all its events;
        // without its Shipped event, its order part and its shipment part are separate cases.
        Map<Set<String>, Integer> expected = new HashMap<>();
        for (Tx t : txs) {
            Map<Set<String>, Integer> parts = new HashMap<>();
            for (Event e : t.events()) {
                Set<String> id = t.linked() ? Set.of("orderId=O-" + t.n(), "shipmentId=S-" + t.n())
                        : e.correlation().containsKey("orderId") ? Set.of("orderId=O-" + t.n()) : Set.of("shipmentId=S-" + t.n());
                parts.merge(id, 1, Integer::sum);
            }
            parts.forEach((k, n) -> {
                Set<String> present = new java.util.TreeSet<>();
                for (Event e : t.events()) {
                    e.correlation().forEach((name, v) -> {
                        if (!name.equals("customerId") && k.contains(name + "=" + v)) {
                            present.add(name + "=" + v);
                        }
                    });
                }
                expected.put(present, n);
            });
        }
        Map<Set<String>, Integer> actual = new HashMap<>();
        for (CaseRecord c : out.cases().values()) {
            Set<String> keys = new java.util.TreeSet<>();
            c.keys().forEach((name, values) -> values.forEach(v -> keys.add(name + "=" + v)));
            assertThat(actual.put(keys, c.events())).as("two cases with keys %s", keys).isNull();
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void caseStatusFollowsEndActivitiesAndTheStuckTimeout() {
        Props.forAll(30, g -> g.anyLong(), PipelineProperties::caseStatusFollowsEndActivitiesAndTheStuckTimeout);
    }

    static void caseStatusFollowsEndActivitiesAndTheStuckTimeout(long seed) {
        List<Tx> txs = estate(seed, 40);
        Outcome2 out = run(all(txs, List.of()), 2, 5);
        for (CaseRecord c : out.cases().values()) {
            boolean ended = c.path().contains("Delivered");
            assertThat(c.status()).isEqualTo(ended ? CaseStatus.COMPLETED : CaseStatus.STUCK);
            assertThat(c.path()).isSortedAccordingTo(Comparator.comparingInt(ORDER.activities()::indexOf));
            assertThat(c.outcome()).isEqualTo(c.failedEvents() > 0 ? "error" : "ok");
        }
    }

    @Test
    void everyEventIsCountedExactlyOnceInTheMergedWindows() {
        Props.forAll(30, g -> new Run(g.anyLong(), g.ints(1, 4), g.ints(1, 50)),
                in -> everyEventIsCountedExactlyOnceInTheMergedWindows(in.seed(), in.partitions(), in.advanceEvery()));
    }

    static void everyEventIsCountedExactlyOnceInTheMergedWindows(long seed, int partitions, int advanceEvery) {
        List<Event> calls = calls(seed, 500);
        Outcome2 out = run(arrival(calls, seed, POLICY.allowedLatenessMicros()), partitions, advanceEvery);
        long perUnit = out.windows().entrySet().stream().filter(e -> e.getKey().contains("UNIT"))
                .mapToLong(e -> e.getValue().count()).sum();
        assertThat(perUnit).isEqualTo(calls.size());
    }
}
