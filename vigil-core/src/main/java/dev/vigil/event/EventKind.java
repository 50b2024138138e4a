package dev.vigil.event;

import java.util.Optional;

/**
 * What an event records. A closed set: every operator downstream switches over it.
 */
public enum EventKind implements WireName {
    /** A step of a business process (order placed, invoice sent). */
    ACTIVITY("activity"),
    /** A call from {@code source} to an operation, usually with a duration and maybe a {@code peer}. */
    CALL("call"),
    /** A message sent or received on a queue or topic. */
    MESSAGE("message"),
    /** Anything else the estate emits that is worth keeping (a deploy, a config change). */
    OTHER("other"),
    /**
     * An object no rule of its source matched, kept as it came (its fields are the attributes, its time is
     * when it was received). Stored and counted; the pipeline leaves it alone.
     */
    UNINTERPRETED("uninterpreted");

    private final String wire;

    EventKind(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }

    public static Optional<EventKind> fromWire(String s) {
        return WireName.parse(values(), s);
    }

    /** The kinds a sender may give ({@link #UNINTERPRETED} is Vigil's own). */
    static String allowed() {
        return WireName.list(new EventKind[] {ACTIVITY, CALL, MESSAGE, OTHER});
    }
}
