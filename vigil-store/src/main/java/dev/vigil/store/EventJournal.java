package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Rejection;
import dev.vigil.event.StoredEvent;
import dev.vigil.query.EventPage;
import dev.vigil.query.EventQuery;
import dev.vigil.query.IngestStats;
import dev.vigil.query.PageCursor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable journal of canonical events, in an embedded DuckDB file.
 *
 * <p>One writer thread owns the write connection. Appends from any number of threads queue up; the writer
 * takes everything waiting (a group), appends it in one transaction and commits, so one WAL sync covers many
 * requests (group commit). An append's future completes only after that commit returned: a caller that
 * acknowledges on completion never acknowledges an event a crash could lose.
 */
public final class EventJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);
    public static final String FILE_NAME = "vigil.duckdb";

    /**
     * @param maxPendingEvents events waiting to commit beyond which appends are refused with {@link Overloaded}
     * @param maxGroupEvents   the most events one commit takes
     */
    public record Options(int maxPendingEvents, int maxGroupEvents) {
        public static final Options DEFAULT = new Options(1_000_000, 200_000);
    }

    /** Group commit figures since open, to measure how well commits are shared. */
    public record CommitStats(long commits, long events, long requests, long commitNanos) {
        public double eventsPerCommit() {
            return commits == 0 ? 0 : (double) events / commits;
        }

        public double requestsPerCommit() {
            return commits == 0 ? 0 : (double) requests / commits;
        }
    }

    private record Pending(List<Event> events, String[] json, Map<Rejection.Code, Integer> rejections,
                           long ingestedMicros, CompletableFuture<Appended> done) {
    }

    private final Path file;
    private final DuckDBConnection writeConn;
    private final Options options;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicLong pendingEvents = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;
    private boolean closed;
    private long lastSeq;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong committedEvents = new AtomicLong();
    private final AtomicLong committedRequests = new AtomicLong();
    private final AtomicLong commitNanos = new AtomicLong();
    private volatile long storedCount;
    /** A test's way to fail a commit half-way; never set in production. */
    volatile Runnable faultAfterEventsFlushed = () -> { };

    private EventJournal(Path file, DuckDBConnection writeConn, Options options) throws SQLException {
        this.file = file;
        this.writeConn = writeConn;
        this.options = options;
        try (Statement st = writeConn.createStatement();
             ResultSet rs = st.executeQuery("SELECT coalesce(max(seq), 0), count(*) FROM events")) {
            rs.next();
            lastSeq = rs.getLong(1);
            storedCount = rs.getLong(2);
        }
        writeConn.setAutoCommit(false);
        this.writer = new Thread(this::writeLoop, "vigil-journal-writer");
        writer.setDaemon(false);
        writer.start();
    }

    /** Opens (creating if needed) the journal in {@code dataDir}. */
    public static EventJournal open(Path dataDir, Options options) throws SQLException {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create the data folder " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        Path file = dataDir.resolve(FILE_NAME);
        Properties props = new Properties();
        // Vigil runs in one process: no one else may write the file underneath the journal.
        props.setProperty("access_mode", "READ_WRITE");
        DuckDBConnection conn;
        try {
            conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), props);
        } catch (SQLException e) {
            throw new SQLException("cannot open the store " + file.toAbsolutePath() + ": " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("lock")
                    ? " (is another Vigil using this --data folder?)" : ""), e);
        }
        try {
            Schema.migrate(conn);
            return new EventJournal(file, conn, options);
        } catch (SQLException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /**
     * Queues events (and the counts of items refused beside them) for the next group commit.
     * The future completes once they are committed, or exceptionally with {@link Overloaded},
     * {@link StoreClosed} or the store's error; in that case none of them is stored.
     */
    public CompletableFuture<Appended> append(List<Event> events, Map<Rejection.Code, Integer> rejections,
                                              long ingestedMicros) {
        CompletableFuture<Appended> done = new CompletableFuture<>();
        // Serialise on the caller's thread: it spreads the work over the ingest threads, and an event that
        // cannot be written fails its own request here instead of the whole commit group.
        String[] json = new String[events.size() * 2];
        try {
            for (int i = 0; i < events.size(); i++) {
                json[2 * i] = JsonValues.write(events.get(i).correlation());
                json[2 * i + 1] = JsonValues.write(events.get(i).attributes());
            }
        } catch (IllegalStateException e) {
            done.completeExceptionally(e);
            return done;
        }
        synchronized (this) {
            if (closing) {
                done.completeExceptionally(new StoreClosed("Vigil is shutting down and takes no more events"));
                return done;
            }
            long waiting = pendingEvents.get();
            if (waiting > 0 && waiting + events.size() > options.maxPendingEvents()) {
                done.completeExceptionally(new Overloaded(waiting + " events are waiting to be committed (limit "
                        + options.maxPendingEvents() + "); retry shortly"));
                return done;
            }
            pendingEvents.addAndGet(events.size());
            queue.add(new Pending(List.copyOf(events), json, rejections, ingestedMicros, done));
        }
        return done;
    }

    public long pendingEvents() {
        return pendingEvents.get();
    }

    public long storedEvents() {
        return storedCount;
    }

    public CommitStats commitStats() {
        return new CommitStats(commits.get(), committedEvents.get(), committedRequests.get(), commitNanos.get());
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>();
        while (true) {
            try {
                Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                group.add(first);
                int n = first.events().size();
                Pending next;
                while (n < options.maxGroupEvents() && (next = queue.poll()) != null) {
                    group.add(next);
                    n += next.events().size();
                }
                commit(group, n);
            } catch (InterruptedException e) {
                // Only close() interrupts, and only after the queue is drained; nothing is left to write.
                return;
            } catch (Throwable t) {
                LOG.error("journal writer failed; the requests of this group are refused", t);
                for (Pending p : group) {
                    p.done().completeExceptionally(t);
                }
            } finally {
                group.clear();
            }
        }
    }

    private void commit(List<Pending> group, int eventCount) throws SQLException {
        long start = System.nanoTime();
        long seq = lastSeq;
        Map<Rejection.Code, Long> rejected = new EnumMap<>(Rejection.Code.class);
        long[] firstSeqs = new long[group.size()];
        try {
            // The appender joins the connection's transaction only once one is open; without this statement
            // each flush would commit on its own and a crash could keep events without their keys.
            try (Statement begin = writeConn.createStatement()) {
                begin.execute("SELECT 1");
            }
            try (DuckDBAppender events = writeConn.createAppender("main", "events");
                 DuckDBAppender keys = writeConn.createAppender("main", "event_keys")) {
                for (int i = 0; i < group.size(); i++) {
                    Pending p = group.get(i);
                    firstSeqs[i] = p.events().isEmpty() ? 0 : seq + 1;
                    for (int k = 0; k < p.events().size(); k++) {
                        Event e = p.events().get(k);
                        seq++;
                        appendEvent(events, seq, e, p.json()[2 * k], p.json()[2 * k + 1], p.ingestedMicros());
                        for (Map.Entry<String, String> key : e.correlation().entrySet()) {
                            keys.beginRow().append(seq).append(key.getKey()).append(key.getValue()).endRow();
                        }
                    }
                    if (p.rejections() != null) {
                        p.rejections().forEach((code, c) -> rejected.merge(code, (long) c, Long::sum));
                    }
                }
                events.flush();
                faultAfterEventsFlushed.run();
                keys.flush();
            }
            if (!rejected.isEmpty()) {
                try (PreparedStatement ps = writeConn.prepareStatement(
                        "INSERT INTO rejections VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET count = count + excluded.count")) {
                    for (Map.Entry<Rejection.Code, Long> r : rejected.entrySet()) {
                        ps.setString(1, r.getKey().wire());
                        ps.setLong(2, r.getValue());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            writeConn.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                writeConn.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            pendingEvents.addAndGet(-eventCount);
            throw e;
        }
        lastSeq = seq;
        storedCount += eventCount;
        pendingEvents.addAndGet(-eventCount);
        commits.incrementAndGet();
        committedEvents.addAndGet(eventCount);
        committedRequests.addAndGet(group.size());
        commitNanos.addAndGet(System.nanoTime() - start);
        for (int i = 0; i < group.size(); i++) {
            group.get(i).done().complete(new Appended(firstSeqs[i], group.get(i).events().size()));
        }
    }

    private static void appendEvent(DuckDBAppender a, long seq, Event e, String correlation, String attributes,
                                    long ingestedMicros) throws SQLException {
        a.beginRow()
                .append(seq)
                .appendEpochMicros(e.timeMicros())
                .append(e.source())
                .append(e.name())
                .append(e.kind().wire())
                .append(e.outcome().wire())
                .append(e.durationMicros())
                .append(e.peer())
                .append(e.unit())
                .append(correlation)
                .append(attributes)
                .appendEpochMicros(ingestedMicros)
                .endRow();
    }

    /** One page of events matching the query, ordered by (event time, seq). */
    public EventPage query(EventQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("""
                SELECT seq, epoch_us(time), source, name, kind, outcome, duration_us, peer, unit, correlation, attributes
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
        try (Connection c = writeConn.duplicate(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (out.size() == q.limit()) {
                        more = true;
                        break;
                    }
                    out.add(readEvent(rs));
                }
            }
        }
        PageCursor next = null;
        if (more) {
            StoredEvent last = out.get(out.size() - 1);
            next = new PageCursor(last.event().timeMicros(), last.seq(), q.newestFirst());
        }
        return new EventPage(out, next);
    }

    private static StoredEvent readEvent(ResultSet rs) throws SQLException {
        long duration = rs.getLong(7);
        Long durationMicros = rs.wasNull() ? null : duration;
        Event e = new Event(
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                EventKind.fromWire(rs.getString(5)).orElse(EventKind.OTHER),
                JsonValues.readStrings(rs.getString(10)),
                Outcome.fromWire(rs.getString(6)).orElse(Outcome.ERROR),
                durationMicros,
                rs.getString(8),
                rs.getString(9),
                JsonValues.readObject(rs.getString(11)));
        return new StoredEvent(rs.getLong(1), e);
    }

    /** Counts of stored events by source and name, and of rejected items by reason. */
    public IngestStats stats() throws SQLException {
        try (Connection c = writeConn.duplicate(); Statement st = c.createStatement()) {
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
            try (ResultSet rs = st.executeQuery("SELECT code, count FROM rejections ORDER BY count DESC, code")) {
                while (rs.next()) {
                    rejected.put(rs.getString(1), rs.getLong(2));
                }
            }
            return new IngestStats(count, maxSeq, bySource, rejected);
        }
    }

    /** True while the store answers a trivial query: what readiness checks. */
    public boolean healthy() {
        if (closing) {
            return false;
        }
        try (Connection c = writeConn.duplicate(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Stops taking appends, commits everything already queued, checkpoints and closes the file.
     * Every append whose future was handed out completes before this returns.
     */
    @Override
    public void close() throws SQLException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closing = true;
            closed = true;
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Statement st = writeConn.createStatement()) {
            writeConn.setAutoCommit(true);
            st.execute("CHECKPOINT");
        } finally {
            writeConn.close();
        }
    }
}
