package dev.vigil.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.CaseRecord;
import dev.vigil.correlate.CaseStatus;
import dev.vigil.order.LateEvent;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The pipeline's outputs in DuckDB: KPI windows and cases. One writer (the runtime's writer thread) and any
 * number of readers (the API); each side has its own connection.
 */
public final class OutputStore implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> LIST = new TypeReference<>() { };
    private static final TypeReference<Map<String, List<String>>> KEYS = new TypeReference<>() { };

    /** Rows read per call of {@link #rollUp} at most, give or take a period: a slice of catching up, not all of it. */
    private static final long ROLL_UP_ROWS_PER_CALL = 200_000;
    /**
     * And time: over sparse history a period holds a few hundred rows and two queries, and 200,000 rows were
     * seconds of a thread that also writes what users wait for (and a stop waited for the slice under way).
     */
    private static final long ROLL_UP_NANOS_PER_CALL = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300);
    /** Rolled stretches kept merged (see {@link #rolledSegments}): a few views' worth, each dimension's edges and hours. */
    private static final int ROLLED_SEGMENTS_KEPT = 48;

    private final Connection writeConn;
    private final Connection readConn;
    private final KpiRollups rollups;

    public OutputStore(EventStore journal) throws SQLException {
        this.writeConn = journal.newConnection();
        this.readConn = journal.newConnection();
        // Rows go through the appender into staging tables private to the writer's connection and from
        // there into the real tables in one statement each: a JDBC batch would cross into DuckDB once per
        // row, which is what made the writer the pipeline's bottleneck.
        try (Statement st = writeConn.createStatement()) {
            st.execute("CREATE TEMP TABLE stage_windows AS SELECT * FROM kpi_windows LIMIT 0");
            st.execute("CREATE TEMP TABLE stage_cases AS SELECT * FROM cases LIMIT 0");
            st.execute("CREATE TEMP TABLE stage_case_keys AS SELECT * FROM case_keys LIMIT 0");
            st.execute("CREATE TEMP TABLE stage_retired (id VARCHAR NOT NULL)");
            st.execute("CREATE TEMP TABLE stage_late AS SELECT * FROM late_events LIMIT 0");
        }
        this.rollups = new KpiRollups(writeConn);
    }

    /**
     * Writes windows and case changes in one transaction: after a crash, either all of them are there or none.
     *
     * @param afterCheckpoint the journal record of the last checkpoint taken before these changes (0: none),
     *                        so that {@link #forgetAfter} can take them back
     */
    public void write(List<MergedWindow> windows, List<CaseChange> cases, List<LateEvent> late, long afterCheckpoint)
            throws SQLException {
        if (windows.isEmpty() && cases.isEmpty() && late.isEmpty()) {
            return;
        }
        DuckDBConnection conn = writeConn.unwrap(DuckDBConnection.class);
        Transactions.inOne(writeConn, () -> {
            try (Statement st = writeConn.createStatement()) {
                // Each kind of row: staged, moved in one statement, and the staging table emptied for next time.
                if (!windows.isEmpty()) {
                    long earliest = windows.stream().mapToLong(MergedWindow::startMicros).min().getAsLong();
                    if (earliest < rollups.rolledBefore()) {
                        rollups.unrollFrom(earliest);
                    }
                    stageWindows(conn, windows);
                    st.execute("INSERT OR REPLACE INTO kpi_windows SELECT * FROM stage_windows");
                    st.execute("DELETE FROM stage_windows");
                }
                if (!cases.isEmpty()) {
                    if (stageCases(conn, cases, afterCheckpoint)) {
                        st.execute("DELETE FROM case_keys WHERE case_id IN (SELECT id FROM stage_retired)");
                        st.execute("DELETE FROM cases WHERE id IN (SELECT id FROM stage_retired)");
                        st.execute("DELETE FROM stage_retired");
                    }
                    st.execute("INSERT OR REPLACE INTO cases SELECT * FROM stage_cases");
                    // A case only ever gains keys, so the keys it had stay right.
                    st.execute("INSERT OR IGNORE INTO case_keys SELECT DISTINCT * FROM stage_case_keys");
                    st.execute("DELETE FROM stage_cases");
                    st.execute("DELETE FROM stage_case_keys");
                }
                if (!late.isEmpty()) {
                    stageLate(conn, late);
                    st.execute("INSERT OR REPLACE INTO late_events SELECT DISTINCT ON (seq) * FROM stage_late");
                    st.execute("DELETE FROM stage_late");
                }
            }
        });
    }

    private static void stageLate(DuckDBConnection conn, List<LateEvent> late) throws SQLException {
        try (DuckDBAppender a = conn.createAppender("temp", "main", "stage_late")) {
            for (LateEvent l : late) {
                a.beginRow().append(l.seq()).append(l.wire()).endRow();
            }
            a.flush();
        }
    }

    private static void stageWindows(DuckDBConnection conn, List<MergedWindow> windows) throws SQLException {
        try (DuckDBAppender a = conn.createAppender("temp", "main", "stage_windows")) {
            for (MergedWindow w : windows) {
                a.beginRow()
                        .append(w.key().dimension().wire())
                        .append(w.key().primary())
                        .append(w.key().secondary())
                        .appendEpochMicros(w.startMicros())
                        .append(w.window().count())
                        .append(w.window().errors())
                        .append(w.window().timed())
                        .append(w.window().sketchBytes())
                        .append(w.revision())
                        .endRow();
            }
            a.flush();
        }
    }

    /** Stages the last state of each case changed; returns whether any case id was retired. */
    private static boolean stageCases(DuckDBConnection conn, List<CaseChange> changes, long afterCheckpoint)
            throws SQLException {
        // Within one batch a case may change twice: the last word counts. An id retired and then used again
        // is cleared first, so that keys of what it was before do not stay with it.
        Map<String, CaseChange> last = new java.util.LinkedHashMap<>();
        java.util.Set<String> retired = new java.util.TreeSet<>();
        for (CaseChange c : changes) {
            switch (c) {
                case CaseChange.Updated u -> last.put(u.record().id(), u);
                case CaseChange.Retired r -> {
                    last.remove(r.id());
                    retired.add(r.id());
                }
            }
        }
        try (DuckDBAppender gone = conn.createAppender("temp", "main", "stage_retired");
             DuckDBAppender put = conn.createAppender("temp", "main", "stage_cases");
             DuckDBAppender keys = conn.createAppender("temp", "main", "stage_case_keys")) {
            for (String id : retired) {
                gone.beginRow().append(id).endRow();
            }
            for (CaseChange c : last.values()) {
                CaseRecord cr = ((CaseChange.Updated) c).record();
                put.beginRow()
                        .append(cr.id())
                        .append(cr.process())
                        .append(cr.status().wire())
                        .append(cr.outcome())
                        .appendEpochMicros(cr.firstMicros())
                        .appendEpochMicros(cr.lastMicros())
                        .append(cr.durationMicros())
                        .append(json(cr.path()))
                        .append(json(cr.keys()))
                        .append(cr.events())
                        .append(cr.failedEvents())
                        .append(afterCheckpoint)
                        .endRow();
                for (Map.Entry<String, List<String>> k : cr.keys().entrySet()) {
                    for (String v : k.getValue()) {
                        keys.beginRow().append(cr.id()).append(k.getKey()).append(v).endRow();
                    }
                }
            }
            gone.flush();
            put.flush();
            keys.flush();
        }
        return !retired.isEmpty();
    }

    /**
     * Deletes the cases written (and the late marks given) after the checkpoint at journal record
     * {@code checkpoint}: the pipeline,
     * restored to that checkpoint, is about to replay the journal after it and write them again. Windows
     * need no such care: their rows are keyed by series and minute, and the replay rewrites each one.
     */
    public void forgetAfter(long checkpoint) throws SQLException {
        Transactions.inOne(writeConn, () -> {
            try (Statement st = writeConn.createStatement()) {
                st.execute("DELETE FROM case_keys WHERE case_id IN (SELECT id FROM cases WHERE written_after >= " + checkpoint + ")");
                st.execute("DELETE FROM cases WHERE written_after >= " + checkpoint);
                // Lateness depends on what a partition had seen: the replay decides again for the events after R.
                st.execute("DELETE FROM late_events WHERE seq > (SELECT coalesce(max(seq), 0) FROM events WHERE record_no <= "
                        + checkpoint + ")");
            }
        });
    }

    /** Removes every output: the pipeline is about to rebuild them from the journal. */
    public void clear() throws SQLException {
        Transactions.inOne(writeConn, () -> {
            try (Statement st = writeConn.createStatement()) {
                st.execute("DELETE FROM kpi_windows");
                rollups.clear();
                st.execute("DELETE FROM cases");
                st.execute("DELETE FROM case_keys");
                st.execute("DELETE FROM late_events");
            }
        });
    }

    /**
     * Rolls the KPI windows final before {@code finalBefore} up into ten minutes, hours and days, a slice at a time
     * (see {@link KpiRollups}); the writer calls it after its writes. Returns the periods rolled.
     */
    public int rollUp(long finalBefore) throws SQLException {
        return rollups.rollUp(finalBefore, ROLL_UP_ROWS_PER_CALL, System.nanoTime() + ROLL_UP_NANOS_PER_CALL);
    }

    int rollUp(long finalBefore, long rowBudget) throws SQLException {
        return rollups.rollUp(finalBefore, rowBudget, Long.MAX_VALUE);
    }

    /** How far the roll-ups reach: the end of the last period rolled per grain, {@link Long#MIN_VALUE} for none. */
    public record RolledUp(long tenMinutes, long hours, long days) {
    }

    public RolledUp rolledUp() {
        long[] f = rollups.frontiers();
        return new RolledUp(f[0], f[1], f[2]);
    }

    /**
     * The rows of a dimension (and, when given, a key and a name) over the segments of a cover, read from minutes
     * and roll-ups: one SELECT per segment, {@code UNION ALL}, with the columns
     * {@code k1, k2, count, errors, timed, sketch, first, start} (first: the first minute in the row). Its parameters
     * are bound by {@link #prepare}.
     */
    private static String coverSql(String key, String name, List<KpiRollups.Segment> segments) {
        if (segments.isEmpty()) {
            return "SELECT k1, k2, count, errors, timed, sketch, 0 AS first, 0 AS start FROM kpi_windows WHERE false";
        }
        String filter = "dimension = ?" + (key == null ? "" : " AND k1 = ?") + (name == null ? "" : " AND k2 = ?");
        StringBuilder sql = new StringBuilder();
        for (KpiRollups.Segment seg : segments) {
            if (!sql.isEmpty()) {
                sql.append(" UNION ALL ");
            }
            if (seg.grain() == null) {
                sql.append("SELECT k1, k2, count, errors, timed, sketch, epoch_us(start) AS first, epoch_us(start) AS start"
                        + " FROM kpi_windows WHERE ").append(filter);
            } else {
                sql.append("SELECT k1, k2, count, errors, timed, sketch, epoch_us(first_start), epoch_us(start)"
                        + " FROM kpi_rollups WHERE grain = ").append(seg.grain().minutes).append(" AND ").append(filter);
            }
            sql.append(" AND start >= make_timestamp(").append(seg.fromMicros()).append(")")
                    .append(" AND start < make_timestamp(").append(seg.toMicros()).append(")");
        }
        return sql.toString();
    }

    /** {@code sql} made of {@link #coverSql} over {@code segments} segments, its parameters bound (on readConn). */
    private PreparedStatement prepare(String sql, int segments, Dimension dimension, String key, String name)
            throws SQLException {
        PreparedStatement ps = readConn.prepareStatement(sql);
        int i = 1;
        for (int n = 0; n < segments; n++) {
            ps.setString(i++, dimension.wire());
            if (key != null) {
                ps.setString(i++, key);
            }
            if (name != null) {
                ps.setString(i++, name);
            }
        }
        return ps;
    }

    /** The coarsest roll-up a series in steps of {@code step} may be read from: none finer than the step is mixed in. */
    private static KpiRollups.Grain coarsestFor(WindowSpan step) {
        return switch (step) {
            case MINUTE -> null;
            case HOUR -> KpiRollups.Grain.HOUR;
            case DAY -> KpiRollups.Grain.DAY;
        };
    }

    /** A step of a KPI series: the windows of that step merged. */
    public record KpiStep(long startMicros, KpiWindow window) {
    }

    /**
     * The windows of one series in [from, to), merged into steps. With {@code name} null, every name under
     * the key (all operations of a service) is merged in.
     */
    public List<KpiStep> kpis(Dimension dimension, String key, String name, long fromMicros, long toMicros, WindowSpan step)
            throws SQLException {
        TreeMap<Long, KpiWindow> steps = new TreeMap<>();
        synchronized (readConn) {
            List<KpiRollups.Segment> cover = rollups.cover(fromMicros, toMicros, coarsestFor(step));
            try (PreparedStatement ps = prepare(coverSql(key, name, cover), cover.size(), dimension, key, name);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    steps.computeIfAbsent(step.startOf(rs.getLong(8)), s -> new KpiWindow())
                            .mergeEncoded(rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getBytes(6));
                }
            }
        }
        List<KpiStep> out = new ArrayList<>();
        steps.forEach((s, w) -> out.add(new KpiStep(s, w)));
        return out;
    }

    /** Whether a series (a key, and a name under it when not null) has a window at all, at any time. */
    public boolean hasSeries(Dimension dimension, String key, String name) throws SQLException {
        synchronized (readConn) {
            try (PreparedStatement ps = readConn.prepareStatement("SELECT 1 FROM kpi_windows WHERE dimension = ? AND k1 = ?"
                    + (name == null ? "" : " AND k2 = ?") + " LIMIT 1")) {
                ps.setString(1, dimension.wire());
                ps.setString(2, key);
                if (name != null) {
                    ps.setString(3, name);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }
    }

    /** A series that has windows: its key, name, and event count in the range asked. */
    public record Series(Dimension dimension, String key, String name, long count, long errors) {
    }

    public List<Series> series(Dimension dimension, long fromMicros, long toMicros) throws SQLException {
        List<Series> out = new ArrayList<>();
        synchronized (readConn) {
            // Counts only: added up by DuckDB, so neither sketches nor a row per minute cross into Java.
            List<KpiRollups.Segment> cover = rollups.cover(fromMicros, toMicros, KpiRollups.Grain.DAY);
            String sums = "SELECT k1, k2, sum(count), sum(errors) FROM (" + coverSql(null, null, cover)
                    + ") GROUP BY k1, k2 ORDER BY k1, k2";
            try (PreparedStatement ps = prepare(sums, cover.size(), dimension, null, null); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Series(dimension, rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
                }
            }
        }
        return out;
    }

    /**
     * Every key of a dimension (or only {@code key}, when not null) with windows in [from, to): its events per minute,
     * all names under the key added up (no sketches read: the footprints count events, they do not need latencies).
     */
    public Map<String, Map<Long, Long>> countsPerMinute(Dimension dimension, String key, long fromMicros, long toMicros)
            throws SQLException {
        Map<String, Map<Long, Long>> out = new java.util.HashMap<>();
        synchronized (readConn) {
            try (PreparedStatement ps = readConn.prepareStatement("""
                    SELECT k1, epoch_us(start), sum(count) FROM kpi_windows
                    WHERE dimension = ? AND start >= make_timestamp(?) AND start < make_timestamp(?)"""
                    + (key == null ? "" : " AND k1 = ?") + " GROUP BY k1, start")) {
                ps.setString(1, dimension.wire());
                ps.setLong(2, fromMicros);
                ps.setLong(3, toMicros);
                if (key != null) {
                    ps.setString(4, key);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new java.util.HashMap<>())
                                .put(rs.getLong(2), rs.getLong(3));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Every key of a dimension over [from, to) in steps of {@code stepMinutes} (1, or a multiple of ten), all names
     * under a key merged: a row's trend beside its total, as the overview's sparklines draw it. Steps are aligned to
     * the epoch; a step without windows is absent. Roll-ups no coarser than the step are read where they exist.
     */
    public Map<String, TreeMap<Long, KpiWindow>> steps(Dimension dimension, long fromMicros, long toMicros, int stepMinutes)
            throws SQLException {
        if (stepMinutes != 1 && stepMinutes % 10 != 0) {
            throw new IllegalArgumentException("a step of " + stepMinutes + " minutes is neither one minute nor tens");
        }
        KpiRollups.Grain coarsest = stepMinutes == 1 ? null : stepMinutes % 1440 == 0 ? KpiRollups.Grain.DAY
                : stepMinutes % 60 == 0 ? KpiRollups.Grain.HOUR : KpiRollups.Grain.TEN_MINUTES;
        long step = stepMinutes * WindowSpan.MINUTE.micros();
        Map<String, TreeMap<Long, KpiWindow>> out = new java.util.HashMap<>();
        synchronized (readConn) {
            List<KpiRollups.Segment> cover = rollups.cover(fromMicros, toMicros, coarsest);
            try (PreparedStatement ps = prepare(coverSql(null, null, cover), cover.size(), dimension, null, null);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long start = rs.getLong(8);
                    out.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                            .computeIfAbsent(start - Math.floorMod(start, step), s -> new KpiWindow())
                            .mergeEncoded(rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getBytes(6));
                }
            }
        }
        return out;
    }

    /** One series' windows in a range merged into one: its totals and duration sketch, and its first window. */
    public record SeriesTotal(String key, String name, KpiWindow window, long firstMicros) {
    }

    /**
     * Every series of a dimension with windows in [from, to), each merged over the range: the estate overview
     * and map read a whole dimension at once rather than one query per service.
     */
    public List<SeriesTotal> totals(Dimension dimension, long fromMicros, long toMicros) throws SQLException {
        Map<List<String>, SeriesTotal> merged = new java.util.HashMap<>();
        synchronized (readConn) {
            long generation = rollups.generation();
            List<KpiRollups.Segment> cover = rollups.cover(fromMicros, toMicros, KpiRollups.Grain.DAY);
            List<KpiRollups.Segment> minutes = new ArrayList<>();
            for (KpiRollups.Segment seg : cover) {
                if (seg.grain() == null) {
                    minutes.add(seg);
                    continue;
                }
                SegmentKey key = new SegmentKey(dimension, seg, generation);
                List<SeriesTotal> rolled = rolledSegments.get(key);
                if (rolled == null) {
                    rolled = readTotals(dimension, List.of(seg));
                    // Kept only if no roll-up was taken back meanwhile: then what was read is what the periods hold.
                    if (rollups.generation() == generation) {
                        rolledSegments.put(key, rolled);
                    }
                }
                for (SeriesTotal t : rolled) {
                    addInto(merged, t.key(), t.name(), t.firstMicros()).window().mergeWith(t.window());
                }
            }
            if (!minutes.isEmpty()) {
                for (SeriesTotal t : readTotals(dimension, minutes)) {
                    addInto(merged, t.key(), t.name(), t.firstMicros()).window().mergeWith(t.window());
                }
            }
        }
        List<SeriesTotal> out = new ArrayList<>(merged.values());
        out.sort(java.util.Comparator.comparing(SeriesTotal::key).thenComparing(SeriesTotal::name));
        return out;
    }

    /** The series' running total in {@code merged}, made empty when new; its first minute the earliest seen. */
    private static SeriesTotal addInto(Map<List<String>, SeriesTotal> merged, String k1, String k2, long first) {
        List<String> key = List.of(k1, k2);
        SeriesTotal t = merged.get(key);
        if (t == null || first < t.firstMicros()) {
            t = new SeriesTotal(k1, k2, t == null ? new KpiWindow() : t.window(), first);
            merged.put(key, t);
        }
        return t;
    }

    /** A rolled stretch of a dimension, merged per series: it does not change while the roll-ups' generation holds. */
    private record SegmentKey(Dimension dimension, KpiRollups.Segment segment, long generation) {
    }

    /**
     * Rolled stretches already merged, most recently used last: the estate's views over a day ask for the same hours
     * every few seconds, and reading them was most of each answer. About a megabyte each for a thousand series.
     */
    private final Map<SegmentKey, List<SeriesTotal>> rolledSegments = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<SegmentKey, List<SeriesTotal>> eldest) {
            return size() > ROLLED_SEGMENTS_KEPT;
        }
    };

    /** Every series of a dimension over the segments, each merged, ordered by series (read under readConn). */
    private List<SeriesTotal> readTotals(Dimension dimension, List<KpiRollups.Segment> segments) throws SQLException {
        List<SeriesTotal> out = new ArrayList<>();
        // Ordered by series, the rows of one series come together: each is merged into the one before it as it is
        // read, with no map and no sketch made per row.
        try (PreparedStatement ps = prepare(coverSql(null, null, segments) + " ORDER BY k1, k2", segments.size(), dimension,
                null, null); ResultSet rs = ps.executeQuery()) {
            SeriesTotal current = null;
            while (rs.next()) {
                String k1 = rs.getString(1);
                String k2 = rs.getString(2);
                long first = rs.getLong(7);
                if (current == null || !current.name().equals(k2) || !current.key().equals(k1)) {
                    current = new SeriesTotal(k1, k2, new KpiWindow(), first);
                    out.add(current);
                } else if (first < current.firstMicros()) {
                    current = new SeriesTotal(k1, k2, current.window(), first);
                    out.set(out.size() - 1, current);
                }
                current.window().mergeEncoded(rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getBytes(6));
            }
        }
        return out;
    }

    /** A path through a process and how many cases took it. */
    public record PathCount(List<String> path, long cases) {
    }

    /**
     * One process over the cases that started in a range: how many per status, how many completed with outcome
     * ok, the duration percentiles (p50, p90, p99, milliseconds; exact, computed by the store) of the completed
     * ones or null without any, and its most frequent paths.
     */
    public record ProcessSummary(String process, Map<CaseStatus, Long> byStatus, long completedOk, double[] completedMs,
                                 List<PathCount> paths) {
        public long started() {
            return byStatus.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public List<ProcessSummary> processSummaries(long fromMicros, long toMicros, int pathsPerProcess) throws SQLException {
        StringBuilder perStatus = new StringBuilder();
        for (CaseStatus st : CaseStatus.values()) {
            perStatus.append("count(*) FILTER (WHERE status = '").append(st.wire()).append("'), ");
        }
        String completed = "status = '" + CaseStatus.COMPLETED.wire() + "'";
        Map<String, List<PathCount>> paths = new java.util.HashMap<>();
        List<ProcessSummary> out = new ArrayList<>();
        synchronized (readConn) {
            try (PreparedStatement ps = readConn.prepareStatement("""
                    SELECT process, path, n FROM (
                      SELECT process, path, count(*) AS n,
                             row_number() OVER (PARTITION BY process ORDER BY count(*) DESC, path) AS r
                      FROM cases WHERE first_time >= make_timestamp(?) AND first_time < make_timestamp(?)
                      GROUP BY process, path)
                    WHERE r <= ? ORDER BY process, n DESC, path""")) {
                ps.setLong(1, fromMicros);
                ps.setLong(2, toMicros);
                ps.setInt(3, pathsPerProcess);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        paths.computeIfAbsent(rs.getString(1), p -> new ArrayList<>())
                                .add(new PathCount(parse(rs.getString(2), LIST), rs.getLong(3)));
                    }
                }
            }
            try (PreparedStatement ps = readConn.prepareStatement("SELECT process, " + perStatus
                    + "count(*) FILTER (WHERE " + completed + " AND outcome = 'ok'), "
                    + "quantile_cont(duration_us, [0.5, 0.9, 0.99]) FILTER (WHERE " + completed + ") "
                    + "FROM cases WHERE first_time >= make_timestamp(?) AND first_time < make_timestamp(?) "
                    + "GROUP BY process ORDER BY process")) {
                ps.setLong(1, fromMicros);
                ps.setLong(2, toMicros);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = CaseStatus.values().length;
                    while (rs.next()) {
                        Map<CaseStatus, Long> byStatus = new java.util.EnumMap<>(CaseStatus.class);
                        for (CaseStatus st : CaseStatus.values()) {
                            byStatus.put(st, rs.getLong(2 + st.ordinal()));
                        }
                        java.sql.Array q = rs.getArray(n + 3);
                        double[] ms = null;
                        if (q != null) {
                            Object[] v = (Object[]) q.getArray();
                            ms = new double[v.length];
                            for (int i = 0; i < v.length; i++) {
                                ms[i] = ((Number) v[i]).doubleValue() / 1000;
                            }
                        }
                        String process = rs.getString(1);
                        out.add(new ProcessSummary(process, byStatus, rs.getLong(n + 2), ms,
                                paths.getOrDefault(process, List.of())));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Cases whose id starts with the text or that carry it as a correlation key value (any key): what a person
     * pastes into a search box is an order number, rarely the key's name.
     */
    public List<CaseRecord> casesMatching(String text, int limit) throws SQLException {
        String escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return queryCases("SELECT " + CASE_COLUMNS + " FROM cases c WHERE c.id LIKE ? ESCAPE '\\' "
                + "OR c.id IN (SELECT case_id FROM case_keys WHERE value = ?) ORDER BY c.first_time DESC, c.id LIMIT " + limit,
                List.of(escaped + "%", text));
    }

    /** Which cases to list. Null fields do not filter. */
    public record CaseQuery(String process, CaseStatus status, Long fromMicros, Long toMicros, String keyName,
                            String keyValue, int limit, boolean descending, Long afterFirstMicros, String afterId) {
    }

    public List<CaseRecord> cases(CaseQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + CASE_COLUMNS + " FROM cases c WHERE true");
        List<Object> args = new ArrayList<>();
        if (q.process() != null) {
            sql.append(" AND c.process = ?");
            args.add(q.process());
        }
        if (q.status() != null) {
            sql.append(" AND c.status = ?");
            args.add(q.status().wire());
        }
        if (q.fromMicros() != null) {
            // A case overlaps [from, to) when it ends at or after from and starts before to.
            sql.append(" AND c.last_time >= make_timestamp(?)");
            args.add(q.fromMicros());
        }
        if (q.toMicros() != null) {
            sql.append(" AND c.first_time < make_timestamp(?)");
            args.add(q.toMicros());
        }
        if (q.keyName() != null) {
            sql.append(" AND c.id IN (SELECT case_id FROM case_keys WHERE key = ? AND value = ?)");
            args.add(q.keyName());
            args.add(q.keyValue());
        }
        String cmp = q.descending() ? "<" : ">";
        if (q.afterFirstMicros() != null) {
            sql.append(" AND (c.first_time ").append(cmp).append(" make_timestamp(?) OR (c.first_time = make_timestamp(?) AND c.id ")
                    .append(cmp).append(" ?))");
            args.add(q.afterFirstMicros());
            args.add(q.afterFirstMicros());
            args.add(q.afterId());
        }
        String dir = q.descending() ? " DESC" : "";
        sql.append(" ORDER BY c.first_time").append(dir).append(", c.id").append(dir).append(" LIMIT ").append(q.limit());
        return queryCases(sql.toString(), args);
    }

    public Optional<CaseRecord> caseById(String id) throws SQLException {
        List<CaseRecord> r = queryCases("SELECT " + CASE_COLUMNS + " FROM cases c WHERE c.id = ?", List.of(id));
        return r.stream().findFirst();
    }

    /** How each of these events arrived, for those that came behind the watermark: seq to late or tooLate. */
    public Map<Long, String> lateness(java.util.Collection<Long> seqs) throws SQLException {
        Map<Long, String> out = new java.util.HashMap<>();
        if (seqs.isEmpty()) {
            return out;
        }
        StringBuilder in = new StringBuilder();
        for (long s : seqs) {
            in.append(in.isEmpty() ? "" : ",").append(s);
        }
        synchronized (readConn) {
            try (Statement st = readConn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT seq, lateness FROM late_events WHERE seq IN (" + in + ")")) {
                while (rs.next()) {
                    out.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** Cases per status, for statistics. */
    public Map<String, Long> caseCounts() throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        synchronized (readConn) {
            try (Statement st = readConn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT status, count(*) FROM cases GROUP BY status")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    private static final String CASE_COLUMNS = "c.id, c.process, c.status, c.outcome, epoch_us(c.first_time), "
            + "epoch_us(c.last_time), c.path, c.keys, c.events, c.failed";

    private List<CaseRecord> queryCases(String sql, List<Object> args) throws SQLException {
        List<CaseRecord> out = new ArrayList<>();
        synchronized (readConn) {
            try (PreparedStatement ps = readConn.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new CaseRecord(rs.getString(1), rs.getString(2),
                                dev.vigil.event.WireName.parse(CaseStatus.values(), rs.getString(3)).orElseThrow(),
                                rs.getString(4), rs.getLong(5), rs.getLong(6), parse(rs.getString(7), LIST),
                                parse(rs.getString(8), KEYS), rs.getInt(9), rs.getInt(10)));
                    }
                }
            }
        }
        return out;
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T parse(String s, TypeReference<T> type) {
        try {
            return JSON.readValue(s, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a stored case is unreadable: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            writeConn.close();
        } finally {
            readConn.close();
        }
    }
}
