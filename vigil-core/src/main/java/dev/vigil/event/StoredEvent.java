package dev.vigil.event;

/**
 * An event as the journal holds it: with the ingest sequence number it was given when it became durable.
 * Sequence numbers are unique and increase in commit order; they are not event-time order.
 */
public record StoredEvent(long seq, Event event) {
}
