package dev.vigil.assess;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How one objective did over one reporting period, as a contract review asks: achieved against target,
 * budget spent, when it was breached and how badly, and where the budget went. Figures come from the
 * objective's own ledger rules (the same as the live status), judged over the report's calendar period
 * instead of the objective's own window.
 */
public final class PeriodReport {

    /** Breaching runs closer than this many minutes form one breach interval. */
    public static final int JOIN_MINUTES = 5;
    /**
     * The share of the period's error budget from which a breach interval is notable: a report lists these and
     * sums up the rest. A minute can miss a 98.5% target with one failed call of five, and a quiet month then
     * holds a thousand one-minute "breaches" that spent next to nothing; an incident spends its percent in an hour.
     */
    public static final double NOTABLE_SHARE = 0.01;
    /** How many of the costliest hours a report lists. */
    public static final int COSTLIEST = 5;

    private static final long MINUTE = 60_000_000L;
    private static final long HOUR = 60 * MINUTE;

    private PeriodReport() {
    }

    /** One closed minute of the objective's series: its tally and its reading ({@link Indicator#reading}). */
    public record Minute(long startMicros, Tally tally, double reading) {
    }

    /**
     * A stretch in which minutes missed the target on their own.
     *
     * @param worst          the worst minute's reading (lowest good share, or highest statistic)
     * @param tally          the events of the breaching minutes
     * @param budgetConsumed the error budget spent from its start to its end, in the budget's units
     */
    public record Breach(long startMicros, long endMicros, int minutes, double worst, Tally tally, double budgetConsumed) {
    }

    /** An hour and the error budget it spent, in budget units and as a share of the period's budget. */
    public record Spend(long startMicros, long endMicros, double consumed, double shareOfBudget) {
    }

    /**
     * The period so far at the end of each day up to the report's time: achieved, and the share of the whole
     * period's budget spent.
     */
    public record Step(long endMicros, double achieved, double budgetSpentShare) {
    }

    /** @param closed whether the period was over at the report's time: only then is its verdict final */
    public record Result(Objective objective, ReportPeriod period, Tally units, double achieved, double budgetTotal,
                         double budgetConsumed, List<Breach> breaches, List<Spend> costliest, List<Step> path,
                         boolean closed) {

        public boolean hasData() {
            return units.total() > 0;
        }

        public boolean met() {
            return hasData() && achieved >= objective.spec().target();
        }

        /** met, breached, or no data; "met so far" or "breached so far" while the period runs (nothing is decided). */
        public String verdict() {
            return PeriodReport.verdict(hasData(), met(), closed);
        }

        /** The share of the period's budget spent (above 1 when overspent); NaN without a budget. */
        public double budgetSpentShare() {
            return shareOfBudget(budgetConsumed);
        }

        /** The share of the period's budget a breach interval spent; NaN without a budget. */
        public double budgetSpentShare(Breach b) {
            return shareOfBudget(b.budgetConsumed());
        }

        /** {@code consumed} budget units as a share of the period's budget; NaN without a budget. */
        public double shareOfBudget(double consumed) {
            return budgetTotal > 0 ? consumed / budgetTotal : consumed > 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        }

        /** Whether a breach interval spent at least {@link #NOTABLE_SHARE} of the budget (every one does without one). */
        public boolean isNotable(Breach b) {
            return !(budgetSpentShare(b) < NOTABLE_SHARE);
        }

        /** The breach intervals that are {@link #isNotable notable}. */
        public List<Breach> notableBreaches() {
            return breaches.stream().filter(this::isNotable).toList();
        }
    }

