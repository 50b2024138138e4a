package dev.vigil.server.otlp;

import dev.vigil.event.Event;
import dev.vigil.event.EventDraft;
import dev.vigil.event.EventKind;
import dev.vigil.event.IngestPolicy;
import dev.vigil.event.Rejection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Makes canonical events of spans (docs/TELEMETRY.md says what becomes what):
 * <ul>
 *   <li>a SERVER or CONSUMER span is its service handling an operation: a call event of the service
 *       ({@code service.name}) named after the span;</li>
 *   <li>a CLIENT or PRODUCER span is a call to a peer: the same, with the peer named by {@code peer.service},
 *       else {@code server.address}, else the database ({@code db.namespace} or {@code db.name}, else
 *       {@code db.system}), else the messaging destination;</li>
 *   <li>an INTERNAL (or unspecified) span is kept as an event of kind {@code other}.</li>
 * </ul>
 * The event's time is the span's end (spans are sent when they end, so a long span is not late), its duration
 * the span's; the trace id is the correlation key {@code traceId}; an ERROR status is the outcome
 * {@code error}; the resource attribute {@code vigil.unit} is the business unit; business keys (vigil.yaml's {@code telemetry.spanKeys}) are further correlation keys, so a
 * trace joins the business case its order belongs to. The resource attributes that place a service (instance, host, container, pod, environment,
 * version) and every span attribute are kept as the event's attributes, with the span's own ids and kind.
 */
final class SpanEvents {

    /** The correlation key every span carries: its trace. */
    static final String TRACE_KEY = "traceId";

    private static final List<String> PEER_ATTRIBUTES = List.of("peer.service", "server.address", "net.peer.name");
    private static final List<String> DB_ATTRIBUTES = List.of("db.namespace", "db.name", "db.system.name", "db.system");
    private static final List<String> MESSAGING_ATTRIBUTES = List.of("messaging.destination.name",
            "messaging.destination");

    /**
     * The attributes the event sets from the span itself (its ids, kind and status message): a span attribute of
     * one of these names is dropped, as is one that names where the span's resource ran ({@link SpanResource#KEPT}),
     * so that what the sender's code adds cannot change where a span sits in the map.
     */
    static final java.util.Set<String> OWN_ATTRIBUTES = java.util.Set.of("spanId", "parentSpanId", "spanKind",
            "statusMessage");

    /** The attributes that may name a CLIENT or PRODUCER span's peer, most preferred first. */
    static final List<String> PEER_PREFERENCE = java.util.stream.Stream.of(PEER_ATTRIBUTES, DB_ATTRIBUTES,
            MESSAGING_ATTRIBUTES).flatMap(List::stream).toList();

    private final IngestPolicy policy;
    /** vigil.yaml's telemetry.spanKeys: the correlation keys, and for each the attributes that may hold it. */
    private final String[] keyNames;
    private final List<List<String>> keyAttributes;

    SpanEvents(IngestPolicy policy, Map<String, List<String>> spanKeys) {
        this.policy = policy;
        this.keyNames = spanKeys.keySet().toArray(String[]::new);
        this.keyAttributes = spanKeys.values().stream().map(List::copyOf).toList();
    }

    /** The business keys' correlation names, in the order {@link #event}'s {@code keyValues} follow. */
    String[] keyNames() {
        return keyNames;
    }

    /** For each business key of {@link #keyNames}, the attributes that may hold it, most preferred first. */
    List<List<String>> keyAttributes() {
        return keyAttributes;
    }

    /**
     * The events of a request's spans, and a rejection for each span that cannot be one, ordered by index. When
     * {@code attributesJson} is not null, it holds each event's attributes as written from the request (a null entry:
     * write the event's own), and the events hold only what the pipeline reads of them.
     */
    record Result(List<Event> events, List<String> attributesJson, List<Rejection> rejections) {
    }

    Result toEvents(DecodedSpans decoded, long nowMicros) {
        List<Event> events = new ArrayList<>(decoded.spans().size());
        List<Rejection> rejections = new ArrayList<>(decoded.rejections());
        for (OtlpSpan span : decoded.spans()) {
            switch (check(span, nowMicros)) {
                case EventDraft.Valid v -> events.add(v.event());
                case EventDraft.Invalid i -> rejections.add(i.rejection());
            }
        }
        rejections.sort(Comparator.comparingInt(Rejection::index));
        return new Result(events, null, rejections);
    }

    /** The span's event, or its rejection; the span's attributes are all of them, kept on the event. */
    EventDraft.Checked check(OtlpSpan span, long nowMicros) {
        boolean calls = span.kind() == OtlpSpan.KIND_CLIENT || span.kind() == OtlpSpan.KIND_PRODUCER;
        String[] keyValues = new String[keyNames.length];
        for (int i = 0; i < keyNames.length; i++) {
            keyValues[i] = businessKey(span, keyAttributes.get(i));
        }
        return event(span, calls ? peer(span.attributes()) : null, keyValues, nowMicros);
    }

    /**
     * The span's event, or its rejection, with its peer and business keys found already: what the span's resource
     * keeps ({@link SpanResource#kept}) and the span's {@code attributes} become the event's attributes, with its
     * ids, kind and status message.
     *
     * @param peer      for a CLIENT or PRODUCER span, the peer it names, else null
     * @param keyValues each business key's value ({@link #keyNames}' order), null where the span has none
     */
    EventDraft.Checked event(OtlpSpan span, String peer, String[] keyValues, long nowMicros) {
        SpanResource resource = span.resource();
        if (resource.service() == null) {
            return invalid(span, "resource.service.name", Rejection.Code.MISSING_FIELD,
                    "the span's resource has no service.name: set it in the SDK (OTEL_SERVICE_NAME)");
        }
        if (span.endNanos() == 0) {
            return invalid(span, "endTimeUnixNano", Rejection.Code.MISSING_FIELD,
                    "endTimeUnixNano is missing: only ended spans can be sent");
        }
        if (span.endNanos() < 0) {
            // an unsigned fixed64 past 2^63 ns: later than the year 2262
            return invalid(span, "endTimeUnixNano", Rejection.Code.INVALID_VALUE, "endTimeUnixNano "
                    + Long.toUnsignedString(span.endNanos()) + " is no time (nanoseconds since 1970, after the year 2262)");
        }
        if (span.startNanos() <= 0 || span.startNanos() > span.endNanos()) {
            return invalid(span, "startTimeUnixNano", Rejection.Code.INVALID_VALUE,
                    "startTimeUnixNano must be set and not after endTimeUnixNano");
        }
        int kind = span.kind();
        boolean remote = kind == OtlpSpan.KIND_SERVER || kind == OtlpSpan.KIND_CLIENT
                || kind == OtlpSpan.KIND_PRODUCER || kind == OtlpSpan.KIND_CONSUMER;
        EventDraft d = new EventDraft()
                .timeMicros(span.endNanos() / 1000)
                .source(resource.service())
                .name(span.name() == null ? "" : span.name())
                .kind(remote ? EventKind.CALL : EventKind.OTHER)
                .durationMicros((span.endNanos() - span.startNanos()) / 1000)
                .correlate(TRACE_KEY, span.traceId())
                .outcome(span.statusCode() == OtlpSpan.STATUS_ERROR ? "error" : "ok");
        if (resource.unit() != null) {
            d.unit(resource.unit());
        }
        if (peer != null) {
            d.peer(peer);
        }
        for (int i = 0; i < keyNames.length; i++) {
            if (keyValues[i] != null) {
                d.correlate(keyNames[i], keyValues[i]);
            }
        }
        for (Map.Entry<String, Object> kept : resource.kept()) {
            d.attribute(kept.getKey(), kept.getValue());
        }
        for (Map.Entry<String, Object> a : span.attributes().entrySet()) {
            // The span's own ids, kind and status, and where its resource says it ran, are not the sender's to
            // override: a root span with a "parentSpanId" attribute would otherwise count as a call from elsewhere
            if (!OWN_ATTRIBUTES.contains(a.getKey()) && !placedBy(resource, a.getKey())) {
                d.attribute(a.getKey(), a.getValue());
            }
        }
        d.attribute("spanId", span.spanId());
        if (span.parentSpanId() != null) {
            d.attribute("parentSpanId", span.parentSpanId());
        }
        d.attribute("spanKind", kindName(kind));
        if (span.statusMessage() != null) {
            d.attribute("statusMessage", span.statusMessage());
        }
        return switch (d.check(span.index(), nowMicros, policy)) {
            case EventDraft.Valid v -> v;
            case EventDraft.Invalid i -> new EventDraft.Invalid(rename(i.rejection()));
        };
    }

    private static boolean placedBy(SpanResource resource, String key) {
        for (Map.Entry<String, Object> kept : resource.kept()) {
            if (kept.getKey().equals(key)) {
                return true;
            }
        }
        return false;
    }

    private static EventDraft.Invalid invalid(OtlpSpan span, String field, Rejection.Code code, String reason) {
        return new EventDraft.Invalid(new Rejection(span.index(), field, code, reason));
    }

    /** The first of {@code attributes} the span (or else its resource) holds as text or a whole number. */
    private static String businessKey(OtlpSpan span, List<String> attributes) {
        for (Map<String, Object> where : List.of(span.attributes(), span.resource().attributes())) {
            for (String a : attributes) {
                Object v = where.get(a);
                if (v instanceof String text && !text.isBlank()) {
                    return text;
                }
                if (v instanceof Long n) {
                    return n.toString();
                }
            }
        }
        return null;
    }

    /** The peer a CLIENT or PRODUCER span called, in the order of preference of the class comment. */
    static String peer(Map<String, Object> attributes) {
        for (String key : PEER_PREFERENCE) {
            if (attributes.get(key) instanceof String v && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    static String kindName(int kind) {
        return switch (kind) {
            case OtlpSpan.KIND_INTERNAL -> "internal";
            case OtlpSpan.KIND_SERVER -> "server";
            case OtlpSpan.KIND_CLIENT -> "client";
            case OtlpSpan.KIND_PRODUCER -> "producer";
            case OtlpSpan.KIND_CONSUMER -> "consumer";
            default -> "unspecified";
        };
    }

    /** The canonical checks name the event's fields; a span's sender knows the span's. */
    private static Rejection rename(Rejection r) {
        String field = r.field() == null ? null : switch (r.field()) {
            case "time" -> "endTimeUnixNano";
            case "source" -> "resource.service.name";
            case "durationMs" -> "startTimeUnixNano";
            case "peer" -> "attributes (peer)";
            case "correlation.traceId" -> "traceId";
            default -> r.field();
        };
        return new Rejection(r.index(), field, r.code(), r.reason());
    }
}
