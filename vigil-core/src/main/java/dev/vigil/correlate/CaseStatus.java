package dev.vigil.correlate;

import dev.vigil.event.WireName;

/** Where a case stands. */
public enum CaseStatus implements WireName {
    /** Started, not finished, not yet overdue. */
    OPEN("open"),
    /** An end activity happened. */
    COMPLETED("completed"),
    /** No end activity and no progress for the process's stuck timeout, by the watermark. */
    STUCK("stuck");

    private final String wire;

    CaseStatus(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }
}
