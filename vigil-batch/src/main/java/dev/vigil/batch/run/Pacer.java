package dev.vigil.batch.run;

/**
 * The schedule of a rate-limited run: when each request is due. Requests are due at fixed intervals
 * whatever happens to earlier ones; a request sent after its due time (the service stalled and every slot
 * was taken) has its latency counted from when it was due, as a user arriving on schedule would have felt
 * it. The rate may change while the run goes (adaptive runs); the schedule then continues from the last
 * due time at the new interval.
 */
final class Pacer {

    private final int recordsPerRequest;
    private volatile double recordsPerSecond;
    private long lastDue;

    Pacer(double recordsPerSecond, int recordsPerRequest) {
        this.recordsPerSecond = recordsPerSecond;
        this.recordsPerRequest = recordsPerRequest;
    }

    /** The due time of the next request, {@link System#nanoTime()} based. */
    synchronized long next() {
        long interval = (long) (1e9 * recordsPerRequest / recordsPerSecond);
        lastDue = lastDue == 0 ? System.nanoTime() : lastDue + interval;
        return lastDue;
    }

    double rate() {
        return recordsPerSecond;
    }

    void rate(double r) {
        recordsPerSecond = r;
    }
}
