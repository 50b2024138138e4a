package dev.vigil.summarise;

import dev.vigil.event.WireName;

/** What a KPI series is kept per. A closed set: the API and the store switch over it. */
public enum Dimension implements WireName {
    /** {@code source/name} of calls: a service's operation. */
    SERVICE_OPERATION("service-operation"),
    /** {@code process/activity} of business activities. */
    PROCESS_ACTIVITY("process-activity"),
    /** The called peer: an internal service or an external supplier. */
    PEER("peer"),
    /** The business unit. */
    UNIT("unit"),
    /**
     * {@code source/unit} of every event: what a service emits, under the business unit it reports ("" when
     * none). The estate overview groups services by unit from it. Appended: checkpoints store the ordinal.
     */
    SERVICE("service"),
    /** {@code source/peer} of every event with a peer: the observed calls from which the estate map is drawn. */
    CALL("call"),
    /** {@code caller/callee} of calls paired from spans, as the caller saw them: the traced dependency map. */
    LINK("link"),
    /** {@code caller/callee} of the same calls as the callee served them (the caller's view less network and queueing). */
    LINK_SERVED("link-served"),
    /** {@code service/end} of spans that found no partner within the pairing wait: "client" or "server". */
    LINK_UNPAIRED("link-unpaired"),
    /** {@code service/host} of spans: where a service runs, for the estate model. */
    PLACEMENT("placement"),
    /** {@code service/instance} of spans: a service's instances. */
    INSTANCE("instance");

    private final String wire;

    Dimension(String wire) {
        this.wire = wire;
    }

    @Override
    public String wire() {
        return wire;
    }
}
