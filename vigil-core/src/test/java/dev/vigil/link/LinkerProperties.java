package dev.vigil.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.operator.KeyedState;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.testkit.Gen;
import dev.vigil.testkit.Props;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The linker against a batch oracle written here from the rules alone: generated call trees (instrumented calls,
 * local spans between, calls to uninstrumented peers, context passed without a client span, lost spans), their
 * spans delivered out of order across traces, and the windows it hands out compared series by series and minute
 * by minute with what the oracle makes of the complete traces.
 */
class LinkerProperties {

    private static final long SECOND = 1_000_000L;
    private static final long WAIT = 30 * SECOND;
    private static final long ALLOWED_LATENESS = 5 * SECOND;
    private static final long T0 = 1_780_000_000_000_000L;
    private static final List<String> SERVICES = List.of("web", "orders", "billing", "stock");
    private static final List<String> PEERS = List.of("postgres", "parcelco", "kafka:orders");

    /** One generated trace's spans, and the spans that were lost on the way (never delivered). */
    record Traces(List<SpanRef> delivered, List<Integer> arrivalJitterMillis, Set<String> lost) {
    }

    /** Builds traces; every span of a trace ends within five seconds of its start. */
    private static final class Builder {
        final Gen g;
        final List<SpanRef> all = new ArrayList<>();
        final Set<String> lost = new HashSet<>();
        int next;

        Builder(Gen g) {
            this.g = g;
        }

        Traces build() {
            int traces = g.ints(1, 40);
            for (int t = 0; t < traces; t++) {
                String trace = "t" + t;
                long start = T0 + g.longs(0, 5 * 60) * SECOND + g.longs(0, 999_999);
                String service = g.oneOf(SERVICES);
                if (g.chance(0.15)) {
                    // a local root: a batch job's span, with calls under it
                    SpanRef root = span(trace, null, service, SpanKind.INTERNAL, null, start);
                    calls(trace, root, start, 0);
                } else {
                    SpanRef root = span(trace, null, service, SpanKind.SERVER, null, start);
                    calls(trace, root, start, 0);
                }
            }
            List<SpanRef> delivered = all.stream().filter(s -> !lost.contains(s.traceId() + "/" + s.spanId())).toList();
            List<Integer> jitter = new ArrayList<>();
            delivered.forEach(s -> jitter.add(g.ints(0, 3000)));
            return new Traces(delivered, jitter, lost);
        }

        void calls(String trace, SpanRef parent, long start, int depth) {
            if (depth >= 3) {
                return;
            }
            int n = g.ints(0, 3);
            for (int i = 0; i < n; i++) {
                SpanRef from = parent;
                int locals = g.ints(0, 2);
                for (int l = 0; l < locals; l++) {
                    from = span(trace, from.spanId(), from.service(), SpanKind.INTERNAL, null, start);
                }
                String callee = g.oneOf(SERVICES);
                switch (g.ints(0, 4)) {
                    case 0, 1 -> { // an instrumented call
                        SpanKind[] kinds = g.bool() ? new SpanKind[] {SpanKind.CLIENT, SpanKind.SERVER}
                                : new SpanKind[] {SpanKind.PRODUCER, SpanKind.CONSUMER};
                        SpanRef client = span(trace, from.spanId(), from.service(), kinds[0], g.orNull(0.5, () -> callee), start);
                        SpanRef server = span(trace, client.spanId(), callee, kinds[1], null, start);
                        if (g.chance(0.1)) {
                            lost.add(trace + "/" + client.spanId());
                        }
                        calls(trace, server, start, depth + 1);
                    }
                    case 2 -> span(trace, from.spanId(), from.service(), SpanKind.CLIENT, g.oneOf(PEERS), start);
                    case 3 -> span(trace, from.spanId(), from.service(), SpanKind.CLIENT, null, start);
                    default -> { // context passed on without a client span
                        SpanRef server = span(trace, from.spanId(), callee, SpanKind.SERVER, null, start);
                        calls(trace, server, start, depth + 1);
                    }
                }
            }
        }

