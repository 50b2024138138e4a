package dev.vigil.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON text for the attributes column. */
final class JsonValues {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT_MAP = new TypeReference<>() {
    };

    private JsonValues() {
    }

    static String write(Map<String, ?> map) {
        if (map.isEmpty()) {
            return null;
        }
        if (allScalars(map)) {
            return writeScalars(map);
        }
        try {
            return MAPPER.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("attributes are not JSON-like: " + e.getOriginalMessage(), e);
        }
    }

    private static boolean allScalars(Map<String, ?> map) {
        for (Object v : map.values()) {
            if (!(v instanceof String || v instanceof Long || v instanceof Integer || v instanceof Boolean)) {
                return false;
            }
        }
        return true;
    }

    /** The common case (text, whole numbers, booleans) without the data-binding machinery. */
    private static String writeScalars(Map<String, ?> map) {
        int size = 2;
        for (Map.Entry<String, ?> e : map.entrySet()) {
            size += e.getKey().length() + (e.getValue() instanceof String v ? v.length() : 20) + 6;
        }
        StringBuilder sb = new StringBuilder(size);
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, ?> e : map.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(sb, e.getKey());
            sb.append(':');
            if (e.getValue() instanceof String v) {
                quote(sb, v);
            } else {
                sb.append(e.getValue());
            }
        }
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        int plain = plainPrefix(s);
        // Most values need no escape: one bulk copy instead of a char at a time (a third of OTLP ingest's time).
        sb.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** How many leading characters of {@code s} JSON takes as they are. */
    private static int plainPrefix(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return i;
            }
        }
        return s.length();
    }

    static Map<String, Object> readObject(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return MAPPER.readValue(json, OBJECT_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored attributes are not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
