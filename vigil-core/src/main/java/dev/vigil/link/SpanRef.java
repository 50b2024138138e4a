package dev.vigil.link;

import dev.vigil.event.Event;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the link stage keeps of a span: enough to find a call's two ends and where the service ran, nothing more
 * (it holds spans for the pairing wait, so every field counts).
 *
 * @param traceId  the trace it belongs to (the event's {@code traceId} correlation key)
 * @param spanId   its id
 * @param parentId its parent's id, or null for a root
 * @param service  the service that emitted it
 * @param kind     its kind
 * @param peer     for a client or producer span, the peer it named (see the OTLP receiver), else null
 * @param timeMicros     when it ended
 * @param durationMicros how long it took
 * @param failed   whether its status was an error
 * @param host     {@code host.name}, else {@code host.id}, of the resource that sent it, or null
 * @param instance {@code service.instance.id}, else {@code k8s.pod.name}, else {@code container.id}, or null
 */
public record SpanRef(String traceId, String spanId, String parentId, String service, SpanKind kind, String peer,
                      long timeMicros, long durationMicros, boolean failed, String host, String instance) {

    /** The correlation key that names a span's trace. */
    public static final String TRACE_KEY = "traceId";

    /**
     * The attributes the link stage reads. The pipeline otherwise carries no attributes (they are stored at ingest):
     * the journal's readers keep these of a span's, and the stages' codec carries them.
     */
    public static final List<String> CARRIED = List.of("spanId", "parentSpanId", "spanKind",
            "host.name", "host.id", "service.instance.id", "k8s.pod.name", "container.id");

    /** Whether an event with these correlation keys may be a span, so that its attributes are worth reading. */
    public static boolean maybeSpan(Map<String, String> correlation) {
        return correlation.containsKey(TRACE_KEY);
    }

    /** Of a span's attributes, those the link stage reads (text values only); empty for others. */
    public static Map<String, Object> carried(Map<String, Object> attributes) {
        if (!(attributes.get("spanId") instanceof String)) {
            return Map.of();
        }
        Map<String, Object> kept = new java.util.LinkedHashMap<>();
        for (String k : CARRIED) {
            if (attributes.get(k) instanceof String v) {
                kept.put(k, v);
            }
        }
        return kept;
    }

    /** The trace an event belongs to when it is a span, else null: the key the link stage routes by. */
    public static String traceOf(Event e) {
        if (e.attributes().get("spanId") instanceof String) {
            return e.correlation().get(TRACE_KEY);
        }
        return null;
    }

    /** The span an event is, or null when it is not one (no trace, no span id). */
    public static SpanRef of(Event e) {
        String trace = traceOf(e);
        if (trace == null) {
            return null;
        }
        Map<String, Object> a = e.attributes();
        return new SpanRef(trace, (String) a.get("spanId"), text(a, "parentSpanId"), e.source(),
                SpanKind.of(a.get("spanKind")), e.peer(), e.timeMicros(),
                e.durationMicros() == null ? 0 : e.durationMicros(), e.failed(),
                first(a, "host.name", "host.id"), first(a, "service.instance.id", "k8s.pod.name", "container.id"));
    }

    private static String first(Map<String, Object> a, String... keys) {
        for (String k : keys) {
            String v = text(a, k);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String text(Map<String, Object> a, String key) {
        return a.get(key) instanceof String s && !s.isEmpty() ? s : null;
    }

    void write(DataOutput out) throws IOException {
        out.writeUTF(traceId);
        out.writeUTF(spanId);
        writeNullable(out, parentId);
        out.writeUTF(service);
        out.writeByte(kind.ordinal());
        writeNullable(out, peer);
        out.writeLong(timeMicros);
        out.writeLong(durationMicros);
        out.writeBoolean(failed);
        writeNullable(out, host);
        writeNullable(out, instance);
    }

    static SpanRef read(DataInput in) throws IOException {
        return new SpanRef(in.readUTF(), in.readUTF(), readNullable(in), in.readUTF(), SpanKind.values()[in.readByte()],
                readNullable(in), in.readLong(), in.readLong(), in.readBoolean(), readNullable(in), readNullable(in));
    }

    private static void writeNullable(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
