package dev.vigil.batch.run;

/**
 * The rate rule of an adaptive run, once a second: when the online probe's p99 over the last second passed
 * the objective, the rate drops to 70% (multiplicative decrease); when it stayed under, the rate grows by
 * 10% of the starting rate or 5% of the current one, whichever is more (additive increase). The same rule
 * TCP uses for congestion: it backs off fast and creeps up, so it settles just under the point where online
 * users start to suffer.
 *
 * @param start      the starting rate, records/s
 * @param floor      the lowest rate, records/s (one request's worth a second)
 * @param objectiveMillis the online p99 to stay under
 */
record AdaptiveRate(double start, double floor, double objectiveMillis) {

    double next(double rate, double onlineP99Millis) {
        if (Double.isNaN(onlineP99Millis)) {
            return rate;
        }
        if (onlineP99Millis > objectiveMillis) {
            return Math.max(floor, rate * 0.7);
        }
        return rate + Math.max(start * 0.1, rate * 0.05);
    }
}
