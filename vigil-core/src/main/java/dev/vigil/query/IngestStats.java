package dev.vigil.query;

import java.util.List;
import java.util.Map;

/**
 * What the journal holds and what was refused.
 *
 * @param storedEvents   events durably stored
 * @param lastSeq        the highest ingest sequence number, 0 when empty
 * @param bySourceAndName event counts per source and name
 * @param rejectedByReason rejected item counts per rejection code, since the data folder was created
 * @param uninterpretedBySource objects no rule matched (stored as they came), per source
 */
public record IngestStats(long storedEvents, long lastSeq, List<SourceNameCount> bySourceAndName,
                          Map<String, Long> rejectedByReason, Map<String, Long> uninterpretedBySource) {

    public record SourceNameCount(String source, String name, long count) {
    }
}
