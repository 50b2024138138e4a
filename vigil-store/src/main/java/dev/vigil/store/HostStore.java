package dev.vigil.store;

import dev.vigil.infra.FootprintMinute;
import dev.vigil.infra.HostMinute;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * Hosts' minutes (the USE view from scrapes) and process groups' minutes (footprints) in DuckDB, so that a restart
 * keeps them. A minute written again replaces itself.
 */
public final class HostStore implements AutoCloseable {

    private static final String COLUMNS = "host, epoch_us(minute), scrapes, cpus, cpu, cpu_max, load_per_core, cpu_pressure, "
            + "memory, memory_total, major_faults, disk_busy, disk_queue, fs_free, net_bytes, net_errors, net_drops";

    private final Connection conn;

    public HostStore(EventStore journal) throws SQLException {
        this.conn = journal.newConnection();
    }

    /** Writes (or rewrites) minutes in one transaction. */
    public synchronized void save(List<HostMinute> minutes) throws SQLException {
        if (minutes.isEmpty()) {
            return;
        }
        // One transaction by explicit statements (Transactions says why not the driver's manual commit): a minute
        // an OTLP request was told is kept must not half-commit when DuckDB refuses the commit.
        Transactions.inOne(conn, () -> insert(minutes));
    }

    private void insert(List<HostMinute> minutes) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT OR REPLACE INTO host_minutes VALUES "
                + "(?, make_timestamp(?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (HostMinute m : minutes) {
                ps.setString(1, m.host());
                ps.setLong(2, m.minuteStartMillis() * 1000);
                ps.setInt(3, m.scrapes());
                ps.setInt(4, m.cpus());
                double[] v = {m.cpuUtilisation(), m.cpuUtilisationMax(), m.loadPerCore(), m.cpuPressure(),
                        m.memoryUtilisation(), m.memoryTotalBytes(), m.majorFaultsPerSecond(), m.diskBusy(), m.diskQueue(),
                        m.filesystemFree(), m.networkBytesPerSecond(), m.networkErrorsPerSecond(), m.networkDropsPerSecond()};
                for (int i = 0; i < v.length; i++) {
                    if (Double.isFinite(v[i])) {
                        ps.setDouble(5 + i, v[i]);
                    } else {
                        ps.setNull(5 + i, Types.DOUBLE);
                    }
                }
                // row by row: the driver wraps a batch in a transaction of its own, which cannot nest in this one
                ps.executeUpdate();
            }
        }
    }

    /** Writes (or rewrites) process groups' minutes in one transaction. */
    public synchronized void saveFootprints(List<FootprintMinute> minutes) throws SQLException {
        if (minutes.isEmpty()) {
            return;
        }
        Transactions.inOne(conn, () -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT OR REPLACE INTO footprint_minutes VALUES "
                    + "(?, ?, make_timestamp(?), ?, ?, ?, ?, ?)")) {
                for (FootprintMinute m : minutes) {
                    ps.setString(1, m.host());
                    ps.setString(2, m.group());
                    ps.setLong(3, m.minuteStartMillis() * 1000);
                    ps.setInt(4, m.scrapes());
                    double[] v = {m.cores(), m.residentBytes(), m.diskBytesPerSecond()};
                    for (int i = 0; i < v.length; i++) {
                        if (Double.isFinite(v[i])) {
                            ps.setDouble(5 + i, v[i]);
                        } else {
                            ps.setNull(5 + i, Types.DOUBLE);
                        }
                    }
                    ps.setInt(8, m.processes());
                    ps.executeUpdate();
                }
            }
        });
    }

    /** Every process group's minutes from {@code fromMillis} on, by host, group, then minute. */
    public synchronized List<FootprintMinute> footprintsSince(long fromMillis) throws SQLException {
        List<FootprintMinute> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT host, grp, epoch_us(minute), scrapes, cores, resident, "
                + "disk, processes FROM footprint_minutes WHERE minute >= make_timestamp(?) ORDER BY host, grp, minute")) {
            ps.setLong(1, fromMillis * 1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double[] v = new double[3];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = rs.getDouble(5 + i);
                        if (rs.wasNull()) {
                            v[i] = Double.NaN;
                        }
                    }
                    out.add(new FootprintMinute(rs.getString(1), rs.getString(2), rs.getLong(3) / 1000, rs.getInt(4),
                            v[0], v[1], v[2], rs.getInt(8)));
                }
            }
        }
        return out;
    }

    /** Every host's minutes from {@code fromMillis} on, by host then minute. */
    public synchronized List<HostMinute> since(long fromMillis) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM host_minutes "
                + "WHERE minute >= make_timestamp(?) ORDER BY host, minute")) {
            ps.setLong(1, fromMillis * 1000);
            return read(ps);
        }
    }

    /** One host's minutes from {@code fromMillis} on, oldest first. */
    public synchronized List<HostMinute> since(String host, long fromMillis) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM host_minutes "
                + "WHERE host = ? AND minute >= make_timestamp(?) ORDER BY minute")) {
            ps.setString(1, host);
            ps.setLong(2, fromMillis * 1000);
            return read(ps);
        }
    }

    private static List<HostMinute> read(PreparedStatement ps) throws SQLException {
        List<HostMinute> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                double[] v = new double[13];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rs.getDouble(5 + i);
                    if (rs.wasNull()) {
                        v[i] = Double.NaN;
                    }
                }
                out.add(new HostMinute(rs.getString(1), rs.getLong(2) / 1000, rs.getInt(3), v[0], v[1], v[2], v[3],
                        rs.getInt(4), v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]));
            }
        }
        return out;
    }

    /**
     * Deletes the host and footprint minutes before {@code beforeMillis}, in one transaction; returns how many. The
     * scraper calls it hourly with its retention (the longest period a host's headroom is asked over).
     */
    public synchronized long prune(long beforeMillis) throws SQLException {
        long[] deleted = {0};
        Transactions.inOne(conn, () -> {
            for (String table : new String[] {"host_minutes", "footprint_minutes"}) {
                try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + table + " WHERE minute < make_timestamp(?)")) {
                    ps.setLong(1, beforeMillis * 1000);
                    deleted[0] += ps.executeUpdate();
                }
            }
        });
        return deleted[0];
    }

    @Override
    public synchronized void close() throws SQLException {
        conn.close();
    }
}
