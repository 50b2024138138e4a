package dev.vigil.batch.service;

import java.time.Duration;

/**
 * How the reference service behaves: what a request costs, how many it can work on at once, and which
 * faults it injects. The defaults model an enterprise service behind an ESB: 2 ms of fixed overhead per
 * request (round trips, orchestration), 50 µs per record, 8 workers.
 *
 * @param overhead          fixed cost of every request, holding a worker
 * @param perRecord         cost of each record in a request, holding the same worker
 * @param workers           requests worked on at once (the service's capacity); the rest wait their turn
 * @param transientErrors   share of record requests answered 503 before anything is applied
 * @param ambiguousErrors   share of record requests answered 503 after their records were applied (the reply
 *                          was lost): only idempotency keys keep a retry from applying them twice
 * @param spikes            share of requests that take {@code spike} longer
 * @param spike             the extra time of a spike
 * @param seed              seed of the fault dice, so a run can be repeated
 */
public record ServiceModel(Duration overhead, Duration perRecord, int workers, double transientErrors,
                           double ambiguousErrors, double spikes, Duration spike, long seed) {

    public static final ServiceModel DEFAULT = new ServiceModel(Duration.ofMillis(2), Duration.ofNanos(50_000), 8,
            0, 0, 0, Duration.ofMillis(200), 1);

    public ServiceModel {
        if (overhead.isNegative() || perRecord.isNegative() || spike.isNegative()) {
            throw new IllegalArgumentException("costs must not be negative");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, not " + workers);
        }
        for (double share : new double[] {transientErrors, ambiguousErrors, spikes}) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("fault shares are between 0 and 1, not " + share);
            }
        }
    }

    public ServiceModel withWorkers(int w) {
        return new ServiceModel(overhead, perRecord, w, transientErrors, ambiguousErrors, spikes, spike, seed);
    }

    public ServiceModel withCosts(Duration perRequest, Duration eachRecord) {
        return new ServiceModel(perRequest, eachRecord, workers, transientErrors, ambiguousErrors, spikes, spike, seed);
    }

    public ServiceModel withFaults(double transientShare, double ambiguousShare) {
        return new ServiceModel(overhead, perRecord, workers, transientShare, ambiguousShare, spikes, spike, seed);
    }

    public ServiceModel withSpikes(double share, Duration extra) {
        return new ServiceModel(overhead, perRecord, workers, transientErrors, ambiguousErrors, share, extra, seed);
    }

    /** Records per second the service can apply with every worker busy and requests of {@code perRequest} records. */
    public double capacity(int perRequest) {
        double seconds = (overhead.toNanos() + (double) perRequest * perRecord.toNanos()) / 1e9;
        return workers * perRequest / seconds;
    }
}
