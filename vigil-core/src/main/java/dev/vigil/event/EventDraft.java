package dev.vigil.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An event as a decoder read it, before validation: typed but unchecked. Decoders (JSON, OTLP, rules)
 * fill one draft per item and call {@link #check}; the rules of what makes a valid event live here,
 * once, whatever the wire format.
 */
public final class EventDraft {

    private Long timeMicros;
    private String source;
    private String name;
    private String kind;
    /** Set by Vigil itself (an uninterpreted object); a sender's kind comes as text and is checked. */
    private EventKind ownKind;
    private final Map<String, String> correlation = new LinkedHashMap<>();
    private String outcome;
    private Long durationMicros;
    private String peer;
    private String unit;
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    public EventDraft timeMicros(long micros) {
        this.timeMicros = micros;
        return this;
    }

    public EventDraft source(String v) {
        this.source = v;
        return this;
    }

    /** Sets the source unless the item named one itself. */
    public EventDraft sourceIfAbsent(String v) {
        if (source == null) {
            source = v;
        }
        return this;
    }

    public EventDraft name(String v) {
        this.name = v;
        return this;
    }

    public EventDraft kind(String v) {
        this.kind = v;
        return this;
    }

    /** A kind Vigil assigns itself, including the ones senders may not use. */
    public EventDraft kind(EventKind v) {
        this.ownKind = v;
        return this;
    }

    public EventDraft correlate(String key, String value) {
        correlation.put(key, value);
        return this;
    }

    public EventDraft outcome(String v) {
        this.outcome = v;
        return this;
    }

    public EventDraft durationMicros(long v) {
        this.durationMicros = v;
        return this;
    }

    public EventDraft peer(String v) {
        this.peer = v;
        return this;
    }

    public EventDraft unit(String v) {
        this.unit = v;
        return this;
    }

    public EventDraft attribute(String key, Object value) {
        attributes.put(key, value);
        return this;
    }

    /** The outcome of checking a draft: an event, or the reason it cannot be one. */
    public sealed interface Checked permits Valid, Invalid {
    }

    public record Valid(Event event) implements Checked {
    }

    public record Invalid(Rejection rejection) implements Checked {
    }

    /**
     * Checks the draft against the policy at the receiver's clock {@code nowMicros}.
     *
     * @param index the item's position in its batch, carried into the rejection
     */
    public Checked check(int index, long nowMicros, IngestPolicy policy) {
        if (timeMicros == null) {
            return invalid(index, "time", Rejection.Code.MISSING_FIELD,
                    "required field is missing: give an RFC 3339 timestamp or epoch milliseconds");
        }
        Invalid bad = requiredText(index, "source", source, policy);
        if (bad == null) {
            bad = requiredText(index, "name", name, policy);
        }
        if (bad == null) {
            bad = optionalText(index, "peer", peer, policy);
        }
        if (bad == null) {
            bad = optionalText(index, "unit", unit, policy);
        }
        if (bad != null) {
            return bad;
        }
        EventKind k;
        if (ownKind != null) {
            k = ownKind;
        } else if (EventKind.UNINTERPRETED.wire().equals(kind)) {
            return invalid(index, "kind", Rejection.Code.INVALID_VALUE, "kind \"uninterpreted\" is Vigil's own, for "
                    + "objects no rule matched: use one of " + EventKind.allowed());
        } else if (kind == null) {
            // A sender that gives a duration or a peer is describing a call; otherwise a step of a process.
            k = durationMicros != null || peer != null ? EventKind.CALL : EventKind.ACTIVITY;
        } else {
            k = EventKind.fromWire(kind).orElse(null);
            if (k == null) {
                return invalid(index, "kind", Rejection.Code.INVALID_VALUE,
                        "unknown kind \"" + Timestamps.abbreviate(kind) + "\": use one of " + EventKind.allowed());
            }
        }
        Outcome o;
        if (outcome == null) {
            o = Outcome.OK;
        } else {
            o = Outcome.fromWire(outcome).orElse(null);
            if (o == null) {
                return invalid(index, "outcome", Rejection.Code.INVALID_VALUE,
                        "unknown outcome \"" + Timestamps.abbreviate(outcome) + "\": use one of " + Outcome.allowed());
            }
        }
        if (durationMicros != null && durationMicros < 0) {
            return invalid(index, "durationMs", Rejection.Code.INVALID_VALUE,
                    "duration must not be negative: " + (durationMicros / 1000.0) + " ms");
        }
        if (correlation.size() > policy.maxCorrelationKeys()) {
            return invalid(index, "correlation", Rejection.Code.TOO_LONG, "too many correlation keys: "
                    + correlation.size() + " (the limit is " + policy.maxCorrelationKeys() + ")");
        }
        for (Map.Entry<String, String> e : correlation.entrySet()) {
            String field = "correlation." + e.getKey();
            if (e.getKey().isEmpty()) {
                return invalid(index, "correlation", Rejection.Code.INVALID_VALUE, "correlation key must not be empty");
            }
            if (e.getKey().length() > policy.maxTextLength()) {
                return invalid(index, "correlation", Rejection.Code.TOO_LONG, "correlation key longer than "
                        + policy.maxTextLength() + " characters");
            }
            if (e.getValue().isEmpty()) {
                return invalid(index, field, Rejection.Code.INVALID_VALUE, "correlation value must not be empty");
            }
            if (e.getValue().length() > policy.maxTextLength()) {
                return invalid(index, field, Rejection.Code.TOO_LONG, "correlation value longer than "
                        + policy.maxTextLength() + " characters");
            }
            Invalid badText = optionalText(index, field, e.getValue(), policy);
            if (badText == null) {
                badText = optionalText(index, "correlation", e.getKey(), policy);
            }
            if (badText != null) {
                return badText;
            }
        }
        long t = timeMicros;
        if (t > nowMicros + policy.maxFutureMicros()) {
            return invalid(index, "time", Rejection.Code.TIME_IN_FUTURE, "time " + Timestamps.format(t)
                    + " is more than " + dev.vigil.config.Durations.format(policy.maxFuture()) + " ahead of the receiver's clock ("
                    + Timestamps.format(nowMicros) + "); check the sender's clock or raise --max-future-skew");
        }
        if (t < nowMicros - policy.maxPastMicros()) {
            return invalid(index, "time", Rejection.Code.TIME_TOO_OLD, "time " + Timestamps.format(t)
                    + " is more than " + dev.vigil.config.Durations.format(policy.maxPast()) + " before the receiver's clock ("
                    + Timestamps.format(nowMicros) + "); raise --max-past-age to load history");
        }
        return new Valid(new Event(t, source, name, k, correlation, o, durationMicros, peer, unit, attributes));
    }

    private static Invalid requiredText(int index, String field, String value, IngestPolicy policy) {
        if (value == null) {
            return invalid(index, field, Rejection.Code.MISSING_FIELD, "required field is missing");
        }
        if (value.isBlank()) {
            return invalid(index, field, Rejection.Code.INVALID_VALUE, "must not be empty or blank");
        }
        return optionalText(index, field, value, policy);
    }

    private static Invalid optionalText(int index, String field, String value, IngestPolicy policy) {
        if (value != null && value.length() > policy.maxTextLength()) {
            return invalid(index, field, Rejection.Code.TOO_LONG,
                    "longer than " + policy.maxTextLength() + " characters (" + value.length() + ")");
        }
        if (value != null) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (Character.isISOControl(c)) {
                    return invalid(index, field, Rejection.Code.INVALID_VALUE,
                            "contains a control character at position " + i);
                }
                if (Character.isSurrogate(c)) {
                    // A JSON escape such as \ud800 can name half a character; no UTF-8 store can hold it.
                    boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                            && Character.isLowSurrogate(value.charAt(i + 1));
                    if (!paired) {
                        return invalid(index, field, Rejection.Code.INVALID_VALUE,
                                "contains half a Unicode character (an unpaired surrogate) at position " + i);
                    }
                    i++;
                }
            }
        }
        return null;
    }

    private static Invalid invalid(int index, String field, Rejection.Code code, String reason) {
        return new Invalid(new Rejection(index, field, code, reason));
    }
}
