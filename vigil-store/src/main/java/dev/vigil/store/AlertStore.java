package dev.vigil.store;

import dev.vigil.assess.BurnRule;
import dev.vigil.assess.ObjectiveLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Alert state and the notification outbox in DuckDB. A state change and its notifications are written in
 * one transaction, so a crash leaves both or neither; a notification leaves the outbox only once its
 * receiver acknowledged it, so a receiver that is down, or a Vigil that restarts, loses none.
 */
public final class AlertStore implements AutoCloseable {

    /** A notification waiting for delivery. */
    public record Pending(long id, String target, String payload, int attempts) {
    }

    private final Connection conn;
    private long nextId;
    private long nextHistory;

    public AlertStore(EventStore journal) throws SQLException {
        this.conn = journal.newConnection();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM alert_outbox")) {
            rs.next();
            nextId = rs.getLong(1) + 1;
        }
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(seq), 0) FROM alert_history")) {
            rs.next();
            nextHistory = rs.getLong(1) + 1;
        }
    }

    /** A rule's last change: whether it fires, and since when. */
    public record State(boolean firing, long sinceMicros) {
    }

    /** Each rule's last change, by objective then rule id. */
    public synchronized Map<String, Map<String, State>> states() throws SQLException {
        Map<String, Map<String, State>> out = new HashMap<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT objective, rule, firing, epoch_us(since) FROM alert_state")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
                        .put(rs.getString(2), new State(rs.getBoolean(3), rs.getLong(4)));
            }
        }
        return out;
    }

    /** Records a rule's change (its state, and the history) and queues its notification to each target, atomically. */
    public synchronized void change(ObjectiveLedger.Transition t, List<String> targets, String payload) throws SQLException {
        Transactions.inOne(conn, () -> {
            try (PreparedStatement state = conn.prepareStatement("INSERT OR REPLACE INTO alert_state VALUES (?, ?, ?, make_timestamp(?))");
                 PreparedStatement history = conn.prepareStatement(
                         "INSERT INTO alert_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, make_timestamp(?), ?, ?)");
                 PreparedStatement out = conn.prepareStatement(
                         "INSERT INTO alert_outbox VALUES (?, ?, ?, now(), 0, now(), NULL)")) {
                state.setString(1, t.objective());
                state.setString(2, t.rule().id());
                state.setBoolean(3, t.firing());
                state.setLong(4, t.atMicros());
                state.execute();
                history.setLong(1, nextHistory++);
                bindChange(history, 2, t);
                history.setDouble(10, t.longBurn());
                history.setDouble(11, t.shortBurn());
                history.execute();
                for (String target : targets) {
                    out.setLong(1, nextId++);
                    out.setString(2, target);
                    out.setString(3, payload);
                    out.executeUpdate(); // not a JDBC batch: the driver would open a transaction of its own
                }
            }
        });
    }

    /** The last {@code limit} alert changes, newest first, across restarts. */
    public synchronized List<ObjectiveLedger.Transition> history(int limit) throws SQLException {
        List<ObjectiveLedger.Transition> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT objective, severity, factor, long_us, short_us, or_equal, "
                + "firing, epoch_us(changed_at), long_burn, short_burn FROM alert_history ORDER BY seq DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BurnRule r = new BurnRule(rs.getString(2), rs.getDouble(3), rs.getLong(4), rs.getLong(5), rs.getBoolean(6));
                    out.add(new ObjectiveLedger.Transition(rs.getString(1), r, rs.getBoolean(7), rs.getLong(8),
                            rs.getDouble(9), rs.getDouble(10)));
                }
            }
        }
        return out;
    }

    /**
     * Whether this very change (objective, rule, firing or not, at that minute) is recorded already: the pipeline
     * hands out again, after a restart, the changes it made after its last checkpoint.
     */
    public synchronized boolean recorded(ObjectiveLedger.Transition t) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT count(*) FROM alert_history WHERE objective = ? "
                + "AND severity = ? AND factor = ? AND long_us = ? AND short_us = ? AND or_equal = ? AND firing = ? "
                + "AND changed_at = make_timestamp(?)")) {
            bindChange(ps, 1, t);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /**
     * Sets what names one change, from parameter {@code from} on, in alert_history's column order: objective,
     * the rule (severity, factor, long and short window, or-equal), firing, when.
     */
    private static void bindChange(PreparedStatement ps, int from, ObjectiveLedger.Transition t) throws SQLException {
        BurnRule r = t.rule();
        ps.setString(from, t.objective());
        ps.setString(from + 1, r.severity());
        ps.setDouble(from + 2, r.factor());
        ps.setLong(from + 3, r.longMicros());
        ps.setLong(from + 4, r.shortMicros());
        ps.setBoolean(from + 5, r.orEqual());
        ps.setBoolean(from + 6, t.firing());
        ps.setLong(from + 7, t.atMicros());
    }

    /** Someone's acknowledgement of one firing: the rule, the minute it started firing, who, why, when (wall clock). */
    public record Ack(String objective, String rule, long firingSince, String by, String note, long atMicros) {
    }

    /**
     * Records an acknowledgement of the firing that started at {@code firingSince}. Every one is kept: a second
     * responder's word is added to the first's, never put in its place.
     */
    public synchronized void acknowledge(Ack ack) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO alert_acknowledgements VALUES (?, ?, make_timestamp(?), ?, ?, make_timestamp(?))")) {
            ps.setString(1, ack.objective());
            ps.setString(2, ack.rule());
            ps.setLong(3, ack.firingSince());
            ps.setString(4, ack.by());
            ps.setString(5, ack.note());
            ps.setLong(6, ack.atMicros());
            ps.execute();
        }
    }

    /** Every acknowledgement, oldest first, by objective, rule and the firing's start ({@code objective/rule/since}). */
    public synchronized Map<String, List<Ack>> acks() throws SQLException {
        Map<String, List<Ack>> out = new HashMap<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT objective, rule, epoch_us(firing_since), by_whom, note, epoch_us(acked_at) FROM alert_acknowledgements "
                        + "ORDER BY acked_at")) {
            while (rs.next()) {
                Ack a = new Ack(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getLong(6));
                out.computeIfAbsent(a.objective() + "/" + a.rule() + "/" + a.firingSince(), k -> new ArrayList<>()).add(a);
            }
        }
        return out;
    }

    /**
     * A silence: no notification for the objective (or only its {@code rule}, when not null) from {@code starts}
     * to {@code ends} (wall clock, microseconds). Alerts still fire and show; only their messages are held back.
     */
    public record Silence(long id, String objective, String rule, long starts, long ends, String by, String reason,
                          long createdMicros, String expiredBy, long expiredAtMicros) {
        public boolean covers(String objective, String ruleId, long atMicros) {
            return this.objective.equals(objective) && (rule == null || rule.equals(ruleId))
                    && atMicros >= starts && atMicros < effectiveEnd();
        }

        /** When it stops holding: its end, or when someone expired it, if earlier. */
        public long effectiveEnd() {
            return expiredBy == null ? ends : Math.min(ends, expiredAtMicros);
        }
    }

    /** Records a new silence; returns it with its id. */
    public synchronized Silence silence(String objective, String rule, long starts, long ends, String by, String reason,
                                        long nowMicros) throws SQLException {
        long id;
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) + 1 FROM alert_silences")) {
            rs.next();
            id = rs.getLong(1);
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO alert_silences VALUES (?, ?, ?, make_timestamp(?), "
                + "make_timestamp(?), ?, ?, make_timestamp(?), NULL, NULL)")) {
            ps.setLong(1, id);
            ps.setString(2, objective);
            ps.setString(3, rule);
            ps.setLong(4, starts);
            ps.setLong(5, ends);
            ps.setString(6, by);
            ps.setString(7, reason);
            ps.setLong(8, nowMicros);
            ps.execute();
        }
        return new Silence(id, objective, rule, starts, ends, by, reason, nowMicros, null, 0);
    }

    /** Ends a silence now; false when there is no such silence or it has already ended or been expired. */
    public synchronized boolean expire(long id, String by, long nowMicros) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE alert_silences SET expired_by = ?, expired_at = make_timestamp(?) "
                + "WHERE id = ? AND expired_by IS NULL AND ends > make_timestamp(?)")) {
            ps.setString(1, by);
            ps.setLong(2, nowMicros);
            ps.setLong(3, id);
            ps.setLong(4, nowMicros);
            return ps.executeUpdate() > 0;
        }
    }

    /** The silences that end after {@code sinceMicros} (whether they have started or not), newest first. */
    public synchronized List<Silence> silences(long sinceMicros) throws SQLException {
        List<Silence> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT id, objective, rule, epoch_us(starts), epoch_us(ends), by_whom, "
                + "reason, epoch_us(created), expired_by, coalesce(epoch_us(expired_at), 0) FROM alert_silences "
                + "WHERE (CASE WHEN expired_at IS NULL OR ends < expired_at THEN ends ELSE expired_at END) > make_timestamp(?) "
                + "ORDER BY id DESC")) {
            ps.setLong(1, sinceMicros);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Silence(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                            rs.getString(6), rs.getString(7), rs.getLong(8), rs.getString(9), rs.getLong(10)));
                }
            }
        }
        return out;
    }

    /** The silence that holds back a notification of this rule at this wall-clock time, or null. */
    public Silence silencing(String objective, String ruleId, long atMicros) throws SQLException {
        for (Silence s : silences(atMicros)) {
            if (s.covers(objective, ruleId, atMicros)) {
                return s;
            }
        }
        return null;
    }

    /** Forgets every alert's state and history (not the notifications still owed): the pipeline rebuilds them. */
    public synchronized void clear() throws SQLException {
        Transactions.inOne(conn, () -> {
            try (Statement st = conn.createStatement()) {
                st.execute("DELETE FROM alert_state");
                st.execute("DELETE FROM alert_history");
            }
        });
    }

    /** Notifications whose next attempt is due, oldest first. */
    public synchronized List<Pending> due(int limit) throws SQLException {
        List<Pending> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT id, target, payload, attempts FROM alert_outbox WHERE next_attempt <= now() ORDER BY id LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Pending(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4)));
                }
            }
        }
        return out;
    }

    public synchronized void delivered(long id) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM alert_outbox WHERE id = ?")) {
            ps.setLong(1, id);
            ps.execute();
        }
    }

    public synchronized void failed(long id, long retryInMillis, String error) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE alert_outbox SET attempts = attempts + 1, "
                + "next_attempt = now() + to_milliseconds(?), last_error = ? WHERE id = ?")) {
            ps.setLong(1, retryInMillis);
            ps.setString(2, error.length() > 500 ? error.substring(0, 500) : error);
            ps.setLong(3, id);
            ps.execute();
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        conn.close();
    }
}
