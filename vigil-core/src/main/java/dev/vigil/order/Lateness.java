package dev.vigil.order;

/** How an event stands against the watermark when it arrives. */
public enum Lateness {
    /** The watermark has not passed it. */
    ON_TIME,
    /** Behind the watermark but within the maximum lateness: folded in, amending what was emitted. */
    LATE,
    /** Beyond the maximum lateness: stored and counted, not folded in. */
    TOO_LATE
}
