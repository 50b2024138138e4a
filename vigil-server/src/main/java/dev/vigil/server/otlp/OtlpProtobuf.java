package dev.vigil.server.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.vigil.event.Rejection;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads OTLP spans in their protobuf encoding through the generated classes of {@code opentelemetry-proto}: the
 * resources and the spans off {@link WireSpans}' common path, and, whole requests, the reference the bytes reader
 * is held to ({@code WireSpansTest}).
 */
final class OtlpProtobuf {

    private static final HexFormat HEX = HexFormat.of();
    /** As deep as an attribute value may nest (arrays and key-value lists in one another), as in /ingest/events. */
    static final int MAX_DEPTH = 32;
    /**
     * Protobuf's recursion limit for a span, a resource or a request: each level of an attribute's nesting is up to
     * three messages (an AnyValue, its KeyValueList and the KeyValue in it), below the request's own layout.
     */
    private static final int RECURSION_LIMIT = 3 * MAX_DEPTH + 12;

    /** A protobuf input over {@code b[at, at + length)} that lets attributes nest {@link #MAX_DEPTH} deep. */
    static CodedInputStream input(byte[] b, int at, int length) {
        CodedInputStream in = CodedInputStream.newInstance(b, at, length);
        in.setRecursionLimit(RECURSION_LIMIT);
        return in;
    }

    /** Why protobuf could not read a message: the rejection's code, and the reason in words. */
    record Why(Rejection.Code code, String text) {
    }

    /** Protobuf's reason a message cannot be read, in Vigil's words where protobuf's would mislead a sender. */
    static Why why(java.io.IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("too many levels of nesting")) {
            return new Why(Rejection.Code.TOO_DEEP, "attributes nested deeper than " + MAX_DEPTH
                    + " arrays and key-value lists");
        }
        if (m.contains("invalid UTF-8")) {
            return new Why(Rejection.Code.INVALID_UTF8, "a text field is not UTF-8");
        }
        if (m.contains("truncated") || m.contains("ended unexpectedly")) {
            return new Why(Rejection.Code.INVALID_VALUE, "it ends inside a field");
        }
        return new Why(Rejection.Code.INVALID_VALUE, m);
    }

    private OtlpProtobuf() {
    }

    /**
     * A whole {@code ExportTraceServiceRequest} read by protobuf's parser (the reference; requests are read by
     * {@link WireSpans}).
     *
     * @throws InvalidProtocolBufferException when the body is not such a message (nothing of it is kept)
     */
    static DecodedSpans decode(byte[] body, int length) throws InvalidProtocolBufferException {
        CodedInputStream in = input(body, 0, length);
        ExportTraceServiceRequest request;
        try {
            request = ExportTraceServiceRequest.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (java.io.IOException e) {
            // a byte array cannot fail to be read; protobuf declares it for streams
            throw new InvalidProtocolBufferException(e);
        }
        List<OtlpSpan> spans = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        int index = 0;
        for (ResourceSpans rs : request.getResourceSpansList()) {
            SpanResource resource = SpanResource.of(attributes(rs.getResource().getAttributesList()));
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                    Rejection bad = checkIds(index, s);
                    if (bad != null) {
                        rejections.add(bad);
                    } else {
                        spans.add(span(index, resource, s));
                    }
                    index++;
                }
            }
        }
        return new DecodedSpans(spans, rejections, index);
    }

    /** A span whose ids were checked ({@link #checkIds}), as read. */
    static OtlpSpan span(int index, SpanResource resource, Span s) {
        String parent = s.getParentSpanId().isEmpty() ? null : HEX.formatHex(s.getParentSpanId().toByteArray());
        String message = s.getStatus().getMessage();
        return new OtlpSpan(index, resource, HEX.formatHex(s.getTraceId().toByteArray()),
                HEX.formatHex(s.getSpanId().toByteArray()), parent, s.getName(), s.getKindValue(),
                s.getStartTimeUnixNano(), s.getEndTimeUnixNano(), attributes(s.getAttributesList()),
                s.getStatus().getCodeValue(), message.isEmpty() ? null : message);
    }

    static Rejection checkIds(int index, Span s) {
        byte[] trace = s.getTraceId().toByteArray();
        byte[] span = s.getSpanId().toByteArray();
        byte[] parent = s.getParentSpanId().toByteArray();
        return checkIds(index, trace, 0, trace.length, span, 0, span.length, parent, 0, parent.length);
    }

    /** Why a span's ids (each given as an array, offset and length) are no valid ids, or null when they are. */
    static Rejection checkIds(int index, byte[] trace, int traceAt, int traceLength, byte[] span, int spanAt,
                              int spanLength, byte[] parent, int parentAt, int parentLength) {
        Rejection bad = checkId(index, "traceId", trace, traceAt, traceLength, 16, false);
        if (bad == null) {
            bad = checkId(index, "spanId", span, spanAt, spanLength, 8, false);
        }
        if (bad == null) {
            bad = checkId(index, "parentSpanId", parent, parentAt, parentLength, 8, true);
        }
        return bad;
    }

    private static Rejection checkId(int index, String field, byte[] id, int at, int length, int bytes, boolean optional) {
        if (optional && length == 0) {
            return null;
        }
        if (length != bytes) {
            return new Rejection(index, field, Rejection.Code.INVALID_VALUE,
                    field + " must be " + bytes + " bytes, not " + length);
        }
        for (int i = 0; i < bytes; i++) {
            if (id[at + i] != 0) {
                return null;
            }
        }
        return new Rejection(index, field, Rejection.Code.INVALID_VALUE, field + " must not be all zeros (an invalid id)");
    }

    static Map<String, Object> attributes(List<KeyValue> list) {
        Map<String, Object> out = new LinkedHashMap<>(list.size() * 2);
        for (KeyValue kv : list) {
            out.put(kv.getKey(), value(kv.getValue()));
        }
        return out;
    }

    /** JSON has no NaN or infinity: such values are kept as text ("NaN", "Infinity"). */
    static Object finiteOrText(double d) {
        return Double.isFinite(d) ? (Object) d : String.valueOf(d);
    }

    private static Object value(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> v.getBoolValue();
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> finiteOrText(v.getDoubleValue());
            case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
            case ARRAY_VALUE -> {
                List<Object> items = new ArrayList<>(v.getArrayValue().getValuesCount());
                for (AnyValue item : v.getArrayValue().getValuesList()) {
                    items.add(value(item));
                }
                yield items;
            }
            case KVLIST_VALUE -> attributes(v.getKvlistValue().getValuesList());
            case VALUE_NOT_SET -> null;
            default -> null;
        };
    }
}
