package dev.vigil.server.api;

import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.event.WireName;
import dev.vigil.server.runtime.ObjectivesRuntime;
import dev.vigil.summarise.KpiWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a service, supplier or call is doing, in one word and the reasons behind it, so that a page can show
 * colour and text together and sort the worst first. Objectives decide first (they are what was agreed);
 * without them the error ratio of the recent minutes does.
 */
record Health(Level level, List<String> reasons, boolean wrongNow) {

    /** Ordered from worst to best: the overview sorts by it. */
    enum Level implements WireName {
        BREACHED("breached"),
        AT_RISK("at risk"),
        OK("ok"),
        IDLE("no traffic");

        private final String wire;

        Level(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    /** An error ratio at or above this, without an objective saying otherwise, puts a row at risk. */
    static final double RISKY_ERROR_RATIO = 0.05;
    /** Less budget left than this share puts an objective at risk before it is breached. */
    static final double LOW_BUDGET_SHARE = 0.25;

    /**
     * An objective and where it stands at its last judged minute (null before any): worked out once per request,
     * however many rows the objective covers.
     */
    record Standing(Objective objective, ObjectiveLedger.Status status, ObjectiveLedger.Forecast forecast) {
        static Standing of(ObjectivesRuntime.State s) {
            if (s.evaluatedTo() == Long.MIN_VALUE) {
                return new Standing(s.objective(), null, null);
            }
            return new Standing(s.objective(), s.ledger().status(s.evaluatedTo()),
                    s.ledger().forecast(s.evaluatedTo(), FORECAST_PACE));
        }
    }

    /** The window whose burn rate a forecast assumes for the rest of the period: a day, steadier than an hour. */
    static final long FORECAST_PACE = 1440 * 60_000_000L;

    /**
     * @param recent  the window's events merged
     * @param minutes the last closed minute and the window's steps: a minute of incident is judged on its own, not
     *                averaged away over the window
     */
    static Health judge(KpiWindow recent, Recent minutes, List<Standing> objectives, Map<String, List<BurnRule>> firing) {
        Level level = recent == null || recent.count() == 0 ? Level.IDLE : Level.OK;
        List<String> reasons = new ArrayList<>();
        for (Standing s : objectives) {
            Objective o = s.objective();
            var st = s.status();
            if (st == null) {
                continue;
            }
            double achieved = st.achieved();
            double target = o.spec().target();
            var f = s.forecast();
            if (f.inProgress() && !Double.isNaN(f.achieved())) {
                // A period not over is not decided: what it will be at its end (at the day's burn rate) decides.
                boolean below = !Double.isNaN(achieved) && achieved < target;
                if (f.achieved() < target) {
                    level = worse(level, below ? Level.BREACHED : Level.AT_RISK);
                    reasons.add(String.format(Locale.ROOT, "%s: forecast to miss, %.2f%% at the period's end, target %s%%"
                            + " (%.2f%% so far)", o.name(), 100 * f.achieved(), percent(target), 100 * achieved));
                } else if (below) {
                    level = worse(level, Level.AT_RISK);
                    reasons.add(String.format(Locale.ROOT, "%s: %.2f%% so far, below the %s%% target; forecast %.2f%% at"
                            + " the period's end", o.name(), 100 * achieved, percent(target), 100 * f.achieved()));
                }
            } else if (!Double.isNaN(achieved) && achieved < target) {
                level = worse(level, Level.BREACHED);
                reasons.add(String.format(Locale.ROOT, "%s breached: %.2f%% achieved, target %s%%", o.name(),
                        100 * achieved, percent(target)));
            } else if (!Double.isNaN(st.budgetRemainingShare()) && st.budgetRemainingShare() < LOW_BUDGET_SHARE) {
                level = worse(level, Level.AT_RISK);
                reasons.add(String.format(Locale.ROOT, "%s: %.0f%% of the error budget left", o.name(),
                        100 * st.budgetRemainingShare()));
            }
            // One reason per objective however many of its rules fire: "page and 2 ticket alerts firing".
            List<BurnRule> rules = firing.getOrDefault(o.name(), List.of());
            if (!rules.isEmpty()) {
                long pages = rules.stream().filter(r -> r.severity().equals("page")).count();
                level = worse(level, pages > 0 ? Level.BREACHED : Level.AT_RISK);
                Map<String, Long> bySeverity = new java.util.TreeMap<>();
                rules.forEach(r -> bySeverity.merge(r.severity(), 1L, Long::sum));
                List<String> parts = new ArrayList<>();
                bySeverity.forEach((severity, n) -> parts.add(n == 1 ? severity : n + " " + severity));
                BurnRule steepest = java.util.Collections.max(rules, java.util.Comparator.comparingDouble(BurnRule::factor));
                reasons.add(o.name() + ": " + String.join(" and ", parts) + (rules.size() == 1 ? " alert" : " alerts")
                        + " firing (burn rate above " + steepest.factorText() + "×)");
            }
        }
        if (recent != null && recent.count() > 0 && recent.errorRatio() >= RISKY_ERROR_RATIO) {
            level = worse(level, Level.AT_RISK);
            reasons.add(String.format(Locale.ROOT, "error ratio %.1f%% over the window", 100 * recent.errorRatio()));
        }
        boolean wrongNow = false;
        if (minutes.now() != null && minutes.now().count() >= Recent.FEW_EVENTS
                && minutes.nowErrorRatio() >= RISKY_ERROR_RATIO) {
            level = worse(level, Level.AT_RISK);
            wrongNow = true;
            reasons.add(0, String.format(Locale.ROOT, "now: error ratio %.1f%% in the last closed minute",
                    100 * minutes.nowErrorRatio()));
        }
        if (minutes.slowNow()) {
            level = worse(level, Level.AT_RISK);
            wrongNow = true;
            reasons.add(0, String.format(Locale.ROOT, "now: p95 %,.0f ms in the last closed minute, %.0f× the usual %,.0f ms",
                    minutes.nowP95Ms(), minutes.nowP95Ms() / minutes.usualP95Ms(), minutes.usualP95Ms()));
        }
        if (reasons.isEmpty()) {
            if (level == Level.IDLE) {
                reasons.add("no events in the window");
            } else if (objectives.isEmpty()) {
                reasons.add(String.format(Locale.ROOT, "error ratio %.1f%%, no objective", 100 * recent.errorRatio()));
            } else {
                reasons.add(objectives.size() == 1 ? "objective met" : "all " + objectives.size() + " objectives met");
            }
        }
        return new Health(level, List.copyOf(reasons), wrongNow);
    }

    private static Level worse(Level a, Level b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String percent(double target) {
        double p = 100 * target;
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(Math.round(p * 1000) / 1000.0);
    }
}
