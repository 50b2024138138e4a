package dev.vigil.interpret;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A path into a JSON object, written as in JSONPath's simple form: {@code $.order.id},
 * {@code $.items[0].sku}, {@code $['key with.dots']}. Only field names and array indexes: rules pick
 * values, they do not query.
 */
public final class FieldPath {

    private final String text;
    private final List<Object> steps;

    private FieldPath(String text, List<Object> steps) {
        this.text = text;
        this.steps = steps;
    }

    /** Whether a rule value is a path rather than a constant. */
    public static boolean looksLikePath(String s) {
        return s.startsWith("$.") || s.startsWith("$[") || s.equals("$");
    }

    /**
     * Parses a path.
     *
     * @throws IllegalArgumentException naming the offset and what was expected there
     */
    public static FieldPath parse(String text) {
        if (!text.startsWith("$")) {
            throw new IllegalArgumentException("a path starts with '$.', as in $.order.id");
        }
        List<Object> steps = new ArrayList<>();
        int i = 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '.') {
                int start = ++i;
                while (i < text.length() && text.charAt(i) != '.' && text.charAt(i) != '[') {
                    i++;
                }
                if (i == start) {
                    throw new IllegalArgumentException("empty field name at offset " + start);
                }
                steps.add(text.substring(start, i));
            } else if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("'[' at offset " + i + " is not closed");
                }
                String inner = text.substring(i + 1, close);
                if (inner.length() >= 2 && (inner.charAt(0) == '\'' || inner.charAt(0) == '"')
                        && inner.charAt(inner.length() - 1) == inner.charAt(0)) {
                    steps.add(inner.substring(1, inner.length() - 1));
                } else {
                    try {
                        int n = Integer.parseInt(inner);
                        if (n < 0) {
                            throw new NumberFormatException();
                        }
                        steps.add(n);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("the brackets at offset " + i + " hold neither an index (0, 1, ...) "
                                + "nor a quoted name ('a.b')");
                    }
                }
                i = close + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' at offset " + i + ": after a field name comes '.' or '['");
            }
        }
        return new FieldPath(text, List.copyOf(steps));
    }

    /** The value at this path, or null when any step is missing or of the wrong shape. */
    public Object get(Object root) {
        Object at = root;
        for (Object step : steps) {
            if (step instanceof String name && at instanceof Map<?, ?> m) {
                at = m.get(name);
            } else if (step instanceof Integer n && at instanceof List<?> l && n < l.size()) {
                at = l.get(n);
            } else {
                return null;
            }
            if (at == null) {
                return null;
            }
        }
        return at;
    }

    @Override
    public String toString() {
        return text;
    }
}
