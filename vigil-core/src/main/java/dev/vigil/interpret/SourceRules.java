package dev.vigil.interpret;

import java.util.List;

/** The rules of one source, tried in order: the first whose conditions hold interprets the event. */
public record SourceRules(String source, List<Rule> rules) {

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Source names go into URLs (?source=NAME): letters, digits, '.', '_', '-', at most 128. */
    public static boolean isValidName(String name) {
        return NAME.matcher(name).matches();
    }

    public SourceRules {
        rules = List.copyOf(rules);
    }
}
