package dev.vigil.assess;

/**
 * Good and total for one stretch of time: events (occurrences budgeting) or time slices (timeslices
 * budgeting). Tallies add, so any window's tally is the sum of its minutes'.
 */
public record Tally(double good, double total) {

    public static final Tally EMPTY = new Tally(0, 0);

    public Tally {
        if (good < 0 || total < good) {
            throw new IllegalArgumentException("a tally needs 0 <= good <= total, not " + good + "/" + total);
        }
    }

    public Tally plus(Tally o) {
        return new Tally(good + o.good, total + o.total);
    }

    public double bad() {
        return total - good;
    }

    /** good / total, or NaN with nothing counted. */
    public double ratio() {
        return total == 0 ? Double.NaN : good / total;
    }
}
