package dev.vigil.assess;

/** How an objective's budget is counted: in events, or in time slices that each pass or fail. */
public sealed interface Budgeting extends java.io.Serializable {

    /** Good events of all events: the budget is the share of events that may be bad. */
    record Occurrences() implements Budgeting {
    }

    /**
     * Slices of {@code sliceMicros} (a whole number of minutes); a slice is good when its good ratio is at
     * least {@code sliceTarget}: the budget is the share of slices that may be bad.
     */
    record Timeslices(long sliceMicros, double sliceTarget) implements Budgeting {
        public Timeslices {
            if (sliceMicros < 60_000_000L || sliceMicros % 60_000_000L != 0) {
                throw new IllegalArgumentException("a time slice is a whole number of minutes");
            }
            if (!(sliceTarget > 0 && sliceTarget <= 1)) {
                throw new IllegalArgumentException("timeSliceTarget is in (0, 1], not " + sliceTarget);
            }
        }
    }
}
