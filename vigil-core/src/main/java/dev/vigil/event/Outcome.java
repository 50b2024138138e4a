package dev.vigil.event;

import java.util.Optional;

/** How an activity or call ended. */
public enum Outcome implements WireName {
    OK("ok"),
    ERROR("error"),
    TIMEOUT("timeout");

    private final String wire;

    Outcome(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }

    /** True when the outcome counts against an error ratio. */
    public boolean failed() {
        return this != OK;
    }

    public static Optional<Outcome> fromWire(String s) {
        return WireName.parse(values(), s);
    }

    static String allowed() {
        return WireName.list(values());
    }
}
