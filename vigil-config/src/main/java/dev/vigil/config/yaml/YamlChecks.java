package dev.vigil.config.yaml;

import dev.vigil.config.Durations;
import dev.vigil.config.yaml.YamlTree.Entry;
import dev.vigil.config.yaml.YamlTree.ListNode;
import dev.vigil.config.yaml.YamlTree.Loc;
import dev.vigil.config.yaml.YamlTree.MapNode;
import dev.vigil.config.yaml.YamlTree.Node;
import dev.vigil.config.yaml.YamlTree.Scalar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every YAML file Vigil reads checks the same way: values of the expected shape, known fields (with a
 * did-you-mean), durations, whole numbers; each problem collected with file, line, column and the fix.
 */
abstract class YamlChecks {

    final String file;
    final List<ConfigError> errors = new ArrayList<>();

    YamlChecks(String file) {
        this.file = file;
    }

    /** The problems found, sorted by file and place in it. */
    List<ConfigError> sortedErrors() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(java.util.Comparator.comparing(ConfigError::file).thenComparingInt(ConfigError::line)
                .thenComparingInt(ConfigError::column));
        return sorted;
    }

    final List<String> strings(MapNode m, String field, String what, Loc owner, String hint) {
        Entry e = m.entries().get(field);
        if (e == null) {
            error(owner, what + " needs \"" + field + "\": " + hint);
            return null;
        }
        if (!(e.value() instanceof ListNode l) || l.items().isEmpty()) {
            error(e.value().loc(), field + " of " + what + " must be a non-empty list: " + hint);
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Node n : l.items()) {
            String s = scalar(n, field);
            if (s == null) {
                return null;
            }
            out.add(s);
        }
        return out;
    }

    final Duration duration(MapNode m, String field, Duration otherwise) {
        Entry e = m.entries().get(field);
        if (e == null) {
            return otherwise;
        }
        String s = scalar(e.value(), field);
        return s == null ? null : duration(s, e.value().loc(), field);
    }

    /** The longest duration a setting takes: a century, whose microseconds (and nanoseconds) fit a long. */
    static final Duration LONGEST = Duration.ofDays(36_500);

    /** A duration of at most {@link #LONGEST}, or null with an error at {@code at}. */
    final Duration duration(String s, Loc at, String field) {
        Duration d;
        try {
            d = Durations.parse(s);
        } catch (IllegalArgumentException ex) {
            error(at, Quote.value(s) + " is not a duration for " + field + ": write e.g. 500ms, 30s, 5m, 2h or 30d");
            return null;
        }
        if (d.isNegative()) {
            error(at, Quote.value(s) + " is negative; " + field + " is a duration such as 500ms, 30s, 5m, 2h or 30d");
            return null;
        }
        if (d.compareTo(LONGEST) > 0) {
            error(at, Quote.value(s) + " is longer than Vigil takes for " + field + " (" + Durations.format(LONGEST) + ")");
            return null;
        }
        return d;
    }

    final Integer integer(Node n, String field) {
        String s = scalar(n, field);
        if (s == null) {
            return null;
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            error(n.loc(), field + " must be a whole number, found " + Quote.value(s));
            return null;
        }
    }

    final Double number(Node n, String field) {
        String s = scalar(n, field);
        if (s == null) {
            return null;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            error(n.loc(), field + " must be a number, found " + Quote.value(s));
            return null;
        }
    }

    final String scalar(Node n, String field) {
        if (n instanceof Scalar s) {
            return s.text();
        }
        error(n.loc(), field + " must be a single value, found " + n.describe());
        return null;
    }

    final MapNode map(Node n, String what, String expected) {
        if (n instanceof MapNode m) {
            return m;
        }
        error(n.loc(), what + " must be " + expected + ", found " + n.describe());
        return null;
    }

    final void known(MapNode m, String where, List<String> allowed) {
        for (Entry e : m.entries().values()) {
            if (!allowed.contains(e.key())) {
                error(e.keyLoc(), "unknown field " + Quote.value(e.key()) + " " + where + suggestion(e.key(), allowed)
                        + " (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    final void error(Loc at, String message) {
        errors.add(new ConfigError(file, at.line(), at.column(), message));
    }

    /** "; did you mean "time"?" when a known word is within two edits, else nothing. */
    static String suggestion(String word, List<String> known) {
        return DidYouMean.suggestion(word, known);
    }
}
