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
    /** Each rule's id, in the spec's order: made once (formatting them at every minute was a tenth of the writer's time). */
    private final String[] ruleIds;

    public ObjectiveLedger(Spec spec) {
        this.spec = spec;
        this.ruleIds = spec.rules().stream().map(BurnRule::id).toArray(String[]::new);
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

    /**
     * The share of the {@code window} before {@code now} that holds data (from its first minute with events to
     * {@code now}), from 0 to 1: a burn rate over three days read 22 minutes after the first event is a burn
     * rate over 22 minutes, and says so.
     */
    public double coverage(long window, long now) {
        long first = minutes.firstWithData(now - window, now);
        return first == Long.MIN_VALUE ? 0 : Math.min(1, (now - first) / (double) window);
    }

    /**
     * Where the period holding {@code now} ends if its rest goes as the last {@code pace} went: as many events
     * (or slices with data) per unit of time as the period has had so far, bad in the share the pace window had.
     * A closed period's forecast is its outcome; a rolling window has no end to forecast (it is always the last
     * so many days), so its forecast is where it stands.
     *
     * @param calendar     whether the window is a calendar one (periods that end), not a rolling one
     * @param elapsedShare the share of the period behind {@code now}, 1 once it is closed
     * @param achieved     the good share at the period's end, NaN without data
     * @param budgetRemainingShare the budget left at the period's end as a share of its total (negative: overspent)
     * @param paceBurnRate the burn rate over the pace window the forecast assumes for the rest
     * @param paceCoverage the share of the pace window that holds data: a forecast from three minutes of data is a
     *                     guess, and says so
     */
    public record Forecast(boolean calendar, double elapsedShare, double achieved, double budgetRemainingShare,
                           double paceBurnRate, double paceCoverage) {
        /** A calendar period not over yet: its verdict is not decided, only forecast. */
        public boolean inProgress() {
            return calendar && elapsedShare < 1;
        }
    }

    public Forecast forecast(long now, long pace) {
        Status st = status(now);
        boolean calendar = spec.window() instanceof TimeWindow.Calendar;
        double paceBurn = burnRate(pace, now);
        double paceCoverage = coverage(pace, now);
        if (!calendar) {
            return new Forecast(false, 1, st.achieved(), st.budgetRemainingShare(), paceBurn, paceCoverage);
        }
        long elapsed = Math.min(now, st.periodEnd()) - st.periodStart();
        long remaining = Math.max(0, st.periodEnd() - now);
        double elapsedShare = elapsed / (double) (st.periodEnd() - st.periodStart());
        Tally sofar = st.tally();
        if (sofar.total() == 0) {
            return new Forecast(true, elapsedShare, Double.NaN, Double.NaN, paceBurn, paceCoverage);
        }
        double allowedBad = 1 - spec.target();
        Tally recent = budgetUnits(now - pace, now);
        double badShare = recent.total() > 0 ? recent.bad() / recent.total() : sofar.bad() / sofar.total();
        double futureUnits = switch (spec.budgeting()) {
            case Budgeting.Occurrences o -> sofar.total() * remaining / (double) elapsed;
            // Slices with data so far per slice elapsed, over the slices still to come.
            case Budgeting.Timeslices ts -> sofar.total() / Math.ceil(elapsed / (double) ts.sliceMicros())
                    * (remaining / (double) ts.sliceMicros());
        };
        double bad = sofar.bad() + futureUnits * badShare;
        double units = sofar.total() + futureUnits;
        double budget = switch (spec.budgeting()) {
            case Budgeting.Occurrences o -> allowedBad * units;
            case Budgeting.Timeslices ts -> st.budgetTotal();
        };
        return new Forecast(true, elapsedShare, 1 - bad / units, budget == 0 ? Double.NaN : 1 - bad / budget, paceBurn,
                paceCoverage);
    }

    /** The alerts that start or stop firing at {@code now}, each once (a firing alert is not repeated). */
    public List<Transition> evaluate(long now) {
        List<Transition> out = new ArrayList<>();
        for (int i = 0; i < ruleIds.length; i++) {
            BurnRule r = spec.rules().get(i);
            double longBurn = burnRate(r.longMicros(), now);
            double shortBurn = burnRate(r.shortMicros(), now);
            boolean fire = r.firesAt(longBurn, shortBurn);
            boolean was = firing.getOrDefault(ruleIds[i], false);
            if (fire != was) {
                firing.put(ruleIds[i], fire);
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
