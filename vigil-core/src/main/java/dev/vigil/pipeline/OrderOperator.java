package dev.vigil.pipeline;

import dev.vigil.correlate.ProcessDef;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Operator;
import dev.vigil.operator.Output;
import dev.vigil.order.EventClock;
import dev.vigil.order.Lateness;
import dev.vigil.order.LatenessPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The source stage: takes the journal's records in journal order, has the pipeline's one {@link EventClock}
 * classify each event, finds what process activity it is, and hands it on as a {@link Timed}; after each record,
 * tells downstream where event time stands. It runs as one instance (one clock for the whole pipeline: how
 * events are spread over the instances downstream cannot change which are late), under the one key "".
 *
 * <p>Events the interpreter could not read are stored but not fed: they have no time, service or name to count.
 */
public final class OrderOperator implements Operator<Arrival, Timed> {

    /** The key of this stage's one instance. */
    public static final String KEY = "";

    private final Processes processes;
    private final EventClock clock;
    private long toldWatermark = EventClock.NONE;
    /** The last journal record taken in: a record delivered again (an at-least-once forwarder) is skipped. */
    private long lastRecordNo;

    public OrderOperator(Processes processes, LatenessPolicy policy) {
        this.processes = processes;
        this.clock = new EventClock(policy);
    }

    @Override
    public void onElement(Arrival a, Output<Timed> out) {
        long recordNo = switch (a) {
            case Arrival.Tick t -> t.recordNo();
            case Arrival.Events r -> r.recordNo();
        };
        if (recordNo <= lastRecordNo) {
            return;
        }
        lastRecordNo = recordNo;
        switch (a) {
            case Arrival.Tick t -> clock.tick(t.atMicros());
            case Arrival.Events r -> {
                List<Event> events = r.events();
                for (int i = 0; i < events.size(); i++) {
                    Timed t = accept(events.get(i), r.firstSeq() + i, r.atMicros());
                    if (t != null) {
                        out.emit(t);
                    }
                }
            }
        }
        tellTime(out);
    }

    /** Tells downstream the watermark if it moved since last told. */
    public void tellTime(Output<?> out) {
        if (clock.watermark() != toldWatermark) {
            toldWatermark = clock.watermark();
            out.advance(clock.watermark(), clock.finalBefore());
        }
    }

    /**
     * Takes one event (the hot path of {@link #onElement}, open so the one-thread pipeline need not wrap each
     * event in a record).
     *
     * @return the event with what the clock and the processes say of it, or null for an uninterpreted event
     */
    public Timed accept(Event e, long seq, long arrivalMicros) {
        if (e.kind() == EventKind.UNINTERPRETED) {
            return null;
        }
        long wm = clock.watermark();
        long fin = clock.finalBefore();
        Lateness l = clock.observe(e.timeMicros(), arrivalMicros);
        int[] at = processes.locate(e.name());
        if (at == null) {
            return new Timed(e, seq, l, wm, fin, -1, null, -1, List.of());
        }
        ProcessDef def = processes.get(at[0]);
        return new Timed(e, seq, l, wm, fin, at[0], def.name(), at[1], keysOf(e, def));
    }

    /** The event's values for the process's declared keys, as composite strings, in declared order. */
    static List<String> keysOf(Event e, ProcessDef def) {
        Map<String, String> c = e.correlation();
        if (c.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(2);
        for (String k : def.keys()) {
            String v = c.get(k);
            if (v != null) {
                out.add(dev.vigil.correlate.Correlator.composite(k, v));
            }
        }
        return out;
    }

    @Override
    public void onWatermark(long watermark, long finalBefore, Output<Timed> out) {
        // The source of event time: nothing upstream tells it.
    }

    @Override
    public void snapshot(KeyedState.Sink sink) {
        sink.put(KEY, KeyedState.write(out -> {
            clock.write(out);
            out.writeLong(lastRecordNo);
        }));
    }

    @Override
    public void restore(String key, byte[] state) {
        // What was told before the snapshot is not: the instances downstream are new, and hear it again.
        KeyedState.read(key, state, in -> {
            clock.read(in);
            lastRecordNo = in.readLong();
        });
        toldWatermark = EventClock.NONE;
    }

    public EventClock clock() {
        return clock;
    }
}
