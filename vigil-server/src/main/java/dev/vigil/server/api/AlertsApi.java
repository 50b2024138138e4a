package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.assess.BurnRule;
import dev.vigil.config.Durations;
import dev.vigil.event.Timestamps;
import dev.vigil.server.Json;
import dev.vigil.server.runtime.ObjectivesRuntime;
import dev.vigil.store.AlertStore;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alerts, and what people do about them: acknowledge a firing ("someone is on it") and silence an objective's
 * notifications for a while (planned work, a known supplier outage). Both are kept in the store with who did it and
 * when, shown beside the alerts, and survive restarts and rebuilds.
 *
 * <p>Changes are POSTed as JSON. A browser sends JSON to another site only after a preflight that Vigil never
 * answers, and a request naming another origin is refused: a web page elsewhere cannot silence an alert.
 */
public final class AlertsApi {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_TEXT = 256;
    private static final Duration LONGEST_SILENCE = Duration.ofDays(90);
    private static final long DAY = 1440 * 60_000_000L;

    private final ObjectivesRuntime objectives;
    private final AlertStore store;

    public AlertsApi(ObjectivesRuntime objectives, AlertStore store) {
        this.objectives = objectives;
        this.store = store;
    }

    /**
     * {@code GET /api/v1/alerts}: the burn-rate alerts firing now (each with when it started, and its acknowledgement
     * and silence if any), the last changes, and the silences in force or to come.
     */
    public HttpResponse alerts(ServiceRequestContext ctx) {
        return ApiService.blocking(ctx, () -> {
            // Judged first: the changes listed include any the latest windows brought.
            var firing = objectives.current(judged -> objectives.firing());
            var recent = objectives.recentTransitions();
            var states = store.states();
            var acks = store.acks();
            long now = Timestamps.toMicros(Instant.now());
            List<AlertStore.Silence> silences = store.silences(now);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("firing");
                for (var e : firing.entrySet()) {
                    for (BurnRule r : e.getValue()) {
                        g.writeStartObject();
                        g.writeStringField("objective", e.getKey());
                        ObjectiveJson.rule(g, r);
                        var st = states.getOrDefault(e.getKey(), Map.of()).get(r.id());
                        if (st != null) {
                            g.writeStringField("since", Timestamps.format(st.sinceMicros()));
                            List<AlertStore.Ack> all = acks.getOrDefault(e.getKey() + "/" + r.id() + "/" + st.sinceMicros(), List.of());
                            if (!all.isEmpty()) {
                                // The first to take it, and every word since.
                                g.writeFieldName("acknowledged");
                                writeAck(g, all.get(0));
                                g.writeArrayFieldStart("acknowledgements");
                                for (AlertStore.Ack ack : all) {
                                    writeAck(g, ack);
                                }
                                g.writeEndArray();
                            }
                        }
                        AlertStore.Silence s = silences.stream().filter(x -> x.covers(e.getKey(), r.id(), now)).findFirst().orElse(null);
                        if (s != null) {
                            g.writeObjectFieldStart("silenced");
                            g.writeNumberField("id", s.id());
                            g.writeStringField("until", Timestamps.format(s.effectiveEnd()));
                            g.writeStringField("by", s.by());
                            g.writeStringField("reason", s.reason());
                            g.writeEndObject();
                        }
                        g.writeEndObject();
                    }
                }
                g.writeEndArray();
                g.writeArrayFieldStart("recent");
                for (var t : recent) {
                    g.writeStartObject();
                    g.writeStringField("objective", t.objective());
                    g.writeStringField("state", t.firing() ? "firing" : "resolved");
                    g.writeStringField("at", Timestamps.format(t.atMicros()));
                    ObjectiveJson.rule(g, t.rule());
                    g.writeNumberField("longWindowBurnRate", t.longBurn());
                    g.writeNumberField("shortWindowBurnRate", t.shortBurn());
                    g.writeEndObject();
                }
                g.writeEndArray();
                writeSilences(g, silences, now);
                g.writeEndObject();
            });
        });
    }

    /** {@code POST /api/v1/alerts/acknowledge} {"objective", "rule", "by", "note"}: the firing it names, acknowledged. */
    public HttpResponse acknowledge(ServiceRequestContext ctx, HttpRequest req) {
        return withJson(ctx, req, body -> {
            String objective = text(body, "objective", true);
            String rule = text(body, "rule", true);
            String by = text(body, "by", true);
            String note = text(body, "note", false);
            checkRule(objective, rule);
            var st = store.states().getOrDefault(objective, Map.of()).get(rule);
            if (st == null || !st.firing()) {
                return Json.error(HttpStatus.CONFLICT, "not_firing", "the alert " + rule + " of " + objective
                        + " is not firing; only a firing alert can be acknowledged (GET /api/v1/alerts lists them)", "rule");
            }
            long now = Timestamps.toMicros(Instant.now());
            AlertStore.Ack ack = new AlertStore.Ack(objective, rule, st.sinceMicros(), by, note == null ? "" : note, now);
            store.acknowledge(ack);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                g.writeStringField("objective", objective);
                g.writeStringField("rule", rule);
                g.writeStringField("since", Timestamps.format(ack.firingSince()));
                g.writeStringField("by", by);
                g.writeStringField("note", ack.note());
                g.writeStringField("at", Timestamps.format(now));
                g.writeEndObject();
            });
        });
    }

    /**
     * {@code POST /api/v1/silences} {"objective", "rule" (optional: all its rules), "for": "2h" or "until": time,
     * "starts" (optional, default now), "by", "reason"}: 201 with the silence.
     */
    public HttpResponse silence(ServiceRequestContext ctx, HttpRequest req) {
        return withJson(ctx, req, body -> {
            String objective = text(body, "objective", true);
            String rule = text(body, "rule", false);
            String by = text(body, "by", true);
            String reason = text(body, "reason", true);
            if (objectives.state(objective) == null) {
                throw new BadParameter("objective", "no objective named \"" + objective + "\" (GET /api/v1/objectives lists them)");
            }
            if (rule != null) {
                checkRule(objective, rule);
            }
            long now = Timestamps.toMicros(Instant.now());
            long starts = body.hasNonNull("starts") ? time(body, "starts") : now;
            long ends;
            if (body.hasNonNull("for") == body.hasNonNull("until")) {
                throw new BadParameter("for", "give either \"for\" (a duration such as \"2h\") or \"until\" (a time), one of them");
            } else if (body.hasNonNull("for")) {
                Duration d;
                try {
                    d = Durations.parse(text(body, "for", true));
                } catch (IllegalArgumentException e) {
                    throw new BadParameter("for", "\"for\": " + e.getMessage());
                }
                if (d.isNegative() || d.isZero() || d.compareTo(LONGEST_SILENCE) > 0) {
                    throw new BadParameter("for", "\"for\" must be more than 0 and at most 90d");
                }
                ends = starts + d.toNanos() / 1000;
            } else {
                ends = time(body, "until");
            }
            if (ends <= Math.max(starts, now)) {
                throw new BadParameter("until", "the silence would end before it starts or in the past");
            }
            if (ends - starts > LONGEST_SILENCE.toNanos() / 1000) {
                throw new BadParameter("until", "a silence lasts at most 90d");
            }
            AlertStore.Silence s = store.silence(objective, rule, starts, ends, by, reason, now);
            return Json.response(HttpStatus.CREATED, g -> writeSilence(g, s, now));
        });
    }

    /** {@code GET /api/v1/silences}: those in force or to come, and those ended in the last 7 days, newest first. */
    public HttpResponse silences(ServiceRequestContext ctx) {
        return ApiService.blocking(ctx, () -> {
            long now = Timestamps.toMicros(Instant.now());
            List<AlertStore.Silence> all = store.silences(now - 7 * DAY);
            return Json.response(HttpStatus.OK, g -> {
                g.writeStartObject();
                writeSilences(g, all, now);
                g.writeEndObject();
            });
        });
    }

    /** {@code DELETE /api/v1/silences/{id}?by=NAME}: ends a silence now. */
    public HttpResponse expire(ServiceRequestContext ctx, String id) {
        String refused = foreignOrigin(ctx);
        if (refused != null) {
            return Json.error(HttpStatus.FORBIDDEN, "foreign_origin", refused, null);
        }
        long silence;
        String by;
        try {
            silence = Long.parseLong(id);
            by = new Params(ctx.queryParams(), Set.of("by")).text("by");
            if (by == null || by.isBlank() || by.length() > MAX_TEXT) {
                throw new BadParameter("by", "\"by\" is required: who ends the silence (at most 256 characters)");
            }
        } catch (NumberFormatException e) {
            return Json.error(HttpStatus.NOT_FOUND, "not_found", "no silence " + id + " (GET /api/v1/silences lists them)", null);
        } catch (BadParameter e) {
            return Json.error(HttpStatus.BAD_REQUEST, "bad_parameter", e.getMessage(), e.parameter);
        }
        String who = by.strip();
        return ApiService.blocking(ctx, () -> store.expire(silence, who, Timestamps.toMicros(Instant.now()))
                ? Json.response(HttpStatus.OK, g -> {
                    g.writeStartObject();
                    g.writeNumberField("id", silence);
                    g.writeStringField("expiredBy", who);
                    g.writeEndObject();
                })
                : Json.error(HttpStatus.NOT_FOUND, "not_found", "no silence " + id + " in force or to come "
                        + "(GET /api/v1/silences lists them)", null));
    }

    private static void writeAck(JsonGenerator g, AlertStore.Ack ack) throws IOException {
        g.writeStartObject();
        g.writeStringField("by", ack.by());
        g.writeStringField("note", ack.note());
        g.writeStringField("at", Timestamps.format(ack.atMicros()));
        g.writeEndObject();
    }

    private static void writeSilences(JsonGenerator g, List<AlertStore.Silence> silences, long now) throws IOException {
        g.writeArrayFieldStart("silences");
        for (AlertStore.Silence s : silences) {
            writeSilence(g, s, now);
        }
        g.writeEndArray();
    }

    private static void writeSilence(JsonGenerator g, AlertStore.Silence s, long now) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", s.id());
        g.writeStringField("objective", s.objective());
        if (s.rule() != null) {
            g.writeStringField("rule", s.rule());
        }
        g.writeStringField("starts", Timestamps.format(s.starts()));
        g.writeStringField("ends", Timestamps.format(s.ends()));
        g.writeStringField("state", s.effectiveEnd() <= now ? "ended" : s.starts() > now ? "pending" : "active");
        g.writeStringField("by", s.by());
        g.writeStringField("reason", s.reason());
        g.writeStringField("created", Timestamps.format(s.createdMicros()));
        if (s.expiredBy() != null) {
            g.writeStringField("expiredBy", s.expiredBy());
            g.writeStringField("expiredAt", Timestamps.format(s.expiredAtMicros()));
        }
        g.writeEndObject();
    }

    private void checkRule(String objective, String rule) {
        var state = objectives.state(objective);
        if (state == null) {
            throw new BadParameter("objective", "no objective named \"" + objective + "\" (GET /api/v1/objectives lists them)");
        }
        List<String> rules = state.objective().spec().rules().stream().map(BurnRule::id).toList();
        if (!rules.contains(rule)) {
            throw new BadParameter("rule", "\"" + objective + "\" has no alert rule \"" + rule + "\"; its rules are " + rules);
        }
    }

    private interface JsonAction {
        HttpResponse run(JsonNode body) throws java.sql.SQLException;
    }

    /** Reads a small JSON object body, from this origin only, and runs the action on a blocking thread. */
    private static HttpResponse withJson(ServiceRequestContext ctx, HttpRequest req, JsonAction action) {
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
            } catch (IOException e) {
                return Json.error(HttpStatus.BAD_REQUEST, "malformed_json", "the body is not JSON: "
                        + e.getMessage().lines().findFirst().orElse(""), null);
            }
            if (body == null || !body.isObject()) {
                return Json.error(HttpStatus.BAD_REQUEST, "malformed_json", "the body must be one JSON object", null);
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

    private static String text(JsonNode body, String field, boolean required) {
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

    private static long time(JsonNode body, String field) {
        String s = text(body, field, true);
        try {
            return Timestamps.parseRfc3339(s);
        } catch (RuntimeException e) {
            throw new BadParameter(field, "\"" + field + "\" is not an RFC 3339 time: " + e.getMessage());
        }
    }
}
