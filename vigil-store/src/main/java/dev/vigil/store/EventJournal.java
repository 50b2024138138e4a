package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Rejection;
import dev.vigil.event.StoredEvent;
import dev.vigil.event.Timestamps;
import dev.vigil.query.EventPage;
import dev.vigil.query.EventQuery;
import dev.vigil.query.IngestStats;
import dev.vigil.query.PageCursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable store of canonical events: a write-ahead journal for acknowledgement, DuckDB for queries.
 *
 * <p>Two threads, one job each. The <b>writer</b> takes every append waiting (a group), writes it to the
 * journal as one record and fsyncs; only then do the appends' futures complete, so a caller that acknowledges
 * on completion never acknowledges an event a crash could lose. The <b>loader</b> then appends the record to
 * DuckDB. Keeping DuckDB off the acknowledgement path matters: DuckDB checkpoints inside a commit and blocks
 * commits while it does (hundreds of milliseconds at high rates; measured in docs/BENCHMARKS.md), and a
 * journal fsync costs about a millisecond.
 *
 * <p>Queries wait until DuckDB holds every event acknowledged before they started (read-your-writes). After
 * a crash, {@link #open} loads the journal records DuckDB lacks before anything else runs. Journal segments
 * are deleted once DuckDB has committed (durably) every record they hold.
 */
public final class EventJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);
    public static final String FILE_NAME = "vigil.duckdb";
    public static final String JOURNAL_DIR = "journal";

    /**
     * @param maxPendingEvents events acknowledged or waiting but not yet in DuckDB, beyond which appends are
     *                         refused with {@link Overloaded}
     * @param maxGroupEvents   the most events one journal record or one DuckDB commit takes
     * @param segmentBytes     journal segment size; a segment is deleted once DuckDB holds all of it
     * @param duckdbThreads    worker threads DuckDB may use
     * @param tickEveryMillis  while nothing arrives, how often to write a tick (a record without events whose
     *                         time moves the pipeline's watermark on when the estate is quiet); 0 for none
     */
    public record Options(int maxPendingEvents, int maxGroupEvents, long segmentBytes, int duckdbThreads,
                          long tickEveryMillis) {
        // Events waiting for DuckDB are held in memory (about 1 KiB each with their JSON): bound them by the heap.
        public static final Options DEFAULT = new Options(
                (int) Math.max(10_000, Math.min(1_000_000, Runtime.getRuntime().maxMemory() / 4096)), 200_000,
                64L * 1024 * 1024,
                Integer.getInteger("vigil.duckdb.threads", Math.max(1, Runtime.getRuntime().availableProcessors() / 2)),
                0);

        public Options {
            if (tickEveryMillis < 0 || tickEveryMillis > MAX_TICK_EVERY_MILLIS) {
                throw new IllegalArgumentException("tickEveryMillis must be within 0.." + MAX_TICK_EVERY_MILLIS);
            }
        }

        public Options withTickEveryMillis(long millis) {
            return new Options(maxPendingEvents, maxGroupEvents, segmentBytes, duckdbThreads, millis);
        }
    }

    /**
     * The longest pause between ticks, after ten quiet minutes: well inside the gap the pipeline's clock reads as
     * "the journal was not running" ({@code EventClock.MAX_TICK_GAP_MICROS}, 60 s).
     */
    static final long MAX_TICK_EVERY_MILLIS = 10_000;

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
     * How far the store is behind what it acknowledged, for users to see: events and journal records not yet
     * loaded into DuckDB, how long the oldest of them has waited, and how long journal commits take lately.
     */
    public record Backlog(long events, long records, long oldestWaitMillis, double lastCommitMillis,
                          double recentMaxCommitMillis) {
    }

    private record Pending(List<Event> events, String[] attributesJson, Map<Rejection.Code, Integer> rejections,
                           long ingestedMicros, CompletableFuture<Appended> done) {
    }

    private final Path file;
    private final DuckDBConnection loadConn;
    private final JournalFile journal;
    private final Options options;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<JournalRecord> toLoad = new LinkedBlockingQueue<>();
    private final AtomicLong pendingEvents = new AtomicLong();
    private final Thread writer;
    private final Thread loader;
    private volatile boolean closing;
    private volatile boolean writerDone;
    private boolean closed;
    // Writer thread only:
    private long nextSeq;
    private long nextRecordNo;
    // Published by the writer (acknowledged) and the loader (queryable), in journal record numbers:
    private volatile long ackedRecordNo;
    private volatile long storedCount;
    private final Object loadedMonitor = new Object();
    private volatile long loadedRecordNo;
    private volatile RecordListener listener;
    /** Held while the listener is told of records (by the loader, or by the replay before it listens). */
    private final Object feedLock = new Object();
    /** The last record the listener was told of, or covered by its replay; under feedLock. */
    private long fedUpTo;
    private volatile AutoCloseable dependent;

    /**
     * Closed by {@link #close()} once every record has been loaded and handed to the listener, and before the
     * database closes: the pipeline finishes its work and writes its outputs there.
     */
    public void closeFirst(AutoCloseable d) {
        this.dependent = d;
    }

    /**
     * Told of every journal record once DuckDB holds it, in record order, on the loader thread: the
     * pipeline's feed. A listener that blocks holds the loader back (and, through it, ingest): backpressure.
     */
    public interface RecordListener {
        /**
         * @param ingestedMicros the wall-clock time the record was taken in
         * @param events         its events, in sequence order from {@code firstSeq}; empty for a tick (a record
         *                       written while nothing arrived). Records that hold only refused items are not told.
         */
        void loaded(long recordNo, long firstSeq, long ingestedMicros, List<Event> events) throws InterruptedException;
    }

    private final AtomicLong commits = new AtomicLong();
    /** When the writer last wrote a record (nanoTime), and the last one with items in it; writer thread only. */
    private long lastRecordNanos = System.nanoTime();
    private long lastArrivalNanos = lastRecordNanos;
    private final AtomicLong committedEvents = new AtomicLong();
    private final AtomicLong committedRequests = new AtomicLong();
    private final AtomicLong rejectedItems = new AtomicLong();
    /** Journal commit durations (write + fsync): bucket i counts commits that took at most 2^i microseconds. */
    private final AtomicLongArray commitHistogram = new AtomicLongArray(32);
    /** A test's way to fail a DuckDB load half-way, on the loader's connection; never set in production. */
    interface LoadFault {
        void afterEventsFlushed(DuckDBConnection conn) throws SQLException;
    }

    volatile LoadFault faultAfterEventsFlushed = conn -> { };
    /** Why the last journal write failed, while no write has succeeded since; null when writes succeed. */
    private volatile String journalProblem;
    /** Why the last DuckDB load failed, while the loader retries; null when loading succeeds. */
    private volatile String loaderProblem;
    /** When each acknowledged record not yet loaded was acknowledged (nanoTime), oldest first. */
    private final java.util.concurrent.ConcurrentLinkedDeque<long[]> unloaded = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile long lastCommitMicros;
    // The longest commit of the current and of the previous minute: a rolling maximum users can read. Written
    // by the writer thread only.
    private volatile long commitMinute;
    private volatile long commitMaxThisMinute;
    private volatile long commitMaxLastMinute;
    /** How long close() lets a failing loader keep trying before it leaves the rest to the next start. */
    volatile long closeGraceNanos = TimeUnit.SECONDS.toNanos(10);

    private EventJournal(Path file, DuckDBConnection loadConn, JournalFile journal, Options options,
                         long lastSeq, long lastRecordNo, long count) {
        this.file = file;
        this.loadConn = loadConn;
        this.journal = journal;
        this.options = options;
        this.nextSeq = lastSeq + 1;
        this.nextRecordNo = lastRecordNo + 1;
        this.ackedRecordNo = lastRecordNo;
        this.loadedRecordNo = lastRecordNo;
        this.storedCount = count;
        this.writer = new Thread(this::writeLoop, "vigil-journal-writer");
        this.loader = new Thread(this::loadLoop, "vigil-store-loader");
        writer.start();
        loader.start();
    }

    /** Opens (creating if needed) the store in {@code dataDir}, loading into DuckDB what a crash left only in the journal. */
    public static EventJournal open(Path dataDir, Options options) throws SQLException {
        return open(dataDir, options, java.nio.channels.FileChannel::open);
    }

    /** As {@link #open(Path, Options)}, with the journal's files opened by {@code opener} (tests inject faults). */
    static EventJournal open(Path dataDir, Options options, JournalFile.Opener opener) throws SQLException {
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
        JournalFile journal = null;
        try {
            try (Statement st = conn.createStatement()) {
                // DuckDB's own worker threads (checkpoint compression, scans) would otherwise take every core
                // and starve the acknowledgement path; one is enough for appends and for the API's queries.
                st.execute("SET threads = " + options.duckdbThreads());
            }
            Schema.migrate(conn);
            long dbRecord;
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("""
                         SELECT greatest((SELECT coalesce(max(record_no), 0) FROM events),
                                         (SELECT coalesce(max(record_no), 0) FROM rejections),
                                         (SELECT coalesce(max(record_no), 0) FROM ticks))""")) {
                rs.next();
                dbRecord = rs.getLong(1);
            }
            Recovery recovery = new Recovery(conn, dbRecord);
            journal = JournalFile.open(dataDir.resolve(JOURNAL_DIR), options.segmentBytes(), recovery::accept, opener);
            recovery.finish();
            // A record that held nothing leaves no row, so the journal knows the last number better than DuckDB.
            long lastRecord = Math.max(dbRecord, journal.lastRecordNo());
            journal.release(lastRecord);
            if (recovery.loadedEvents > 0) {
                LOG.info("recovered {} acknowledged events from the journal into the store", recovery.loadedEvents);
            }
            // After recovery DuckDB holds every acknowledged event, so it knows the last sequence number.
            long count;
            long lastSeq;
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*), coalesce(max(seq), 0) FROM events")) {
                rs.next();
                count = rs.getLong(1);
                lastSeq = rs.getLong(2);
            }
            return new EventJournal(file, conn, journal, options, lastSeq, lastRecord, count);
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                conn.close();
                if (journal != null) {
                    journal.close();
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

    /** Loads, at open, the journal records DuckDB does not hold yet, in batches. */
    private static final class Recovery {
        private final DuckDBConnection conn;
        private final long loadedRecordNo;
        private final List<JournalRecord> batch = new ArrayList<>();
        private int batchEvents;
        long loadedEvents;

        Recovery(DuckDBConnection conn, long loadedRecordNo) {
            this.conn = conn;
            this.loadedRecordNo = loadedRecordNo;
        }

        void accept(JournalRecord r) {
            if (r.recordNo() <= loadedRecordNo) {
                return;
            }
            batch.add(r);
            batchEvents += r.events().size();
            if (batchEvents >= 100_000) {
                flush();
            }
        }

        void finish() {
            flush();
        }

        private void flush() {
            if (batch.isEmpty()) {
                return;
            }
            try {
                // Idempotent: a load that failed before this open may have left part of these records.
                load(conn, batch, c -> { }, true);
            } catch (SQLException e) {
                throw new IllegalStateException("loading the journal into the store failed: " + e.getMessage(), e);
            }
            loadedEvents += batchEvents;
            batch.clear();
            batchEvents = 0;
        }
    }

    public Path file() {
        return file;
    }

    /**
     * Queues events (and the counts of items refused beside them) for the next group commit.
     * The future completes once they are durable, or exceptionally with {@link Overloaded},
     * {@link StoreClosed} or the journal's error; in that case none of them is stored.
     */
    public CompletableFuture<Appended> append(List<Event> events, Map<Rejection.Code, Integer> rejections,
                                              long ingestedMicros) {
        CompletableFuture<Appended> done = new CompletableFuture<>();
        if (events.isEmpty() && (rejections == null || rejections.isEmpty())) {
            done.complete(new Appended(0, 0)); // nothing to make durable
            return done;
        }
        // Serialise on the caller's thread: it spreads the work over the ingest threads, and an event that
        // cannot be written fails its own request here instead of the whole commit group.
        String[] attributesJson = new String[events.size()];
        try {
            for (int i = 0; i < events.size(); i++) {
                attributesJson[i] = JsonValues.write(events.get(i).attributes());
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
                done.completeExceptionally(new Overloaded(waiting + " events are waiting to be stored (limit "
                        + options.maxPendingEvents() + "); retry shortly"));
                return done;
            }
            pendingEvents.addAndGet(events.size());
            queue.add(new Pending(List.copyOf(events), attributesJson, rejections, ingestedMicros, done));
        }
        return done;
    }

    /** Events accepted but not yet queryable. */
    public long pendingEvents() {
        return pendingEvents.get();
    }

    /** Events durably stored (acknowledged). */
    public long storedEvents() {
        return storedCount;
    }

    public Backlog backlog() {
        long[] oldest = unloaded.peekFirst();
        long wait = oldest == null ? 0 : (System.nanoTime() - oldest[1]) / 1_000_000;
        long minute = System.nanoTime() / 60_000_000_000L;
        long recent = minute == commitMinute ? Math.max(commitMaxThisMinute, commitMaxLastMinute)
                : minute == commitMinute + 1 ? commitMaxThisMinute : 0;
        return new Backlog(pendingEvents.get(), Math.max(0, ackedRecordNo - loadedRecordNo), Math.max(0, wait),
                lastCommitMicros / 1000.0, recent / 1000.0);
    }

    public CommitStats commitStats() {
        long[] hist = new long[commitHistogram.length()];
        for (int i = 0; i < hist.length; i++) {
            hist[i] = commitHistogram.get(i);
        }
        return new CommitStats(commits.get(), committedEvents.get(), rejectedItems.get(), committedRequests.get(), hist);
    }

    private void writeLoop() {
        List<Pending> group = new ArrayList<>();
        while (true) {
            try {
                Pending first = queue.poll(journalProblem == null ? 50 : 1000, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing && queue.isEmpty()) {
                        return;
                    }
                    probeAfterFailure();
                    tickIfQuiet();
                    continue;
                }
                int n = takeGroup(queue, first, group, options.maxGroupEvents(), p -> p.events().size());
                commit(group, n);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                String why = "the journal cannot write in " + file.getParent().toAbsolutePath() + ": " + t.getMessage();
                if (journalProblem == null) {
                    LOG.error("{}; requests are refused until it can", why, t);
                }
                journalProblem = why;
                Throwable refusal = t instanceof IOException ? new StoreUnavailable(why, t) : t;
                long refused = 0;
                for (Pending p : group) {
                    refused += p.events().size();
                    p.done().completeExceptionally(refusal);
                }
                pendingEvents.addAndGet(-refused);
            } finally {
                group.clear();
            }
        }
    }

    /**
     * While nothing arrives, writes a tick now and then: a record without events whose wall-clock time lets the
     * pipeline's watermark move on when the estate is quiet, and lets a replay see the quiet as the live run did.
     * Every {@code tickEveryMillis} for ten quiet minutes, then every {@link #MAX_TICK_EVERY_MILLIS}. Not before
     * anything was ever written: an empty store has no watermark to move.
     */
    private void tickIfQuiet() throws IOException {
        long every = options.tickEveryMillis();
        // While records wait for the store, their own times reach the pipeline after it: a tick would add nothing,
        // and while the store refuses them (a full disk) ticks would only pile up behind.
        if (every == 0 || journalProblem != null || closing || nextRecordNo == 1 || loadedRecordNo < ackedRecordNo) {
            return;
        }
        long now = System.nanoTime();
        long quietMillis = TimeUnit.NANOSECONDS.toMillis(now - lastArrivalNanos);
        long sinceLast = TimeUnit.NANOSECONDS.toMillis(now - lastRecordNanos);
        if (sinceLast < (quietMillis < 600_000 ? every : Math.max(every, MAX_TICK_EVERY_MILLIS))) {
            return;
        }
        JournalRecord tick = new JournalRecord(nextRecordNo, nextSeq, Timestamps.toMicros(Instant.now()), List.of(),
                List.of(), Map.of());
        write(tick);
    }

    /**
     * Writes a record (durably: the journal syncs), and from then on it is acknowledged: numbered, queued for the
     * loader, counted as waiting for it. Writer thread only.
     */
    private void write(JournalRecord record) throws IOException {
        journal.append(record);
        ackedRecordNo = record.recordNo();
        lastRecordNanos = System.nanoTime();
        unloaded.addLast(new long[] {record.recordNo(), lastRecordNanos});
        nextRecordNo = record.recordNo() + 1;
        nextSeq = record.firstSeq() + record.events().size();
        toLoad.add(record);
    }

    /** While writes fail and nobody sends: finds out whether the journal can write again (space is back). */
    private void probeAfterFailure() {
        if (journalProblem == null) {
            return;
        }
        try {
            journal.probe();
            journalProblem = null;
            LOG.info("the journal can write again");
        } catch (IOException e) {
            journalProblem = "the journal cannot write in " + file.getParent().toAbsolutePath() + ": " + e.getMessage();
        }
    }

    /** Adds {@code first} and whatever else is waiting, up to about {@code maxEvents} events; returns the event count. */
    private static <T> int takeGroup(LinkedBlockingQueue<T> queue, T first, List<T> into, int maxEvents,
                                     java.util.function.ToIntFunction<T> events) {
        into.add(first);
        int n = events.applyAsInt(first);
        T next;
        while (n < maxEvents && (next = queue.poll()) != null) {
            into.add(next);
            n += events.applyAsInt(next);
        }
        return n;
    }

    private void commit(List<Pending> group, int eventCount) throws IOException {
        long start = System.nanoTime();
        List<Event> events = new ArrayList<>(eventCount);
        List<String> attrs = new ArrayList<>(eventCount);
        Map<Rejection.Code, Long> rejected = new EnumMap<>(Rejection.Code.class);
        long[] firstSeqs = new long[group.size()];
        long seq = nextSeq;
        for (int i = 0; i < group.size(); i++) {
            Pending p = group.get(i);
            firstSeqs[i] = p.events().isEmpty() ? 0 : seq + events.size();
            events.addAll(p.events());
            attrs.addAll(Arrays.asList(p.attributesJson()));
            if (p.rejections() != null) {
                p.rejections().forEach((code, c) -> rejected.merge(code, (long) c, Long::sum));
            }
        }
        JournalRecord record = new JournalRecord(nextRecordNo, nextSeq, group.get(0).ingestedMicros(), events, attrs,
                rejected);
        // If this throws, nothing was acknowledged; a torn write is cut off at the next open.
        write(record);
        if (journalProblem != null) {
            journalProblem = null;
            LOG.info("the journal writes again");
        }
        lastArrivalNanos = lastRecordNanos;
        storedCount += eventCount;
        long took = System.nanoTime() - start;
        commits.incrementAndGet();
        committedEvents.addAndGet(eventCount);
        committedRequests.addAndGet(group.size());
        rejected.values().forEach(rejectedItems::addAndGet);
        long micros = Math.max(1, took / 1000);
        lastCommitMicros = micros;
        long minute = System.nanoTime() / 60_000_000_000L;
        if (minute != commitMinute) {
            commitMaxLastMinute = minute == commitMinute + 1 ? commitMaxThisMinute : 0;
            commitMaxThisMinute = 0;
            commitMinute = minute;
        }
        commitMaxThisMinute = Math.max(commitMaxThisMinute, micros);
        commitHistogram.incrementAndGet(Math.min(31, 64 - Long.numberOfLeadingZeros(micros - 1)));
        for (int i = 0; i < group.size(); i++) {
            group.get(i).done().complete(new Appended(firstSeqs[i], group.get(i).events().size()));
        }
    }

    private void loadLoop() {
        List<JournalRecord> batch = new ArrayList<>();
        int batchEvents = 0;
        boolean retry = false;
        long failingSince = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (batch.isEmpty()) {
                    JournalRecord first = toLoad.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (writerDone && toLoad.isEmpty()) {
                            return;
                        }
                        continue;
                    }
                    batchEvents = takeGroup(toLoad, first, batch, options.maxGroupEvents(), r -> r.events().size());
                }
                load(loadConn, batch, faultAfterEventsFlushed, retry);
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                // Acknowledged events are safe in the journal; load the same batch again until it goes in. The
                // retry first deletes whatever a failed attempt may have left of it: each record goes in once.
                if (loaderProblem == null) {
                    LOG.error("loading journal records {}..{} into DuckDB failed; retrying every second",
                            batch.get(0).recordNo(), batch.get(batch.size() - 1).recordNo(), t);
                    failingSince = System.nanoTime();
                }
                loaderProblem = "the store cannot load acknowledged events into " + file.toAbsolutePath() + ": "
                        + t.getMessage() + " (they are safe in the journal; retrying)";
                retry = true;
                if (writerDone && System.nanoTime() - failingSince > closeGraceNanos) {
                    return; // stopping: close() says what is left for the next start
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            if (loaderProblem != null) {
                LOG.info("the store loads again");
                loaderProblem = null;
            }
            retry = false;
            pendingEvents.addAndGet(-batchEvents);
            long last = batch.get(batch.size() - 1).recordNo();
            synchronized (loadedMonitor) {
                loadedRecordNo = last;
                loadedMonitor.notifyAll();
            }
            journal.release(last);
            for (long[] head = unloaded.peekFirst(); head != null && head[0] <= last; head = unloaded.peekFirst()) {
                unloaded.pollFirst();
            }
            List<JournalRecord> loaded = List.copyOf(batch);
            batch.clear();
            try {
                feed(loaded);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Tells the listener of loaded records it has not been told of (a replay may have covered them). */
    private void feed(List<JournalRecord> loaded) throws InterruptedException {
        synchronized (feedLock) {
            RecordListener l = listener;
            for (JournalRecord r : loaded) {
                if (l == null || r.recordNo() <= fedUpTo) {
                    continue;
                }
                // A record of refused items alone has nothing for the pipeline, and a replay from the store
                // would not see it: both runs must see the same records.
                if (!r.events().isEmpty() || r.isTick()) {
                    l.loaded(r.recordNo(), r.firstSeq(), r.ingestedMicros(), r.events());
                }
                fedUpTo = r.recordNo();
            }
        }
    }

    /**
     * Appends journal records to DuckDB in one transaction. With {@code idempotent}, first deletes whatever the
     * database holds of these records (a failed attempt's leftovers), so a record is stored once however often
     * its load was tried.
     */
    private static void load(DuckDBConnection conn, List<JournalRecord> records, LoadFault fault, boolean idempotent)
            throws SQLException {
        Transactions.inOne(conn, () -> {
            if (idempotent) {
                // Sequence numbers and record numbers both grow in commit order, so both deletes touch only the
                // newest row groups (DuckDB skips the others by their min/max).
                long firstRecord = records.get(0).recordNo();
                try (PreparedStatement del = conn.prepareStatement("DELETE FROM event_keys WHERE seq >= ?")) {
                    del.setLong(1, records.get(0).firstSeq());
                    del.executeUpdate();
                }
                for (String table : List.of("events", "rejections", "ticks")) {
                    try (PreparedStatement del = conn.prepareStatement("DELETE FROM " + table + " WHERE record_no >= ?")) {
                        del.setLong(1, firstRecord);
                        del.executeUpdate();
                    }
                }
            }
            try (DuckDBAppender events = conn.createAppender("main", "events");
                 DuckDBAppender keys = conn.createAppender("main", "event_keys")) {
                for (JournalRecord r : records) {
                    long seq = r.firstSeq();
                    for (int k = 0; k < r.events().size(); k++, seq++) {
                        Event e = r.events().get(k);
                        events.beginRow()
                                .append(seq)
                                .appendEpochMicros(e.timeMicros())
                                .append(e.source())
                                .append(e.name())
                                .append(e.kind().wire())
                                .append(e.outcome().wire())
                                .append(e.durationMicros())
                                .append(e.peer())
                                .append(e.unit())
                                .append(r.attributesJson().get(k))
                                .appendEpochMicros(r.ingestedMicros())
                                .append(r.recordNo())
                                .endRow();
                        for (Map.Entry<String, String> key : e.correlation().entrySet()) {
                            keys.beginRow().append(seq).append(key.getKey()).append(key.getValue()).endRow();
                        }
                    }
                }
                events.flush();
                fault.afterEventsFlushed(conn);
                keys.flush();
            }
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO ticks VALUES (?, make_timestamp(?))")) {
                for (JournalRecord r : records) {
                    if (r.isTick()) {
                        ps.setLong(1, r.recordNo());
                        ps.setLong(2, r.ingestedMicros());
                        ps.executeUpdate();
                    }
                }
            }
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO rejections VALUES (?, ?, now(), ?)")) {
                // One statement per row, not a JDBC batch: the driver wraps a batch in a transaction of its own.
                for (JournalRecord r : records) {
                    for (Map.Entry<Rejection.Code, Long> c : r.rejections().entrySet()) {
                        ps.setString(1, c.getKey().wire());
                        ps.setLong(2, c.getValue());
                        ps.setLong(3, r.recordNo());
                        ps.executeUpdate();
                    }
                }
            }
        });
    }

    /** Waits until DuckDB holds every record acknowledged before this call. */
    private void awaitLoaded() throws SQLException {
        long target = ackedRecordNo;
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(30);
        synchronized (loadedMonitor) {
            while (loadedRecordNo < target) {
                String stuck = loaderProblem;
                if (stuck != null && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(3)) {
                    // A retry or two is worth waiting for; a loader that keeps failing (a full disk) is not.
                    throw new StoreUnavailable(stuck, null);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StoreUnavailable("the store is " + pendingEvents.get()
                            + " events behind the journal; try again shortly", null);
                }
                try {
                    loadedMonitor.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for the store");
                }
            }
        }
    }

    /**
     * Feeds the records loaded from now on to {@code l}, having first replayed from DuckDB every stored
     * event of records after {@code afterRecordNo} (the position a restored snapshot covers), so that the
     * listener sees each record exactly once, in order. Call before ingest starts.
     *
     * @return the last record number replayed
     */
    public long replayAndListen(long afterRecordNo, RecordListener l) throws SQLException, InterruptedException {
        // Under the feed lock, so that a record the loader stores meanwhile (a tick: the journal writes them
        // by itself) is told once, after the replay, and not lost between the two. On a connection of its own:
        // the loader keeps using its own meanwhile.
        synchronized (feedLock) {
            long upTo;
            synchronized (loadedMonitor) {
                upTo = loadedRecordNo;
            }
            try (java.sql.Connection replay = newConnection()) {
                Replay.run(replay, afterRecordNo, upTo, l);
            }
            fedUpTo = upTo;
            this.listener = l;
            return upTo;
        }
    }

    /**
     * Tells {@code l} of the stored records after {@code afterRecordNo} up to {@code upTo} (events and ticks, in
     * record order), read back from DuckDB on a connection of its own: for a reader that keeps its own position
     * in the journal (the Kafka forwarder), apart from the pipeline's feed.
     */
    public void replay(long afterRecordNo, long upTo, RecordListener l) throws SQLException, InterruptedException {
        try (java.sql.Connection c = newConnection()) {
            Replay.run(c, afterRecordNo, upTo, l);
        }
    }

    /** Another connection to the same database, for the pipeline's writes and the API's reads. */
    public java.sql.Connection newConnection() throws SQLException {
        java.sql.Connection c = loadConn.duplicate();
        // A duplicate inherits the loader's manual commit. A reader left in one transaction would see the
        // database as of its first query for ever after; each statement gets a fresh snapshot instead.
        c.setAutoCommit(true);
        return c;
    }

    /** The highest journal record DuckDB holds. */
    public long loadedRecordNo() {
        return loadedRecordNo;
    }

    /** One page of events matching the query, ordered by (event time, seq). */
    public EventPage query(EventQuery q) throws SQLException {
        awaitLoaded();
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
        try (Connection c = loadConn.duplicate(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
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
    public IngestStats stats() throws SQLException {
        awaitLoaded();
        try (Connection c = loadConn.duplicate(); Statement st = c.createStatement()) {
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

    /**
     * Why the store cannot make progress now (the journal cannot write, the loader cannot load, a trivial query
     * fails), or null when it can: what readiness reports.
     */
    public String problem() {
        String p = journalProblem;
        if (p != null) {
            return p;
        }
        p = loaderProblem;
        if (p != null) {
            return p;
        }
        return healthy() ? null : closing ? "the store is closing" : "the store does not answer a trivial query";
    }

    /** True while the store answers a trivial query. */
    public boolean healthy() {
        if (closing) {
            return false;
        }
        try (Connection c = loadConn.duplicate(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Stops taking appends, makes everything queued durable, loads it into DuckDB, checkpoints and closes.
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
            writer.join(); // bounded: a write that fails, fails fast, and the queue takes no more
            writerDone = true;
            loader.join(TimeUnit.SECONDS.toMillis(30));
            if (loader.isAlive()) {
                // Held by a listener that does not take records, or by a store that refuses them: what is not
                // loaded stays in the journal, and the next start loads it first.
                LOG.warn("the store has not caught up with the journal within 30 s of the stop; stopping anyway");
                loader.interrupt();
                loader.join();
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
        try (Statement st = loadConn.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            // DuckDB replays its own WAL at the next open; nothing acknowledged depends on this checkpoint.
            LOG.warn("the store could not checkpoint on close ({}); the next start replays its log", e.getMessage());
        } finally {
            loadConn.close();
            try {
                if (loadedRecordNo >= ackedRecordNo) {
                    journal.releaseAll();
                    LOG.info("store closed with every acknowledged event in it ({} events)", storedCount);
                } else {
                    journal.close();
                    LOG.warn("left journal records {}..{} ({} acknowledged events) in the journal: the next start "
                            + "loads them into the store before anything else", loadedRecordNo + 1, ackedRecordNo,
                            pendingEvents.get());
                }
            } catch (IOException e) {
                LOG.warn("closing the journal: {}; the next start reads it again", e.getMessage());
            }
        }
    }
}
