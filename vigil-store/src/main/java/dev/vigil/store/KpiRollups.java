package dev.vigil.store;

import dev.vigil.summarise.KpiWindow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * KPI windows rolled up into ten minutes, hours and days, so that a reader over a day or a month merges a few dozen
 * rows per series instead of one per minute. Only final minutes are rolled (before the pipeline's finalBefore, where
 * no late event folds in any more), each grain from the one below it, oldest period first. A write that touches a
 * rolled period all the same un-rolls it and every period after it, in the write's own transaction, so that a
 * roll-up never disagrees with its minutes; it is rolled again later.
 *
 * <p>Per grain, the frontier is the end of the last period rolled: readers take roll-ups only before it (see
 * {@link #cover}). Frontiers live in memory, read back from the table when the store opens. Only the pipeline's
 * writer thread rolls and un-rolls; readers on other threads only read the frontiers.
 */
final class KpiRollups {

    /** The roll-up sizes, each a whole number of the one before: periods are aligned on the epoch, UTC. */
    enum Grain {
        TEN_MINUTES(10),
        HOUR(60),
        DAY(1440);

        final int minutes;
        final long micros;

        Grain(int minutes) {
            this.minutes = minutes;
            this.micros = minutes * 60_000_000L;
        }

        long startOf(long timeMicros) {
            return Math.floorDiv(timeMicros, micros) * micros;
        }

        /** The first period start at or after {@code timeMicros}. */
        long ceil(long timeMicros) {
            return -Math.floorDiv(-timeMicros, micros) * micros;
        }
    }

    private static final Grain[] GRAINS = Grain.values();
    private static final long NONE = Long.MIN_VALUE;

    /** A stretch of time read from one table: minutes ({@code grain} null) or one grain of roll-ups. */
    record Segment(Grain grain, long fromMicros, long toMicros) {
    }

    private final Connection conn;
    /** Per grain, the end of the last period rolled, or {@link #NONE}. */
    private final AtomicLongArray frontier = new AtomicLongArray(GRAINS.length);
    /**
     * Moved on each time roll-ups are taken back (un-rolled or cleared), after the frontiers: a reader that finds it
     * unchanged across its read knows that what it read of rolled periods is still what they hold.
     */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    /** Per grain, the bound below which the last look found nothing left to roll: no need to look again before it moves. */
    private final long[] nothingBefore = new long[GRAINS.length];

    KpiRollups(Connection writeConn) throws SQLException {
        this.conn = writeConn;
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE TEMP TABLE stage_rollups AS SELECT * FROM kpi_rollups LIMIT 0");
        }
        reload();
    }

    /** Reads the frontiers back from the table (on open, and after the roll-ups were cleared or un-rolled). */
    void reload() throws SQLException {
        for (Grain g : GRAINS) {
            frontier.set(g.ordinal(), NONE);
            nothingBefore[g.ordinal()] = NONE;
        }
        generation.incrementAndGet();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT grain, epoch_us(max(start)) FROM kpi_rollups GROUP BY grain")) {
            while (rs.next()) {
                for (Grain g : GRAINS) {
                    if (g.minutes == rs.getInt(1)) {
                        frontier.set(g.ordinal(), rs.getLong(2) + g.micros);
                    }
                }
            }
        }
    }

    /**
     * Rolls up the periods that are final before {@code finalBefore}, oldest first, each in a transaction of its own,
     * until about {@code rowBudget} rows were read or {@code deadlineNanos} (System.nanoTime) has passed (a period
     * begun is finished): a store catching up on weeks of history rolls it a slice per call rather than holding the
     * pipeline's writer for minutes.
     *
     * @return the periods rolled
     */
    int rollUp(long finalBefore, long rowBudget, long deadlineNanos) throws SQLException {
        if (finalBefore == NONE) {
            return 0;
        }
        int rolled = 0;
        long rows = 0;
        for (Grain g : GRAINS) {
            long limit = g == Grain.TEN_MINUTES ? finalBefore : frontier.get(g.ordinal() - 1);
            if (limit == NONE) {
                return rolled;
            }
            long bound = g.startOf(limit);
            while (rows < rowBudget && (deadlineNanos == Long.MAX_VALUE || System.nanoTime() - deadlineNanos < 0)) {
                long from = frontier.get(g.ordinal());
                if (from != NONE && from >= bound || nothingBefore[g.ordinal()] == bound) {
                    break;
                }
                long first = firstBelow(g, from, bound);
                if (first == NONE) {
                    nothingBefore[g.ordinal()] = bound;
                    break;
                }
                long period = g.startOf(first);
                rows += roll(g, period);
                frontier.set(g.ordinal(), period + g.micros);
                rolled++;
            }
        }
        return rolled;
    }

    /** The first start of a row of the grain below {@code g} in [from, bound), or {@link #NONE}. */
    private long firstBelow(Grain g, long from, long bound) throws SQLException {
        String sql = g == Grain.TEN_MINUTES
                ? "SELECT epoch_us(min(start)) FROM kpi_windows WHERE start >= make_timestamp(?) AND start < make_timestamp(?)"
                : "SELECT epoch_us(min(start)) FROM kpi_rollups WHERE grain = " + GRAINS[g.ordinal() - 1].minutes
                  + " AND start >= make_timestamp(?) AND start < make_timestamp(?)";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            // make_timestamp takes microseconds since the epoch; the oldest a TIMESTAMP holds is far after MIN_VALUE.
            ps.setLong(1, from == NONE ? -62_135_596_800_000_000L : from);
            ps.setLong(2, bound);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long first = rs.getLong(1);
                return rs.wasNull() ? NONE : first;
            }
        }
    }

    /** One merged series of a period: what goes into a roll-up row. */
    private record Merged(String dimension, String k1, String k2, long first, KpiWindow window) {
    }

    /** Rolls one period of grain {@code g} up from the grain below; returns the rows read. */
    private long roll(Grain g, long period) throws SQLException {
        String sql = g == Grain.TEN_MINUTES
                ? "SELECT dimension, k1, k2, count, errors, timed, sketch, epoch_us(start) FROM kpi_windows"
                  + " WHERE start >= make_timestamp(?) AND start < make_timestamp(?) ORDER BY dimension, k1, k2"
                : "SELECT dimension, k1, k2, count, errors, timed, sketch, epoch_us(first_start) FROM kpi_rollups"
                  + " WHERE grain = " + GRAINS[g.ordinal() - 1].minutes
                  + " AND start >= make_timestamp(?) AND start < make_timestamp(?) ORDER BY dimension, k1, k2";
        long[] rows = {0};
        Transactions.inOne(conn, () -> {
            // Read whole before appending: an appender and an open result on one connection do not mix.
            List<Merged> merged = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                ps.setLong(1, period);
                ps.setLong(2, period + g.micros);
                try (ResultSet rs = ps.executeQuery()) {
                    Merged current = null;
                    while (rs.next()) {
                        rows[0]++;
                        String dimension = rs.getString(1);
                        String k1 = rs.getString(2);
                        String k2 = rs.getString(3);
                        long first = rs.getLong(8);
                        if (current == null || !current.k2.equals(k2) || !current.k1.equals(k1)
                                || !current.dimension.equals(dimension)) {
                            current = new Merged(dimension, k1, k2, first, new KpiWindow());
                            merged.add(current);
                        } else if (first < current.first) {
                            current = new Merged(dimension, k1, k2, first, current.window);
                            merged.set(merged.size() - 1, current);
                        }
                        current.window.mergeEncoded(rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getBytes(7));
                    }
                }
            }
            try (DuckDBAppender a = conn.unwrap(DuckDBConnection.class).createAppender("temp", "main", "stage_rollups")) {
                for (Merged m : merged) {
                    a.beginRow().append(g.minutes).append(m.dimension).append(m.k1).append(m.k2)
                            .appendEpochMicros(period).appendEpochMicros(m.first)
                            .append(m.window.count()).append(m.window.errors()).append(m.window.timed())
                            .append(m.window.sketchBytes()).endRow();
                }
                a.flush();
            }
            try (Statement st = conn.createStatement()) {
                st.execute("INSERT OR REPLACE INTO kpi_rollups SELECT * FROM stage_rollups");
                st.execute("DELETE FROM stage_rollups");
            }
        });
        return rows[0];
    }

    /**
     * Within a write's transaction, before minutes from {@code earliestMicros} on are written: takes back every
     * roll-up from the period holding that minute on, if any was rolled. The frontiers move back first, so that no
     * reader takes a roll-up that is about to go.
     */
    void unrollFrom(long earliestMicros) throws SQLException {
        for (Grain g : GRAINS) {
            long period = g.startOf(earliestMicros);
            long f = frontier.get(g.ordinal());
            if (f == NONE || f <= period) {
                continue;
            }
            frontier.set(g.ordinal(), period);
            generation.incrementAndGet();
            nothingBefore[g.ordinal()] = NONE;
            try (PreparedStatement ps = conn.prepareStatement(
                    "DELETE FROM kpi_rollups WHERE grain = ? AND start >= make_timestamp(?)")) {
                ps.setInt(1, g.minutes);
                ps.setLong(2, period);
                ps.executeUpdate();
            }
        }
    }

    /** See {@link #generation}: read it before the frontiers and again after reading rolled periods. */
    long generation() {
        return generation.get();
    }

    /** Per grain, in {@link Grain} order, the end of the last period rolled ({@link Long#MIN_VALUE}: none yet). */
    long[] frontiers() {
        long[] out = new long[GRAINS.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = frontier.get(i);
        }
        return out;
    }

    /** The earliest minute a write may touch without un-rolling anything: the finest grain's frontier. */
    long rolledBefore() {
        return frontier.get(0);
    }

    /**
     * How to read [from, to): the longest grains not coarser than {@code coarsest} (null: minutes only) for what
     * they cover whole and have rolled, finer ones for the edges, minutes for the rest. The segments do not overlap
     * and cover the range exactly.
     */
    List<Segment> cover(long fromMicros, long toMicros, Grain coarsest) {
        List<Segment> out = new ArrayList<>();
        long[] frontiers = new long[GRAINS.length];
        for (int i = 0; i < GRAINS.length; i++) {
            frontiers[i] = frontier.get(i);
        }
        cover(fromMicros, toMicros, coarsest == null ? -1 : coarsest.ordinal(), frontiers, out);
        return out;
    }

    private static void cover(long from, long to, int grain, long[] frontiers, List<Segment> out) {
        if (from >= to) {
            return;
        }
        if (grain < 0) {
            out.add(new Segment(null, from, to));
            return;
        }
        Grain g = GRAINS[grain];
        long a = g.ceil(from);
        long b = frontiers[grain] == NONE ? NONE : Math.min(g.startOf(to), frontiers[grain]);
        if (b == NONE || a >= b) {
            cover(from, to, grain - 1, frontiers, out);
            return;
        }
        cover(from, a, grain - 1, frontiers, out);
        out.add(new Segment(g, a, b));
        cover(b, to, grain - 1, frontiers, out);
    }

    /** Forgets every roll-up, within the caller's transaction (the outputs are rebuilt from the journal). */
    void clear() throws SQLException {
        for (Grain g : GRAINS) {
            frontier.set(g.ordinal(), NONE);
            nothingBefore[g.ordinal()] = NONE;
        }
        generation.incrementAndGet();
        try (Statement st = conn.createStatement()) {
            st.execute("DELETE FROM kpi_rollups");
        }
    }
}
