package dev.vigil.assess;

import java.util.List;

/**
 * An OpenSLO AlertPolicy as Vigil applies it: the burn rules it watches and where their changes go.
 *
 * @param targets        webhook URLs; none means Vigil's default webhooks (vigil.yaml's {@code alerting})
 * @param notifyFiring   whether a rule that starts firing is notified ({@code alertWhenBreaching})
 * @param notifyResolved whether a rule that stops firing is notified ({@code alertWhenResolved})
 */
public record AlertPolicy(String name, List<BurnRule> rules, List<String> targets, boolean notifyFiring,
                          boolean notifyResolved) implements java.io.Serializable {

    public AlertPolicy {
        rules = List.copyOf(rules);
        targets = List.copyOf(targets);
    }

    /** Where this policy sends a change of {@code rule}: nowhere unless it watches the rule and notifies such changes. */
    public List<String> targetsFor(BurnRule rule, boolean firing, List<String> defaults) {
        if (!rules.contains(rule) || !(firing ? notifyFiring : notifyResolved)) {
            return List.of();
        }
        return targets.isEmpty() ? defaults : targets;
    }
}
