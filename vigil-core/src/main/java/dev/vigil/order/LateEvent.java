package dev.vigil.order;

/**
 * An event that arrived behind its partition's watermark, by its journal sequence number: what a case page
 * marks as late.
 */
public record LateEvent(long seq, Lateness lateness) {

    public LateEvent {
        if (lateness == Lateness.ON_TIME) {
            throw new IllegalArgumentException("an on-time event is not a late event");
        }
    }

    /** {@code late} or {@code tooLate}, as the API writes it. */
    public String wire() {
        return lateness == Lateness.LATE ? "late" : "tooLate";
    }
}
