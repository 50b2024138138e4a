package dev.vigil.event;

import java.util.Locale;
import java.util.Optional;

/** How an activity or call ended. */
public enum Outcome {
    OK("ok"),
    ERROR("error"),
    TIMEOUT("timeout");

    private final String wire;

    Outcome(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** True when the outcome counts against an error ratio. */
    public boolean failed() {
        return this != OK;
    }

    public static Optional<Outcome> fromWire(String s) {
        String k = s.toLowerCase(Locale.ROOT);
        for (Outcome o : values()) {
            if (o.wire.equals(k)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    static String allowed() {
        return "ok, error, timeout";
    }
}
