package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Rejection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The journal's binary frame: {@code [int payloadLength][int crc32c(payload)][payload]}. A frame whose
 * length runs past the end of the file or whose checksum does not match is a write torn by a crash; such
 * a write was never acknowledged, because acknowledgement waits for the fsync that follows the write.
 */
final class JournalCodec {

    static final int HEADER = 8;
    /** The payload's first bytes: its version and its record number. */
    static final int PREFIX = 9;
    // 2: the correlation is written once, as key/value pairs (version 1 also wrote it as JSON).
    private static final int VERSION = 2;
    private static final EventKind[] KINDS = EventKind.values();
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final Rejection.Code[] CODES = Rejection.Code.values();

    private JournalCodec() {
    }

    static ByteBuffer encode(JournalRecord r) {
        ByteSink out = new ByteSink(64 + r.events().size() * 256);
        out.putInt(0); // room for the header, filled in below
        out.putInt(0);
        out.putByte(VERSION);
        out.putLong(r.recordNo());
        out.putLong(r.firstSeq());
        out.putLong(r.ingestedMicros());
        out.putInt(r.events().size());
        for (int i = 0; i < r.events().size(); i++) {
            Event e = r.events().get(i);
            out.putLong(e.timeMicros());
            out.putString(e.source());
            out.putString(e.name());
            out.putByte(e.kind().ordinal());
            out.putByte(e.outcome().ordinal());
            out.putLong(e.durationMicros() == null ? -1 : e.durationMicros());
            out.putString(e.peer());
            out.putString(e.unit());
            out.putShort(e.correlation().size());
            for (Map.Entry<String, String> k : e.correlation().entrySet()) {
                out.putString(k.getKey());
                out.putString(k.getValue());
            }
            out.putString(r.attributesJson().get(i));
        }
        out.putByte(r.rejections().size());
        for (Map.Entry<Rejection.Code, Long> c : r.rejections().entrySet()) {
            out.putByte(c.getKey().ordinal());
            out.putLong(c.getValue());
        }
        int payload = out.position() - HEADER;
        CRC32C crc = new CRC32C();
        crc.update(out.array(), HEADER, payload);
        out.putIntAt(0, payload);
        out.putIntAt(4, (int) crc.getValue());
        return out.toBuffer();
    }

    /**
     * Whether the payload starting at {@code offset} could be a record after {@code lastRecordNo}: this version,
     * a later record number. Cheap, so that a scan past damaged bytes computes checksums only of candidates.
     */
    static boolean plausible(byte[] a, int offset, long lastRecordNo) {
        if (offset + PREFIX > a.length || (a[offset] & 0xff) != VERSION) {
            return false;
        }
        long recordNo = ByteBuffer.wrap(a, offset + 1, 8).getLong();
        return recordNo > lastRecordNo;
    }

    /** Checks a payload against the checksum of its header. */
    static boolean intact(byte[] payload, int crc) {
        CRC32C c = new CRC32C();
        c.update(payload);
        return (int) c.getValue() == crc;
    }

    static JournalRecord decode(byte[] payload) throws IOException {
        return decode(payload, Attributes.ALL);
    }

    /** How much of each event's attributes a reader of records wants parsed. */
    enum Attributes {
        /** Every attribute (queries, tests). */
        ALL,
        /** A span's ids, kind and placement only: what the pipeline reads ({@link #pipelineAttributes}). */
        SPAN_IDS,
        /** None: readers that pass the JSON on (the event table's loader) or need the records' shape only. */
        NONE
    }

    /**
     * Of an event's attributes, what the pipeline reads: a span's ids, kind and placement (see
     * {@link dev.vigil.link.SpanRef#CARRIED}); nothing, and no parse, for any other event.
     */
    static Map<String, Object> pipelineAttributes(Map<String, String> correlation, String json) {
        if (json == null || !dev.vigil.link.SpanRef.maybeSpan(correlation)) {
            return Map.of();
        }
        return dev.vigil.link.SpanRef.carried(JsonValues.readObject(json));
    }

    /**
     * @param parse how much of each event's attributes to parse from their JSON (the JSON itself is always in the
     *              record): the loader, which passes the JSON on, parsed every span's attributes for nothing and took
     *              a fifth of the CPU the span ingest lost to the dependency map
     */
    static JournalRecord decode(byte[] payload, Attributes parse) throws IOException {
        // A ByteBuffer, not a DataInputStream: the stream reads a long a byte at a time through a synchronized
        // ByteArrayInputStream, and was most of the loader's time when it read back from the files.
        ByteBuffer in = ByteBuffer.wrap(payload);
        try {
            int version = in.get() & 0xff;
            if (version != VERSION) {
                throw new IOException("journal record version " + version + " is unknown to this Vigil");
            }
            long recordNo = in.getLong();
            long firstSeq = in.getLong();
            long ingested = in.getLong();
            int n = in.getInt();
            if (n < 0 || n > payload.length) {
                throw new IOException("journal record " + recordNo + " says it holds " + n + " events");
            }
            List<Event> events = new ArrayList<>(n);
            List<String> attrJson = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long time = in.getLong();
                String source = readNullable(in, payload);
                String name = readNullable(in, payload);
                EventKind kind = KINDS[in.get() & 0xff];
                Outcome outcome = OUTCOMES[in.get() & 0xff];
                long duration = in.getLong();
                String peer = readNullable(in, payload);
                String unit = readNullable(in, payload);
                int keys = in.getShort() & 0xffff;
                Map<String, String> corr = new LinkedHashMap<>();
                for (int k = 0; k < keys; k++) {
                    corr.put(readNullable(in, payload), readNullable(in, payload));
                }
                String aj = readNullable(in, payload);
                attrJson.add(aj);
                events.add(new Event(time, source, name, kind, corr, outcome, duration < 0 ? null : duration, peer, unit,
                        switch (parse) {
                            case ALL -> JsonValues.readObject(aj);
                            case SPAN_IDS -> pipelineAttributes(corr, aj);
                            case NONE -> Map.of();
                        }));
            }
            Map<Rejection.Code, Long> rejections = new EnumMap<>(Rejection.Code.class);
            int codes = in.get() & 0xff;
            for (int i = 0; i < codes; i++) {
                rejections.put(CODES[in.get() & 0xff], in.getLong());
            }
            return new JournalRecord(recordNo, firstSeq, ingested, events, attrJson, rejections);
        } catch (java.nio.BufferUnderflowException | ArrayIndexOutOfBoundsException e) {
            // The checksum matched, so this is no torn write: a record this Vigil cannot read.
            throw new IOException("journal record cut short or of an unknown layout", e);
        }
    }

    private static String readNullable(ByteBuffer in, byte[] payload) throws IOException {
        int len = in.getInt();
        if (len < 0) {
            return null;
        }
        if (len > in.remaining()) {
            throw new IOException("truncated string");
        }
        int at = in.position();
        in.position(at + len);
        return new String(payload, at, len, java.nio.charset.StandardCharsets.UTF_8);
    }
}
