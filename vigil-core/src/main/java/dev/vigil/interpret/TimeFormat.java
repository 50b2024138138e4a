package dev.vigil.interpret;

import dev.vigil.event.Timestamps;
import dev.vigil.event.WireName;
import java.math.BigDecimal;
import java.time.DateTimeException;

/** How a source writes its timestamps. */
public enum TimeFormat implements WireName {
    /** RFC 3339 text, or epoch milliseconds when it is a number: the canonical wire format's rule. */
    AUTO("auto"),
    RFC3339("rfc3339"),
    EPOCH_SECONDS("epoch-seconds"),
    EPOCH_MILLIS("epoch-millis"),
    EPOCH_MICROS("epoch-micros");

    private final String wire;

    TimeFormat(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }

    public static String allowed() {
        return WireName.list(values());
    }

    /**
     * Microseconds since the epoch from a raw JSON value.
     *
     * @throws DateTimeException saying what was found and what this format expects
     */
    public long toMicros(Object raw) {
        if (raw instanceof String s && (this == AUTO || this == RFC3339)) {
            return Timestamps.parseRfc3339(s);
        }
        BigDecimal n = number(raw);
        if (n == null || this == RFC3339) {
            throw new DateTimeException("expected " + (this == RFC3339 ? "an RFC 3339 timestamp" : "a number for " + wire)
                    + ", found " + describe(raw));
        }
        BigDecimal micros = switch (this) {
            case EPOCH_SECONDS -> n.movePointRight(6);
            case EPOCH_MICROS -> n;
            default -> n.movePointRight(3);
        };
        try {
            // The skew check (EventDraft) judges the value; here it only has to fit.
            return micros.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        } catch (ArithmeticException e) {
            throw new DateTimeException("timestamp out of range: " + raw);
        }
    }

    private static BigDecimal number(Object raw) {
        if (raw instanceof Number num) {
            return new BigDecimal(num.toString());
        }
        if (raw instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static String describe(Object raw) {
        if (raw == null) {
            return "nothing";
        }
        if (raw instanceof String s) {
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        return raw instanceof java.util.Map ? "an object" : raw instanceof java.util.List ? "an array" : raw.toString();
    }
}
