package dev.vigil.interpret;

import java.util.List;

/** The rules of one source, tried in order: the first whose conditions hold interprets the event. */
public record SourceRules(String source, List<Rule> rules) {

    public SourceRules {
        rules = List.copyOf(rules);
    }
}
