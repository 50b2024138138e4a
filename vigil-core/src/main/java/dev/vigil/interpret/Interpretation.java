package dev.vigil.interpret;

import dev.vigil.event.EventDraft;
import dev.vigil.event.Rejection;

/** What the rules made of one incoming object. */
public sealed interface Interpretation permits Interpretation.Drafted, Interpretation.Refused, Interpretation.NoRule {

    /** A rule matched and filled a draft (still to be checked like any event). */
    record Drafted(EventDraft draft) implements Interpretation {
    }

    /** A rule matched but the object lacks what it needs, or holds something it cannot use. */
    record Refused(Rejection rejection) implements Interpretation {
    }

    /** No rule matched: the object is kept as it came and counted as uninterpreted. */
    record NoRule() implements Interpretation {
    }
}
