package dev.vigil.bench;

import dev.vigil.correlate.ProcessDef;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.order.LatenessPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Workload W1 of issue 3, generated into arrays before anything is timed.
 *
 * <p>10 million call events over 4 minutes of event time (about 42 per millisecond); service uniform in
 * 0..999, operation uniform in 0..9; 1% errors; durations log-normal with median 20 ms and sigma 1; each
 * event's time moved back by a uniform jitter in [0, 2 s). Base times start 2 s after a minute boundary so
 * that the jitter keeps every event inside the 4 windows: a correct run gives 40,000 (service, operation)
 * windows whose counts sum to 10 million.
 *
 * <p>The {@code withCases} variant adds what issue 3's whole-pipeline bar is about: every event also
 * carries an {@code orderId}, five consecutive events per order (2 million cases), and the ten operations
 * are the activities of one declared process, so ordering, correlation and the process-activity windows
 * all do their work.
 */
final class W1 {

    static final int N = 10_000_000;
    static final int EVENTS_PER_CASE = 5;
    /** A minute boundary. */
    static final long T0 = 29_916_667L * 60_000_000L;
    static final long SPAN = 4 * 60_000_000L - 2_000_000L;
    static final long JITTER = 2_000_000L;

    /** Watermark = max event time − 2 s, as the issue says; nothing later than that is dropped. */
    static final LatenessPolicy POLICY = new LatenessPolicy(JITTER, JITTER, 0);

    /** One process whose activities are the ten operations; an order is stuck a minute after its last event. */
    static final Processes PROCESSES;

    static {
        List<String> ops = new ArrayList<>();
        for (int o = 0; o < 10; o++) {
            ops.add("op-" + o);
        }
        PROCESSES = new Processes(List.of(new ProcessDef("w1-orders", ops, null, Set.of("op-9"), List.of("orderId"),
                60_000_000L)));
    }

    private W1() {
    }

    static Event[] generate(boolean withCases) {
        W1Contest.Inputs in = W1Contest.Inputs.generate();
        Event[] events = new Event[N];
        for (int i = 0; i < N; i++) {
            Map<String, String> keys = withCases ? Map.of("orderId", "o" + i / EVENTS_PER_CASE) : Map.of();
            events[i] = new Event(in.time()[i], in.services()[in.service()[i]], in.operations()[in.operation()[i]],
                    EventKind.CALL, keys, in.failed()[i] ? Outcome.ERROR : Outcome.OK, in.duration()[i], null, null,
                    Map.of());
        }
        return events;
    }
}
