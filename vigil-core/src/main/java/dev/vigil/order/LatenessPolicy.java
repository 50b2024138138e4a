package dev.vigil.order;

/**
 * How long the pipeline waits for stragglers, in event time, and what it does with them.
 *
 * <ul>
 *   <li>An event at most {@code allowedLateness} behind the newest event seen is on time: the watermark
 *       (newest minus allowed lateness) has not passed it, so no output that covers it is final yet.</li>
 *   <li>An event later than that but at most {@code maxLateness} behind is late: it is still folded in, and
 *       an output already emitted for its time (a window) is emitted again with a higher revision.</li>
 *   <li>An event more than {@code maxLateness} behind is too late: stored and counted, not folded in.</li>
 * </ul>
 * When nothing has arrived for {@code idleTimeoutMillis}, as the journal's records and ticks tell it (never
 * the wall clock itself: see {@link EventClock}), the watermark moves on with their time, so a quiet estate
 * still sees its last windows close and its overdue cases go stuck (0 turns this off).
 */
public record LatenessPolicy(long allowedLatenessMicros, long maxLatenessMicros, long idleTimeoutMillis) implements java.io.Serializable {

    public static final LatenessPolicy DEFAULT = new LatenessPolicy(5_000_000L, 600_000_000L, 30_000L);

    public LatenessPolicy {
        if (allowedLatenessMicros < 0) {
            throw new IllegalArgumentException("allowed lateness must be >= 0");
        }
        if (maxLatenessMicros < allowedLatenessMicros) {
            throw new IllegalArgumentException("max lateness must be >= allowed lateness");
        }
        if (idleTimeoutMillis < 0) {
            throw new IllegalArgumentException("idle timeout must be >= 0");
        }
    }
}