    /**
     * Judges {@code o} over {@code period} from its minutes there (in any order; those outside are ignored),
     * as of {@code asOfMicros}: the daily path stops at the day holding it, so that a period still running
     * shows no days to come.
     */
    public static Result of(Objective o, ReportPeriod period, List<Minute> minutes, long asOfMicros) {
        long start = period.startMicros();
        long end = period.endMicros();
        ObjectiveLedger.Spec own = o.spec();
        ObjectiveLedger ledger = new ObjectiveLedger(new ObjectiveLedger.Spec(own.name(), own.indicator(), own.target(),
                period.window(), own.budgeting(), List.of()));
        List<Minute> inside = new ArrayList<>();
        for (Minute m : minutes) {
            if (m.startMicros() >= start && m.startMicros() < end) {
                ledger.put(m.startMicros(), m.tally());
                inside.add(m);
            }
        }
        inside.sort(Comparator.comparingLong(Minute::startMicros));
        ObjectiveLedger.Status status = ledger.status(end);
        List<Spend> spends = new ArrayList<>();
        for (long h = start; h < end; h += HOUR) {
            double bad = ledger.budgetUnits(h, Math.min(h + HOUR, end)).bad();
            if (bad > 0) {
                spends.add(new Spend(h, Math.min(h + HOUR, end), bad, status.budgetTotal() > 0 ? bad / status.budgetTotal()
                        : Double.NaN));
            }
        }
        spends.sort(Comparator.comparingDouble(Spend::consumed).reversed().thenComparingLong(Spend::startMicros));
        // Each day's budget units added to the days before: one pass over the period (asking the ledger for
        // the status at each day's end would count time slices from the period's start again every day).
        // A time slice that straddles midnight in the period's zone counts as two partial slices here.
        List<Step> path = new ArrayList<>();
        Tally soFar = Tally.EMPTY;
        for (java.time.LocalDate d = period.first(); ; d = d.plusDays(1)) {
            long dayStart = dev.vigil.event.Timestamps.toMicros(d.atStartOfDay(period.zone()).toInstant());
            long dayEnd = dev.vigil.event.Timestamps.toMicros(d.plusDays(1).atStartOfDay(period.zone()).toInstant());
            if (dayEnd > end || dayStart >= asOfMicros) {
                break;
            }
            soFar = soFar.plus(ledger.budgetUnits(dayStart, dayEnd));
            path.add(new Step(dayEnd, soFar.ratio(), status.budgetTotal() > 0 ? soFar.bad() / status.budgetTotal() : Double.NaN));
        }
        return new Result(o, period, status.tally(), status.achieved(), status.budgetTotal(), status.budgetConsumed(),
                breaches(inside, own.target(), own.indicator().higherIsWorse(),
                        (from, to) -> ledger.budgetUnits(from, to).bad()),
                List.copyOf(spends.subList(0, Math.min(COSTLIEST, spends.size()))), path, asOfMicros >= end);
    }

    /** met, breached or no data, "so far" while the period runs: an objective's verdict, or a contract's. */
    public static String verdict(boolean hasData, boolean met, boolean closed) {
        return !hasData ? "no data" : (met ? "met" : "breached") + (closed ? "" : " so far");
    }

    /** The budget units spent in [from, to). */
    interface BudgetSpent {
        double between(long fromMicros, long toMicros);
    }

    /** Runs of minutes that miss the target on their own, joined across gaps under {@link #JOIN_MINUTES}. */
    static List<Breach> breaches(List<Minute> sorted, double target, boolean higherIsWorse, BudgetSpent spent) {
        List<Breach> out = new ArrayList<>();
        long from = 0;
        long to = 0;
        int count = 0;
        double worst = Double.NaN;
        Tally tally = Tally.EMPTY;
        for (Minute m : sorted) {
            if (!(m.tally().total() > 0 && m.tally().ratio() < target)) {
                continue;
            }
            if (count > 0 && m.startMicros() - to >= JOIN_MINUTES * MINUTE) {
                out.add(new Breach(from, to, count, worst, tally, spent.between(from, to)));
                count = 0;
            }
            if (count == 0) {
                from = m.startMicros();
                worst = m.reading();
                tally = Tally.EMPTY;
            }
            to = m.startMicros() + MINUTE;
            count++;
            tally = tally.plus(m.tally());
            worst = higherIsWorse ? Math.max(worst, m.reading()) : Math.min(worst, m.reading());
        }
        if (count > 0) {
            out.add(new Breach(from, to, count, worst, tally, spent.between(from, to)));
        }
        return out;
    }
}
