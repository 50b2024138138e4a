package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.event.Timestamps;
import dev.vigil.server.Json;
import java.io.IOException;
import java.net.URI;

/**
 * A change POSTed to the API as a small JSON object (an acknowledgement, a silence, a demo incident): its origin
 * checked, its body read, its fields taken with their limits. A browser sends JSON to another site only after a
 * preflight that Vigil never answers, and a request naming another origin is refused: a web page elsewhere cannot
 * silence an alert.
 */
final class JsonChange {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_TEXT = 256;

    private JsonChange() {
    }

    interface Action {
        HttpResponse run(JsonNode body) throws java.sql.SQLException;
    }

    /**
     * Reads a small JSON object body, from this origin only, and runs the action on a blocking thread. A field
     * outside {@code fields} is refused, naming it: a misspelt "untill" must not silence an alert for the default hour.
     */
    static HttpResponse handle(ServiceRequestContext ctx, HttpRequest req, java.util.Set<String> fields, Action action) {
        String refused = foreignOrigin(ctx);
        if (refused != null) {
            return Json.error(HttpStatus.FORBIDDEN, "foreign_origin", refused, null);
        }
        MediaType type = req.contentType();
        if (type == null || !type.is(MediaType.JSON)) {
            return Json.error(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "send a JSON object with Content-Type: application/json", null);
        }
        return HttpResponse.of(req.aggregate().thenApply((AggregatedHttpRequest agg) -> {
            if (agg.content().length() > MAX_BODY) {
                return Json.error(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large", "at most 64 KiB", null);
            }
            JsonNode body;
            try {
                body = MAPPER.readTree(agg.content().array());
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                return Json.error(HttpStatus.BAD_REQUEST, "malformed_json", "the body is not JSON: " + e.getOriginalMessage(),
                        at == null ? null : "line " + at.getLineNr() + ", column " + at.getColumnNr());
            } catch (IOException e) {
                return Json.error(HttpStatus.BAD_REQUEST, "malformed_json", "the body is not JSON: " + e.getMessage(), null);
            }
            if (body == null || !body.isObject()) {
                return Json.error(HttpStatus.BAD_REQUEST, "malformed_json", "the body must be one JSON object", null);
            }
            for (var names = body.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!fields.contains(name)) {
                    String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
                    return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", "unknown field \"" + shown
                            + "\"; this change takes " + String.join(", ", new java.util.TreeSet<>(fields)), shown);
                }
            }
            return ApiService.blocking(ctx, () -> {
                try {
                    return action.run(body);
                } catch (BadParameter e) {
                    return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
                }
            });
        }));
    }

    /**
     * Why a request that changes something is refused for its Origin, or null: a browser names the page's origin,
     * which must be this server's own (the Host the request was sent to). Clients without an Origin (curl, scripts)
     * pass.
     */
    static String foreignOrigin(ServiceRequestContext ctx) {
        String origin = ctx.request().headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return null;
        }
        String host = ctx.request().headers().get(HttpHeaderNames.HOST);
        if (host == null) {
            host = ctx.request().authority();
        }
        try {
            URI o = URI.create(origin);
            String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            if (host != null && authority != null && authority.equalsIgnoreCase(host)) {
                return null;
            }
        } catch (IllegalArgumentException e) {
            // falls through: an Origin that is no URI is not this server's
        }
        return "a page from " + origin + " may not change anything in this Vigil; use the dashboard Vigil serves, or a "
                + "client that sends no Origin";
    }

    /** A text field of the body: stripped, at most 256 characters, no control characters; null when absent and optional. */
    static String text(JsonNode body, String field, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new BadParameter(field, "\"" + field + "\" is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new BadParameter(field, "\"" + field + "\" must be a string");
        }
        String s = v.asText().strip();
        if (s.isEmpty() && required) {
            throw new BadParameter(field, "\"" + field + "\" must not be empty");
        }
        if (s.length() > MAX_TEXT) {
            throw new BadParameter(field, "\"" + field + "\" is longer than 256 characters");
        }
        if (s.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            throw new BadParameter(field, "\"" + field + "\" holds control characters");
        }
        return s;
    }

    /** An RFC 3339 time field of the body, in microseconds. */
    static long time(JsonNode body, String field) {
        String s = text(body, field, true);
        try {
            return Timestamps.parseRfc3339(s);
        } catch (RuntimeException e) {
            throw new BadParameter(field, "\"" + field + "\" is not an RFC 3339 time: " + e.getMessage());
        }
    }
}