        SpanRef span(String trace, String parent, String service, SpanKind kind, String peer, long start) {
            String id = "s" + next++;
            SpanRef s = new SpanRef(trace, id, parent, service, kind, peer, start + g.longs(0, 5 * SECOND),
                    g.longs(0, 2 * SECOND), g.chance(0.1), g.oneOf("host-1", "host-2", null), g.orNull(0.3, () -> service + "-1"));
            all.add(s);
            return s;
        }
    }

    /** What the rules say of complete traces, written without the linker's code. */
    static Map<String, KpiWindow> oracle(List<SpanRef> spans) {
        Map<String, KpiWindow> out = new TreeMap<>();
        Map<String, Map<String, SpanRef>> byTrace = new HashMap<>();
        for (SpanRef s : spans) {
            byTrace.computeIfAbsent(s.traceId(), t -> new HashMap<>()).put(s.spanId(), s);
            if (s.host() != null) {
                add(out, new KpiKey(Dimension.PLACEMENT, s.service(), s.host()), s.timeMicros(), -1, s.failed());
            }
            if (s.instance() != null) {
                add(out, new KpiKey(Dimension.INSTANCE, s.service(), s.instance()), s.timeMicros(), -1, s.failed());
            }
        }
        Set<String> answered = new HashSet<>();
        for (SpanRef c : spans) {
            if (c.kind() != SpanKind.SERVER && c.kind() != SpanKind.CONSUMER || c.parentId() == null) {
                continue;
            }
            Map<String, SpanRef> trace = byTrace.get(c.traceId());
            SpanRef p = trace.get(c.parentId());
            while (p != null && p.kind() == SpanKind.INTERNAL && p.service().equals(c.service()) && p.parentId() != null) {
                p = trace.get(p.parentId());
            }
            if (p == null) {
                add(out, new KpiKey(Dimension.LINK_UNPAIRED, c.service(), "server"), c.timeMicros(), -1, c.failed());
            } else if (p.kind() == SpanKind.CLIENT || p.kind() == SpanKind.PRODUCER) {
                answered.add(p.traceId() + "/" + p.spanId());
                add(out, new KpiKey(Dimension.LINK, p.service(), c.service()), p.timeMicros(), p.durationMicros(), p.failed() || c.failed());
                add(out, new KpiKey(Dimension.LINK_SERVED, p.service(), c.service()), p.timeMicros(), c.durationMicros(), c.failed());
            } else if (!p.service().equals(c.service())) {
                add(out, new KpiKey(Dimension.LINK, p.service(), c.service()), c.timeMicros(), c.durationMicros(), c.failed());
                add(out, new KpiKey(Dimension.LINK_SERVED, p.service(), c.service()), c.timeMicros(), c.durationMicros(), c.failed());
            }
        }
        for (SpanRef s : spans) {
            if ((s.kind() == SpanKind.CLIENT || s.kind() == SpanKind.PRODUCER) && !answered.contains(s.traceId() + "/" + s.spanId())) {
                if (s.peer() != null) {
                    add(out, new KpiKey(Dimension.LINK, s.service(), s.peer()), s.timeMicros(), s.durationMicros(), s.failed());
                } else {
                    add(out, new KpiKey(Dimension.LINK_UNPAIRED, s.service(), "client"), s.timeMicros(), -1, s.failed());
                }
            }
        }
        return out;
    }

    private static void add(Map<String, KpiWindow> out, KpiKey key, long time, long duration, boolean failed) {
        long minute = time - Math.floorMod(time, 60 * SECOND);
        out.computeIfAbsent(name(key, minute), k -> new KpiWindow()).accept(duration, failed);
    }

    private static String name(KpiKey key, long minute) {
        return key.dimension().wire() + " " + key.primary() + " -> " + key.secondary() + " @" + (minute - T0) / SECOND;
    }

