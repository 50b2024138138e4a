package dev.vigil.assess;

import dev.vigil.summarise.KpiWindow;

/**
 * How a one-minute KPI window counts towards an objective. Closed set: a ratio of good events (not
 * failed, or faster than a threshold) or a threshold on a window's statistic (the window is good when its
 * p95 is under 300 ms, say).
 */
public sealed interface Indicator extends java.io.Serializable {

    /** The minute's contribution, in events. */
    Tally tally(KpiWindow w);

    /**
     * The minute's value as a report shows it: the good share (0 to 1) for ratios, the statistic in
     * milliseconds for thresholds; NaN when the minute has nothing to judge.
     */
    double reading(KpiWindow w);

    /** Whether a higher reading is the worse one (a latency statistic), not the lower (a good share). */
    default boolean higherIsWorse() {
        return false;
    }

    /** Events that did not fail, of all events. */
    record NotFailed() implements Indicator {
        @Override
        public Tally tally(KpiWindow w) {
            return new Tally(w.count() - w.errors(), w.count());
        }

        @Override
        public double reading(KpiWindow w) {
            return tally(w).ratio();
        }
    }

    /**
     * Timed events that took at most {@code thresholdMicros}, of all timed events. The count under the
     * threshold comes from the window's sketch: within its 1% relative accuracy of the threshold.
     */
    record FasterThan(long thresholdMicros) implements Indicator {
        @Override
        public Tally tally(KpiWindow w) {
            double good = Math.min(w.timed(), Math.max(0, w.countAtMost(thresholdMicros)));
            return new Tally(good, w.timed());
        }

        @Override
        public double reading(KpiWindow w) {
            return tally(w).ratio();
        }
    }

    /**
     * A minute is one good occurrence when its statistic (e.g. p95 of durations) is at most the limit;
     * minutes without timed events do not count.
     */
    record StatisticAtMost(double quantile, long limitMicros) implements Indicator {
        @Override
        public Tally tally(KpiWindow w) {
            if (w.timed() == 0) {
                return Tally.EMPTY;
            }
            return new Tally(w.durationAt(quantile) <= limitMicros ? 1 : 0, 1);
        }

        @Override
        public double reading(KpiWindow w) {
            return w.timed() == 0 ? Double.NaN : w.durationAt(quantile) / 1000.0;
        }

        @Override
        public boolean higherIsWorse() {
            return true;
        }
    }
}
