package dev.vigil.pipeline;

import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.Correlator;
import dev.vigil.correlate.Processes;
import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Operator;
import dev.vigil.operator.Output;
import dev.vigil.order.EventClock;
import dev.vigil.order.Lateness;

/**
 * The correlate stage, keyed by process: links a process's events into cases (see {@link Correlator}) and
 * hands out what changed.
 *
 * <p>Why by process and not by case: a case's keys change on the way (an order becomes a shipment), and an
 * event may join two cases that began apart. Keyed by case, the joined cases' state would have to move from one
 * key to another when the joining event arrives, which needs a way back upstream that neither Kafka Streams nor
 * Flink 2 gives (Flink dropped its iterations). Keyed by process, every case of a process is in one place,
 * joins are local, and the result cannot depend on how events were spread. The cost: one process's cases are
 * linked on one thread (several million events a second, see docs/BENCHMARKS.md); processes spread over
 * instances.
 *
 * <p>Case changes are held back and handed out at {@link #flush}: a burst of events on one case then gives one
 * change, not one per event.
 */
public final class CorrelateOperator implements Operator<Timed, CaseChange> {

    private final Processes processes;
    private final Correlator correlator;
    private long watermark = EventClock.NONE;
    private long finalBefore = EventClock.NONE;

    public CorrelateOperator(Processes processes) {
        this.processes = processes;
        this.correlator = new Correlator(processes);
    }

    /** The key this stage routes an event by: its process's name; null for an event of no process (not routed). */
    public static String keyOf(Timed t) {
        return t.processName();
    }

    @Override
    public void onElement(Timed t, Output<CaseChange> out) {
        onWatermark(t.watermark(), t.finalBefore(), out);
        if (t.lateness() != Lateness.TOO_LATE) {
            correlator.accept(t.process(), t.activity(), t.event().timeMicros(), t.event().failed(), t.keys());
        }
    }

    @Override
    public void onWatermark(long watermark, long finalBefore, Output<CaseChange> out) {
        if (watermark <= this.watermark && finalBefore <= this.finalBefore) {
            return;
        }
        this.watermark = Math.max(this.watermark, watermark);
        this.finalBefore = Math.max(this.finalBefore, finalBefore);
        correlator.advance(this.watermark, this.finalBefore);
    }

    @Override
    public void flush(Output<CaseChange> out) {
        for (CaseChange c : correlator.drainChanges()) {
            out.emit(c);
        }
    }

    @Override
    public void snapshot(KeyedState.Sink sink) {
        for (int p = 0; p < processes.size(); p++) {
            if (correlator.holds(p)) {
                int process = p;
                sink.put(processes.get(p).name(), KeyedState.write(out -> correlator.write(process, out)));
            }
        }
    }

    @Override
    public void restore(String processName, byte[] state) {
        int p = processes.indexOf(processName);
        if (p < 0) {
            throw new IllegalArgumentException("state for process '" + processName + "', which is not configured");
        }
        KeyedState.read(processName, state, in -> correlator.read(p, in));
    }

    /** Cases in memory. */
    public int cases() {
        return correlator.cases();
    }
}
