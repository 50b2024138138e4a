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
        if (allStrings(map)) {
            return writeStrings(map);
        }
        try {
            return MAPPER.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("attributes are not JSON-like: " + e.getOriginalMessage(), e);
        }
    }

    private static boolean allStrings(Map<String, ?> map) {
        for (Object v : map.values()) {
            if (!(v instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /** The common case (string attributes) without the data-binding machinery. */
    private static String writeStrings(Map<String, ?> map) {
        StringBuilder sb = new StringBuilder(32 * map.size());
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, ?> e : map.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(sb, e.getKey());
            sb.append(':');
            quote(sb, (String) e.getValue());
        }
        return sb.append('}').toString();
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
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
