package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.StoredEvent;
import dev.vigil.query.EventPage;
import dev.vigil.query.EventQuery;
import dev.vigil.query.IngestStats;
import dev.vigil.query.PageCursor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The query side of the event table: pages of events and counts, each on a connection of its own. The caller
 * first waits until the table holds what was acknowledged (see {@link EventStore}).
 */
final class EventQueries {

    /** Opens a connection to the database; the caller closes it. */
    interface Connections {
        Connection get() throws SQLException;
    }

    private final Connections connections;

    EventQueries(Connections connections) {
        this.connections = connections;
    }

    /** One page of events matching the query, ordered by (event time, seq). */
    EventPage query(EventQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("""
                SELECT seq, epoch_us(time), source, name, kind, outcome, duration_us, peer, unit, attributes
                FROM events WHERE true""");
        List<Object> args = new ArrayList<>();
        if (q.source() != null) {
            sql.append(" AND source = ?");
            args.add(q.source());
        }
        if (q.name() != null) {
            sql.append(" AND name = ?");
            args.add(q.name());
        }
        if (q.peer() != null) {
            sql.append(" AND peer = ?");
            args.add(q.peer());
        }
        if ("failed".equals(q.outcome())) {
            sql.append(" AND outcome <> 'ok'");
        } else if (q.outcome() != null) {
            sql.append(" AND outcome = ?");
            args.add(q.outcome());
        }
        if (q.fromMicros() != null) {
            sql.append(" AND time >= make_timestamp(?::BIGINT)");
            args.add(q.fromMicros());
        }
        if (q.toMicros() != null) {
            sql.append(" AND time < make_timestamp(?::BIGINT)");
            args.add(q.toMicros());
        }
        if (q.keyName() != null) {
            sql.append(" AND seq IN (SELECT seq FROM event_keys WHERE key = ? AND value = ?)");
            args.add(q.keyName());
            args.add(q.keyValue());
        }
        String cmp = q.newestFirst() ? "<" : ">";
        if (q.after() != null) {
            sql.append(" AND (time ").append(cmp).append(" make_timestamp(?::BIGINT) OR (time = make_timestamp(?::BIGINT) AND seq ")
                    .append(cmp).append(" ?))");
            args.add(q.after().timeMicros());
            args.add(q.after().timeMicros());
            args.add(q.after().seq());
        }
        String dir = q.newestFirst() ? " DESC" : "";
        sql.append(" ORDER BY time").append(dir).append(", seq").append(dir).append(" LIMIT ?");
        args.add(q.limit() + 1);
        List<StoredEvent> out = new ArrayList<>(Math.min(q.limit(), 1024));
        boolean more = false;
        try (Connection c = connections.get(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rows.size() == q.limit()) {
                        more = true;
                        break;
                    }
                    rows.add(Row.read(rs));
                }
            }
            Map<Long, Map<String, String>> keys = correlationOf(c, rows);
            for (Row row : rows) {
                out.add(row.with(keys.getOrDefault(row.seq(), Map.of())));
            }
        }
        PageCursor next = null;
        if (more) {
            StoredEvent last = out.get(out.size() - 1);
            next = new PageCursor(last.event().timeMicros(), last.seq(), q.newestFirst());
        }
        return new EventPage(out, next);
    }

    /** An events row before its correlation keys are attached. */
    private record Row(long seq, long time, String source, String name, String kind, String outcome, Long duration,
                       String peer, String unit, String attributes) {

        static Row read(ResultSet rs) throws SQLException {
            long duration = rs.getLong(7);
            Long d = rs.wasNull() ? null : duration;
            return new Row(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getString(6), d, rs.getString(8), rs.getString(9), rs.getString(10));
        }

        StoredEvent with(Map<String, String> correlation) {
            return new StoredEvent(seq, new Event(time, source, name, EventKind.fromWire(kind).orElse(EventKind.OTHER),
                    correlation, Outcome.fromWire(outcome).orElse(Outcome.ERROR), duration, peer, unit,
                    JsonValues.readObject(attributes)));
        }
    }

    /** The correlation keys of a page of events, by sequence number. */
    private static Map<Long, Map<String, String>> correlationOf(Connection c, List<Row> rows) throws SQLException {
        Map<Long, Map<String, String>> keys = new java.util.HashMap<>();
        if (rows.isEmpty()) {
            return keys;
        }
        StringBuilder in = new StringBuilder();
        for (Row row : rows) {
            in.append(in.isEmpty() ? "" : ",").append(row.seq());
        }
        // The numbers are our own longs, so listing them in the statement is safe.
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT seq, key, value FROM event_keys WHERE seq IN (" + in + ")")) {
            while (rs.next()) {
                keys.computeIfAbsent(rs.getLong(1), k -> new java.util.HashMap<>()).put(rs.getString(2), rs.getString(3));
            }
        }
        return keys;
    }

    /** Counts of stored events by source and name, and of rejected items by reason. */
    IngestStats stats() throws SQLException {
        try (Connection c = connections.get(); Statement st = c.createStatement()) {
            long count;
            long maxSeq;
            try (ResultSet rs = st.executeQuery("SELECT count(*), coalesce(max(seq), 0) FROM events")) {
                rs.next();
                count = rs.getLong(1);
                maxSeq = rs.getLong(2);
            }
            List<IngestStats.SourceNameCount> bySource = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(
                    "SELECT source, name, count(*) AS n FROM events GROUP BY source, name ORDER BY n DESC, source, name")) {
                while (rs.next()) {
                    bySource.add(new IngestStats.SourceNameCount(rs.getString(1), rs.getString(2), rs.getLong(3)));
                }
            }
            Map<String, Long> rejected = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery(
                    "SELECT code, sum(count)::BIGINT AS n FROM rejections GROUP BY code ORDER BY n DESC, code")) {
                while (rs.next()) {
                    rejected.put(rs.getString(1), rs.getLong(2));
                }
            }
            Map<String, Long> uninterpreted = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery(
                    "SELECT source, count(*) AS n FROM events WHERE kind = 'uninterpreted' GROUP BY source ORDER BY n DESC, source")) {
                while (rs.next()) {
                    uninterpreted.put(rs.getString(1), rs.getLong(2));
                }
            }
            return new IngestStats(count, maxSeq, bySource, rejected, uninterpreted);
        }
    }

    /** True while the store answers a trivial query. */
    boolean healthy() {
        try (Connection c = connections.get(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }
}
