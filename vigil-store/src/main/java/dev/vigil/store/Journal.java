package dev.vigil.store;

import dev.vigil.event.Event;
import dev.vigil.event.Rejection;
import dev.vigil.event.Timestamps;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead journal of canonical events: what acknowledgement waits for, and what every consumer reads.
 *
 * <p>One thread, the <b>writer</b>, takes every append waiting (a group), writes it as one record and fsyncs;
 * only then do the appends' futures complete, so a caller that acknowledges on completion never acknowledges an
 * event a crash could lose. While nothing arrives it writes ticks (records without events), so that the quiet is
 * in the journal and a replay sees it as the live run did.
 *
 * <p>Consumers (the event table's loader, the pipeline, the Kafka forwarder) each read the journal's tail with a
 * {@link Reader} of their own, at their own pace: the newest records from memory, older ones from the segment
 * files. So a consumer that falls behind (DuckDB checkpointing) holds back neither acknowledgement nor the other
 * consumers, and a burst is absorbed on disk, not in the heap. A consumer whose progress is durable only at
 * intervals (the event table at each commit, the pipeline at each checkpoint) keeps a {@link Hold}: segments are
 * deleted once every hold has passed them.
 */
public final class Journal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    /**
     * The longest pause between ticks, after ten quiet minutes: well inside the gap the pipeline's clock reads as
     * "the journal was not running" ({@code EventClock.MAX_TICK_GAP_MICROS}, 60 s).
     */
    static final long MAX_TICK_EVERY_MILLIS = 10_000;

    /** Records kept in memory for readers at the tail: at most this many (a power of two)... */
    private static final int RECENT_RECORDS = 1 << 14;

    private record Pending(List<Event> events, String[] attributesJson, Map<Rejection.Code, Integer> rejections,
                           long ingestedMicros, CompletableFuture<Appended> done) {
    }

    private final Path dir;
    private final JournalFile file;
    private final EventStore.Options options;
    /** ...and at most this many events among them. */
    private final long recentEvents;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedEvents = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;
    private volatile boolean writerDone;
    // Writer thread only:
    private long nextSeq;
    private long nextRecordNo;
    private long lastRecordNanos = System.nanoTime();
    private long lastArrivalNanos = lastRecordNanos;

    /** Guards the recent records and tells readers of new ones. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final JournalRecord[] recent = new JournalRecord[RECENT_RECORDS];
    /** The oldest record in {@link #recent} (records from it to {@link #ackedRecordNo} are there). */
    private long recentFirst;
    private long recentEventCount;
    private volatile long ackedRecordNo;
    /** The sequence number of the last event acknowledged. */
    private volatile long ackedSeq;

    private final CopyOnWriteArrayList<Hold> holds = new CopyOnWriteArrayList<>();
    /** When each record was acknowledged (nanoTime), oldest first, until the event table holds it: its lag. */
    private final ConcurrentLinkedDeque<long[]> acknowledgedAt = new ConcurrentLinkedDeque<>();

    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong committedEvents = new AtomicLong();
    private final AtomicLong committedRequests = new AtomicLong();
    private final AtomicLong rejectedItems = new AtomicLong();
    /** Commit durations (write + fsync): bucket i counts commits that took at most 2^i microseconds. */
    private final AtomicLongArray commitHistogram = new AtomicLongArray(32);
    private volatile long lastCommitMicros;
    // The longest commit of the current and of the previous minute: a rolling maximum users can read. Written
    // by the writer thread only.
    private volatile long commitMinute;
    private volatile long commitMaxThisMinute;
    private volatile long commitMaxLastMinute;
    /** Why the last write failed, while no write has succeeded since; null when writes succeed. */
    private volatile String problem;

    Journal(Path dir, JournalFile file, EventStore.Options options, long lastSeq, long lastRecordNo) {
        this.dir = dir;
        this.file = file;
        this.options = options;
        this.recentEvents = options.memoryEvents();
        this.nextSeq = lastSeq + 1;
        this.nextRecordNo = lastRecordNo + 1;
        this.ackedRecordNo = lastRecordNo;
        this.ackedSeq = lastSeq;
        this.recentFirst = lastRecordNo + 1;
        this.writer = new Thread(this::writeLoop, "vigil-journal-writer");
        writer.start();
    }

    /**
     * Queues events (and the counts of items refused beside them) for the next group commit.
     * The future completes once they are durable, or exceptionally with {@link Overloaded},
     * {@link StoreClosed} or the journal's error; in that case none of them is stored.
     */
    CompletableFuture<Appended> append(List<Event> events, List<String> givenJson, Map<Rejection.Code, Integer> rejections,
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
                String given = givenJson == null ? null : givenJson.get(i);
                attributesJson[i] = given != null ? given : JsonValues.write(events.get(i).attributes());
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
            String full = overloaded(events.size());
            if (full != null) {
                done.completeExceptionally(new Overloaded(full));
                return done;
            }
            queuedEvents.addAndGet(events.size());
            queue.add(new Pending(List.copyOf(events), attributesJson, rejections, ingestedMicros, done));
        }
        return done;
    }

    /** Why an append of {@code n} events is refused now, or null. */
    private String overloaded(int n) {
        long waiting = queuedEvents.get();
        if (waiting > 0 && waiting + n > options.maxQueuedEvents()) {
            // The writer is behind (a slow disk): what waits for it is in memory, so it is bounded.
            return waiting + " events are waiting to be written to the journal (limit " + options.maxQueuedEvents()
                    + "); retry shortly";
        }
        long bytes = file.retainedBytes();
        if (bytes > options.maxBacklogBytes()) {
            return "the journal holds " + (bytes >> 20) + " MiB that its readers have not taken yet (limit "
                    + (options.maxBacklogBytes() >> 20) + " MiB; the event table's loader is behind); retry shortly";
        }
        return null;
    }

    /** The last record acknowledged (durable). */
    public long lastRecordNo() {
        return ackedRecordNo;
    }

    /** The sequence number of the last event acknowledged. */
    long lastSeq() {
        return ackedSeq;
    }

    /** Why the journal cannot write now, or null. */
    String problem() {
        return problem;
    }

    long retainedBytes() {
        return file.retainedBytes();
    }

    /** The event table holds every record up to {@code recordNo}: their acknowledgement times are no longer needed. */
    void loadedUpTo(long recordNo) {
        for (long[] head = acknowledgedAt.peekFirst(); head != null && head[0] <= recordNo; head = acknowledgedAt.peekFirst()) {
            acknowledgedAt.pollFirst();
        }
    }

    /** How long ago the oldest record the event table does not hold yet was acknowledged, in ms (0 if none). */
    long oldestUnloadedWaitMillis() {
        long[] oldest = acknowledgedAt.peekFirst();
        return oldest == null ? 0 : Math.max(0, (System.nanoTime() - oldest[1]) / 1_000_000);
    }

    EventStore.CommitStats commitStats() {
        long[] hist = new long[commitHistogram.length()];
        for (int i = 0; i < hist.length; i++) {
            hist[i] = commitHistogram.get(i);
        }
        return new EventStore.CommitStats(commits.get(), committedEvents.get(), rejectedItems.get(),
                committedRequests.get(), hist);
    }

    double lastCommitMillis() {
        return lastCommitMicros / 1000.0;
    }

    double recentMaxCommitMillis() {
        long minute = System.nanoTime() / 60_000_000_000L;
        long recent = minute == commitMinute ? Math.max(commitMaxThisMinute, commitMaxLastMinute)
                : minute == commitMinute + 1 ? commitMaxThisMinute : 0;
        return recent / 1000.0;
    }

    // --- consumers -----------------------------------------------------------------------------------------

    /** A consumer's durable position: the journal keeps every record after it. */
    final class Hold implements AutoCloseable {
        private volatile long at;

        private Hold(long at) {
            this.at = at;
        }

        /** The consumer holds everything after {@code recordNo} durably elsewhere now. */
        void moveTo(long recordNo) {
            if (recordNo > at) {
                at = recordNo;
                release();
            }
        }

        long at() {
            return at;
        }

        @Override
        public void close() {
            holds.remove(this);
            release();
        }
    }

    /** Keeps every record after {@code recordNo} until the hold moves past it or is closed. */
    Hold hold(long recordNo) {
        Hold h = new Hold(recordNo);
        holds.add(h);
        return h;
    }

    /** Deletes the segments every hold has passed. */
    private void release() {
        long upTo = ackedRecordNo;
        for (Hold h : holds) {
            upTo = Math.min(upTo, h.at);
        }
        file.release(upTo);
    }

    /** Whether every hold covers every acknowledged record: the journal's files can go. */
    boolean allHeld() {
        long acked = ackedRecordNo;
        for (Hold h : holds) {
            if (h.at < acked) {
                return false;
            }
        }
        return true;
    }

    /** The first record the journal's files still hold: what a reader must take from elsewhere before it. */
    long firstRetainedRecordNo() {
        return file.firstRetainedRecordNo();
    }

    /**
     * A reader of the records after {@code recordNo}, for one thread; records read back from the files have as much
     * of their events' attributes parsed as {@code parse} says (those from memory are as they were appended).
     */
    Reader reader(long recordNo, JournalCodec.Attributes parse) {
        return new Reader(recordNo, parse);
    }

    /** Reads the journal's records in order, from memory when they are recent, else from the segment files. */
    final class Reader implements AutoCloseable {
        private long position;
        private JournalFile.Cursor cursor;
        private final JournalCodec.Attributes parse;

        private Reader(long after, JournalCodec.Attributes parse) {
            this.position = after;
            this.parse = parse;
        }

        /** The last record this reader returned. */
        long position() {
            return position;
        }

        /** Moves the reader on to after {@code recordNo} (read elsewhere: the event table). */
        void skipTo(long recordNo) throws IOException {
            if (recordNo > position) {
                position = recordNo;
                closeCursor();
            }
        }

        /** True once the journal takes no more records and this reader has read them all. */
        boolean finished() {
            return writerDone && position >= ackedRecordNo;
        }

        /**
         * The records after the last one returned, about {@code maxEvents} events and at least one record, waiting
         * up to {@code timeoutMillis} for one; empty when none came.
         *
         * @throws JournalFile.Released when they are no longer in the journal's files (take them from the event table)
         */
        List<JournalRecord> next(int maxEvents, long timeoutMillis) throws IOException, InterruptedException {
            long upTo;
            lock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                while (position >= ackedRecordNo) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || writerDone) {
                        return List.of();
                    }
                    appended.awaitNanos(left);
                }
                upTo = ackedRecordNo;
                if (position + 1 >= recentFirst) {
                    List<JournalRecord> out = new ArrayList<>();
                    int events = 0;
                    for (long r = position + 1; r <= upTo && (out.isEmpty() || events < maxEvents); r++) {
                        JournalRecord rec = recent[(int) (r & (RECENT_RECORDS - 1))];
                        out.add(rec);
                        events += rec.events().size();
                    }
                    position = out.get(out.size() - 1).recordNo();
                    closeCursor(); // the next read from the files starts afresh from the position
                    return out;
                }
            } finally {
                lock.unlock();
            }
            // Behind what memory keeps: from the files, outside the lock, so the writer and others go on.
            if (cursor == null || cursor.position() != position) {
                closeCursor();
                cursor = file.new Cursor(position, parse);
            }
            List<JournalRecord> out = cursor.read(upTo, maxEvents);
            position = cursor.position();
            return out;
        }

        private void closeCursor() throws IOException {
            if (cursor != null) {
                cursor.close();
                cursor = null;
            }
        }

        @Override
        public void close() throws IOException {
            closeCursor();
        }
    }

    // --- the writer ----------------------------------------------------------------------------------------

    private void writeLoop() {
        List<Pending> group = new ArrayList<>();
        try {
            while (true) {
                try {
                    Pending first = queue.poll(problem == null ? 50 : 1000, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (closing && queue.isEmpty()) {
                            return;
                        }
                        probeAfterFailure();
                        tickIfQuiet();
                        continue;
                    }
                    int n = takeGroup(queue, first, group, options.maxGroupEvents());
                    commit(group, n);
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t) {
                    String why = "the journal cannot write in " + dir.toAbsolutePath() + ": " + t.getMessage();
                    if (problem == null) {
                        LOG.error("{}; requests are refused until it can", why, t);
                    }
                    problem = why;
                    Throwable refusal = t instanceof IOException ? new StoreUnavailable(why, t) : t;
                    long refused = 0;
                    for (Pending p : group) {
                        refused += p.events().size();
                        p.done().completeExceptionally(refusal);
                    }
                    queuedEvents.addAndGet(-refused);
                } finally {
                    group.clear();
                }
            }
        } finally {
            lock.lock();
            try {
                writerDone = true;
                appended.signalAll();
            } finally {
                lock.unlock();
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
        if (every == 0 || problem != null || closing || nextRecordNo == 1) {
            return;
        }
        long now = System.nanoTime();
        long quietMillis = TimeUnit.NANOSECONDS.toMillis(now - lastArrivalNanos);
        long sinceLast = TimeUnit.NANOSECONDS.toMillis(now - lastRecordNanos);
        if (sinceLast < (quietMillis < 600_000 ? every : Math.max(every, MAX_TICK_EVERY_MILLIS))) {
            return;
        }
        write(new JournalRecord(nextRecordNo, nextSeq, Timestamps.toMicros(Instant.now()), List.of(), List.of(), Map.of()));
    }

    /** Writes a record durably (the journal syncs); from then on it is acknowledged and readers see it. */
    private void write(JournalRecord record) throws IOException {
        file.append(record);
        lastRecordNanos = System.nanoTime();
        acknowledgedAt.addLast(new long[] {record.recordNo(), lastRecordNanos});
        nextRecordNo = record.recordNo() + 1;
        nextSeq = record.firstSeq() + record.events().size();
        lock.lock();
        try {
            recent[(int) (record.recordNo() & (RECENT_RECORDS - 1))] = record;
            recentEventCount += record.events().size();
            while (recentFirst < record.recordNo()
                    && (record.recordNo() - recentFirst >= RECENT_RECORDS || recentEventCount > recentEvents)) {
                int slot = (int) (recentFirst & (RECENT_RECORDS - 1));
                recentEventCount -= recent[slot].events().size();
                recent[slot] = null;
                recentFirst++;
            }
            ackedSeq = nextSeq - 1;
            ackedRecordNo = record.recordNo();
            appended.signalAll();
        } finally {
            lock.unlock();
        }
        if (holds.isEmpty()) {
            release();
        }
    }

    /** While writes fail and nobody sends: finds out whether the journal can write again (space is back). */
    private void probeAfterFailure() {
        if (problem == null) {
            return;
        }
        try {
            file.probe();
            problem = null;
            LOG.info("the journal can write again");
        } catch (IOException e) {
            problem = "the journal cannot write in " + dir.toAbsolutePath() + ": " + e.getMessage();
        }
    }

    /** Adds {@code first} and whatever else is waiting, up to about {@code maxEvents} events; returns the event count. */
    private static int takeGroup(LinkedBlockingQueue<Pending> queue, Pending first, List<Pending> into, int maxEvents) {
        into.add(first);
        int n = first.events().size();
        Pending next;
        while (n < maxEvents && (next = queue.poll()) != null) {
            into.add(next);
            n += next.events().size();
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
        queuedEvents.addAndGet(-eventCount);
        if (problem != null) {
            problem = null;
            LOG.info("the journal writes again");
        }
        lastArrivalNanos = lastRecordNanos;
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

    /** Stops taking appends and waits until everything queued is durable (or refused). */
    void stopWriting() throws InterruptedException {
        synchronized (this) {
            closing = true;
        }
        writer.join(); // bounded: a write that fails, fails fast, and the queue takes no more
    }

    boolean closing() {
        return closing;
    }

    /** Closes the files: deletes them when every hold covers every record, else leaves them for the next start. */
    @Override
    public void close() throws IOException {
        if (allHeld()) {
            file.releaseAll();
        } else {
            file.close();
        }
    }
}
