package dev.vigil.order;

/**
 * One partition's sense of event time: the newest event time seen, the watermark derived from it, and the
 * line beyond which nothing changes any more.
 *
 * <p>The watermark never goes back. It moves when a newer event arrives, and, when the partition has been
 * idle for the policy's idle timeout, with processing time: the runtime passes the clock in, so this class
 * stays a pure function of what it is told.
 */
public final class EventClock {

    /** Before the first event: nothing is final. */
    public static final long NONE = Long.MIN_VALUE;

    private final LatenessPolicy policy;
    private long maxEventMicros = NONE;
    private long watermark = NONE;
    private long lastArrivalMillis;
    private long idleFromWatermark = NONE;

    public EventClock(LatenessPolicy policy) {
        this.policy = policy;
    }

    /** Classifies an arriving event and moves the clock forward by it. */
    public Lateness observe(long eventMicros, long nowMillis) {
        lastArrivalMillis = nowMillis;
        idleFromWatermark = NONE;
        Lateness l;
        if (watermark == NONE || eventMicros >= watermark) {
            l = Lateness.ON_TIME;
        } else if (eventMicros >= finalBefore()) {
            l = Lateness.LATE;
        } else {
            l = Lateness.TOO_LATE;
        }
        if (eventMicros > maxEventMicros) {
            maxEventMicros = eventMicros;
            watermark = Math.max(watermark, sub(eventMicros, policy.allowedLatenessMicros()));
        }
        return l;
    }

    /**
     * Lets the watermark follow processing time once nothing has arrived for the idle timeout.
     *
     * @return whether the watermark moved
     */
    public boolean tick(long nowMillis) {
        long idle = nowMillis - lastArrivalMillis;
        if (policy.idleTimeoutMillis() == 0 || watermark == NONE || idle < policy.idleTimeoutMillis()) {
            return false;
        }
        if (idleFromWatermark == NONE) {
            idleFromWatermark = watermark;
        }
        long moved = idleFromWatermark + (idle - policy.idleTimeoutMillis()) * 1000L;
        if (moved > watermark) {
            watermark = moved;
            return true;
        }
        return false;
    }

    /** Outputs covering times before this are final unless a late event amends them. */
    public long watermark() {
        return watermark;
    }

    /** Events before this are too late; outputs before this never change again. */
    public long finalBefore() {
        if (watermark == NONE) {
            return NONE;
        }
        return sub(watermark, policy.maxLatenessMicros() - policy.allowedLatenessMicros());
    }

    public long maxEventMicros() {
        return maxEventMicros;
    }

    public LatenessPolicy policy() {
        return policy;
    }

    /** For restore: the state that {@link #watermark()} and {@link #maxEventMicros()} expose. */
    public void restore(long maxEventMicros, long watermark, long nowMillis) {
        this.maxEventMicros = maxEventMicros;
        this.watermark = watermark;
        this.lastArrivalMillis = nowMillis;
        this.idleFromWatermark = NONE;
    }

    private static long sub(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE + 1 : r;
    }
}
