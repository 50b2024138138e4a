package dev.vigil.interpret;

import dev.vigil.event.EventDraft;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Rejection;
import java.time.DateTimeException;
import java.util.Map;

/**
 * Applies a source's rules to incoming JSON objects (as maps, lists, strings, numbers, booleans). Pure:
 * the same object and rules give the same draft, on any thread.
 */
public final class Interpreter {

    /** The name an event that no rule matched is stored under. */
    public static final String UNINTERPRETED = "uninterpreted";

    private Interpreter() {
    }

    public static Interpretation interpret(SourceRules rules, Map<String, Object> object, int index, long receivedMicros) {
        for (int i = 0; i < rules.rules().size(); i++) {
            Rule r = rules.rules().get(i);
            if (r.matches(object)) {
                return apply(rules.source(), i + 1, r, object, index, receivedMicros);
            }
        }
        return new Interpretation.NoRule();
    }

    /** The event that keeps an object no rule matched: received time, the source, the object as attributes. */
    public static EventDraft uninterpreted(String source, Map<String, Object> object, long receivedMicros) {
        EventDraft d = new EventDraft().timeMicros(receivedMicros).source(source).name(UNINTERPRETED)
                .kind(EventKind.UNINTERPRETED);
        object.forEach(d::attribute);
        return d;
    }

    private static Interpretation apply(String source, int number, Rule r, Map<String, Object> o, int index, long now) {
        String rule = "rule " + number + " of source " + source + " (" + r.where() + ")";
        EventDraft d = new EventDraft();
        if (r.time() == null) {
            d.timeMicros(now);
        } else {
            Object raw = r.time().get(o);
            if (raw == null) {
                return refuse(index, r.time(), Rejection.Code.MISSING_FIELD,
                        rule + " takes the time from " + r.time() + ", which this event does not have");
            }
            try {
                d.timeMicros(r.timeFormat().toMicros(raw));
            } catch (DateTimeException e) {
                return refuse(index, r.time(), Rejection.Code.INVALID_VALUE,
                        "time at " + r.time() + " (" + r.timeFormat().wire() + ", " + rule + "): " + e.getMessage());
            }
        }
        String src = r.source() == null ? source : r.source().textOf(o);
        d.source(src == null ? source : src);
        String name = r.name().textOf(o);
        if (name == null) {
            return refuse(index, pathOf(r.name()), Rejection.Code.MISSING_FIELD,
                    rule + " takes the name from " + pathOf(r.name()) + ", which this event does not have");
        }
        d.name(name);
        if (r.kind() != null) {
            String k = r.kind().textOf(o);
            if (k != null) {
                d.kind(k);
            }
        }
        for (Map.Entry<String, ValueSpec> c : r.correlation().entrySet()) {
            String v = c.getValue().textOf(o);
            if (v != null) {
                d.correlate(c.getKey(), v);
            }
        }
        if (r.outcome() != null) {
            if (r.outcome() instanceof ValueSpec.FromPath p && p.unmapped(o)) {
                return refuse(index, p.path().toString(), Rejection.Code.INVALID_VALUE, "value "
                        + TimeFormat.describe(p.rawOf(o)) + " at " + p.path() + " has no entry in the outcome map of "
                        + rule + "; add it there or give the map a default");
            }
            String v = r.outcome().textOf(o);
            if (v != null) {
                if (Outcome.fromWire(v).isEmpty()) {
                    return refuse(index, pathOf(r.outcome()), Rejection.Code.INVALID_VALUE, "outcome \"" + v
                            + "\" from " + rule + " is not one of ok, error, timeout; map it in the rule");
                }
                d.outcome(v);
            }
        }
        if (r.duration() != null) {
            Object raw = r.duration().rawOf(o);
            if (raw != null) {
                double n;
                try {
                    n = raw instanceof Number num ? num.doubleValue() : Double.parseDouble(raw.toString().trim());
                } catch (NumberFormatException e) {
                    return refuse(index, r.duration().path().toString(), Rejection.Code.WRONG_TYPE,
                            "duration at " + r.duration().path() + " must be a number, found " + TimeFormat.describe(raw));
                }
                double micros = n * r.durationUnitMicros();
                if (!(micros >= 0) || micros > 1e15) {
                    return refuse(index, r.duration().path().toString(), Rejection.Code.INVALID_VALUE,
                            "duration at " + r.duration().path() + " must be between 0 and 1e12 ms: " + raw);
                }
                d.durationMicros(Math.round(micros));
            }
        }
        text(r.peer(), o, d::peer);
        text(r.unit(), o, d::unit);
        for (Map.Entry<String, ValueSpec> a : r.attributes().entrySet()) {
            Object v = a.getValue() instanceof ValueSpec.FromPath p && p.mapping().isEmpty() ? p.rawOf(o) : a.getValue().textOf(o);
            if (v != null) {
                d.attribute(a.getKey(), v);
            }
        }
        return new Interpretation.Drafted(d);
    }

    private static void text(ValueSpec spec, Object o, java.util.function.Consumer<String> sink) {
        if (spec != null) {
            String v = spec.textOf(o);
            if (v != null) {
                sink.accept(v);
            }
        }
    }

    private static String pathOf(ValueSpec s) {
        return s instanceof ValueSpec.FromPath p ? p.path().toString() : null;
    }

    private static Interpretation refuse(int index, Object field, Rejection.Code code, String reason) {
        return new Interpretation.Refused(new Rejection(index, field == null ? null : field.toString(), code, reason));
    }
}
