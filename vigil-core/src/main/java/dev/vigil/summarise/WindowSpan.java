package dev.vigil.summarise;

/** Tumbling window sizes: minutes are kept, hours and days are merged from them. */
public enum WindowSpan {
    MINUTE(60_000_000L, "1m"),
    HOUR(3_600_000_000L, "1h"),
    DAY(86_400_000_000L, "1d");

    private final long micros;
    private final String wire;

    WindowSpan(long micros, String wire) {
        this.micros = micros;
        this.wire = wire;
    }

    public long micros() {
        return micros;
    }

    public String wire() {
        return wire;
    }

    /**
     * The start of the window holding {@code timeMicros} (windows are aligned on the epoch, UTC). The
     * first window of the long range starts at its bottom rather than wrapping round to the top.
     */
    public long startOf(long timeMicros) {
        long q = Math.floorDiv(timeMicros, micros);
        return q <= Long.MIN_VALUE / micros ? Long.MIN_VALUE : q * micros;
    }

    /** Whether a clock moving from {@code from} to {@code to} entered a later window. */
    public boolean entersLaterWindow(long from, long to) {
        return startOf(to) > startOf(from);
    }
}
