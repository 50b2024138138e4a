package dev.vigil.pipeline;

import dev.vigil.link.Linker;
import dev.vigil.link.SpanRef;
import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Operator;
import dev.vigil.operator.Output;
import dev.vigil.order.EventClock;
import dev.vigil.order.Lateness;
import dev.vigil.summarise.ClosedWindow;
import java.util.ArrayList;
import java.util.List;

/**
 * The link stage, keyed by trace: pairs the two ends of each call (see {@link Linker}) and hands out the windows of
 * the dependency map and the estate's placements, which the merge stage adds up like any other window parts.
 * Only spans come here (events with a trace and a span id); a too-late span is left out, as the summarise stage
 * leaves it out.
 */
public final class LinkOperator implements Operator<Timed, ClosedWindow> {

    private final Linker linker;
    private final List<ClosedWindow> closed = new ArrayList<>();
    private long watermark = EventClock.NONE;
    private long finalBefore = EventClock.NONE;

    public LinkOperator(long pairWithinMicros) {
        this.linker = new Linker(pairWithinMicros);
    }

    /** The key this stage routes an event by: its trace when it is a span, else null (it does not come here). */
    public static String keyOf(Timed t) {
        return SpanRef.traceOf(t.event());
    }

    @Override
    public void onElement(Timed t, Output<ClosedWindow> out) {
        onWatermark(t.watermark(), t.finalBefore(), out);
        if (t.lateness() == Lateness.TOO_LATE) {
            return;
        }
        SpanRef s = SpanRef.of(t.event());
        if (s != null) {
            linker.accept(s);
        }
    }

    @Override
    public void onWatermark(long watermark, long finalBefore, Output<ClosedWindow> out) {
        if (watermark <= this.watermark && finalBefore <= this.finalBefore) {
            return;
        }
        this.watermark = Math.max(this.watermark, watermark);
        this.finalBefore = Math.max(this.finalBefore, finalBefore);
        linker.advance(this.watermark, this.finalBefore, closed);
        if (!closed.isEmpty()) {
            for (ClosedWindow w : closed) {
                out.emit(w);
            }
            closed.clear();
        }
    }

    /** After a restore: where time stood, handing nothing out (see {@link Linker#prime}). */
    void prime(long watermark, long finalBefore) {
        this.watermark = Math.max(this.watermark, watermark);
        this.finalBefore = Math.max(this.finalBefore, finalBefore);
        linker.prime(this.watermark, this.finalBefore);
    }

    @Override
    public void snapshot(KeyedState.Sink sink) {
        linker.snapshot(sink::put);
    }

    @Override
    public void restore(String key, byte[] state) {
        KeyedState.read(key, state, in -> linker.restore(key, in));
    }

    /** Traces held waiting for partners. */
    public int traces() {
        return linker.traces();
    }
}
