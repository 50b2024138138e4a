package dev.vigil.interpret;

import java.util.Map;

/** Where a canonical field's value comes from: a constant, or a path with an optional value mapping. */
public sealed interface ValueSpec permits ValueSpec.Constant, ValueSpec.FromPath {

    /** The value, as text, for an event; null when the path finds nothing and there is no default. */
    String textOf(Object event);

    /** The same value for every event. */
    record Constant(String value) implements ValueSpec {
        @Override
        public String textOf(Object event) {
            return value;
        }
    }

    /**
     * The value at a path, optionally mapped ({@code "500" -> error}); {@code otherwise} applies when the
     * path finds nothing or the mapping has no entry for what it found.
     */
    record FromPath(FieldPath path, Map<String, String> mapping, String otherwise) implements ValueSpec {

        public FromPath {
            mapping = mapping == null ? Map.of() : Map.copyOf(mapping);
        }

        @Override
        public String textOf(Object event) {
            Object raw = path.get(event);
            String text = raw == null || raw instanceof Map || raw instanceof java.util.List ? null : textOfScalar(raw);
            if (text == null) {
                return otherwise;
            }
            if (mapping.isEmpty()) {
                return text;
            }
            String mapped = mapping.get(text);
            return mapped != null ? mapped : otherwise;
        }

        /** The raw value, for fields that want numbers (time, duration). */
        public Object rawOf(Object event) {
            return path.get(event);
        }

        /** Whether the path found a value the mapping does not know (to say so, rather than guess). */
        public boolean unmapped(Object event) {
            if (mapping.isEmpty() || otherwise != null) {
                return false;
            }
            Object raw = path.get(event);
            return raw != null && !mapping.containsKey(textOfScalar(raw));
        }
    }

    static String textOfScalar(Object raw) {
        if (raw instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        return raw.toString();
    }
}
