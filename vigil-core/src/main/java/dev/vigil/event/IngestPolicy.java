package dev.vigil.event;

import java.time.Duration;

/**
 * The limits an incoming event must respect. Times outside the skew window are rejected with a reason,
 * never clamped: a clamped timestamp would put the event in a window where it did not happen.
 *
 * @param maxFuture        how far past the receiver's clock an event time may lie (clock skew of senders)
 * @param maxPast          how far before the receiver's clock an event time may lie
 * @param maxTextLength    the longest source, name, kind, outcome, peer, unit, key or key value, in characters
 * @param maxCorrelationKeys the most correlation keys one event may carry
 */
public record IngestPolicy(Duration maxFuture, Duration maxPast, int maxTextLength, int maxCorrelationKeys) {

    public static final IngestPolicy DEFAULT =
            new IngestPolicy(Duration.ofMinutes(5), Duration.ofDays(30), 256, 32);

    public IngestPolicy {
        if (maxFuture.isNegative() || maxPast.isNegative()) {
            throw new IllegalArgumentException("skew limits must not be negative");
        }
        if (maxTextLength < 1 || maxCorrelationKeys < 0) {
            throw new IllegalArgumentException("length limits must be positive");
        }
    }

    public IngestPolicy withSkew(Duration future, Duration past) {
        return new IngestPolicy(future, past, maxTextLength, maxCorrelationKeys);
    }

    long maxFutureMicros() {
        return maxFuture.toNanos() / 1000;
    }

    long maxPastMicros() {
        return maxPast.toNanos() / 1000;
    }
}
