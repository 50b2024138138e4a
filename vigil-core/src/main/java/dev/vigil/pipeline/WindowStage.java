package dev.vigil.pipeline;

import dev.vigil.operator.Operator;
import dev.vigil.operator.Output;
import dev.vigil.order.EventClock;
import dev.vigil.summarise.ClosedWindow;
import java.util.ArrayList;
import java.util.List;

/**
 * What the stages that fold events into one-minute windows (summarise, link) do alike with time: they hand out what
 * a move of the watermark closed, ignore a watermark that does not move, and after a restore are told where time
 * stood without handing anything out.
 */
abstract class WindowStage implements Operator<Timed, ClosedWindow> {

    private final List<ClosedWindow> closed = new ArrayList<>();
    private long watermark = EventClock.NONE;
    private long finalBefore = EventClock.NONE;

    /** Closes what the watermark passed (and hands out held amendments) into {@code out}. */
    abstract void advance(long watermark, long finalBefore, List<ClosedWindow> out);

    /** Where time stood, handing nothing out: see {@link #prime}. */
    abstract void primeTo(long watermark, long finalBefore);

    @Override
    public final void onWatermark(long watermark, long finalBefore, Output<ClosedWindow> out) {
        if (watermark <= this.watermark && finalBefore <= this.finalBefore) {
            return;
        }
        this.watermark = Math.max(this.watermark, watermark);
        this.finalBefore = Math.max(this.finalBefore, finalBefore);
        advance(this.watermark, this.finalBefore, closed);
        if (!closed.isEmpty()) {
            for (ClosedWindow w : closed) {
                out.emit(w);
            }
            closed.clear();
        }
    }

    /**
     * After a restore: where time stood, handing nothing out. What the snapshot held back goes out at the next move
     * of time, as it would have from the operator that was snapshotted.
     */
    final void prime(long watermark, long finalBefore) {
        this.watermark = Math.max(this.watermark, watermark);
        this.finalBefore = Math.max(this.finalBefore, finalBefore);
        primeTo(this.watermark, this.finalBefore);
    }
}
