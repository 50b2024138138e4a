package dev.vigil.assess;

import dev.vigil.summarise.Dimension;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A declared objective, as loaded from OpenSLO: which KPI series it judges and how.
 *
 * @param series   the KPI series whose minutes count (e.g. peer carrier-api)
 * @param service  the OpenSLO service it belongs to
 * @param spec     indicator, target, period, budgeting and alert rules
 * @param policies its alert policies; none means the standard rules in {@code spec}, sent to the default webhooks
 */
public record Objective(String name, String displayName, String service, Series series, ObjectiveLedger.Spec spec,
                        List<AlertPolicy> policies) implements java.io.Serializable {

    public Objective {
        policies = List.copyOf(policies);
    }

    public Objective(String name, String displayName, String service, Series series, ObjectiveLedger.Spec spec) {
        this(name, displayName, service, series, spec, List.of());
    }

    /** A KPI series: dimension, key, and for service-operation or process-activity optionally the name. */
    public record Series(Dimension dimension, String key, String name) implements java.io.Serializable {
    }

    /** This objective under the given policies: their rules replace the standard ones. */
    public Objective withPolicies(List<AlertPolicy> chosen) {
        if (chosen.isEmpty()) {
            return this;
        }
        Set<BurnRule> rules = new LinkedHashSet<>();
        chosen.forEach(p -> rules.addAll(p.rules()));
        ObjectiveLedger.Spec s = new ObjectiveLedger.Spec(spec.name(), spec.indicator(), spec.target(), spec.window(),
                spec.budgeting(), List.copyOf(rules));
        return new Objective(name, displayName, service, series, s, chosen);
    }

    /** The webhooks to tell of a change of {@code rule}, each once: by its policies, or the defaults without any. */
    public List<String> targets(BurnRule rule, boolean firing, List<String> defaults) {
        if (policies.isEmpty()) {
            return defaults;
        }
        Set<String> out = new LinkedHashSet<>();
        policies.forEach(p -> out.addAll(p.targetsFor(rule, firing, defaults)));
        return List.copyOf(out);
    }
}
