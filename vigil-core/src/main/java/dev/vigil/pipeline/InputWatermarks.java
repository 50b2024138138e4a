package dev.vigil.pipeline;

import dev.vigil.order.EventClock;
import java.util.Arrays;

/**
 * Where the instances of a stage stand in event time, for the stage downstream of all of them: it may move
 * only as far as the slowest (what Flink does with the watermarks of a task's input channels). Every instance
 * counts, also one that has not reported yet: skipping those, as the runtime once did, let an instance that
 * ran ahead have a window forgotten before a slower one handed in its part, and the part was then dropped or
 * not depending on thread timing.
 */
public final class InputWatermarks {

    private final long[] watermarks;
    private final long[] finals;

    public InputWatermarks(int inputs) {
        watermarks = new long[inputs];
        finals = new long[inputs];
        Arrays.fill(watermarks, EventClock.NONE);
        Arrays.fill(finals, EventClock.NONE);
    }

    /** @return whether the slowest instance's watermark or final line moved */
    public boolean update(int input, long watermark, long finalBefore) {
        long wm = watermark();
        long fin = finalBefore();
        watermarks[input] = Math.max(watermarks[input], watermark);
        finals[input] = Math.max(finals[input], finalBefore);
        return watermark() != wm || finalBefore() != fin;
    }

    public long watermark() {
        return min(watermarks);
    }

    public long finalBefore() {
        return min(finals);
    }

    private static long min(long[] values) {
        long m = Long.MAX_VALUE;
        for (long v : values) {
            m = Math.min(m, v);
        }
        return m;
    }
}
