package dev.vigil.pipeline;

import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.order.EventClock;
import dev.vigil.order.Lateness;
import dev.vigil.order.LatenessPolicy;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

/**
 * Where the journal's records enter the pipeline, in journal order: the one event clock classifies each event
 * and the router picks its partition. The one-thread {@link Pipeline} and the threaded runtime both take events
 * through here, so what an event found (its lateness, the watermark before it, the moves it caused) is the same
 * in both; they differ only in how they hand it to the partitions.
 */
public final class Intake {

    private final EventClock clock;
    private final Router router;
    private long watermarkBefore = EventClock.NONE;
    private long finalBefore = EventClock.NONE;
    private Lateness lateness;

    public Intake(Processes processes, LatenessPolicy policy, int partitions) {
        this.clock = new EventClock(policy);
        this.router = new Router(processes, partitions, retention(processes, policy));
    }

    /** How long the router remembers a key: longer than any partition keeps the case it names. */
    static long retention(Processes processes, LatenessPolicy policy) {
        return processes.maxStuckAfterMicros() + policy.maxLatenessMicros() + 3_600_000_000L;
    }

    /**
     * Takes one event of the journal; {@link #lateness()}, {@link #watermarkBefore()} and {@link #finalBefore()}
     * then say what it found. Cases to move before the event is delivered are put in {@code moves} (cleared first).
     *
     * @param seq           its sequence number in the journal (spreads events of no process over partitions)
     * @param arrivalMicros the wall-clock time its journal record was taken in
     * @return where it goes, or null for an event the interpreter could not read (stored, not fed)
     */
    public Router.Routed accept(Event e, long seq, long arrivalMicros, List<Router.Move> moves) {
        moves.clear();
        if (e.kind() == EventKind.UNINTERPRETED) {
            return null;
        }
        watermarkBefore = clock.watermark();
        finalBefore = clock.finalBefore();
        lateness = clock.observe(e.timeMicros(), arrivalMicros);
        return router.route(e, seq, moves);
    }

    /** Takes a journal record without events: idle progress, at the wall-clock time it carries. */
    public void tick(long atMicros) {
        clock.tick(atMicros);
    }

    /** What the clock made of the last event taken. */
    public Lateness lateness() {
        return lateness;
    }

    /** The watermark the last event found: its partition moves there before taking it. */
    public long watermarkBefore() {
        return watermarkBefore;
    }

    /** The final line the last event found. */
    public long finalBefore() {
        return finalBefore;
    }

    public EventClock clock() {
        return clock;
    }

    public void write(DataOutput out) throws IOException {
        clock.write(out);
        router.write(out);
    }

    /** Replaces the clock's and the router's state with what {@link #write} wrote. */
    public void read(DataInput in) throws IOException {
        clock.read(in);
        router.read(in);
    }
}
