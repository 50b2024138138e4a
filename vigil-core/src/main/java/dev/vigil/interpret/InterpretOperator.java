package dev.vigil.interpret;

import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Operator;
import dev.vigil.operator.Output;
import java.util.Map;

/**
 * The interpret stage of one source, in the operator contract's shape: a JSON object the source sent in, out what
 * its rules make of it (a draft event, a refusal, or no rule matched). It runs at ingest, on the request's thread
 * and before the journal, not in a runtime's topology: a client hears at once what it sent wrong, and the journal
 * holds canonical events only. Stateless (nothing to snapshot), reads no clock (the time a request was received
 * comes with each object), so a replay of the same request gives the same events.
 */
public final class InterpretOperator implements Operator<InterpretOperator.Received, Interpretation> {

    /** One object of a request, its place in the request (for errors), and when the request was received. */
    public record Received(Map<String, Object> object, int index, long receivedMicros) {
    }

    private final SourceRules rules;

    public InterpretOperator(SourceRules rules) {
        this.rules = rules;
    }

    /** The key it would route by: the source whose rules apply. */
    public String key() {
        return rules.source();
    }

    @Override
    public void onElement(Received r, Output<Interpretation> out) {
        out.emit(Interpreter.interpret(rules, r.object(), r.index(), r.receivedMicros()));
    }

    @Override
    public void onWatermark(long watermark, long finalBefore, Output<Interpretation> out) {
        // Interpretation does not depend on event time.
    }

    @Override
    public void snapshot(KeyedState.Sink sink) {
        // Stateless.
    }

    @Override
    public void restore(String key, byte[] state) {
        throw new IllegalArgumentException("the interpret stage keeps no state, yet state came for key '" + key + "'");
    }
}
