package dev.vigil.order;

/**
 * The pipeline's sense of event time, worked out at its source from what the journal holds, in journal order:
 * the newest event time seen, the watermark derived from it, and the line beyond which nothing changes any more.
 *
 * <p>Nothing here reads a clock. Idle progress (a quiet estate still sees its last windows close and its
 * overdue cases go stuck) comes from the wall-clock times the journal records: each record carries the time it
 * was taken in, and while nothing arrives the journal writes empty records ({@linkplain #tick ticks}) now and
 * then. So a replay of the journal (after a crash, or {@code vigil rebuild}) moves the watermark exactly as the
 * live run did, quiet gaps included, and the same events give the same outputs whatever the wall clock says.
 *
 * <p>The watermark never goes back. One clock serves the whole pipeline (every partition is told its
 * watermark), so how events are spread over partitions cannot change which are late.
 */
public final class EventClock {

    /** Before the first event: nothing is final. */
    public static final long NONE = Long.MIN_VALUE;

    /**
     * Consecutive records further apart than this (in their wall-clock times) mean the journal was not being
     * written: Vigil was stopped, or stalled. Idle time is not counted across such a gap, so a restart after a
     * day does not close a day of windows before the clients that buffered meanwhile have resent. The journal
     * ticks far more often than this while it runs (see {@code Journal}).
     */
    public static final long MAX_TICK_GAP_MICROS = 60_000_000L;

    private final LatenessPolicy policy;
    private long maxEventMicros = NONE;
    private long watermark = NONE;
    /** The wall-clock time of the last record seen (events or tick). */
    private long lastRecordMicros = NONE;
    /** Since when nothing has arrived, as far as idle progress counts it. */
    private long quietSinceMicros = NONE;
    /** The watermark idle progress started from; NONE while events arrive. */
    private long idleFromWatermark = NONE;

    public EventClock(LatenessPolicy policy) {
        this.policy = policy;
    }

    /**
     * Classifies an arriving event and moves the clock forward by it.
     *
     * @param arrivalMicros the wall-clock time its journal record was taken in
     */
    public Lateness observe(long eventMicros, long arrivalMicros) {
        lastRecordMicros = Math.max(lastRecordMicros, arrivalMicros);
        quietSinceMicros = lastRecordMicros;
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
     * A record with no events, written by the journal while nothing arrives: once the estate has been quiet
     * for the idle timeout, the watermark follows the wall-clock time the tick carries.
     *
     * @return whether the watermark moved
     */
    public boolean tick(long atMicros) {
        if (lastRecordMicros == NONE || atMicros - lastRecordMicros > MAX_TICK_GAP_MICROS) {
            quietSinceMicros = atMicros;
            idleFromWatermark = NONE;
        }
        lastRecordMicros = Math.max(lastRecordMicros, atMicros);
        long timeout = policy.idleTimeoutMillis() * 1000L;
        long idle = atMicros - quietSinceMicros;
        if (timeout == 0 || watermark == NONE || idle < timeout) {
            return false;
        }
        if (idleFromWatermark == NONE) {
            idleFromWatermark = watermark;
        }
        long moved = idleFromWatermark + (idle - timeout);
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
        return finalBefore(policy, watermark);
    }

    /** The final line that goes with a watermark: a function of it, so a runtime that carries one long has both. */
    public static long finalBefore(LatenessPolicy policy, long watermark) {
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

    public void write(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(maxEventMicros);
        out.writeLong(watermark);
        out.writeLong(lastRecordMicros);
        out.writeLong(quietSinceMicros);
        out.writeLong(idleFromWatermark);
    }

    /** Replaces this clock's state with what {@link #write} wrote. */
    public void read(java.io.DataInput in) throws java.io.IOException {
        maxEventMicros = in.readLong();
        watermark = in.readLong();
        lastRecordMicros = in.readLong();
        quietSinceMicros = in.readLong();
        idleFromWatermark = in.readLong();
    }

    private static long sub(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE + 1 : r;
    }
}
