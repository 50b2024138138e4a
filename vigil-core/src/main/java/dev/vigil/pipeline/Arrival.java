package dev.vigil.pipeline;

import dev.vigil.event.Event;
import java.util.List;

/** A journal record as the pipeline's source stage takes it: events that arrived together, or a tick. */
public sealed interface Arrival {

    /** The wall-clock time the journal took the record in. */
    long atMicros();

    /**
     * Events of one journal record.
     *
     * @param firstSeq the sequence number of the first; the others follow
     */
    record Events(long recordNo, long firstSeq, long atMicros, List<Event> events) implements Arrival {
    }

    /** A record without events: the journal's word that nothing arrived until then (idle progress). */
    record Tick(long recordNo, long atMicros) implements Arrival {
    }
}
