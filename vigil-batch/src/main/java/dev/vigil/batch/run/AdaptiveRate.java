package dev.vigil.batch.run;

/**
 * The rate rule of an adaptive run, applied every two seconds to the online probe's p99 over those two
 * seconds, as TCP treats congestion. Slow start: until online users first feel the run, the rate grows by
 * half each time, so it finds the service's room in a few steps. After that, multiplicative decrease and
 * additive increase: over the objective, down to 70%; under it, up by 5% of the starting rate or 3% of the
 * current one, whichever is more. The first window, the run's own warm-up, changes nothing. It backs off fast and creeps up, settling just under the point where online
 * users start to suffer.
 */
final class AdaptiveRate {

    private final double start;
    private final double floor;
    private final double objectiveMillis;
    private boolean slowStart = true;
    private boolean warmedUp;

    /**
     * @param start           the starting rate, records/s
     * @param floor           the lowest rate, records/s (one request's worth a second)
     * @param objectiveMillis the online p99 to stay under
     */
    AdaptiveRate(double start, double floor, double objectiveMillis) {
        this.start = start;
        this.floor = floor;
        this.objectiveMillis = objectiveMillis;
    }

    double next(double rate, double onlineP99Millis) {
        if (Double.isNaN(onlineP99Millis)) {
            return rate;
        }
        if (!warmedUp) {
            // The first window holds the run's own start (connections, a cold JIT): its p99 says nothing
            // about the service, and a cut there would end the slow start before it began.
            warmedUp = true;
            return rate;
        }
        if (onlineP99Millis > objectiveMillis) {
            slowStart = false;
            return Math.max(floor, rate * 0.7);
        }
        if (slowStart) {
            return rate * 1.5;
        }
        return rate + Math.max(start * 0.05, rate * 0.03);
    }
}
