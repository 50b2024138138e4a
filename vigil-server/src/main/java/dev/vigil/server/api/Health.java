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
record Health(Level level, List<String> reasons) {

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
    record Standing(Objective objective, ObjectiveLedger.Status status) {
        static Standing of(ObjectivesRuntime.State s) {
            return new Standing(s.objective(), s.evaluatedTo() == Long.MIN_VALUE ? null : s.ledger().status(s.evaluatedTo()));
        }
    }

    static Health judge(KpiWindow recent, List<Standing> objectives, Map<String, List<BurnRule>> firing) {
        Level level = recent == null || recent.count() == 0 ? Level.IDLE : Level.OK;
        List<String> reasons = new ArrayList<>();
        for (Standing s : objectives) {
            Objective o = s.objective();
            var st = s.status();
            if (st == null) {
                continue;
            }
            double achieved = st.achieved();
            if (!Double.isNaN(achieved) && achieved < o.spec().target()) {
                level = worse(level, Level.BREACHED);
                reasons.add(String.format(Locale.ROOT, "%s breached: %.2f%% achieved, target %s%%", o.name(),
                        100 * achieved, percent(o.spec().target())));
            } else if (!Double.isNaN(st.budgetRemainingShare()) && st.budgetRemainingShare() < LOW_BUDGET_SHARE) {
                level = worse(level, Level.AT_RISK);
                reasons.add(String.format(Locale.ROOT, "%s: %.0f%% of the error budget left", o.name(),
                        100 * st.budgetRemainingShare()));
            }
            for (BurnRule r : firing.getOrDefault(o.name(), List.of())) {
                level = worse(level, r.severity().equals("page") ? Level.BREACHED : Level.AT_RISK);
                reasons.add(o.name() + ": " + r.severity() + " alert firing (burn rate above " + r.factor() + "x)");
            }
        }
        if (recent != null && recent.count() > 0 && recent.errorRatio() >= RISKY_ERROR_RATIO) {
            level = worse(level, Level.AT_RISK);
            reasons.add(String.format(Locale.ROOT, "error ratio %.1f%%", 100 * recent.errorRatio()));
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
        return new Health(level, List.copyOf(reasons));
    }

    private static Level worse(Level a, Level b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String percent(double target) {
        double p = 100 * target;
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(Math.round(p * 1000) / 1000.0);
    }
}
