package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.Rejection;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the journal into DuckDB's event table, one of the journal's consumers: it reads the journal's tail on a
 * thread of its own and appends large batches (up to {@code maxGroupEvents} events a transaction; when it has
 * fallen behind, the batches grow, and each commit costs less per event). It stays off the acknowledgement path:
 * DuckDB checkpoints inside a commit and blocks commits while it does (hundreds of milliseconds at high rates),
 * and a journal fsync costs about a millisecond.
 *
 * <p>It starts from the last record the table holds, so what a crash left only in the journal is loaded first.
 * A load that fails is retried until it goes in; each retry first deletes what a failed attempt left, so each
 * record is stored once.
 */
final class EventLoader {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoader.class);

    /** A test's way to fail a DuckDB load half-way, on the loader's connection; never set in production. */
    interface LoadFault {
        void afterEventsFlushed(DuckDBConnection conn) throws SQLException;
    }

    private final Path file;
    private final DuckDBConnection conn;
    private final Journal journal;
    private final Journal.Reader reader;
    private final Journal.Hold hold;
    private final int maxGroupEvents;
    private final Thread thread;
    private final Object loadedMonitor = new Object();
    private volatile long loadedRecordNo;
    private volatile long loadedSeq;
    /** Why the last load failed, while the loader retries; null when loading succeeds. */
    private volatile String problem;
    volatile LoadFault fault = c -> { };
    /** How long a stop lets a failing loader keep trying before it leaves the rest to the next start. */
    volatile long closeGraceNanos = TimeUnit.SECONDS.toNanos(10);

    EventLoader(Path file, DuckDBConnection conn, Journal journal, long loadedRecordNo, long loadedSeq, int maxGroupEvents) {
        this.file = file;
        this.conn = conn;
        this.journal = journal;
        this.loadedRecordNo = loadedRecordNo;
        this.loadedSeq = loadedSeq;
        this.maxGroupEvents = maxGroupEvents;
        this.reader = journal.reader(loadedRecordNo, JournalCodec.Attributes.NONE);
        this.hold = journal.hold(loadedRecordNo);
        this.thread = new Thread(this::loop, "vigil-store-loader");
    }

    void start() {
        thread.start();
    }

    long loadedRecordNo() {
        return loadedRecordNo;
    }

    long loadedSeq() {
        return loadedSeq;
    }

    String problem() {
        return problem;
    }

    /** Waits until the loader has loaded everything the journal takes (it stopped writing), at most {@code millis}. */
    boolean awaitFinished(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    /** Stops a loader that did not finish in time: what is not loaded stays in the journal for the next start. */
    void interrupt() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }

    /** Waits until DuckDB holds every record acknowledged before this call (read-your-writes). */
    void awaitLoaded(long pendingEvents) throws SQLException {
        long target = journal.lastRecordNo();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(30);
        synchronized (loadedMonitor) {
            while (loadedRecordNo < target) {
                String stuck = problem;
                if (stuck != null && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(3)) {
                    // A retry or two is worth waiting for; a loader that keeps failing (a full disk) is not.
                    throw new StoreUnavailable(stuck, null);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StoreUnavailable("the event table is " + pendingEvents
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

    private void loop() {
        List<JournalRecord> batch = List.of();
        // The first load after a start deletes what the table may hold of its records: the journal is the truth.
        boolean retry = true;
        long failingSince = 0;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    if (batch.isEmpty()) {
                        batch = reader.next(maxGroupEvents, 50);
                        if (batch.isEmpty()) {
                            if (reader.finished()) {
                                return;
                            }
                            continue;
                        }
                    }
                    load(conn, batch, fault, retry);
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t) {
                    // Acknowledged events are safe in the journal; load the same batch again until it goes in.
                    if (problem == null) {
                        LOG.error("loading journal records {}..{} into DuckDB failed; retrying every second",
                                batch.isEmpty() ? "?" : batch.get(0).recordNo(),
                                batch.isEmpty() ? "?" : batch.get(batch.size() - 1).recordNo(), t);
                        failingSince = System.nanoTime();
                    }
                    problem = "the store cannot load acknowledged events into " + file.toAbsolutePath() + ": "
                            + t.getMessage() + " (they are safe in the journal; retrying)";
                    retry = true;
                    if (journal.closing() && System.nanoTime() - failingSince > closeGraceNanos) {
                        return; // stopping: the journal keeps what is left for the next start
                    }
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                if (problem != null) {
                    LOG.info("the store loads again");
                    problem = null;
                }
                retry = false;
                JournalRecord last = batch.get(batch.size() - 1);
                synchronized (loadedMonitor) {
                    loadedSeq = last.firstSeq() + last.events().size() - 1;
                    loadedRecordNo = last.recordNo();
                    loadedMonitor.notifyAll();
                }
                hold.moveTo(last.recordNo());
                journal.loadedUpTo(last.recordNo());
                batch = List.of();
            }
        } finally {
            try {
                reader.close();
            } catch (java.io.IOException e) {
                LOG.debug("closing the loader's journal reader", e);
            }
        }
    }

    /**
     * Appends journal records to DuckDB in one transaction. With {@code idempotent}, first deletes whatever the
     * database holds of these records (a failed attempt's leftovers), so a record is stored once however often
     * its load was tried.
     */
    static void load(DuckDBConnection conn, List<JournalRecord> records, LoadFault fault, boolean idempotent)
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
}
