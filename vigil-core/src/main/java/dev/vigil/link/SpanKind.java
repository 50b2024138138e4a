package dev.vigil.link;

import java.util.Locale;

/** OpenTelemetry's span kinds, as the OTLP receivers write them into an event's {@code spanKind} attribute. */
public enum SpanKind {
    SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL;

    /** Whether a span of this kind is a service taking a call from outside: the callee's end of an edge. */
    public boolean callee() {
        return this == SERVER || this == CONSUMER;
    }

    /** Whether a span of this kind is a call going out: the caller's end of an edge. */
    public boolean caller() {
        return this == CLIENT || this == PRODUCER;
    }

    /** The kind an attribute names; unknown and unspecified kinds are internal (they never make an edge). */
    public static SpanKind of(Object attribute) {
        if (attribute instanceof String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "server" -> SERVER;
                case "client" -> CLIENT;
                case "producer" -> PRODUCER;
                case "consumer" -> CONSUMER;
                default -> INTERNAL;
            };
        }
        return INTERNAL;
    }
}