    /** Feeds the spans in arrival order to {@code instances} linkers (routed by trace), snapshotting at {@code snapAt}. */
    static Map<String, KpiWindow> streamed(Traces t, int instances, int snapAt) throws Exception {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < t.delivered().size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> t.delivered().get(i).timeMicros() + t.arrivalJitterMillis().get(i) * 1000L));
        Linker[] linkers = new Linker[instances];
        for (int i = 0; i < instances; i++) {
            linkers[i] = new Linker(WAIT);
        }
        List<ClosedWindow> out = new ArrayList<>();
        long newest = Long.MIN_VALUE;
        int fed = 0;
        for (int i : order) {
            SpanRef s = t.delivered().get(i);
            newest = Math.max(newest, s.timeMicros());
            long watermark = newest - ALLOWED_LATENESS;
            for (Linker l : linkers) {
                l.advance(watermark, newest - 600 * SECOND, out);
            }
            linkers[KeyedState.instanceOf(s.traceId(), instances)].accept(s);
            if (++fed == snapAt) {
                linkers = restored(linkers);
            }
        }
        for (Linker l : linkers) {
            l.advance(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2, out);
        }
        for (Linker l : linkers) {
            assertThat(l.traces()).as("traces held after the end of time").isZero();
        }
        Map<String, KpiWindow> merged = new TreeMap<>();
        for (ClosedWindow w : out) {
            merged.merge(name(w.key(), w.startMicros()), w.window().copy(), KpiWindow::mergeWith);
        }
        return merged;
    }

    /** Every linker's state written and read back into as many fresh ones (entries routed by key). */
    private static Linker[] restored(Linker[] linkers) throws Exception {
        Map<String, byte[]> state = new TreeMap<>();
        for (Linker l : linkers) {
            l.snapshot(state::put);
        }
        Linker[] fresh = new Linker[linkers.length];
        for (int i = 0; i < fresh.length; i++) {
            fresh[i] = new Linker(WAIT);
        }
        for (Map.Entry<String, byte[]> e : state.entrySet()) {
            fresh[KeyedState.instanceOf(e.getKey(), fresh.length)].restore(e.getKey(),
                    new DataInputStream(new ByteArrayInputStream(e.getValue())));
        }
        return fresh;
    }

    private static void assertSame(Map<String, KpiWindow> expected, Map<String, KpiWindow> actual) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String k : expected.keySet()) {
            assertThat(actual.get(k).sameAs(expected.get(k)))
                    .as("%s: expected %s, got %s", k, expected.get(k), actual.get(k)).isTrue();
        }
    }

    @Test
    void everyCallIsPairedAndEveryLoneSpanCountedAsTheRulesSay() {
        Props.forAll(300, g -> new Builder(g).build(), t -> assertSame(oracle(t.delivered()), streamed(t, 1, -1)));
    }

    @Test
    void theMapIsTheSameOnAnyNumberOfInstances() {
        Props.forAll(150, g -> new Object[] {new Builder(g).build(), g.ints(2, 5)},
                in -> assertSame(oracle(((Traces) in[0]).delivered()), streamed((Traces) in[0], (Integer) in[1], -1)));
    }

    @Test
    void aSnapshotRestoredMidwayChangesNothing() {
        Props.forAll(150, g -> {
            Traces t = new Builder(g).build();
            return new Object[] {t, g.ints(1, 3), g.ints(0, t.delivered().size())};
        }, in -> {
            Traces t = (Traces) in[0];
            assertSame(oracle(t.delivered()), streamed(t, (Integer) in[1], (Integer) in[2]));
        });
    }

    @Test
    void aResentSpanIsCountedOnce() {
        Linker l = new Linker(WAIT);
        SpanRef client = new SpanRef("t", "c", null, "web", SpanKind.CLIENT, null, T0 + SECOND, 900, false, null, null);
        SpanRef server = new SpanRef("t", "s", "c", "orders", SpanKind.SERVER, null, T0 + SECOND, 500, false, null, null);
        l.accept(server);
        l.accept(client);
        l.accept(server);
        l.accept(client);
        List<ClosedWindow> out = new ArrayList<>();
        l.advance(T0 + 120 * SECOND, T0, out);
        assertThat(out).extracting(w -> w.key().dimension() + " " + w.key().primary() + "->" + w.key().secondary()
                + " " + w.window().count()).containsExactly("LINK web->orders 1", "LINK_SERVED web->orders 1");
    }
}
