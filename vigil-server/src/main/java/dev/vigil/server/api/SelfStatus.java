package dev.vigil.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.vigil.event.Timestamps;
import dev.vigil.server.runtime.JournalForwarder;
import dev.vigil.server.runtime.PipelineRuntime;
import dev.vigil.server.runtime.PipelineView;
import dev.vigil.store.EventStore;
import dev.vigil.store.OutputStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Vigil's own health as users need it beside the estate's: is it keeping up with what it acknowledged, and if
 * not, how far behind or why stuck. Read from counters only (no query), so the dashboard can ask every few
 * seconds on any store size.
 */
record SelfStatus(String status, String message, EventStore.Backlog backlog, long pipelineRecordsBehind,
                  Long watermarkDelayMillis, Forwarding forwarding, dev.vigil.server.runtime.FlinkOutputs.Reading flink,
                  OutputStore.RolledUp rolledUp) {

    /** The journal's forwarding to Kafka (--forward-journal), or null when there is none. */
    record Forwarding(String to, long forwardedRecord, long recordsBehind, String problem) {

        static Forwarding of(JournalForwarder f, EventStore journal) {
            if (f == null) {
                return null;
            }
            long forwarded = f.forwardedRecordNo();
            return new Forwarding(f.target().toString(), forwarded, Math.max(0, journal.acknowledgedRecordNo() - forwarded), f.problem());
        }
    }

    /** Behind by at least this long, the figures of the last minute visibly lack events. */
    static final long BEHIND_MILLIS = 5_000;

    /**
     * Whether acknowledged journal records moved lately, as the status asks saw them: events still arriving. A
     * history being posted keeps the pipeline's reading even with it at first, and then it is no less a backlog.
     */
    static final class Arrivals {
        private static final long LATELY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        private long record = -1;
        private long movedAt;

        synchronized boolean lately(long acknowledged, long nowNanos) {
            if (acknowledged != record) {
                boolean seenBefore = record >= 0;
                record = acknowledged;
                // The first ask has nothing to compare with: what it sees is not counted as a move.
                movedAt = seenBefore ? nowNanos : nowNanos - LATELY_NANOS;
                return seenBefore;
            }
            return nowNanos - movedAt < LATELY_NANOS;
        }
    }

    static SelfStatus of(EventStore journal, PipelineView pipeline, JournalForwarder forwarder, Arrivals arrivals) {
        Forwarding fw = Forwarding.of(forwarder, journal);
        dev.vigil.server.runtime.FlinkOutputs.Reading flink = pipeline instanceof dev.vigil.server.runtime.FlinkOutputs f
                ? f.reading() : null;
        EventStore.Backlog b = journal.backlog();
        // On Flink the pipeline's position is in the job, not here (see "flink").
        long pipelineBehind = flink != null ? 0 : Math.max(0, journal.acknowledgedRecordNo() - pipeline.lastRecordNo());
        long wm = pipeline.status().watermark();
        Long wmDelay = wm == Long.MIN_VALUE ? null : Math.max(0, Timestamps.toMicros(Instant.now()) - wm) / 1000;
        OutputStore.RolledUp rolled = pipeline.store().rolledUp();
        String problem = journal.problem();
        if (problem == null) {
            problem = pipeline.problem();
        }
        if (problem != null) {
            return new SelfStatus("stuck", "Vigil cannot keep up: " + problem + ". Figures stop at what was stored "
                    + "before; acknowledged events are safe and will be counted once it recovers.", b, pipelineBehind, wmDelay, fw, flink, rolled);
        }
        if (flink != null && flink.problem() != null) {
            // The server's KPIs, cases and alerts are the job's: while they cannot be read, they stand still.
            return new SelfStatus("stuck", "KPIs, cases and alerts are not updated: " + flink.problem()
                    + ". Ingest goes on; acknowledged events are safe.", b, pipelineBehind, wmDelay, fw, flink, rolled);
        }
        if (b.oldestWaitMillis() >= BEHIND_MILLIS) {
            long s = b.oldestWaitMillis() / 1000;
            return new SelfStatus("behind", String.format(Locale.ROOT, "The event table is %d s behind the journal: "
                    + "events acknowledged in the last %d s (%,d) are safe but not searchable yet (KPIs and cases are "
                    + "%,d journal record%s behind).", s, s, b.events(), pipelineBehind, pipelineBehind == 1 ? "" : "s"), b, pipelineBehind, wmDelay, fw, flink, rolled);
        }
        // Events read from the journal whose outputs wait inside the pipeline (between its threads): a backlog too,
        // once the journal itself has none left.
        long inPipeline = Math.max(0, pipeline.status().eventsFolded() - pipeline.status().eventsStored());
        String reading = readingBacklog(wm, wmDelay, pipelineBehind, inPipeline,
                arrivals.lately(journal.acknowledgedRecordNo(), System.nanoTime()));
        if (reading != null) {
            return new SelfStatus("behind", reading, b, pipelineBehind, wmDelay, fw, flink, rolled);
        }
        return new SelfStatus("ok", "Vigil is keeping up.", b, pipelineBehind, wmDelay, fw, flink, rolled);
    }

    /**
     * What to say while the pipeline reads a backlog (history loaded, a restart far behind), or null: every page then
     * shows minutes long past as the newest, and a reader must know that before taking them for now.
     */
    static String readingBacklog(long watermarkMicros, Long delayMillis, long recordsBehind, long inPipeline,
                                 boolean arriving) {
        if (recordsBehind <= 0 && inPipeline <= 0 && !arriving || delayMillis == null
                || delayMillis < READING_BACKLOG_MILLIS) {
            return null;
        }
        List<String> left = new ArrayList<>();
        if (recordsBehind > 0) {
            left.add(String.format(Locale.ROOT, "%,d journal record%s to go", recordsBehind, recordsBehind == 1 ? "" : "s"));
        }
        if (inPipeline > 0) {
            left.add(String.format(Locale.ROOT, "%,d event%s read and being written", inPipeline, inPipeline == 1 ? "" : "s"));
        }
        if (arriving) {
            left.add("more arriving");
        }
        String pending = left.size() == 1 ? left.get(0)
                : String.join(", ", left.subList(0, left.size() - 1)) + " and " + left.get(left.size() - 1);
        return String.format(Locale.ROOT, "Reading a backlog: KPIs, cases and alerts have reached %s UTC (%s behind the "
                + "clock), %s; the newest minutes appear once it has caught up.",
                Timestamps.format(watermarkMicros).substring(0, 16).replace('T', ' '), inWords(delayMillis), pending);
    }

    /** A delay as the dashboard writes one: "17 d 4 h", "3 h 12 min", "2 min 5 s". */
    static String inWords(long millis) {
        long s = millis / 1000;
        long m = s / 60;
        long h = m / 60;
        long d = h / 24;
        if (d > 0) {
            return d + " d" + (h % 24 > 0 ? " " + h % 24 + " h" : "");
        } else if (h > 0) {
            return h + " h" + (m % 60 > 0 ? " " + m % 60 + " min" : "");
        } else if (m > 0) {
            return m + " min" + (s % 60 > 0 ? " " + s % 60 + " s" : "");
        }
        return s + " s";
    }

    /** Event time this far behind the clock with journal records still unread: the pipeline is reading a backlog. */
    static final long READING_BACKLOG_MILLIS = 120_000;

    void write(JsonGenerator g) throws IOException {
        g.writeStringField("status", status);
        g.writeStringField("message", message);
        g.writeNumberField("ingestLagMillis", backlog.oldestWaitMillis());
        g.writeObjectFieldStart("loaderBacklog");
        g.writeNumberField("events", backlog.events());
        g.writeNumberField("records", backlog.records());
        g.writeNumberField("journalBytes", backlog.journalBytes());
        g.writeEndObject();
        g.writeObjectFieldStart("journalCommitMillis");
        g.writeNumberField("last", backlog.lastCommitMillis());
        g.writeNumberField("maxLastMinute", backlog.recentMaxCommitMillis());
        g.writeEndObject();
        g.writeNumberField("pipelineRecordsBehind", pipelineRecordsBehind);
        if (watermarkDelayMillis == null) {
            g.writeNullField("watermarkDelayMillis");
        } else {
            g.writeNumberField("watermarkDelayMillis", watermarkDelayMillis);
        }
        if (forwarding == null) {
            g.writeNullField("forwarding");
        } else {
            g.writeObjectFieldStart("forwarding");
            g.writeStringField("to", forwarding.to());
            g.writeNumberField("forwardedRecord", forwarding.forwardedRecord());
            g.writeNumberField("recordsBehind", forwarding.recordsBehind());
            g.writeStringField("problem", forwarding.problem());
            g.writeEndObject();
        }
        // How far the KPI roll-ups reach (docs/ARCHITECTURE.md, roll-ups): a store catching up on history rolls it
        // a slice at a time, and long ranges read minutes where it has not yet.
        g.writeObjectFieldStart("rolledUpTo");
        time(g, "tenMinutes", rolledUp.tenMinutes());
        time(g, "hours", rolledUp.hours());
        time(g, "days", rolledUp.days());
        g.writeEndObject();
        if (flink == null) {
            g.writeNullField("flinkOutputs");
        } else {
            g.writeObjectFieldStart("flinkOutputs");
            g.writeStringField("from", flink.from());
            g.writeNumberField("recordsRead", flink.recordsRead());
            g.writeNumberField("recordsBehind", flink.recordsBehind());
            g.writeStringField("problem", flink.problem());
            g.writeEndObject();
        }
    }

    private static void time(JsonGenerator g, String field, long micros) throws IOException {
        if (micros == Long.MIN_VALUE) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, Timestamps.format(micros));
        }
    }
}
