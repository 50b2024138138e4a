package dev.vigil.batch.run;

import java.time.Duration;

/**
 * How much of the input each strategy of a comparison (or each point of a tuning) may take: at most
 * {@code time} long and at most {@code records} records, whichever comes first. Either may be unset.
 *
 * <p>A time budget bounds how long a comparison takes whatever the strategies; a record budget measures every
 * strategy on the same records (the same prefix of the input), which makes their figures comparable when
 * records differ along the file, and makes a run's work independent of the machine's speed.
 *
 * @param time    at most this long per strategy, or null for no time limit
 * @param records at most this many records per strategy, or 0 for no record limit
 */
public record Budget(Duration time, long records) {

    public Budget {
        if (time != null && (time.isNegative() || time.isZero())) {
            throw new IllegalArgumentException("a time budget must be above zero, not " + time);
        }
        if (records < 0) {
            throw new IllegalArgumentException("a record budget must be 0 (none) or more, not " + records);
        }
    }

    public static Budget ofTime(Duration time) {
        return new Budget(time, 0);
    }

    public static Budget ofRecords(long records) {
        if (records <= 0) {
            throw new IllegalArgumentException("a record budget must be above zero, not " + records);
        }
        return new Budget(null, records);
    }
}
