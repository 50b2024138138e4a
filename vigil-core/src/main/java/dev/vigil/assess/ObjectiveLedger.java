package dev.vigil.assess;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One objective's account: good and total per closed minute, from which it answers, at any minute, what
 * was achieved in the period so far, how much error budget is left, how fast it burns over a window, and
 * which burn-rate alerts start or stop firing. Pure: time is the minute it is asked about (event time, as
 * the watermark closes minutes), so a month replays in milliseconds and gives the same answers as it did
 * live.
 */
public final class ObjectiveLedger {

    /**
     * @param target    the share that must be good, in (0, 1)
     * @param indicator how a minute's KPI window counts
     */
    public record Spec(String name, Indicator indicator, double target, TimeWindow window, Budgeting budgeting,
                       List<BurnRule> rules) implements java.io.Serializable {
        public Spec {
            if (!(target > 0 && target < 1)) {
                throw new IllegalArgumentException("target is in (0, 1), not " + target);
            }
            rules = List.copyOf(rules);
        }
    }

    /** Where the objective stands in its current period, up to the minute asked about. */
    public record Status(long periodStart, long periodEnd, Tally tally, double achieved, double budgetTotal,
                         double budgetConsumed) {

        public double budgetRemaining() {
            return budgetTotal - budgetConsumed;
        }

        /** Remaining budget as a share of the whole (negative once overspent), NaN before any data. */
        public double budgetRemainingShare() {
            return budgetTotal == 0 ? Double.NaN : budgetRemaining() / budgetTotal;
        }
    }

    /** An alert starting or stopping. */
    public record Transition(String objective, BurnRule rule, boolean firing, long atMicros, double longBurn,
                             double shortBurn) {
    }

    private final Spec spec;
    private final MinuteSums minutes = new MinuteSums();
    private final Map<String, Boolean> firing = new HashMap<>();

    public ObjectiveLedger(Spec spec) {
        this.spec = spec;
    }

    public Spec spec() {
        return spec;
    }

    /** A closed minute's tally; a revised window (late events) replaces what the minute had. */
    public void put(long minuteStart, Tally t) {
        minutes.put(minuteStart, t);
    }

    /** Events good and total in [from, to). */
    public Tally events(long from, long to) {
        return minutes.sum(from, to);
    }

    /** What the budget counts in [from, to): events, or time slices with data judged against the slice target. */
    public Tally budgetUnits(long from, long to) {
        if (!(spec.budgeting() instanceof Budgeting.Timeslices ts)) {
            return events(from, to);
        }
        double good = 0;
        double total = 0;
        long first = Math.floorDiv(from, ts.sliceMicros()) * ts.sliceMicros();
        for (long s = first; s < to; s += ts.sliceMicros()) {
            Tally slice = events(Math.max(s, from), Math.min(s + ts.sliceMicros(), to));
            if (slice.total() > 0) {
                total++;
                if (slice.ratio() >= ts.sliceTarget()) {
                    good++;
                }
            }
        }
        return new Tally(good, total);
    }

    /** The period holding the minute that ends at {@code now}, judged on its minutes before {@code now}. */
    public Status status(long now) {
        long[] period = spec.window().periodAt(now - 1);
        Tally units = budgetUnits(period[0], now);
        double allowedBadShare = 1 - spec.target();
        double budgetTotal = switch (spec.budgeting()) {
            case Budgeting.Occurrences o -> allowedBadShare * units.total();
            // Slices are known in advance: the whole period's slices, not only those seen so far.
            case Budgeting.Timeslices ts -> allowedBadShare * ((period[1] - period[0]) / (double) ts.sliceMicros());
        };
        return new Status(period[0], period[1], units, units.ratio(), budgetTotal, units.bad());
    }

    /** How many times faster than the sustainable pace the budget burned over the {@code window} up to {@code now}. */
    public double burnRate(long window, long now) {
        Tally t = budgetUnits(now - window, now);
        return t.total() == 0 ? 0 : (t.bad() / t.total()) / (1 - spec.target());
    }

    /** The alerts that start or stop firing at {@code now}, each once (a firing alert is not repeated). */
    public List<Transition> evaluate(long now) {
        List<Transition> out = new ArrayList<>();
        for (BurnRule r : spec.rules()) {
            double longBurn = burnRate(r.longMicros(), now);
            double shortBurn = burnRate(r.shortMicros(), now);
            boolean fire = r.firesAt(longBurn, shortBurn);
            boolean was = firing.getOrDefault(r.id(), false);
            if (fire != was) {
                firing.put(r.id(), fire);
                out.add(new Transition(spec.name(), r, fire, now, longBurn, shortBurn));
            }
        }
        return out;
    }

    /** Takes up a rule's state as it was stored (a restart must not raise an alert that already fired). */
    public void restoreFiring(String ruleId, boolean isFiring) {
        firing.put(ruleId, isFiring);
    }

    /** Each rule's firing state, by rule id (rules never evaluated are absent): what a snapshot keeps. */
    public Map<String, Boolean> firingByRule() {
        return Map.copyOf(firing);
    }

    /** Every minute's tally it holds, oldest first: what a snapshot keeps. */
    public void forEachMinute(java.util.function.BiConsumer<Long, Tally> f) {
        minutes.forEach(f);
    }

    public boolean firing(BurnRule r) {
        return firing.getOrDefault(r.id(), false);
    }

    /**
     * The earliest minute a question asked at {@code now} can reach: the start of the period, or the start of
     * the longest alert window, whichever is earlier.
     */
    public long reach(long now) {
        long earliest = spec.window().periodAt(now - 1)[0];
        for (BurnRule r : spec.rules()) {
            earliest = Math.min(earliest, now - r.longMicros());
        }
        return earliest;
    }

    /** Drops the minutes no question asked at {@code now} or later can reach. */
    public void forgetBefore(long now) {
        minutes.forgetBefore(reach(now));
    }
}
