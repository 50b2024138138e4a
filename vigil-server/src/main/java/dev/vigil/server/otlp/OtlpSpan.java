package dev.vigil.server.otlp;

import java.util.Map;

/**
 * One span as read from either OTLP encoding (protobuf or JSON), before it becomes an event. Ids are lower-case
 * hex, as OTLP/JSON writes them and as people search for them.
 *
 * @param index        the span's position in its request, counted across resources and scopes, from 0
 * @param resource     its resource, read once for all its spans
 * @param parentSpanId the parent's id, or {@code null} for a root span
 * @param kind         the OTLP SpanKind number (0 unspecified, 1 internal, 2 server, 3 client, 4 producer,
 *                     5 consumer)
 * @param statusCode   the OTLP StatusCode number (0 unset, 1 ok, 2 error)
 * @param statusMessage the status message, or {@code null}
 */
record OtlpSpan(int index, SpanResource resource, String traceId, String spanId, String parentSpanId,
                String name, int kind, long startNanos, long endNanos, Map<String, Object> attributes,
                int statusCode, String statusMessage) {

    static final int KIND_INTERNAL = 1;
    static final int KIND_SERVER = 2;
    static final int KIND_CLIENT = 3;
    static final int KIND_PRODUCER = 4;
    static final int KIND_CONSUMER = 5;
    static final int STATUS_ERROR = 2;
}
