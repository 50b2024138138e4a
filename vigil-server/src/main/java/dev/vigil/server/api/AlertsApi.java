package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.vigil.assess.BurnRule;
import dev.vigil.config.Durations;
import dev.vigil.event.Timestamps;
import dev.vigil.server.Json;
import dev.vigil.server.runtime.ObjectivesRuntime;
import dev.vigil.store.AlertStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alerts, and what people do about them: acknowledge a firing ("someone is on it") and silence an objective's
 * notifications for a while (planned work, a known supplier outage). Both are kept in the store with who did it and
 * when, shown beside the alerts, and survive restarts and rebuilds.
 * Changes are POSTed as JSON ({@link JsonChange}).
 */
public final class AlertsApi {

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

    private static final Set<String> ACKNOWLEDGE_FIELDS = Set.of("objective", "rule", "by", "note");
    private static final Set<String> SILENCE_FIELDS = Set.of("objective", "rule", "for", "until", "starts", "by", "reason");

    /** {@code POST /api/v1/alerts/acknowledge} {"objective", "rule", "by", "note"}: the firing it names, acknowledged. */
    public HttpResponse acknowledge(ServiceRequestContext ctx, HttpRequest req) {
        return JsonChange.handle(ctx, req, ACKNOWLEDGE_FIELDS, body -> {
            String objective = JsonChange.text(body, "objective", true);
            String rule = JsonChange.text(body, "rule", true);
            String by = JsonChange.text(body, "by", true);
            String note = JsonChange.text(body, "note", false);
            checkRule(requireObjective(objective), rule);
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
        return JsonChange.handle(ctx, req, SILENCE_FIELDS, body -> {
            String objective = JsonChange.text(body, "objective", true);
            String rule = JsonChange.text(body, "rule", false);
            String by = JsonChange.text(body, "by", true);
            String reason = JsonChange.text(body, "reason", true);
            var state = requireObjective(objective);
            if (rule != null) {
                checkRule(state, rule);
            }
            long now = Timestamps.toMicros(Instant.now());
            long starts = body.hasNonNull("starts") ? JsonChange.time(body, "starts") : now;
            long ends;
            if (body.hasNonNull("for") == body.hasNonNull("until")) {
                throw new BadParameter("for", "give either \"for\" (a duration such as \"2h\") or \"until\" (a time), one of them");
            } else if (body.hasNonNull("for")) {
                Duration d;
                try {
                    d = Durations.parse(JsonChange.text(body, "for", true));
                } catch (IllegalArgumentException e) {
                    throw new BadParameter("for", "\"for\": " + e.getMessage());
                }
                if (d.isNegative() || d.isZero() || d.compareTo(LONGEST_SILENCE) > 0) {
                    throw new BadParameter("for", "\"for\" must be more than 0 and at most 90d");
                }
                ends = starts + d.toNanos() / 1000;
            } else {
                ends = JsonChange.time(body, "until");
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
        String refused = JsonChange.foreignOrigin(ctx);
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

    private ObjectivesRuntime.State requireObjective(String objective) {
        var state = objectives.state(objective);
        if (state == null) {
            throw new BadParameter("objective", "no objective named \"" + objective + "\" (GET /api/v1/objectives lists them)");
        }
        return state;
    }

    private static void checkRule(ObjectivesRuntime.State state, String rule) {
        List<String> rules = state.objective().spec().rules().stream().map(BurnRule::id).toList();
        if (!rules.contains(rule)) {
            throw new BadParameter("rule", "\"" + state.objective().name() + "\" has no alert rule \"" + rule
                    + "\"; its rules are " + rules);
        }
    }
}
