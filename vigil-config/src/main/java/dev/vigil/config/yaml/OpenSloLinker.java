package dev.vigil.config.yaml;

import dev.vigil.assess.AlertPolicy;
import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Contract;
import dev.vigil.assess.Objective;
import dev.vigil.config.yaml.OpenSloLoader.Documents;
import dev.vigil.config.yaml.OpenSloLoader.Named;
import dev.vigil.config.yaml.OpenSloLoader.PolicyDraft;
import dev.vigil.config.yaml.OpenSloLoader.PolicyUse;
import dev.vigil.config.yaml.OpenSloLoader.Ref;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Joins the OpenSLO files of one configuration: names are unique across them, and a name one file uses
 * (an alert policy, condition or notification target; an SLO a contract covers) may be defined in any.
 * Each unresolved name is reported where it is used, with the names that exist.
 */
final class OpenSloLinker {

    /** The objectives with their alert policies applied, and the contracts. */
    record Linked(List<Objective> objectives, List<Contract> contracts) {
    }

    private final List<ConfigError> errors;

    private OpenSloLinker(List<ConfigError> errors) {
        this.errors = errors;
    }

    static Linked link(List<Documents> files, List<ConfigError> errors) {
        OpenSloLinker l = new OpenSloLinker(errors);
        Map<String, BurnRule> conditions = l.unique("AlertCondition", files, Documents::conditions);
        Map<String, String> targets = l.unique("AlertNotificationTarget", files, Documents::targets);
        Map<String, PolicyDraft> drafts = l.unique("AlertPolicy", files, Documents::policies);
        Map<String, Objective> objectives = l.unique("SLO", files, Documents::objectives);
        // Each named policy is resolved once, however many SLOs use it; one with an unresolved name of its own
        // (reported where that name stands) is left out of the map.
        Map<String, AlertPolicy> named = new LinkedHashMap<>();
        drafts.forEach((name, draft) -> {
            AlertPolicy p = l.policy(draft, conditions, targets);
            if (p != null) {
                named.put(name, p);
            }
        });
        Map<String, List<AlertPolicy>> chosen = new LinkedHashMap<>();
        for (Documents d : files) {
            for (PolicyUse use : d.uses()) {
                AlertPolicy policy;
                if (use.inline() != null) {
                    policy = l.policy(use.inline(), conditions, targets);
                } else {
                    policy = l.resolve(use.ref(), drafts, "alert policy") == null ? null : named.get(use.ref().name());
                }
                if (policy != null && use.objective() != null) {
                    chosen.computeIfAbsent(use.objective(), k -> new ArrayList<>()).add(policy);
                }
            }
        }
        List<Objective> out = new ArrayList<>();
        objectives.values().forEach(o -> out.add(o.withPolicies(chosen.getOrDefault(o.name(), List.of()))));
        List<Contract> contracts = new ArrayList<>();
        for (Documents d : files) {
            contracts.addAll(d.contracts());
            for (OpenSloLoader.Reference r : d.references()) {
                if (!objectives.containsKey(r.objective())) {
                    l.error(r.at(), "contract " + r.contract() + " covers " + Quote.value(r.objective()) + ", which no SLO of the "
                            + "objectives' files is named" + DidYouMean.suggestion(r.objective(), List.copyOf(objectives.keySet())));
                }
            }
        }
        return new Linked(List.copyOf(out), List.copyOf(contracts));
    }

    /** A policy with its conditions and targets resolved, or null when one of them is not defined. */
    private AlertPolicy policy(PolicyDraft d, Map<String, BurnRule> conditions, Map<String, String> targets) {
        List<BurnRule> rules = new ArrayList<>(d.rules());
        List<String> urls = new ArrayList<>(d.targets());
        boolean complete = true;
        for (Ref r : d.conditionRefs()) {
            BurnRule rule = resolve(r, conditions, "alert condition");
            complete &= rule != null;
            if (rule != null) {
                rules.add(rule);
            }
        }
        for (Ref r : d.targetRefs()) {
            String url = resolve(r, targets, "notification target");
            complete &= url != null;
            if (url != null) {
                urls.add(url);
            }
        }
        return complete ? new AlertPolicy(d.name(), rules, urls, d.notifyFiring(), d.notifyResolved()) : null;
    }

    private <T> T resolve(Ref r, Map<String, T> defined, String what) {
        T found = defined.get(r.name());
        if (found == null) {
            error(r.at(), "no " + what + " named " + Quote.value(r.name()) + " in the objectives' files"
                    + DidYouMean.suggestion(r.name(), List.copyOf(defined.keySet()))
                    + (defined.isEmpty() ? " (none is defined)" : " (defined: " + String.join(", ", defined.keySet()) + ")"));
        }
        return found;
    }

    private <T> Map<String, T> unique(String kind, List<Documents> files, Function<Documents, List<Named<T>>> of) {
        Map<String, T> out = new LinkedHashMap<>();
        for (Documents d : files) {
            for (Named<T> n : of.apply(d)) {
                if (out.putIfAbsent(n.name(), n.value()) != null) {
                    error(n.at(), "a second " + kind + " named " + n.name() + ": names must be unique across the "
                            + "objectives' files");
                }
            }
        }
        return out;
    }

    private void error(ConfigError at, String message) {
        errors.add(new ConfigError(at.file(), at.line(), at.column(), message));
    }
}
