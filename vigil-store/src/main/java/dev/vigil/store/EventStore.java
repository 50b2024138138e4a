package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.Rejection;
import dev.vigil.query.EventPage;
import dev.vigil.query.EventQuery;
import dev.vigil.query.IngestStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vigil's data folder: the {@link Journal} (what acknowledgement waits for and every consumer reads), the
 * {@link EventLoader} (the journal into DuckDB's event table) and the {@link EventQueries} (the table read back),
 * with the database connections the pipeline's outputs and the API use. It opens them in order and closes them
 * in the reverse order, so that nothing acknowledged is left behind.
 *
 * <p>Queries wait until the event table holds every event acknowledged before they started (read-your-writes).
 * The pipeline does not wait for the table: it reads the journal's tail ({@link #tail}).
 */
public final class EventStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventStore.class);
    public static final String FILE_NAME = "vigil.duckdb";
    public static final String JOURNAL_DIR = "journal";

    /**
     * @param maxQueuedEvents events waiting for the journal's writer (in memory), beyond which appends are refused
     *                        with {@link Overloaded}
     * @param maxGroupEvents  the most events one journal record or one DuckDB commit takes
     * @param segmentBytes    journal segment size; a segment is deleted once every consumer that holds it has it
     * @param duckdbThreads   worker threads DuckDB may use
     * @param tickEveryMillis while nothing arrives, how often to write a tick (a record without events whose time
     *                        moves the pipeline's watermark on when the estate is quiet); 0 for none
     * @param maxBacklogBytes journal bytes its consumers have not taken (the event table's loader behind), beyond
     *                        which appends are refused with {@link Overloaded}: a burst is absorbed on disk up to it
     * @param memoryEvents    the most recent events kept in memory for consumers at the journal's tail
     */
    public record Options(int maxQueuedEvents, int maxGroupEvents, long segmentBytes, int duckdbThreads,
                          long tickEveryMillis, long maxBacklogBytes, long memoryEvents) {
        private static final long HEAP = Runtime.getRuntime().maxMemory();
        // Events waiting for the writer and recent ones are held in memory (about 1 KiB each with their JSON).
        public static final Options DEFAULT = new Options(
                (int) Math.max(10_000, Math.min(1_000_000, HEAP / 4096)), 200_000,
                64L * 1024 * 1024,
                Integer.getInteger("vigil.duckdb.threads", Math.max(1, Runtime.getRuntime().availableProcessors() / 2)),
                0, Long.getLong("vigil.journal.maxBacklogBytes", 4L << 30),
                // The memory ring is for readers at the very tail (the pipeline); a reader further behind (the
                // loader in a burst) reads the files. 500,000 events kept there held half a gigabyte of
                // medium-lived objects that every young collection copied: 20,000 measured 1.7x the sustained
                // ingest and a tenth of the p99 acknowledgement latency (docs/BENCHMARKS.md).
                Long.getLong("vigil.journal.memoryEvents", Math.max(10_000, Math.min(20_000, HEAP / 8192))));

        public Options {
            if (tickEveryMillis < 0 || tickEveryMillis > Journal.MAX_TICK_EVERY_MILLIS) {
                throw new IllegalArgumentException("tickEveryMillis must be within 0.." + Journal.MAX_TICK_EVERY_MILLIS);
            }
        }

        public Options withTickEveryMillis(long millis) {
            return new Options(maxQueuedEvents, maxGroupEvents, segmentBytes, duckdbThreads, millis, maxBacklogBytes,
                    memoryEvents);
        }

        public Options withMaxBacklogBytes(long bytes) {
            return new Options(maxQueuedEvents, maxGroupEvents, segmentBytes, duckdbThreads, tickEveryMillis, bytes,
                    memoryEvents);
        }
    }

    /** Group commit figures since open: what was stored and refused, and how well fsyncs are shared. */
    public record CommitStats(long commits, long events, long rejected, long requests, long[] commitMicrosLog2) {

        public double eventsPerCommit() {
            return commits == 0 ? 0 : (double) events / commits;
        }

        public double requestsPerCommit() {
            return commits == 0 ? 0 : (double) requests / commits;
        }

        /** The upper bound, in microseconds, of the commit duration at quantile q (from a log2 histogram). */
        public long commitMicrosAt(double q) {
            long total = 0;
            for (long c : commitMicrosLog2) {
                total += c;
            }
            if (total == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(q * total));
            long seen = 0;
            for (int i = 0; i < commitMicrosLog2.length; i++) {
                seen += commitMicrosLog2[i];
                if (seen >= rank) {
                    return 1L << i;
                }
            }
            return 1L << (commitMicrosLog2.length - 1);
        }
    }

    /**
     * How far the event table is behind what the journal acknowledged, for users to see: events and records not
     * yet loaded, how long the oldest of them has waited, the journal's bytes on disk, and how long journal commits
     * take lately.
     */
    public record Backlog(long events, long records, long oldestWaitMillis, long journalBytes, double lastCommitMillis,
                          double recentMaxCommitMillis) {
    }

    /**
     * Told of journal records in record order: a consumer's feed ({@link Tail}).
     */
    public interface RecordListener {
        /**
         * @param ingestedMicros the wall-clock time the record was taken in
         * @param events         its events, in sequence order from {@code firstSeq}, without their attributes;
         *                       empty for a tick (a record written while nothing arrived). Records that hold only
         *                       refused items are not told.
         */
        void loaded(long recordNo, long firstSeq, long ingestedMicros, List<Event> events) throws InterruptedException;
    }

    private final Path file;
    private final DuckDBConnection conn;
    private final Journal journal;
    private final EventLoader loader;
    private final EventQueries queries;
    private volatile long storedCount;
    private final long storedAtOpen;
    private final long seqAtOpen;
    private volatile AutoCloseable dependent;
    private boolean closed;

    private EventStore(Path file, DuckDBConnection conn, Journal journal, EventLoader loader, long storedAtOpen,
                       long seqAtOpen) {
        this.file = file;
        this.conn = conn;
        this.journal = journal;
        this.loader = loader;
        this.storedAtOpen = storedAtOpen;
        this.seqAtOpen = seqAtOpen;
        this.queries = new EventQueries(this::newConnection);
    }

    /** Opens (creating if needed) the store in {@code dataDir}; the journal's records DuckDB lacks are loaded first. */
    public static EventStore open(Path dataDir, Options options) throws SQLException {
        return open(dataDir, options, java.nio.channels.FileChannel::open);
    }

    /** As {@link #open(Path, Options)}, with the journal's files opened by {@code opener} (tests inject faults). */
    static EventStore open(Path dataDir, Options options, JournalFile.Opener opener) throws SQLException {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new SQLException("cannot create the data folder " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        Path file = dataDir.resolve(FILE_NAME);
        DuckDBConnection conn;
        try {
            conn = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
        } catch (SQLException e) {
            throw new SQLException("cannot open the store " + file.toAbsolutePath() + ": " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("lock")
                    ? " (is another Vigil using this --data folder?)" : ""), e);
        }
        JournalFile journalFile = null;
        try {
            try (Statement st = conn.createStatement()) {
                // DuckDB's own worker threads (checkpoint compression, scans) would otherwise take every core
                // and starve the acknowledgement path; one is enough for appends and for the API's queries.
                st.execute("SET threads = " + options.duckdbThreads());
            }
            Schema.migrate(conn);
            long dbRecord;
            long dbSeq;
            long dbCount;
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("""
                         SELECT greatest((SELECT coalesce(max(record_no), 0) FROM events),
                                         (SELECT coalesce(max(record_no), 0) FROM rejections),
                                         (SELECT coalesce(max(record_no), 0) FROM ticks)),
                                (SELECT coalesce(max(seq), 0) FROM events), (SELECT count(*) FROM events)""")) {
                rs.next();
                dbRecord = rs.getLong(1);
                dbSeq = rs.getLong(2);
                dbCount = rs.getLong(3);
            }
            // What the journal holds beyond the table: acknowledged before a crash, loaded by the loader first.
            long[] beyond = {0, dbSeq}; // events, last sequence number
            journalFile = JournalFile.open(dataDir.resolve(JOURNAL_DIR), options.segmentBytes(), r -> {
                if (r.recordNo() > dbRecord) {
                    beyond[0] += r.events().size();
                    beyond[1] = Math.max(beyond[1], r.lastSeq());
                }
            }, opener);
            // A record that held nothing leaves no row, so the journal knows the last number better than DuckDB.
            long lastRecord = Math.max(dbRecord, journalFile.lastRecordNo());
            journalFile.continueAfter(lastRecord);
            if (beyond[0] > 0) {
                LOG.info("{} acknowledged events are in the journal and not yet in the event table; loading them",
                        beyond[0]);
            }
            Journal journal = new Journal(dataDir.resolve(JOURNAL_DIR), journalFile, options, beyond[1], lastRecord);
            EventLoader loader = new EventLoader(file, conn, journal, dbRecord, dbSeq, options.maxGroupEvents());
            EventStore store = new EventStore(file, conn, journal, loader, dbCount + beyond[0], beyond[1]);
            loader.start();
            return store;
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                conn.close();
                if (journalFile != null) {
                    journalFile.close();
                }
            } catch (SQLException | IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof SQLException se) {
                throw se;
            }
            throw new SQLException("cannot open the store in " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /**
     * Closed by {@link #close()} once the journal takes no more records, and before the database closes: the
     * pipeline reads the journal's last records, finishes its work and writes its outputs there.
     */
    public void closeFirst(AutoCloseable d) {
        this.dependent = d;
    }

    /**
     * Queues events (and the counts of items refused beside them) for the next group commit of the journal.
     * The future completes once they are durable, or exceptionally with {@link Overloaded}, {@link StoreClosed}
     * or the journal's error; in that case none of them is stored.
     */
    public CompletableFuture<Appended> append(List<Event> events, Map<Rejection.Code, Integer> rejections,
                                              long ingestedMicros) {
        return journal.append(events, null, rejections, ingestedMicros);
    }

    /**
     * As {@link #append(List, Map, long)}, with the events' attributes already written as JSON by the caller (the
     * OTLP receiver writes them straight from the request's bytes): {@code attributesJson.get(i)} is stored for event
     * {@code i}, whose own attributes then need hold only what the pipeline reads (see
     * {@link dev.vigil.link.SpanRef#CARRIED}); a null entry means "write the event's attributes".
     */
    public CompletableFuture<Appended> append(List<Event> events, List<String> attributesJson,
                                              Map<Rejection.Code, Integer> rejections, long ingestedMicros) {
        if (attributesJson != null && attributesJson.size() != events.size()) {
            throw new IllegalArgumentException(attributesJson.size() + " attribute texts for " + events.size() + " events");
        }
        return journal.append(events, attributesJson, rejections, ingestedMicros);
    }

    /** Events acknowledged but not yet in the event table. */
    public long pendingEvents() {
        return Math.max(0, journal.lastSeq() - loader.loadedSeq());
    }

    /** Events durably stored (acknowledged). */
    public long storedEvents() {
        return storedAtOpen + (journal.lastSeq() - seqAtOpen);
    }

    /** The last journal record acknowledged. */
    public long acknowledgedRecordNo() {
        return journal.lastRecordNo();
    }

    /** The highest journal record the event table holds. */
    public long loadedRecordNo() {
        return loader.loadedRecordNo();
    }

    public Backlog backlog() {
        long loaded = loader.loadedRecordNo();
        return new Backlog(pendingEvents(), Math.max(0, journal.lastRecordNo() - loaded),
                journal.oldestUnloadedWaitMillis(), journal.retainedBytes(), journal.lastCommitMillis(),
                journal.recentMaxCommitMillis());
    }

    public CommitStats commitStats() {
        return journal.commitStats();
    }

    /**
     * A reader of the journal's records after {@code afterRecordNo}, for one thread. Records the journal's files
     * no longer hold are read back from the event table (every event, without attributes, and every tick, in
     * record order), so a reader may start anywhere from 0. With {@code holding}, the journal keeps its records
     * until the reader says it holds them durably ({@link Tail#durableUpTo}).
     */
    public Tail tail(long afterRecordNo, boolean holding) {
        return new Tail(afterRecordNo, holding);
    }

    /** One consumer's reading of the journal; see {@link #tail}. */
    public final class Tail implements AutoCloseable {
        private static final int RECORDS_FROM_TABLE = 1_000;
        private final Journal.Reader reader;
        private final Journal.Hold hold;
        private java.sql.Connection tableConn;

        private Tail(long after, boolean holding) {
            this.reader = journal.reader(after, JournalCodec.Attributes.SPAN_IDS);
            this.hold = holding ? journal.hold(after) : null;
        }

        /** The last record told. */
        public long position() {
            return reader.position();
        }

        /**
         * Tells {@code l} of the next records, waiting up to {@code timeoutMillis} for one.
         *
         * @return false once the journal takes no more records and every one was told
         */
        public boolean next(RecordListener l, int maxEvents, long timeoutMillis)
                throws IOException, SQLException, InterruptedException {
            List<JournalRecord> records;
            try {
                records = reader.next(maxEvents, timeoutMillis);
            } catch (JournalFile.Released e) {
                long first = journal.firstRetainedRecordNo();
                long position = reader.position();
                if (first <= position + 1) {
                    throw e; // not released by the journal: a segment file went missing
                }
                // No longer in memory nor in the journal's files, so loaded (the loader holds them until then).
                long upTo = Math.min(first - 1, position + RECORDS_FROM_TABLE);
                if (tableConn == null) {
                    tableConn = newConnection();
                }
                Replay.run(tableConn, position, upTo, l);
                reader.skipTo(upTo);
                return true;
            }
            if (records.isEmpty()) {
                return !reader.finished();
            }
            for (JournalRecord r : records) {
                // A record of refused items alone has nothing for a consumer, and a read from the table would
                // not see it: both must see the same records.
                if (!r.events().isEmpty() || r.isTick()) {
                    l.loaded(r.recordNo(), r.firstSeq(), r.ingestedMicros(), r.events());
                }
            }
            return true;
        }

        /** The consumer gave up (it failed): the journal no longer keeps records for it. */
        public void letGo() {
            if (hold != null) {
                hold.close();
            }
        }

        /** The consumer holds every record up to {@code recordNo} durably: the journal may let them go. */
        public void durableUpTo(long recordNo) {
            if (hold != null) {
                hold.moveTo(recordNo);
            }
        }

        @Override
        public void close() throws IOException, SQLException {
            if (hold != null) {
                hold.close();
            }
            reader.close();
            if (tableConn != null) {
                tableConn.close();
            }
        }
    }

    /** Another connection to the same database, for the pipeline's writes and the API's reads. */
    public java.sql.Connection newConnection() throws SQLException {
        java.sql.Connection c = conn.duplicate();
        // A duplicate inherits the loader's manual commit. A reader left in one transaction would see the
        // database as of its first query for ever after; each statement gets a fresh snapshot instead.
        c.setAutoCommit(true);
        return c;
    }

    /** One page of events matching the query, ordered by (event time, seq). */
    public EventPage query(EventQuery q) throws SQLException {
        loader.awaitLoaded(pendingEvents());
        return queries.query(q);
    }

    /** Counts of stored events by source and name, and of rejected items by reason. */
    public IngestStats stats() throws SQLException {
        loader.awaitLoaded(pendingEvents());
        return queries.stats();
    }

    /**
     * Why the store cannot make progress now (the journal cannot write, the loader cannot load, a trivial query
     * fails), or null when it can: what readiness reports.
     */
    public String problem() {
        String p = journal.problem();
        if (p != null) {
            return p;
        }
        p = loader.problem();
        if (p != null) {
            return p;
        }
        return healthy() ? null : journal.closing() ? "the store is closing" : "the store does not answer a trivial query";
    }

    /** True while the store answers a trivial query. */
    public boolean healthy() {
        return !journal.closing() && queries.healthy();
    }

    /** Test hooks: fail the loader's DuckDB loads half-way; how long a stop lets a failing loader retry. */
    EventLoader loader() {
        return loader;
    }

    /**
     * Stops taking appends, makes everything queued durable, lets the loader and the dependent (the pipeline) read
     * it all, checkpoints the database and closes. Every append whose future was handed out completes before this
     * returns.
     */
    @Override
    public void close() throws SQLException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            journal.stopWriting();
            if (!loader.awaitFinished(TimeUnit.SECONDS.toMillis(30))) {
                // Held by a store that refuses records: what is not loaded stays in the journal, and the next
                // start loads it first.
                LOG.warn("the event table has not caught up with the journal within 30 s of the stop; stopping anyway");
                loader.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        AutoCloseable d = dependent;
        if (d != null) {
            try {
                d.close();
            } catch (Exception e) {
                LOG.error("stopping what reads from the journal failed", e);
            }
        }
        try (Statement st = conn.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            // DuckDB replays its own WAL at the next open; nothing acknowledged depends on this checkpoint.
            LOG.warn("the store could not checkpoint on close ({}); the next start replays its log", e.getMessage());
        } finally {
            conn.close();
            try {
                boolean all = journal.allHeld();
                journal.close();
                if (all) {
                    LOG.info("store closed with every acknowledged event in it ({} events)", storedEvents());
                } else {
                    LOG.warn("left journal records after {} in the journal ({} events not in the event table): the "
                            + "next start reads them again", loader.loadedRecordNo(), pendingEvents());
                }
            } catch (IOException e) {
                LOG.warn("closing the journal: {}; the next start reads it again", e.getMessage());
            }
        }
    }
}
