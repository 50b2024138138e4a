package dev.vigil.pipeline;

import dev.vigil.link.Linker;
import dev.vigil.link.SpanRef;
import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Output;
import dev.vigil.order.Lateness;
import dev.vigil.summarise.ClosedWindow;
import java.util.List;

/**
 * The link stage, keyed by trace: pairs the two ends of each call (see {@link Linker}) and hands out the windows of
 * the dependency map and the estate's placements, which the merge stage adds up like any other window parts.
 * Only spans come here (events with a trace and a span id); a too-late span is left out, as the summarise stage
 * leaves it out.
 */
public final class LinkOperator extends WindowStage {

    private final Linker linker;

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
    void advance(long watermark, long finalBefore, List<ClosedWindow> out) {
        linker.advance(watermark, finalBefore, out);
    }

    @Override
    void primeTo(long watermark, long finalBefore) {
        linker.prime(watermark, finalBefore);
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
