package dev.vigil.pipeline;

import dev.vigil.assess.BurnRule;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.CaseRecord;
import dev.vigil.correlate.CaseStatus;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.order.Lateness;
import dev.vigil.summarise.ClosedWindow;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline's elements as bytes: Vigil's own compact binary forms, written with the same {@code DataOutput}
 * calls as its checkpoints. They cross a Flink network channel in these forms (Flink's fallback, Kryo by
 * reflection over private fields, is neither stable across versions nor fast on a DDSketch), and the Flink job's
 * output topics carry them to whoever reads them (a Vigil server loading them into its store).
 */
public enum Codec {

    ARRIVAL(Arrival.class) {
        @Override
        public void write(Object o, DataOutput out) throws IOException {
            switch ((Arrival) o) {
                case Arrival.Tick t -> {
                    out.writeByte(0);
                    out.writeLong(t.recordNo());
                    out.writeLong(t.atMicros());
                }
                case Arrival.Events e -> {
                    out.writeByte(1);
                    out.writeLong(e.recordNo());
                    out.writeLong(e.firstSeq());
                    out.writeLong(e.atMicros());
                    out.writeInt(e.events().size());
                    for (Event ev : e.events()) {
                        writeEvent(ev, out);
                    }
                }
            }
        }

        @Override
        public Object read(DataInput in) throws IOException {
            if (in.readByte() == 0) {
                return new Arrival.Tick(in.readLong(), in.readLong());
            }
            long recordNo = in.readLong();
            long firstSeq = in.readLong();
            long at = in.readLong();
            int n = in.readInt();
            List<Event> events = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                events.add(readEvent(in));
            }
            return new Arrival.Events(recordNo, firstSeq, at, events);
        }
    },

    TIMED(Timed.class) {
        @Override
        public void write(Object o, DataOutput out) throws IOException {
            Timed t = (Timed) o;
            writeEvent(t.event(), out);
            out.writeLong(t.seq());
            out.writeByte(t.lateness().ordinal());
            out.writeLong(t.watermark());
            out.writeLong(t.finalBefore());
            out.writeInt(t.process());
            writeNullable(t.processName(), out);
            out.writeInt(t.activity());
            writeStrings(t.keys(), out);
        }

        @Override
        public Object read(DataInput in) throws IOException {
            return new Timed(readEvent(in), in.readLong(), LATENESS[in.readByte()], in.readLong(), in.readLong(),
                    in.readInt(), readNullable(in), in.readInt(), readStrings(in));
        }
    },

    CLOSED_WINDOW(ClosedWindow.class) {
        @Override
        public void write(Object o, DataOutput out) throws IOException {
            ClosedWindow w = (ClosedWindow) o;
            w.key().write(out);
            out.writeByte(w.span().ordinal());
            out.writeLong(w.startMicros());
            w.window().write(out);
        }

        @Override
        public Object read(DataInput in) throws IOException {
            return new ClosedWindow(KpiKey.read(in), SPANS[in.readByte()], in.readLong(), KpiWindow.read(in));
        }
    },

    MERGED_WINDOW(MergedWindow.class) {
        @Override
        public void write(Object o, DataOutput out) throws IOException {
            MergedWindow w = (MergedWindow) o;
            w.key().write(out);
            out.writeLong(w.startMicros());
            out.writeInt(w.revision());
            w.window().write(out);
        }

        @Override
        public Object read(DataInput in) throws IOException {
            KpiKey key = KpiKey.read(in);
            long start = in.readLong();
            int revision = in.readInt();
            return new MergedWindow(key, start, KpiWindow.read(in), revision);
        }
    },

    CASE_CHANGE(CaseChange.class) {
        @Override
        public void write(Object o, DataOutput out) throws IOException {
            switch ((CaseChange) o) {
                case CaseChange.Retired r -> {
                    out.writeByte(0);
                    out.writeUTF(r.id());
                }
                case CaseChange.Updated u -> {
                    out.writeByte(1);
                    writeCase(u.record(), out);
                }
            }
        }

        @Override
        public Object read(DataInput in) throws IOException {
            return in.readByte() == 0 ? new CaseChange.Retired(in.readUTF()) : new CaseChange.Updated(readCase(in));
        }
    },

    TRANSITION(ObjectiveLedger.Transition.class) {
        @Override
        public void write(Object o, DataOutput out) throws IOException {
            ObjectiveLedger.Transition t = (ObjectiveLedger.Transition) o;
            out.writeUTF(t.objective());
            BurnRule r = t.rule();
            out.writeUTF(r.severity());
            out.writeDouble(r.factor());
            out.writeLong(r.longMicros());
            out.writeLong(r.shortMicros());
            out.writeBoolean(r.orEqual());
            out.writeBoolean(t.firing());
            out.writeLong(t.atMicros());
            out.writeDouble(t.longBurn());
            out.writeDouble(t.shortBurn());
        }

        @Override
        public Object read(DataInput in) throws IOException {
            String objective = in.readUTF();
            BurnRule r = new BurnRule(in.readUTF(), in.readDouble(), in.readLong(), in.readLong(), in.readBoolean());
            return new ObjectiveLedger.Transition(objective, r, in.readBoolean(), in.readLong(), in.readDouble(),
                    in.readDouble());
        }
    };

    private static final EventKind[] KINDS = EventKind.values();
    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final Lateness[] LATENESS = Lateness.values();
    private static final WindowSpan[] SPANS = WindowSpan.values();
    private static final CaseStatus[] STATUSES = CaseStatus.values();


    private final Class<?> type;

    Codec(Class<?> type) {
        this.type = type;
    }

    public abstract void write(Object o, DataOutput out) throws IOException;

    public abstract Object read(DataInput in) throws IOException;

    /** The class of the elements this form writes. */
    public Class<?> type() {
        return type;
    }

    /** One element as bytes. */
    public byte[] encode(Object o) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
            write(o, out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing into memory cannot fail", e);
        }
    }

    /** One element from bytes {@link #encode} wrote. */
    public Object decode(byte[] bytes) throws IOException {
        return read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes)));
    }

    /**
     * An event as the pipeline's stages read it. Of its attributes only a span's few the link stage reads are carried
     * ({@link dev.vigil.link.SpanRef#CARRIED}); the rest are stored at ingest, with the journal.
     */
    static void writeEvent(Event e, DataOutput out) throws IOException {
        out.writeLong(e.timeMicros());
        out.writeUTF(e.source());
        out.writeUTF(e.name());
        out.writeByte(e.kind().ordinal());
        out.writeByte(e.outcome().ordinal());
        out.writeBoolean(e.durationMicros() != null);
        if (e.durationMicros() != null) {
            out.writeLong(e.durationMicros());
        }
        writeNullable(e.peer(), out);
        writeNullable(e.unit(), out);
        out.writeShort(e.correlation().size());
        for (Map.Entry<String, String> k : e.correlation().entrySet()) {
            out.writeUTF(k.getKey());
            out.writeUTF(k.getValue());
        }
        Map<String, Object> carried = dev.vigil.link.SpanRef.carried(e.attributes());
        out.writeByte(carried.size());
        for (Map.Entry<String, Object> a : carried.entrySet()) {
            out.writeUTF(a.getKey());
            out.writeUTF((String) a.getValue());
        }
    }

    static Event readEvent(DataInput in) throws IOException {
        long time = in.readLong();
        String source = in.readUTF();
        String name = in.readUTF();
        EventKind kind = KINDS[in.readByte()];
        Outcome outcome = OUTCOMES[in.readByte()];
        Long duration = in.readBoolean() ? in.readLong() : null;
        String peer = readNullable(in);
        String unit = readNullable(in);
        int n = in.readUnsignedShort();
        Map<String, String> corr = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            corr.put(in.readUTF(), in.readUTF());
        }
        int carried = in.readUnsignedByte();
        Map<String, Object> attributes = carried == 0 ? Map.of() : new LinkedHashMap<>();
        for (int i = 0; i < carried; i++) {
            attributes.put(in.readUTF(), in.readUTF());
        }
        return new Event(time, source, name, kind, corr, outcome, duration, peer, unit, attributes);
    }

    static void writeCase(CaseRecord r, DataOutput out) throws IOException {
        out.writeUTF(r.id());
        out.writeUTF(r.process());
        out.writeByte(r.status().ordinal());
        out.writeUTF(r.outcome());
        out.writeLong(r.firstMicros());
        out.writeLong(r.lastMicros());
        writeStrings(r.path(), out);
        out.writeInt(r.keys().size());
        for (Map.Entry<String, List<String>> k : r.keys().entrySet()) {
            out.writeUTF(k.getKey());
            writeStrings(k.getValue(), out);
        }
        out.writeInt(r.events());
        out.writeInt(r.failedEvents());
    }

    static CaseRecord readCase(DataInput in) throws IOException {
        String id = in.readUTF();
        String process = in.readUTF();
        CaseStatus status = STATUSES[in.readByte()];
        String outcome = in.readUTF();
        long first = in.readLong();
        long last = in.readLong();
        List<String> path = readStrings(in);
        int n = in.readInt();
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            keys.put(in.readUTF(), readStrings(in));
        }
        return new CaseRecord(id, process, status, outcome, first, last, path, keys, in.readInt(), in.readInt());
    }

    private static void writeStrings(List<String> l, DataOutput out) throws IOException {
        out.writeInt(l.size());
        for (String s : l) {
            out.writeUTF(s);
        }
    }

    private static List<String> readStrings(DataInput in) throws IOException {
        int n = in.readInt();
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(in.readUTF());
        }
        return l;
    }

    private static void writeNullable(String s, DataOutput out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
