package dev.vigil.server.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.event.Rejection;
import dev.vigil.server.ingest.EventDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an OTLP {@code ExportTraceServiceRequest} in its JSON encoding ({@code application/json}): the proto3
 * JSON mapping with OTLP's two exceptions, trace and span ids as hex (not base64) and enums as numbers. Field
 * names are accepted in lowerCamelCase and in the proto's snake_case, enums also by name, 64-bit numbers as
 * JSON numbers or strings, as the specification asks of receivers.
 */
final class OtlpJson {

    /** Room for an attribute one level past the limit, so that such a span is refused alone (value()). */
    private static final int JSON_DEPTH = 4 * (OtlpProtobuf.MAX_DEPTH + 1) + 16;
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            // Each level of an attribute's nesting is up to four of JSON's ({"kvlistValue": {"values": [{"key": ..,
            // "value": ...}]}}); deeper
            // values are refused span by span (value()), a body deeper than this as a whole.
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(JSON_DEPTH).build())
            .build());

    private OtlpJson() {
    }

    /** The body as a whole cannot be read: nothing of it is kept. */
    static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    /** One span's field cannot be read; the span is rejected, the others are kept. */
    private static final class BadField extends Exception {
        final String field;

        final Rejection.Code code;

        BadField(String field, String message) {
            this(field, Rejection.Code.INVALID_VALUE, message);
        }

        BadField(String field, Rejection.Code code, String message) {
            super(message, null, false, false);
            this.field = field;
            this.code = code;
        }
    }

    static DecodedSpans decode(byte[] body, int length) throws Unreadable {
        JsonNode root;
        try {
            root = MAPPER.readTree(body, 0, length);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            // Jackson gives no location for this one
            throw new Unreadable("the body nests deeper than " + JSON_DEPTH + " levels (attribute values may nest "
                    + OtlpProtobuf.MAX_DEPTH + " arrays and key-value lists)");
        } catch (JsonProcessingException e) {
            com.fasterxml.jackson.core.JsonLocation where = e.getLocation();
            throw new Unreadable("the body is not JSON: " + EventDecoder.clean(e.getOriginalMessage())
                    + (where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new Unreadable("the body is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new Unreadable("the body must be a JSON object with \"resourceSpans\" (an OTLP "
                    + "ExportTraceServiceRequest)");
        }
        try {
            OtlpExport.refuseOtherSignal(root, "resourceSpans", "/v1/traces");
        } catch (OtlpExport.Unreadable e) {
            throw new Unreadable(e.getMessage());
        }
        List<OtlpSpan> spans = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        int index = 0;
        int r = 0;
        for (JsonNode rs : array(root, "resourceSpans", "resource_spans", "")) {
            String at = "resourceSpans[" + r + "]";
            if (!rs.isObject()) {
                throw new Unreadable(at + " must be an object");
            }
            SpanResource resource;
            JsonNode res = field(rs, "resource", "resource");
            if (res != null && !res.isNull() && !res.isObject()) {
                throw new Unreadable(at + ".resource must be an object");
            }
            try {
                resource = SpanResource.of(res == null ? Map.of() : attributes(array(res, "attributes", "attributes", at + ".resource"),
                        at + ".resource.attributes"));
            } catch (BadField e) {
                throw new Unreadable(e.getMessage());
            }
            int s = 0;
            for (JsonNode ss : array(rs, "scopeSpans", "scope_spans", at)) {
                String scopeAt = at + ".scopeSpans[" + s + "]";
                if (!ss.isObject()) {
                    throw new Unreadable(scopeAt + " must be an object");
                }
                for (JsonNode span : array(ss, "spans", "spans", scopeAt)) {
                    try {
                        spans.add(span(index, resource, span));
                    } catch (BadField e) {
                        rejections.add(new Rejection(index, e.field, e.code, e.getMessage()));
                    }
                    index++;
                }
                s++;
            }
            r++;
        }
        return new DecodedSpans(spans, rejections, index);
    }

    private static OtlpSpan span(int index, SpanResource resource, JsonNode span) throws BadField {
        if (!span.isObject()) {
            throw new BadField(null, "a span must be a JSON object");
        }
        String traceId = id(span, "traceId", "trace_id", 16, false);
        String spanId = id(span, "spanId", "span_id", 8, false);
        String parent = id(span, "parentSpanId", "parent_span_id", 8, true);
        JsonNode status = field(span, "status", "status");
        int code = 0;
        String message = null;
        if (status != null && !status.isNull()) {
            code = enumValue(status, "code", "code", "STATUS_CODE_", List.of("UNSET", "OK", "ERROR"));
            JsonNode m = field(status, "message", "message");
            message = m == null || m.isNull() || m.asText().isEmpty() ? null : m.asText();
        }
        JsonNode name = field(span, "name", "name");
        if (name != null && !name.isNull() && !name.isTextual()) {
            throw new BadField("name", "name must be a string, not " + name.getNodeType().name().toLowerCase());
        }
        Map<String, Object> attributes;
        try {
            attributes = attributes(array(span, "attributes", "attributes", "span"), "attributes");
        } catch (Unreadable e) {
            throw new BadField("attributes", e.getMessage());
        }
        return new OtlpSpan(index, resource, traceId, spanId, parent, name == null || name.isNull() ? null : name.asText(),
                enumValue(span, "kind", "kind", "SPAN_KIND_",
                        List.of("UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER")),
                nanos(span, "startTimeUnixNano", "start_time_unix_nano"),
                nanos(span, "endTimeUnixNano", "end_time_unix_nano"), attributes, code, message);
    }

    private static JsonNode field(JsonNode object, String camel, String snake) {
        JsonNode v = object.get(camel);
        return v != null ? v : object.get(snake);
    }

    /** The array in a field; absent or null is empty. */
    private static Iterable<JsonNode> array(JsonNode object, String camel, String snake, String at) throws Unreadable {
        JsonNode v = field(object, camel, snake);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new Unreadable((at.isEmpty() ? "" : at + ".") + camel + " must be an array, not "
                    + v.getNodeType().name().toLowerCase());
        }
        return v;
    }

    private static String id(JsonNode span, String camel, String snake, int bytes, boolean optional) throws BadField {
        JsonNode v = field(span, camel, snake);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            if (optional) {
                return null;
            }
            throw new BadField(camel, camel + " is missing");
        }
        if (!v.isTextual()) {
            throw new BadField(camel, camel + " must be a string of " + (bytes * 2) + " hex digits");
        }
        String text = v.asText();
        if (text.length() != bytes * 2 || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new BadField(camel, camel + " must be " + (bytes * 2) + " hex digits (OTLP/JSON writes ids as hex, "
                    + "not base64), not \"" + abbreviate(text) + "\"");
        }
        String hex = text.toLowerCase(java.util.Locale.ROOT);
        if (hex.chars().allMatch(c -> c == '0')) {
            throw new BadField(camel, camel + " must not be all zeros (an invalid id)");
        }
        return hex;
    }

    private static long nanos(JsonNode span, String camel, String snake) throws BadField {
        JsonNode v = field(span, camel, snake);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.asLong();
        }
        if (v.isTextual()) {
            try {
                return Long.parseUnsignedLong(v.asText());
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new BadField(camel, camel + " must be nanoseconds since the epoch, as a number or a string of digits, not "
                + abbreviate(v.toString()));
    }

    private static int enumValue(JsonNode object, String camel, String snake, String prefix, List<String> names)
            throws BadField {
        JsonNode v = field(object, camel, snake);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            return v.asInt();
        }
        if (v.isTextual()) {
            String text = v.asText();
            String bare = text.startsWith(prefix) ? text.substring(prefix.length()) : text;
            int i = names.indexOf(bare);
            if (i >= 0) {
                return i;
            }
        }
        throw new BadField(camel, camel + " must be a number or one of " + prefix + String.join(", " + prefix, names)
                + ", not " + abbreviate(v.toString()));
    }

    private static Map<String, Object> attributes(Iterable<JsonNode> list, String at) throws BadField {
        return attributes(list, at, 0);
    }

    /** @param depth how many arrays and key-value lists hold these attributes */
    private static Map<String, Object> attributes(Iterable<JsonNode> list, String at, int depth) throws BadField {
        Map<String, Object> out = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode kv : list) {
            JsonNode key = kv.get("key");
            if (key == null || !key.isTextual()) {
                throw new BadField("attributes", at + "[" + i + "] has no string \"key\"");
            }
            out.put(key.asText(), value(kv.get("value"), at + "[" + i + "].value", depth));
            i++;
        }
        return out;
    }

    private static Object value(JsonNode v, String at, int depth) throws BadField {
        if (v == null || v.isNull() || v.isEmpty()) {
            return null;
        }
        if (depth > OtlpProtobuf.MAX_DEPTH) {
            throw new BadField("attributes", Rejection.Code.TOO_DEEP, at + " is nested deeper than "
                    + OtlpProtobuf.MAX_DEPTH + " arrays and key-value lists; flatten it");
        }
        if (!v.isObject()) {
            throw new BadField("attributes", at + " must be an AnyValue object such as {\"stringValue\": \"...\"}");
        }
        JsonNode x;
        if ((x = field(v, "stringValue", "string_value")) != null) {
            return x.asText();
        }
        if ((x = field(v, "boolValue", "bool_value")) != null) {
            return x.asBoolean();
        }
        if ((x = field(v, "intValue", "int_value")) != null) {
            if (x.isIntegralNumber() && x.canConvertToLong()) {
                return x.asLong();
            }
            try {
                return Long.parseLong(x.asText());
            } catch (NumberFormatException e) {
                throw new BadField("attributes", at + ".intValue must be a 64-bit integer, not " + abbreviate(x.toString()));
            }
        }
        if ((x = field(v, "doubleValue", "double_value")) != null) {
            if (x.isNumber()) {
                return OtlpProtobuf.finiteOrText(x.asDouble());
            }
            return x.asText();
        }
        if ((x = field(v, "bytesValue", "bytes_value")) != null) {
            try {
                return Base64.getEncoder().encodeToString(Base64.getDecoder().decode(x.asText()));
            } catch (IllegalArgumentException e) {
                throw new BadField("attributes", at + ".bytesValue must be base64");
            }
        }
        if ((x = field(v, "arrayValue", "array_value")) != null) {
            List<Object> items = new ArrayList<>();
            JsonNode values = x.get("values");
            if (values != null && values.isArray()) {
                int i = 0;
                for (JsonNode item : values) {
                    items.add(value(item, at + ".arrayValue.values[" + i++ + "]", depth + 1));
                }
            }
            return items;
        }
        if ((x = field(v, "kvlistValue", "kvlist_value")) != null) {
            JsonNode values = x.get("values");
            return values != null && values.isArray() ? attributes(values, at + ".kvlistValue.values", depth + 1) : Map.of();
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
