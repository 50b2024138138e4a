package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads stored events back record by record, in sequence order, for the pipeline to replay after a restart.
 * Attributes are not read: no operator looks at them. Every event comes back (uninterpreted ones too) so that
 * sequence numbers, and with them the partition each event goes to, are those of the first run.
 */
final class Replay {

    private static final int RECORDS_PER_QUERY = 200;

    private Replay() {
    }

    static void run(Connection conn, long afterRecordNo, long upTo, EventStore.RecordListener l)
            throws SQLException, InterruptedException {
        long from = afterRecordNo + 1;
        try (PreparedStatement events = conn.prepareStatement("""
                SELECT seq, epoch_us(time), source, name, kind, outcome, duration_us, peer, unit, record_no, epoch_us(ingested),
                       attributes
                FROM events WHERE record_no BETWEEN ? AND ? ORDER BY seq""");
             PreparedStatement keys = conn.prepareStatement("""
                SELECT k.seq, k.key, k.value FROM event_keys k JOIN events e ON e.seq = k.seq
                WHERE e.record_no BETWEEN ? AND ?""");
             PreparedStatement ticks = conn.prepareStatement("""
                SELECT record_no, epoch_us(tick_time) FROM ticks WHERE record_no BETWEEN ? AND ? ORDER BY record_no""")) {
            while (from <= upTo) {
                long to = Math.min(upTo, from + RECORDS_PER_QUERY - 1);
                Map<Long, Map<String, String>> correlation = new HashMap<>();
                keys.setLong(1, from);
                keys.setLong(2, to);
                try (ResultSet rs = keys.executeQuery()) {
                    while (rs.next()) {
                        correlation.computeIfAbsent(rs.getLong(1), s -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
                    }
                }
                // Ticks go to the listener between the records they came between, as the live run told them.
                ArrayDeque<long[]> quiet = new ArrayDeque<>();
                ticks.setLong(1, from);
                ticks.setLong(2, to);
                try (ResultSet rs = ticks.executeQuery()) {
                    while (rs.next()) {
                        quiet.add(new long[] {rs.getLong(1), rs.getLong(2)});
                    }
                }
                events.setLong(1, from);
                events.setLong(2, to);
                long record = -1;
                long firstSeq = 0;
                long ingested = 0;
                List<Event> batch = new ArrayList<>();
                try (ResultSet rs = events.executeQuery()) {
                    while (rs.next()) {
                        long r = rs.getLong(10);
                        if (r != record && !batch.isEmpty()) {
                            l.loaded(record, firstSeq, ingested, batch);
                            batch = new ArrayList<>();
                        }
                        if (batch.isEmpty()) {
                            ticksBefore(r, quiet, l);
                            record = r;
                            firstSeq = rs.getLong(1);
                            ingested = rs.getLong(11);
                        }
                        long d = rs.getLong(7);
                        Long duration = rs.wasNull() ? null : d;
                        Map<String, String> corr = correlation.getOrDefault(rs.getLong(1), Map.of());
                        batch.add(new Event(rs.getLong(2), rs.getString(3), rs.getString(4),
                                EventKind.fromWire(rs.getString(5)).orElse(EventKind.OTHER), corr,
                                Outcome.fromWire(rs.getString(6)).orElse(Outcome.OK), duration, rs.getString(8),
                                rs.getString(9), JournalCodec.pipelineAttributes(corr, rs.getString(12))));
                    }
                }
                if (!batch.isEmpty()) {
                    l.loaded(record, firstSeq, ingested, batch);
                }
                ticksBefore(Long.MAX_VALUE, quiet, l);
                from = to + 1;
            }
        }
    }

    private static void ticksBefore(long recordNo, ArrayDeque<long[]> quiet, EventStore.RecordListener l)
            throws InterruptedException {
        while (!quiet.isEmpty() && quiet.peekFirst()[0] < recordNo) {
            long[] t = quiet.pollFirst();
            l.loaded(t[0], 0, t[1], List.of());
        }
    }
}
