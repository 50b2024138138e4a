package dev.vigil.link;

import dev.vigil.operator.KeyedState;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.MinuteWindows;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The dependency map's operator: pairs the two ends of each call in a trace and folds them into one-minute windows
 * per edge, as the best tracing backends build their maps, but live and in event time.
 *
 * <ul>
 *   <li>A callee span (SERVER or CONSUMER) is linked to its nearest remote ancestor: its parent, skipping local
 *       (INTERNAL) spans of the same service. When that ancestor is a CLIENT or PRODUCER span, the edge is
 *       (the ancestor's service, the callee's service) and both ends are known: the caller's latency goes into the
 *       edge's {@link Dimension#LINK} window, the callee's into {@link Dimension#LINK_SERVED} (the difference is
 *       the network and queueing between them). When it is a span of another service that made no client span,
 *       the callee's latency stands for both.</li>
 *   <li>Spans wait for their partner until the watermark passes their end by the pairing wait. Then a caller span
 *       no callee answered, whose peer it named (a database, a queue, a supplier that sends no spans), makes an
 *       edge to that peer: a virtual node. Any other span left alone is counted under
 *       {@link Dimension#LINK_UNPAIRED} (service, "client" or "server"), never dropped silently.</li>
 *   <li>Every span also says where its service ran: {@link Dimension#PLACEMENT} (service, host) and
 *       {@link Dimension#INSTANCE} (service, instance), from which the estate model is drawn.</li>
 * </ul>
 *
 * An edge is counted in the minute its caller's span ended (the callee's when there is no caller span). No
 * threads, no clock: outputs are a function of the spans and watermarks handed in.
 */
public final class Linker {

    /** How long, in event time, a span waits for its partner unless vigil.yaml says otherwise. */
    public static final long DEFAULT_WAIT_MICROS = 30_000_000L;
    /** Spans held per trace; a runaway trace (a loop that never ends its root) beyond it is counted, not held. */
    static final int MAX_SPANS_PER_TRACE = 10_000;
    public static final String UNPAIRED_CLIENT = "client";
    public static final String UNPAIRED_SERVER = "server";

    private final long waitMicros;
    private final MinuteWindows windows = new MinuteWindows();
    private final Map<String, Trace> traces = new HashMap<>();
    /** Traces by the event time at which their wait ends; trace ids sorted, so expiry is in a replayable order. */
    private final TreeMap<Long, TreeSet<String>> expiring = new TreeMap<>();
    private long watermark = Long.MIN_VALUE;
    /** The last trace taken: the key the held windows are snapshotted under (see {@link #snapshot}). */
    private String anchor;

    private static final class Trace {
        /** By span id, in arrival order. */
        final LinkedHashMap<String, SpanRef> spans = new LinkedHashMap<>();
        /** Callee spans whose caller has not arrived. */
        final List<SpanRef> waiting = new ArrayList<>();
        /** Caller spans a callee has answered. */
        final Set<String> answered = new HashSet<>();
        long expiresAt = Long.MIN_VALUE;
    }

    public Linker(long waitMicros) {
        if (waitMicros <= 0) {
            throw new IllegalArgumentException("the pairing wait must be positive: " + waitMicros);
        }
        this.waitMicros = waitMicros;
    }

    /** Takes one span. A span id seen before in its trace (a resent batch) is ignored. */
    public void accept(SpanRef s) {
        Trace t = traces.get(s.traceId());
        if (t == null) {
            t = new Trace();
            traces.put(s.traceId(), t);
        } else if (t.spans.containsKey(s.spanId())) {
            return;
        }
        anchor = s.traceId();
        place(s);
        if (t.spans.size() >= MAX_SPANS_PER_TRACE) {
            count(s, s.kind().callee() ? UNPAIRED_SERVER : UNPAIRED_CLIENT);
            return;
        }
        t.spans.put(s.spanId(), s);
        schedule(s.traceId(), t, s.timeMicros() + waitMicros);
        if (s.kind().callee()) {
            t.waiting.add(s);
        }
        if (!t.waiting.isEmpty()) {
            link(t);
        }
    }

    private void place(SpanRef s) {
        if (s.host() != null) {
            add(new KpiKey(Dimension.PLACEMENT, s.service(), s.host()), s.timeMicros(), -1, s.failed());
        }
        if (s.instance() != null) {
            add(new KpiKey(Dimension.INSTANCE, s.service(), s.instance()), s.timeMicros(), -1, s.failed());
        }
    }

    /**
     * Moves a trace's end of wait on. The index holds each trace once, at the end of wait it had when indexed; a trace
     * found there whose wait was moved on since is put back at its new end (see {@link #advance}): moving every trace
     * at every span cost two sorted-set updates a span.
     */
    private void schedule(String traceId, Trace t, long expiresAt) {
        if (expiresAt <= t.expiresAt) {
            return;
        }
        boolean indexed = t.expiresAt != Long.MIN_VALUE;
        t.expiresAt = expiresAt;
        if (!indexed) {
            expiring.computeIfAbsent(expiresAt, x -> new TreeSet<>()).add(traceId);
        }
    }

    /** Links every waiting callee whose caller is now known. */
    private void link(Trace t) {
        for (Iterator<SpanRef> it = t.waiting.iterator(); it.hasNext(); ) {
            SpanRef callee = it.next();
            if (callee.parentId() == null) {
                it.remove(); // an entry point: called from outside the traced estate
                continue;
            }
            SpanRef caller = remoteAncestor(t, callee);
            if (caller == null) {
                continue;
            }
            it.remove();
            if (caller.kind().caller()) {
                t.answered.add(caller.spanId());
                edge(caller.service(), callee.service(), caller, callee);
            } else if (!caller.service().equals(callee.service())) {
                edge(caller.service(), callee.service(), callee, callee);
            }
            // else: a server span nested in a server span of the same service is not a call between services
        }
    }

    /**
     * The callee's nearest ancestor that is a remote span or a span of another service; the callee itself when the
     * chain ends in a local root of its own service (it then has no caller), null while an ancestor is missing.
     */
    private static SpanRef remoteAncestor(Trace t, SpanRef callee) {
        String parent = callee.parentId();
        for (int steps = 0; steps <= t.spans.size(); steps++) {
            SpanRef p = t.spans.get(parent);
            if (p == null) {
                return null;
            }
            if (p.kind() != SpanKind.INTERNAL || !p.service().equals(callee.service())) {
                return p;
            }
            if (p.parentId() == null) {
                return callee;
            }
            parent = p.parentId();
        }
        return callee; // a loop of parent ids: no caller can be named
    }

    /** One call on the edge (from, to): as its caller saw it (at the caller's end) and as its callee served it. */
    private void edge(String from, String to, SpanRef callerView, SpanRef callee) {
        add(new KpiKey(Dimension.LINK, from, to), callerView.timeMicros(), callerView.durationMicros(),
                callerView.failed() || callee.failed());
        add(new KpiKey(Dimension.LINK_SERVED, from, to), callerView.timeMicros(), callee.durationMicros(), callee.failed());
    }

    private void count(SpanRef s, String end) {
        add(new KpiKey(Dimension.LINK_UNPAIRED, s.service(), end), s.timeMicros(), -1, s.failed());
    }

    private void add(KpiKey key, long timeMicros, long durationMicros, boolean failed) {
        KpiWindow w = windows.at(key, timeMicros);
        if (w != null) {
            w.accept(durationMicros, failed);
        }
    }

    /**
     * Event time moved on: ends the wait of the traces it passed (see the class comment) and hands out the windows
     * it closed, amendments first.
     */
    public void advance(long watermarkMicros, long finalBeforeMicros, List<ClosedWindow> out) {
        if (watermarkMicros > watermark) {
            watermark = watermarkMicros;
            while (!expiring.isEmpty() && expiring.firstKey() <= watermarkMicros) {
                for (String traceId : expiring.pollFirstEntry().getValue()) {
                    Trace t = traces.get(traceId);
                    if (t.expiresAt > watermarkMicros) {
                        expiring.computeIfAbsent(t.expiresAt, x -> new TreeSet<>()).add(traceId); // its wait moved on
                    } else {
                        traces.remove(traceId);
                        expire(t);
                    }
                }
            }
        }
        windows.advance(watermarkMicros, finalBeforeMicros, out);
    }

    private void expire(Trace t) {
        for (SpanRef callee : t.waiting) {
            count(callee, UNPAIRED_SERVER);
        }
        for (SpanRef s : t.spans.values()) {
            if (!s.kind().caller() || t.answered.contains(s.spanId())) {
                continue;
            }
            if (s.peer() != null) {
                add(new KpiKey(Dimension.LINK, s.service(), s.peer()), s.timeMicros(), s.durationMicros(), s.failed());
            } else {
                count(s, UNPAIRED_CLIENT);
            }
        }
    }

    /**
     * Tells a linker restored from a snapshot where time stood, handing nothing out: the traces whose wait that time
     * ended were settled before the snapshot, and what it holds back it hands out at the next move of time.
     */
    public void prime(long watermarkMicros, long finalBeforeMicros) {
        watermark = Math.max(watermark, watermarkMicros);
        windows.prime(watermarkMicros, finalBeforeMicros);
    }

    /** Traces held, waiting for partners or for their wait to end. */
    public int traces() {
        return traces.size();
    }

    /** Observations whose minute was final when they could be made. */
    public long tooLate() {
        return windows.tooLate();
    }

    // --- state ------------------------------------------------------------------------------------------------

    /**
     * Writes the state, one entry per trace held. The windows held go with the entry of the last trace taken (the
     * anchor, written even when that trace is gone): state may only be written under keys that route to this
     * instance (Flink's keyed state refuses others), and after a rescale whichever instance takes the anchor hands
     * the windows out, which the merge stage adds wherever they come from.
     */
    public void snapshot(BiConsumer<String, byte[]> sink) {
        TreeMap<String, Trace> keys = new TreeMap<>(traces);
        List<MinuteWindows.Held> held = windows.held();
        if (!held.isEmpty() && anchor != null) {
            keys.putIfAbsent(anchor, null);
        }
        keys.forEach((id, t) -> sink.accept(id, KeyedState.write(out -> {
            out.writeInt(t == null ? 0 : t.spans.size());
            if (t != null) {
                Set<String> waiting = new HashSet<>();
                t.waiting.forEach(w -> waiting.add(w.spanId()));
                for (SpanRef s : t.spans.values()) {
                    s.write(out);
                    out.writeBoolean(waiting.contains(s.spanId()));
                    out.writeBoolean(t.answered.contains(s.spanId()));
                }
            }
            if (id.equals(anchor)) {
                for (MinuteWindows.Held h : held) {
                    out.writeBoolean(h.amendment());
                    out.writeLong(h.startMicros());
                    h.key().write(out);
                    h.window().write(out);
                }
            }
        })));
    }

    /** Takes in one entry {@link #snapshot} wrote. */
    public void restore(String key, DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n > 0) {
            Trace t = new Trace();
            for (int i = 0; i < n; i++) {
                SpanRef s = SpanRef.read(in);
                t.spans.put(s.spanId(), s);
                if (in.readBoolean()) {
                    t.waiting.add(s);
                }
                if (in.readBoolean()) {
                    t.answered.add(s.spanId());
                }
                schedule(key, t, s.timeMicros() + waitMicros);
            }
            traces.put(key, t);
        }
        while (in.available() > 0) {
            boolean amendment = in.readBoolean();
            long start = in.readLong();
            windows.restore(new MinuteWindows.Held(amendment, start, KpiKey.read(in), KpiWindow.read(in)));
        }
        anchor = key;
    }
}
