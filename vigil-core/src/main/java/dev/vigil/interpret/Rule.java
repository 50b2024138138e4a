package dev.vigil.interpret;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One interpretation rule of a source: when its conditions hold, it says where each canonical field
 * comes from.
 *
 * @param where      where the rule is written ({@code vigil.yaml:14:7}), quoted in rejections
 * @param when       conditions that must all hold (path's value as text equals the given text); empty: always
 * @param time       the event time's path, or null to take the time the event was received
 * @param durationUnitMicros microseconds per unit of the duration field (1000 for milliseconds)
 * @param source     the source name to record, or null for the source the rule belongs to
 */
public record Rule(String where, List<Condition> when, FieldPath time, TimeFormat timeFormat, ValueSpec name,
                   ValueSpec kind, Map<String, ValueSpec> correlation, ValueSpec outcome, ValueSpec.FromPath duration,
                   double durationUnitMicros, ValueSpec peer, ValueSpec unit, ValueSpec source,
                   Map<String, ValueSpec> attributes) {

    /** The value at {@code path}, as text, must equal {@code equals}. */
    public record Condition(FieldPath path, String equals) {
        boolean holds(Object event) {
            Object v = path.get(event);
            return v != null && !(v instanceof Map) && !(v instanceof List) && ValueSpec.textOfScalar(v).equals(equals);
        }
    }

    public Rule {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(name, "name");
        when = List.copyOf(when);
        correlation = correlation == null ? Map.of() : Map.copyOf(correlation);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        timeFormat = timeFormat == null ? TimeFormat.AUTO : timeFormat;
    }

    public boolean matches(Object event) {
        for (Condition c : when) {
            if (!c.holds(event)) {
                return false;
            }
        }
        return true;
    }
}
