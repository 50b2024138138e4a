package dev.vigil.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The canonical event: what every source's input becomes, and what every operator consumes.
 *
 * <p>Time is microseconds since the epoch, UTC. Optional fields are {@code null} when absent.
 * Attribute values are JSON-like: {@link String}, {@link Number}, {@link Boolean}, {@code null},
 * {@link java.util.List} or {@link Map} of the same; the model does not interpret them.
 *
 * @param timeMicros     when it happened (event time), microseconds since the epoch, UTC
 * @param source         the emitting application or service
 * @param name           the activity or operation
 * @param kind           what the event records
 * @param correlation    correlation keys, name to value; they link events into business transactions
 * @param outcome        how it ended
 * @param durationMicros how long it took, or {@code null}
 * @param peer           the called service or external supplier, or {@code null}
 * @param unit           the business unit, or {@code null}
 * @param attributes     free attributes
 */
public record Event(
        long timeMicros,
        String source,
        String name,
        EventKind kind,
        Map<String, String> correlation,
        Outcome outcome,
        Long durationMicros,
        String peer,
        String unit,
        Map<String, Object> attributes) {

    public Event {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(outcome, "outcome");
        correlation = correlation == null ? Map.of() : Map.copyOf(correlation);
        // Attribute values may be JSON null, which Map.copyOf refuses; keep an unmodifiable view instead.
        attributes = attributes == null || attributes.isEmpty()
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
        if (durationMicros != null && durationMicros < 0) {
            throw new IllegalArgumentException("durationMicros must be >= 0: " + durationMicros);
        }
    }

    public Instant time() {
        return Timestamps.toInstant(timeMicros);
    }

    public boolean failed() {
        return outcome.failed();
    }
}
