package dev.vigil.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The store's tables, created or migrated when a data folder is opened. Each migration runs once, in order,
 * and records itself in {@code schema_version}; a folder written by a newer Vigil is refused, not guessed at.
 */
final class Schema {

    private static final List<String> MIGRATIONS = List.of(
            // 1: the journal of canonical events. time is UTC (TIMESTAMP has no zone; the API says so).
            // Correlation keys live in event_keys only (one place, indexed by value for the key filter).
            // record_no is the journal record an event or count came from: after a crash, the records above
            // the highest one here are loaded again from the journal (see EventStore).
            """
            CREATE TABLE events (
                seq          BIGINT    NOT NULL,
                time         TIMESTAMP NOT NULL,
                source       VARCHAR   NOT NULL,
                name         VARCHAR   NOT NULL,
                kind         VARCHAR   NOT NULL,
                outcome      VARCHAR   NOT NULL,
                duration_us  BIGINT,
                peer         VARCHAR,
                unit         VARCHAR,
                attributes   VARCHAR,
                ingested     TIMESTAMP NOT NULL,
                record_no    BIGINT    NOT NULL
            );
            CREATE TABLE event_keys (
                seq   BIGINT  NOT NULL,
                key   VARCHAR NOT NULL,
                value VARCHAR NOT NULL
            );
            CREATE TABLE rejections (
                code  VARCHAR   NOT NULL,
                count BIGINT    NOT NULL,
                counted_at TIMESTAMP NOT NULL,
                record_no  BIGINT    NOT NULL
            );
            """,
            // 2: the pipeline's outputs. One row per series and minute (the last revision wins) and one per case;
            // both are written with INSERT OR REPLACE so that replaying after a crash rewrites the same rows.
            """
            CREATE TABLE kpi_windows (
                dimension VARCHAR   NOT NULL,
                k1        VARCHAR   NOT NULL,
                k2        VARCHAR   NOT NULL,
                start     TIMESTAMP NOT NULL,
                count     BIGINT    NOT NULL,
                errors    BIGINT    NOT NULL,
                timed     BIGINT    NOT NULL,
                sketch    BLOB      NOT NULL,
                revision  INTEGER   NOT NULL,
                PRIMARY KEY (dimension, k1, k2, start)
            );
            CREATE TABLE cases (
                id          VARCHAR   PRIMARY KEY,
                process     VARCHAR   NOT NULL,
                status      VARCHAR   NOT NULL,
                outcome     VARCHAR   NOT NULL,
                first_time  TIMESTAMP NOT NULL,
                last_time   TIMESTAMP NOT NULL,
                duration_us BIGINT    NOT NULL,
                path        VARCHAR   NOT NULL,
                keys        VARCHAR   NOT NULL,
                events      INTEGER   NOT NULL,
                failed      INTEGER   NOT NULL
            );
            CREATE TABLE case_keys (
                case_id VARCHAR NOT NULL,
                key     VARCHAR NOT NULL,
                value   VARCHAR NOT NULL,
                PRIMARY KEY (case_id, key, value)
            );
            """,
            // 3: which checkpoint a case row was written after. A restart from checkpoint R deletes the rows
            // written after R and lets the replay write them again: a case the crashed run wrote in passing
            // (say, a shipment seen before its order) and retired nowhere else would otherwise stay for good.
            """
            ALTER TABLE cases ADD COLUMN written_after BIGINT DEFAULT 0;
            """,
            // 4: events that arrived behind the watermark (few), for the case page to mark.
            """
            CREATE TABLE late_events (
                seq      BIGINT  PRIMARY KEY,
                lateness VARCHAR NOT NULL
            );
            """,
            // 5: alerts. Which burn-rate rules fire (so a restart does not raise them again), and the outbox of
            // notifications: written in the same transaction as the state change, deleted once delivered.
            """
            CREATE TABLE alert_state (
                objective VARCHAR   NOT NULL,
                rule      VARCHAR   NOT NULL,
                firing    BOOLEAN   NOT NULL,
                since     TIMESTAMP NOT NULL,
                PRIMARY KEY (objective, rule)
            );
            CREATE TABLE alert_outbox (
                id           BIGINT    PRIMARY KEY,
                target       VARCHAR   NOT NULL,
                payload      VARCHAR   NOT NULL,
                created      TIMESTAMP NOT NULL,
                attempts     INTEGER   NOT NULL,
                next_attempt TIMESTAMP NOT NULL,
                last_error   VARCHAR
            );
            """,
            // 6: every alert change, for GET /api/v1/alerts' recent changes across restarts; written in the same
            // transaction as the state.
            """
            CREATE TABLE alert_history (
                seq        BIGINT    PRIMARY KEY,
                objective  VARCHAR   NOT NULL,
                severity   VARCHAR   NOT NULL,
                factor     DOUBLE    NOT NULL,
                long_us    BIGINT    NOT NULL,
                short_us   BIGINT    NOT NULL,
                or_equal   BOOLEAN   NOT NULL,
                firing     BOOLEAN   NOT NULL,
                changed_at TIMESTAMP NOT NULL,
                long_burn  DOUBLE    NOT NULL,
                short_burn DOUBLE    NOT NULL
            );
            """,
            // 7: the journal's ticks: records without events, written while nothing arrives, whose wall-clock time
            // moves the pipeline's watermark on (idle progress). Kept so that a replay sees them as the live run did.
            """
            CREATE TABLE ticks (
                record_no BIGINT    NOT NULL,
                tick_time TIMESTAMP NOT NULL
            );
            """,
            // 8: hosts' resources per minute from scrapes (the USE view); NULL where the exporter said nothing.
            """
            CREATE TABLE host_minutes (
                host           VARCHAR   NOT NULL,
                minute         TIMESTAMP NOT NULL,
                scrapes        INTEGER   NOT NULL,
                cpus           INTEGER   NOT NULL,
                cpu            DOUBLE,
                cpu_max        DOUBLE,
                load_per_core  DOUBLE,
                cpu_pressure   DOUBLE,
                memory         DOUBLE,
                memory_total   DOUBLE,
                major_faults   DOUBLE,
                disk_busy      DOUBLE,
                disk_queue     DOUBLE,
                fs_free        DOUBLE,
                net_bytes      DOUBLE,
                net_errors     DOUBLE,
                net_drops      DOUBLE,
                PRIMARY KEY (host, minute)
            );
            """,
            // 9: process groups' use of their hosts per minute (process exporters, OpenTelemetry process metrics):
            // the measured footprints. NULL where the source said nothing.
            """
            CREATE TABLE footprint_minutes (
                host       VARCHAR   NOT NULL,
                grp        VARCHAR   NOT NULL,
                minute     TIMESTAMP NOT NULL,
                scrapes    INTEGER   NOT NULL,
                cores      DOUBLE,
                resident   DOUBLE,
                disk       DOUBLE,
                processes  INTEGER   NOT NULL,
                PRIMARY KEY (host, grp, minute)
            );
            """,
            // 10: KPI windows rolled up into ten minutes, hours and days (grain in minutes), so that a day or a month
            // is read as a few dozen rows per series; first_start is the first minute rolled in (rates start there).
            """
            CREATE TABLE kpi_rollups (
                grain       INTEGER   NOT NULL,
                dimension   VARCHAR   NOT NULL,
                k1          VARCHAR   NOT NULL,
                k2          VARCHAR   NOT NULL,
                start       TIMESTAMP NOT NULL,
                first_start TIMESTAMP NOT NULL,
                count       BIGINT    NOT NULL,
                errors      BIGINT    NOT NULL,
                timed       BIGINT    NOT NULL,
                sketch      BLOB      NOT NULL,
                PRIMARY KEY (grain, dimension, k1, k2, start)
            );
            """,
            // 11: what people did about alerts: an acknowledgement holds for one firing (objective, rule and the
            // minute it started firing); a silence stops the notifications of an objective (or one of its rules)
            // between two wall-clock times. Neither is derived from events: a rebuild keeps them.
            """
            CREATE TABLE alert_acks (
                objective    VARCHAR   NOT NULL,
                rule         VARCHAR   NOT NULL,
                firing_since TIMESTAMP NOT NULL,
                by_whom      VARCHAR   NOT NULL,
                note         VARCHAR   NOT NULL,
                acked_at     TIMESTAMP NOT NULL,
                PRIMARY KEY (objective, rule, firing_since)
            );
            CREATE TABLE alert_silences (
                id         BIGINT    PRIMARY KEY,
                objective  VARCHAR   NOT NULL,
                rule       VARCHAR,
                starts     TIMESTAMP NOT NULL,
                ends       TIMESTAMP NOT NULL,
                by_whom    VARCHAR   NOT NULL,
                reason     VARCHAR   NOT NULL,
                created    TIMESTAMP NOT NULL,
                expired_by VARCHAR,
                expired_at TIMESTAMP
            );
            """,
            // 12: every acknowledgement of a firing, not only the last: a second responder's word must not erase
            // the first's (who took it, and when, is what an incident review asks).
            """
            CREATE TABLE alert_acknowledgements (
                objective    VARCHAR   NOT NULL,
                rule         VARCHAR   NOT NULL,
                firing_since TIMESTAMP NOT NULL,
                by_whom      VARCHAR   NOT NULL,
                note         VARCHAR   NOT NULL,
                acked_at     TIMESTAMP NOT NULL
            );
            INSERT INTO alert_acknowledgements SELECT objective, rule, firing_since, by_whom, note, acked_at FROM alert_acks;
            DROP TABLE alert_acks;
            """);

    private Schema() {
    }

    static void migrate(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied TIMESTAMP NOT NULL)");
            int current;
            try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
                rs.next();
                current = rs.getInt(1);
            }
            if (current > MIGRATIONS.size()) {
                throw new SQLException("the data folder was written by a newer Vigil (schema version " + current
                        + ", this Vigil knows up to " + MIGRATIONS.size() + "); use that version or another --data folder");
            }
            for (int v = current + 1; v <= MIGRATIONS.size(); v++) {
                conn.setAutoCommit(false);
                try {
                    for (String sql : MIGRATIONS.get(v - 1).split(";")) {
                        if (!sql.isBlank()) {
                            st.execute(sql);
                        }
                    }
                    st.execute("INSERT INTO schema_version VALUES (" + v + ", now())");
                    conn.commit();
                } catch (SQLException e) {
                    conn.rollback();
                    throw e;
                } finally {
                    conn.setAutoCommit(true);
                }
            }
        }
    }
}
