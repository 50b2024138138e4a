package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.Rejection;
import dev.vigil.pipeline.Arrival;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Journal records as bytes for a journal kept elsewhere than in Vigil's files (a Kafka topic): the payload of the
 * journal file's frame, without its length and checksum (Kafka checks its own records). The same bytes in both
 * places, so a record moves between them unchanged.
 */
public final class JournalRecords {

    private JournalRecords() {
    }

    /**
     * A record of events, their attributes as JSON (one per event), or null for what the pipeline reads of them only
     * (a span's ids, kind and placement; nothing of other events), which is what a forwarded journal needs.
     */
    public static byte[] encode(long recordNo, long firstSeq, long ingestedMicros, List<Event> events, List<String> attributesJson) {
        List<String> attrs = attributesJson;
        if (attrs == null) {
            attrs = new java.util.ArrayList<>(events.size());
            for (Event e : events) {
                Map<String, Object> carried = dev.vigil.link.SpanRef.carried(e.attributes());
                attrs.add(carried.isEmpty() ? null : JsonValues.write(carried));
            }
        }
        ByteBuffer b = JournalCodec.encode(new JournalRecord(recordNo, firstSeq, ingestedMicros, events, attrs,
                new EnumMap<>(Rejection.Code.class)));
        byte[] payload = new byte[b.remaining() - JournalCodec.HEADER];
        b.position(JournalCodec.HEADER);
        b.get(payload);
        return payload;
    }

    /** A tick: a record without events, the journal's word that nothing arrived until then. */
    public static byte[] tick(long recordNo, long atMicros) {
        return encode(recordNo, 0, atMicros, List.of(), List.of());
    }

    /**
     * What the pipeline's source stage takes from a record's bytes. A record of refused items only is no tick (the
     * clock must not take it for a quiet moment): it comes as events, none of them.
     */
    public static Arrival decode(byte[] payload) throws IOException {
        // Attributes stay JSON: no stage reads them.
        JournalRecord r = JournalCodec.decode(payload, JournalCodec.Attributes.SPAN_IDS);
        if (r.isTick()) {
            return new Arrival.Tick(r.recordNo(), r.ingestedMicros());
        }
        return new Arrival.Events(r.recordNo(), r.firstSeq(), r.ingestedMicros(), r.events());
    }
}
