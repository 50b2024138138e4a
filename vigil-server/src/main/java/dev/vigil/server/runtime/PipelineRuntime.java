package dev.vigil.server.runtime;

import dev.vigil.config.VigilConfig;
import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.event.Event;
import dev.vigil.order.EventClock;
import dev.vigil.order.LateCounts;
import dev.vigil.order.LateEvent;
import dev.vigil.order.Lateness;
import dev.vigil.operator.KeyedState;
import dev.vigil.operator.Operator;
import dev.vigil.pipeline.InputWatermarks;
import dev.vigil.pipeline.MergeOperator;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.pipeline.OrderOperator;
import dev.vigil.pipeline.Partition;
import dev.vigil.pipeline.Pipeline;
import dev.vigil.pipeline.Timed;
import dev.vigil.pipeline.Topology;
import dev.vigil.store.CheckpointFile;
import dev.vigil.store.EventStore;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.WindowSpan;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded runtime: the pipeline's {@link Topology} on threads, fed by the journal.
 *
 * <pre>
 *  journal tail (feed) ──records──► dispatcher (order) ──events──► partition 0..N-1 (summarise, correlate) ──parts──► writer (merge, assess) ──outputs──► store
 * </pre>
 * Each partition thread owns one instance of each keyed stage outright (the Kafka Streams / Flink task model):
 * no locks. The dispatcher runs the order stage, the pipeline's one event clock: it reads each record's events
 * and ticks in journal order, classifies every event (on time, late, too late) and sends it to the partition its
 * source routes to (summarise) and, for a process activity, to the one its process routes to (correlate), with
 * the watermark the event found; after each record it tells every partition where the watermark stands. So a
 * partition's outputs depend on the journal alone, never on when its thread ran (see {@link EventClock}). The
 * writer runs the merge and assess stages over all partitions' window parts; the store thread writes windows, case
 * changes and alert changes to the store, in the order handed to it.
 *
 * <p>Checkpoints: every {@code checkpointEvery}, after a record, the dispatcher stops feeding, has every
 * partition drain its outputs to the writer and write its stages' state key by key, and hands that with the
 * order stage's to the writer, which adds the merge and assess stages' and hands it after its outputs to the store
 * thread: that writes the outputs, then the checkpoint file.
 * On start the last checkpoint is restored, each key on the partition it now routes to (so a checkpoint taken
 * with another number of partitions restores too), the cases written after it deleted (the replay writes them
 * again, and what the crashed run wrote in passing must not outlive it), and the journal replayed from the
 * record after it; windows are written with INSERT OR REPLACE, so replaying rewrites the same rows.
 */
public final class PipelineRuntime implements PipelineView {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineRuntime.class);
    private static final long ADVANCE_EVERY_MILLIS = 200;

    private sealed interface ToDispatcher permits Record, StopAll {
    }

    /** A journal record: its events, or none for a tick (the journal's word that nothing arrived until then). */
    private record Record(long recordNo, long firstSeq, long ingestedMicros, List<Event> events) implements ToDispatcher {
    }

    private record StopAll() implements ToDispatcher {
    }

    private sealed interface ToPartition permits Batch, Progress, Snapshot, Stop {
    }

    /**
     * Events with what the clock made of each (the partition moves to the watermark an event found before
     * taking it, so it sees events and time in journal order), and which of the partition's stages each goes to.
     */
    private record Batch(List<Timed> events, byte[] stages) implements ToPartition {
    }

    private static final byte SUMMARISE = 1;
    private static final byte CORRELATE = 2;
    private static final byte LINK = 4;

    /** The clock moved with no event for this partition (a record's last events went elsewhere, or a tick). */
    private record Progress(long watermark, long finalBefore) implements ToPartition {
    }

    /** Drain, then write the state of each stage instance into {@code summarise[i]} and {@code correlate[i]}. */
    private record Snapshot(CountDownLatch done, KeyedState[] summarise, KeyedState[] correlate, KeyedState[] link)
            implements ToPartition {
    }

    private record Stop() implements ToPartition {
    }

    private sealed interface ToWriter permits Advanced, Checkpoint, Stopped {
    }

    private record Advanced(int partition, Partition.Drained output, List<CaseChange> cases, List<LateEvent> lateEvents,
                            Map<String, LateCounts.Count> late, int openCases, long folded) implements ToWriter {
    }

    /** The order and partition stages' state at a record; the writer adds the merge stage's. */
    private record Checkpoint(long recordNo, Map<String, KeyedState> stages, CountDownLatch written) implements ToWriter {
    }

    private record Stopped(int partition) implements ToWriter {
    }

    /** What the writer hands the store thread, taken in order: outputs, the state after them, the end. */
    private sealed interface ToStore permits Outputs, StateAt, Done {
    }

    /** Outputs up to a watermark: windows (the newest revision of each), case changes, late events, alert changes. */
    private record Outputs(List<MergedWindow> windows, List<CaseChange> cases, List<LateEvent> late,
                           List<dev.vigil.assess.ObjectiveLedger.Transition> alertChanges, long watermark,
                           long finalBefore, long mergerTooLate, long folded) implements ToStore {
    }

    /** Every stage's state at a record, written as the checkpoint once the outputs handed before it are stored. */
    private record StateAt(long recordNo, byte[] state, CountDownLatch written) implements ToStore {
    }

    private record Done() implements ToStore {
    }

    private final VigilConfig config;
    private final Path checkpointDir;
    private final OutputStore store;
    private final String fingerprint;
    private final Topology topology;
    private final Partition[] partitions;
    /** The merge stage's one instance and where the partitions stand, the writer's alone. */
    private final MergeOperator merger = new MergeOperator();
    /** The assess stage's one instance (the writer's; the API reads its ledgers under its lock). */
    private final dev.vigil.pipeline.AssessOperator assess;
    private final dev.vigil.store.AlertStore alerts;
    private final AlertWriter alertWriter;
    /** Alert changes, case changes and late events not yet handed to the store thread; the writer's alone. */
    private List<dev.vigil.assess.ObjectiveLedger.Transition> alertChanges = new ArrayList<>();
    private List<CaseChange> cases = new ArrayList<>();
    private List<LateEvent> late = new ArrayList<>();
    /** The watermark of the outputs last handed to the store thread; the writer's alone. */
    private long handedWatermark = Long.MIN_VALUE;
    private final InputWatermarks partitionTime;
    private final BlockingQueue<ToDispatcher> records = new ArrayBlockingQueue<>(64);
    private final List<BlockingQueue<ToPartition>> inboxes = new ArrayList<>();
    /** The order stage: the pipeline's clock, fed in journal order by the dispatcher alone. */
    private final OrderOperator order;
    private final BlockingQueue<ToWriter> toWriter = new ArrayBlockingQueue<>(4096);
    /**
     * From the writer (merge, assess) to the store thread (encode, write, roll up): the two halves of the work
     * that one thread did in turn, and that set the pace of reading a backlog, run side by side.
     */
    private final BlockingQueue<ToStore> toStore = new ArrayBlockingQueue<>(16);
    private final List<Thread> threads = new ArrayList<>();
    private final Status status;
    private volatile long lastRecordNo;
    private volatile Throwable failure;
    /** The pipeline's reading of the journal, and the thread that reads it once the start's replay is done. */
    private volatile EventStore.Tail tail;
    private Thread feeder;
    private boolean closed;
    /** Why the store thread's last attempt to store outputs failed, while it retries; null when writes succeed. */
    private volatile String writeProblem;
    private volatile boolean stopping;
    /** Set when a stop gave up writing outputs the store would not take: the next start replays them. */
    private volatile boolean gaveUp;
    /** Windows the merger handed out since the last hand-out to the store thread (each series and minute once). */
    private List<MergedWindow> unwritten = new ArrayList<>();

    private record WindowAt(dev.vigil.summarise.KpiKey key, long startMicros) {
    }

    /** Where the merge stage hands its windows: to be stored, and to the assess stage. */
    private void toUnwritten(MergedWindow w) {
        unwritten.add(w);
        assess.onElement(w, alertChanges::add);
    }

    /** How long a stop lets the writer retry outputs the store refuses before leaving them to the next start. */
    private static final long STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private PipelineRuntime(VigilConfig config, int partitionCount, Path dataDir, OutputStore store,
                            dev.vigil.store.AlertStore alerts) throws SQLException {
        this.config = config;
        this.checkpointDir = dataDir.resolve("pipeline");
        this.store = store;
        this.fingerprint = fingerprint(config);
        this.topology = new Topology(config.processes(), config.lateness(), config.objectives(), config.pairWithinMicros());
        this.assess = new dev.vigil.pipeline.AssessOperator(topology.objectives());
        this.alerts = alerts;
        this.alertWriter = new AlertWriter(alerts, topology.objectives(), config.webhooks());
        this.order = topology.newOrder();
        this.partitions = new Partition[partitionCount];
        for (int i = 0; i < partitionCount; i++) {
            partitions[i] = new Partition(topology);
            inboxes.add(new ArrayBlockingQueue<>(256));
        }
        this.partitionTime = new InputWatermarks(partitionCount);
        this.status = new Status(partitionCount);
    }

    /** Restores the last checkpoint, replays the journal after it, and runs from then on. */
    public static PipelineRuntime start(VigilConfig config, EventStore journal, Path dataDir, int partitionCount)
            throws SQLException, IOException, InterruptedException {
        return run(config, journal, dataDir, partitionCount, false, null);
    }

    /**
     * Recomputes every pipeline output (KPI windows, cases, late events) from the whole journal, whatever the
     * checkpoint holds: {@code vigil rebuild}, on a stopped server's data folder. The journal's ticks are
     * replayed with its events, so on an unchanged configuration the outputs are those the live run produced.
     * Close the runtime (or the journal) afterwards: that lets it finish, write its outputs and a fresh checkpoint.
     *
     * @param progress told now and then of the last journal record the pipeline has taken in
     */
    public static PipelineRuntime rebuild(VigilConfig config, EventStore journal, Path dataDir, int partitionCount,
                                          java.util.function.LongConsumer progress)
            throws SQLException, IOException, InterruptedException {
        return run(config, journal, dataDir, partitionCount, true, progress);
    }

    private static PipelineRuntime run(VigilConfig config, EventStore journal, Path dataDir, int partitionCount,
                                       boolean fromScratch, java.util.function.LongConsumer progress)
            throws SQLException, IOException, InterruptedException {
        OutputStore store = new OutputStore(journal);
        PipelineRuntime rt = new PipelineRuntime(config, partitionCount, dataDir, store, new dev.vigil.store.AlertStore(journal));
        long after = fromScratch ? rt.fromScratch() : rt.restore();
        rt.startThreads();
        Thread reporter = progress == null ? null : Thread.ofPlatform().daemon(true).name("vigil-replay-progress").start(() -> {
            try {
                while (true) {
                    Thread.sleep(2_000);
                    progress.accept(rt.lastRecordNo);
                }
            } catch (InterruptedException e) {
                // the replay is over
            }
        });
        long t0 = System.nanoTime();
        // The journal keeps what the pipeline reads until a checkpoint covers it.
        EventStore.Tail tail = journal.tail(after, true);
        rt.tail = tail;
        long upTo = journal.acknowledgedRecordNo();
        try {
            // What was acknowledged before the start, before the server takes more: KPIs are whole when it serves.
            while (tail.position() < upTo && rt.failure == null && tail.next(rt::onRecord, REPLAY_BATCH_EVENTS, 1_000)) {
                // told
            }
        } finally {
            if (reporter != null) {
                reporter.interrupt();
            }
        }
        if (upTo > after) {
            LOG.info("pipeline: replayed journal records {}..{} in {} ms", after + 1, upTo,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
        rt.startFeeding(journal);
        journal.closeFirst(rt);
        return rt;
    }

    private static final int REPLAY_BATCH_EVENTS = 10_000;

    /**
     * Reads the journal's tail on a thread of its own from now on, at the pipeline's pace: a pipeline that falls
     * behind reads from the journal's files and never holds ingest back. Stops once the runtime stops and has read
     * what the journal acknowledged.
     */
    private void startFeeding(EventStore journal) {
        feeder = new Thread(() -> {
            try (EventStore.Tail t = tail) {
                while (!(stopping && t.position() >= journal.acknowledgedRecordNo())) {
                    if (!t.next(this::onRecord, REPLAY_BATCH_EVENTS, ADVANCE_EVERY_MILLIS)) {
                        return; // the journal takes no more, and every record was read
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | SQLException e) {
                throw new IllegalStateException("reading the journal failed: " + e.getMessage(), e);
            }
        }, "vigil-pipeline-feed");
        feeder.setDaemon(true);
        feeder.setUncaughtExceptionHandler(this::failed);
        feeder.start();
    }

    /** A pipeline thread failed: KPIs stop, events are still stored, and the journal no longer waits for it. */
    private void failed(Thread th, Throwable e) {
        failure = e;
        EventStore.Tail t = tail;
        if (t != null) {
            t.letGo();
        }
        LOG.error("pipeline thread {} failed; KPIs and cases stop updating (events are still stored)", th.getName(), e);
    }

    /** Every output is rebuilt from the start: clears what an earlier run left. The record to replay after: 0. */
    private long fromScratch() throws SQLException {
        store.clear();
        alertWriter.clear();
        return 0;
    }

    private long restore() throws IOException, SQLException {
        var cp = CheckpointFile.read(checkpointDir);
        if (cp.isPresent() && cp.get().fingerprint().equals(fingerprint)) {
            Map<String, KeyedState> stages = Pipeline.read(cp.get().state());
            stage(stages, topology.order.name()).restoreInto(new Operator<?, ?>[] {order});
            Operator<?, ?>[] summarisers = new Operator<?, ?>[partitions.length];
            Operator<?, ?>[] correlators = new Operator<?, ?>[partitions.length];
            Operator<?, ?>[] linkers = new Operator<?, ?>[partitions.length];
            for (int i = 0; i < partitions.length; i++) {
                summarisers[i] = partitions[i].summariser();
                correlators[i] = partitions[i].correlator();
                linkers[i] = partitions[i].linker();
            }
            stage(stages, topology.summarise.name()).restoreInto(summarisers);
            stage(stages, topology.correlate.name()).restoreInto(correlators);
            stage(stages, topology.link.name()).restoreInto(linkers);
            stage(stages, topology.merge.name()).restoreInto(new Operator<?, ?>[] {merger});
            stage(stages, topology.assess.name()).restoreInto(new Operator<?, ?>[] {assess});
            byte[] folded = stage(stages, FOLDED).entries().get(FOLDED);
            status.foldedBefore = folded == null ? 0 : new DataInputStream(new ByteArrayInputStream(folded)).readLong();
            status.eventsStored = status.foldedBefore;
            // The partitions are new: tell them where time stood, or a quiet restart would show no closed minute
            // until the next record arrives. Priming hands out nothing: amendments the checkpoint held back go out at
            // the next move of time, as they would have without the restart.
            for (Partition p : partitions) {
                p.prime(order.clock().watermark(), order.clock().finalBefore());
            }
            store.forgetAfter(cp.get().recordNo());
            LOG.info("pipeline: restored the checkpoint at journal record {}", cp.get().recordNo());
            lastRecordNo = cp.get().recordNo();
            status.checkpointRecord = cp.get().recordNo();
            return cp.get().recordNo();
        }
        if (cp.isPresent()) {
            LOG.warn("pipeline: vigil.yaml's processes or lateness, or the checkpoint format of this Vigil, "
                    + "changed since the last checkpoint; rebuilding KPIs and cases from the whole journal");
        }
        return fromScratch();
    }

    /** Not a stage: the partitions' count of events folded, kept with their state so the figure survives a restart. */
    private static final String FOLDED = "folded";

    private static KeyedState stage(Map<String, KeyedState> stages, String name) throws IOException {
        KeyedState s = stages.get(name);
        if (s == null) {
            throw new IOException("the checkpoint has no state for stage '" + name + "'");
        }
        return s;
    }

    private void startThreads() {
        Thread d = new Thread(this::dispatchLoop, "vigil-pipeline-dispatch");
        threads.add(d);
        for (int i = 0; i < partitions.length; i++) {
            int p = i;
            threads.add(new Thread(() -> partitionLoop(p), "vigil-pipeline-" + i));
        }
        threads.add(new Thread(this::writeLoop, "vigil-pipeline-writer"));
        threads.add(new Thread(this::storeLoop, "vigil-pipeline-store"));
        for (Thread t : threads) {
            t.setDaemon(true);
            t.setUncaughtExceptionHandler(this::failed);
            t.start();
        }
    }

    private void onRecord(long recordNo, long firstSeq, long ingestedMicros, List<Event> events) throws InterruptedException {
        if (failure == null) {
            records.put(new Record(recordNo, firstSeq, ingestedMicros, events));
        }
    }

    // --- dispatcher -------------------------------------------------------------------------------------

    /** What the dispatcher gathers for one partition between flushes. */
    private static final class Outbox {
        final List<Timed> events = new ArrayList<>();
        byte[] stages = new byte[64];

        void add(Timed t, byte stage) {
            int i = events.size();
            if (i > 0 && events.get(i - 1) == t) {
                // Its source and its process route to this same partition: one message, two stages.
                stages[i - 1] |= stage;
                return;
            }
            if (i == stages.length) {
                stages = java.util.Arrays.copyOf(stages, i * 2);
            }
            events.add(t);
            stages[i] = stage;
        }

        Batch take() {
            Batch b = new Batch(new ArrayList<>(events), java.util.Arrays.copyOf(stages, events.size()));
            events.clear();
            return b;
        }
    }

    private void dispatchLoop() {
        List<Outbox> outboxes = new ArrayList<>();
        for (int i = 0; i < partitions.length; i++) {
            outboxes.add(new Outbox());
        }
        int n = partitions.length;
        long lastCheckpoint = System.currentTimeMillis();
        long[] told = new long[n];
        java.util.Arrays.fill(told, EventClock.NONE);
        try {
            while (true) {
                ToDispatcher msg = records.poll(ADVANCE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
                if (msg instanceof StopAll) {
                    checkpoint(lastRecordNo);
                    for (BlockingQueue<ToPartition> q : inboxes) {
                        q.put(new Stop());
                    }
                    return;
                }
                if (msg instanceof Record r) {
                    if (r.events().isEmpty()) {
                        order.clock().tick(r.ingestedMicros());
                    }
                    for (int i = 0; i < r.events().size(); i++) {
                        Timed t = order.accept(r.events().get(i), r.firstSeq() + i, r.ingestedMicros());
                        if (t == null) {
                            continue;
                        }
                        int s = topology.summarise.instanceOf(t, n);
                        outboxes.get(s).add(t, SUMMARISE);
                        told[s] = t.watermark();
                        int l = topology.link.instanceOf(t, n);
                        if (l >= 0) {
                            outboxes.get(l).add(t, LINK);
                            told[l] = t.watermark();
                            if (outboxes.get(l).events.size() >= 512) {
                                flush(l, outboxes);
                            }
                        }
                        if (t.ofProcess()) {
                            int c = topology.correlate.instanceOf(t, n);
                            outboxes.get(c).add(t, CORRELATE);
                            told[c] = t.watermark();
                            if (outboxes.get(c).events.size() >= 512) {
                                flush(c, outboxes);
                            }
                        }
                        if (outboxes.get(s).events.size() >= 512) {
                            flush(s, outboxes);
                        }
                    }
                    EventClock clock = order.clock();
                    for (int p = 0; p < n; p++) {
                        flush(p, outboxes);
                        // Every partition follows the clock, also one that got no event: the merge stage waits
                        // for the slowest partition's watermark.
                        if (told[p] != clock.watermark()) {
                            inboxes.get(p).put(new Progress(clock.watermark(), clock.finalBefore()));
                            told[p] = clock.watermark();
                        }
                    }
                    lastRecordNo = r.recordNo();
                }
                long now = System.currentTimeMillis();
                if (now - lastCheckpoint >= config.checkpointEveryMillis() && lastRecordNo > status.checkpointRecord) {
                    checkpoint(lastRecordNo);
                    lastCheckpoint = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void flush(int p, List<Outbox> outboxes) throws InterruptedException {
        Outbox b = outboxes.get(p);
        if (!b.events.isEmpty()) {
            inboxes.get(p).put(b.take());
        }
    }

    private void checkpoint(long recordNo) throws InterruptedException, IOException {
        CountDownLatch snapped = new CountDownLatch(partitions.length);
        KeyedState[] summarise = new KeyedState[partitions.length];
        KeyedState[] correlate = new KeyedState[partitions.length];
        KeyedState[] link = new KeyedState[partitions.length];
        for (BlockingQueue<ToPartition> q : inboxes) {
            q.put(new Snapshot(snapped, summarise, correlate, link));
        }
        snapped.await();
        Map<String, KeyedState> stages = new LinkedHashMap<>();
        KeyedState o = new KeyedState();
        order.snapshot(o.sink());
        stages.put(topology.order.name(), o);
        stages.put(topology.summarise.name(), union(summarise));
        stages.put(topology.correlate.name(), union(correlate));
        stages.put(topology.link.name(), union(link));
        CountDownLatch written = new CountDownLatch(1);
        toWriter.put(new Checkpoint(recordNo, stages, written));
        // Waiting keeps at most one checkpoint in flight and bounds how much a crash makes us replay.
        written.await();
    }

    private static KeyedState union(KeyedState[] parts) {
        KeyedState all = new KeyedState();
        KeyedState.Sink sink = all.sink();
        for (KeyedState p : parts) {
            p.entries().forEach(sink::put);
        }
        return all;
    }

    // --- partitions -------------------------------------------------------------------------------------

    private void partitionLoop(int i) {
        Partition part = partitions[i];
        BlockingQueue<ToPartition> inbox = inboxes.get(i);
        long lastDrain = System.currentTimeMillis();
        List<LateEvent> late = new ArrayList<>();
        try {
            while (true) {
                ToPartition msg = inbox.poll(ADVANCE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
                // Only when outputs go to the writer depends on the wall clock, never what they are.
                long now = System.currentTimeMillis();
                switch (msg) {
                    case null -> {
                    }
                    case Batch b -> {
                        for (int k = 0; k < b.events().size(); k++) {
                            Timed t = b.events().get(k);
                            if ((b.stages()[k] & SUMMARISE) != 0) {
                                part.summarise(t);
                                // Each event is summarised in exactly one partition: recorded there, once.
                                if (t.lateness() != Lateness.ON_TIME) {
                                    late.add(new LateEvent(t.seq(), t.lateness()));
                                }
                            }
                            if ((b.stages()[k] & LINK) != 0) {
                                part.link(t);
                            }
                            if ((b.stages()[k] & CORRELATE) != 0) {
                                part.correlate(t);
                            }
                        }
                    }
                    case Progress pr -> part.advanceTo(pr.watermark(), pr.finalBefore());
                    case Snapshot s -> {
                        drain(i, part, late);
                        lastDrain = now;
                        s.summarise()[i] = new KeyedState();
                        part.summariser().snapshot(s.summarise()[i].sink());
                        s.correlate()[i] = new KeyedState();
                        part.correlator().snapshot(s.correlate()[i].sink());
                        s.link()[i] = new KeyedState();
                        part.linker().snapshot(s.link()[i].sink());
                        s.done().countDown();
                    }
                    case Stop s -> {
                        drain(i, part, late);
                        toWriter.put(new Stopped(i));
                        return;
                    }
                }
                if (now - lastDrain >= ADVANCE_EVERY_MILLIS || part.windowDue()) {
                    drain(i, part, late);
                    lastDrain = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands what the partition closed and changed since the last drain to the writer. */
    private void drain(int i, Partition part, List<LateEvent> late) throws InterruptedException {
        Partition.Drained out = part.drain();
        List<CaseChange> cases = part.drainCases();
        List<LateEvent> lateEvents = late.isEmpty() ? List.of() : List.copyOf(late);
        late.clear();
        toWriter.put(new Advanced(i, out, cases, lateEvents, part.late().snapshot(), part.cases(), part.folded()));
    }

    // --- writer: merge and assess -----------------------------------------------------------------------

    private void writeLoop() {
        int stopped = 0;
        long lastHanded = System.currentTimeMillis();
        try {
            while (true) {
                ToWriter msg = toWriter.poll(ADVANCE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
                switch (msg) {
                    case null -> {
                    }
                    case Advanced a -> {
                        for (var w : a.output().windows()) {
                            merger.onElement(w, this::toUnwritten);
                        }
                        partitionTime.update(a.partition(), a.output().watermark(), a.output().finalBefore());
                        cases.addAll(a.cases());
                        late.addAll(a.lateEvents());
                        status.update(a);
                    }
                    case Checkpoint c -> {
                        handOut();
                        Map<String, KeyedState> stages = new LinkedHashMap<>(c.stages());
                        KeyedState m = new KeyedState();
                        merger.snapshot(m.sink());
                        stages.put(topology.merge.name(), m);
                        KeyedState a = new KeyedState();
                        assess.snapshot(a.sink());
                        stages.put(topology.assess.name(), a);
                        KeyedState folded = new KeyedState();
                        long total = status.eventsFolded();
                        folded.sink().put(FOLDED, KeyedState.write(out -> out.writeLong(total)));
                        stages.put(FOLDED, folded);
                        toStore(new StateAt(c.recordNo(), Pipeline.write(stages), c.written()));
                    }
                    case Stopped s -> {
                        if (++stopped == partitions.length) {
                            handOut();
                            toStore(new Done());
                            return;
                        }
                    }
                }
                // Case changes are gathered for a while, bounded in time (what the API shows lags by at most that)
                // and in size (memory). Closed windows are handed out at once when nothing else waits: live, they
                // come a few times a minute and are what users wait for. Reading a backlog (history loaded, a
                // restart far behind), minutes close hundreds a second and are gathered like case changes.
                long now = System.currentTimeMillis();
                boolean windowsDue = WindowSpan.MINUTE.entersLaterWindow(handedWatermark, partitionTime.watermark())
                        && toWriter.isEmpty();
                if (windowsDue || now - lastHanded >= ADVANCE_EVERY_MILLIS || cases.size() >= 50_000) {
                    handOut();
                    lastHanded = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (GaveUp e) {
            // The store thread stopped and said why.
        }
    }

    /** Closes what the partitions' time closes, and hands the outputs gathered since the last time to the store thread. */
    private void handOut() throws InterruptedException {
        long watermark = partitionTime.watermark();
        merger.onWatermark(watermark, partitionTime.finalBefore(), this::toUnwritten);
        assess.onWatermark(watermark, partitionTime.finalBefore(), alertChanges::add);
        // Handed out even when empty: events folded into open windows change no output, yet eventsStored must
        // reach them; and an idle store rolls up a slice at each write.
        toStore(new Outputs(unwritten, cases, late, alertChanges, watermark, partitionTime.finalBefore(), merger.tooLate(),
                status.eventsFolded()));
        unwritten = new ArrayList<>();
        cases = new ArrayList<>();
        late = new ArrayList<>();
        alertChanges = new ArrayList<>();
        handedWatermark = watermark;
    }

    private void toStore(ToStore m) throws InterruptedException {
        // A store thread that stopped takes no more: stop too rather than wait for it for ever.
        while (!toStore.offer(m, ADVANCE_EVERY_MILLIS, TimeUnit.MILLISECONDS)) {
            if (gaveUp || failure != null) {
                throw new GaveUp("the store thread stopped");
            }
        }
    }

    // --- store thread -----------------------------------------------------------------------------------

    private void storeLoop() {
        try {
            while (true) {
                switch (toStore.take()) {
                    case Outputs o -> write(gather(o));
                    case StateAt c -> {
                        retrying("checkpoint", () -> CheckpointFile.write(checkpointDir, new CheckpointFile.Checkpoint(
                                c.recordNo(), fingerprint, c.state())));
                        status.checkpointRecord = c.recordNo();
                        status.checkpoints++;
                        EventStore.Tail t = tail;
                        if (t != null) {
                            t.durableUpTo(c.recordNo()); // a restart starts here: the journal may let go before it
                        }
                        c.written().countDown();
                    }
                    case Done d -> {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (GaveUp e) {
            gaveUp = true;
            LOG.warn("pipeline: stopped without writing its last outputs ({}); the next start replays the journal "
                    + "from checkpoint {} and writes them", e.getMessage(), status.checkpointRecord);
        }
    }

    /**
     * The outputs queued behind {@code first} joined to it (only this thread takes from the queue): a DuckDB commit
     * costs milliseconds whatever it holds, and reading a backlog, a commit per hand-out held the pipeline back.
     */
    private Outputs gather(Outputs first) {
        // The lists are the store thread's once handed over (the writer starts new ones): the rest join the first's.
        Outputs last = first;
        while (toStore.peek() instanceof Outputs) {
            last = (Outputs) toStore.poll();
            first.windows().addAll(last.windows());
            first.cases().addAll(last.cases());
            first.late().addAll(last.late());
            first.alertChanges().addAll(last.alertChanges());
        }
        return last == first ? first : new Outputs(newestRevisions(first.windows()), first.cases(), first.late(),
                first.alertChanges(), last.watermark(), last.finalBefore(), last.mergerTooLate(), last.folded());
    }

    /**
     * Each series and minute once, in its newest revision. A hand-out holds each once, and a first revision
     * cannot follow another, so only windows handed out again (late parts) are looked up: hashing every window
     * of a backlog cost a fifth of the store thread's time.
     */
    static List<MergedWindow> newestRevisions(List<MergedWindow> windows) {
        Map<WindowAt, Integer> revised = new HashMap<>();
        for (MergedWindow w : windows) {
            if (w.revision() > 1) {
                revised.merge(new WindowAt(w.key(), w.startMicros()), w.revision(), Math::max);
            }
        }
        if (!revised.isEmpty()) {
            windows.removeIf(w -> w.revision() < revised.getOrDefault(new WindowAt(w.key(), w.startMicros()), 0));
        }
        return windows;
    }

    private void write(Outputs o) throws InterruptedException {
        // A write that changes what a reader of closed minutes sees (windows, or the last closed minute) is
        // counted when it begins and when it is done: see Status#windowsVersion.
        boolean visible = !o.windows().isEmpty() || WindowSpan.MINUTE.entersLaterWindow(status.watermark, o.watermark());
        if (visible) {
            status.windowWritesBegun++;
        }
        retrying("KPI windows and cases", () -> store.write(o.windows(), o.cases(), o.late(), status.checkpointRecord));
        if (!o.alertChanges().isEmpty()) {
            // After the windows: an alert never points at evidence the API cannot show yet.
            retrying("alert changes", () -> alertWriter.write(o.alertChanges()));
        }
        status.windowsWritten += o.windows().size();
        status.watermark = o.watermark();
        status.mergerTooLate = o.mergerTooLate();
        status.eventsStored = o.folded();
        status.writes++;
        if (visible) {
            status.windowWritesDone++;
        }
        // After the write is done: rolling changes nothing a reader sees, and readers wait out a write in progress.
        // Nor is it what anyone waits for: while a backlog queues up (history loaded, a restart far behind), a roll
        // at every write took a third of the writer's time, so it rolls only now and then until the queues are
        // drained, and catches up a slice per write once live (readers read minutes meanwhile: the same answer).
        // Nor is a stop held up by it: after a backlog, rolling its weeks up takes the store thread many seconds, and
        // the next start rolls up from the stored minutes.
        long now = System.nanoTime();
        if (!stopping && ((toStore.isEmpty() && toWriter.isEmpty()) || now - lastRoll >= ROLL_DURING_BACKLOG_NANOS)) {
            lastRoll = now;
            rollUp(o.finalBefore());
        }
    }

    /** How often the store thread rolls KPI windows up while reading a backlog. */
    private static final long ROLL_DURING_BACKLOG_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** When the store thread last rolled up (System.nanoTime); the store thread's alone. */
    private long lastRoll = System.nanoTime();

    /**
     * Rolls final minutes up into ten minutes, hours and days. Not retried like the outputs: the roll-ups are made
     * from stored windows, so a failed roll is only done at a later write (the readers read minutes meanwhile).
     */
    private void rollUp(long finalBefore) {
        try {
            store.rollUp(finalBefore);
        } catch (SQLException e) {
            LOG.warn("pipeline: rolling KPI windows up failed ({}); the minutes are read meanwhile, rolling retries "
                    + "at the next write", e.getMessage());
        }
    }

    private interface StoreWrite {
        void write() throws SQLException, IOException;
    }

    private static final class GaveUp extends RuntimeException {
        GaveUp(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Writes until the store takes it (a full disk passes): outputs are rebuilt from acknowledged events only by
     * a replay, so dropping them is not an option, and each write is idempotent (rows keyed, replaced). A stop
     * waits a while, then leaves them to the next start's replay.
     */
    private void retrying(String what, StoreWrite output) throws InterruptedException {
        long failingSince = 0;
        while (true) {
            try {
                output.write();
                if (writeProblem != null) {
                    LOG.info("pipeline: the store takes outputs again");
                    writeProblem = null;
                }
                return;
            } catch (SQLException | IOException e) {
                if (writeProblem == null) {
                    LOG.error("pipeline: writing the {} failed; retrying every second", what, e);
                    failingSince = System.nanoTime();
                }
                writeProblem = "the pipeline cannot write its " + what + ": " + e.getMessage() + " (retrying)";
                if (stopping && System.nanoTime() - failingSince > STOP_GRACE_NANOS) {
                    throw new GaveUp(writeProblem);
                }
                Thread.sleep(1000);
            }
        }
    }

    /** Why KPIs and cases are not being brought up to date now, or null when they are. */
    @Override
    public String problem() {
        Throwable f = failure;
        if (f != null) {
            return "the pipeline stopped (" + f.getMessage() + "); events are still stored, a restart rebuilds KPIs";
        }
        return writeProblem;
    }

    // --- status, stop -----------------------------------------------------------------------------------

    /**
     * What the runtime has done, for /api/v1/stats. Written by the store thread (what is stored) and the writer
     * ({@link #update}, synchronized), read by anyone.
     */
    public static final class Status {
        private final Map<String, LateCounts.Count>[] late;
        private final int[] openCases;
        private final long[] folded;
        volatile long watermark = Long.MIN_VALUE;
        volatile long checkpointRecord;
        volatile long checkpoints;
        volatile long windowsWritten;
        volatile long mergerTooLate;
        volatile long writes;
        /** {@link #eventsFolded} as of the last write done: the events whose outputs are all in the store. */
        volatile long eventsStored;
        /* Written by the store thread only: begun before a visible write, done after it (a sequence lock). */
        volatile long windowWritesBegun;
        volatile long windowWritesDone;

        /** Set once, before the threads start, from the checkpoint. */
        long foldedBefore;

        @SuppressWarnings("unchecked")
        Status(int n) {
            late = new Map[n];
            openCases = new int[n];
            folded = new long[n];
            for (int i = 0; i < n; i++) {
                late[i] = Map.of();
            }
        }

        synchronized void update(Advanced a) {
            late[a.partition()] = a.late();
            openCases[a.partition()] = a.openCases();
            folded[a.partition()] = a.folded();
        }

        public synchronized Map<String, LateCounts.Count> lateBySource() {
            return LateCounts.sum(List.of(late));
        }

        public synchronized long casesInMemory() {
            long n = 0;
            for (int c : openCases) {
                n += c;
            }
            return n;
        }

        public synchronized long eventsFolded() {
            long n = foldedBefore;
            for (long f : folded) {
                n += f;
            }
            return n;
        }

        public long watermark() {
            return watermark;
        }

        public long checkpointRecord() {
            return checkpointRecord;
        }

        public long checkpoints() {
            return checkpoints;
        }

        public long eventsStored() {
            return eventsStored;
        }

        public long windowsWritten() {
            return windowsWritten;
        }

        public long mergerTooLate() {
            return mergerTooLate;
        }

        /** Writes of outputs to the store since start (one at most every 200 ms, and at each closed minute). */
        public long writes() {
            return writes;
        }

        /**
         * Which state of the KPI windows and closed minutes the store holds: grows with every write that
         * changes either (new windows, revised windows, a newly closed minute). A reader that takes it, reads the
         * store, then finds {@link #windowsChangedSince} false, has read exactly that state, not part of a later one.
         */
        public long windowsVersion() {
            return windowWritesDone;
        }

        /** Whether a write that changes windows or closed minutes has begun since {@code version} was taken. */
        public boolean windowsChangedSince(long version) {
            return windowWritesBegun != version;
        }
    }

    @Override
    public Status status() {
        return status;
    }

    /** The assess stage: the objectives' ledgers, which the API reads under its lock. */
    @Override
    public dev.vigil.pipeline.AssessOperator assess() {
        return assess;
    }

    /** Alert states, history and the notifications owed. */
    @Override
    public dev.vigil.store.AlertStore alerts() {
        return alerts;
    }

    @Override
    public OutputStore store() {
        return store;
    }

    @Override
    public int partitions() {
        return partitions.length;
    }

    @Override
    public dev.vigil.correlate.Processes processes() {
        return config.processes();
    }

    /** The last journal record the pipeline has taken in. */
    @Override
    public long lastRecordNo() {
        return lastRecordNo;
    }

    @Override
    public boolean failed() {
        return failure != null;
    }

    /** Processes everything received, writes a final checkpoint and the outputs, and stops the threads. */
    @Override
    public synchronized void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // First everything the journal acknowledged (it takes no more when the store stops first).
            while (feeder != null && feeder.isAlive() && failure == null && !gaveUp && System.nanoTime() < deadline) {
                feeder.join(100);
            }
            // The dispatcher may be held by a writer that cannot store (a full disk): offer, not put.
            while (failure == null && !gaveUp && System.nanoTime() < deadline
                    && !records.offer(new StopAll(), 100, TimeUnit.MILLISECONDS)) {
                // the writer retries, or gives up after its grace period
            }
            for (Thread t : threads) {
                // A writer that gave up leaves the others blocked on it: no point waiting for them.
                while (t.isAlive() && failure == null && !gaveUp && System.nanoTime() < deadline) {
                    t.join(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            store.close();
            try {
                alerts.close();
            } catch (SQLException e) {
                LOG.warn("closing the alert store: {}", e.getMessage());
            }
        }
    }

    /**
     * What operator state depends on, as text: lateness, processes and objectives (not the partition count: state is kept
     * per key, and a checkpoint restores on any number of partitions). Written field by field in a fixed order (a
     * record's toString would print a Set in an order that changes between JVMs, and a restart would then throw
     * its checkpoint away).
     */
    static String fingerprint(VigilConfig c) {
        StringBuilder s = new StringBuilder();
        // The state's format: 3 since state is kept per key (2: the clock at the dispatcher, idle progress in the journal).
        // 4: the assess stage's state (objectives' ledgers) is in the checkpoint. 5: the link stage.
        s.append("v5|").append(c.lateness()).append("|pair:").append(c.pairWithinMicros());
        for (ProcessDef p : c.processes().all()) {
            s.append('|').append(p.name()).append(p.activities()).append(p.start()).append(new java.util.TreeSet<>(p.ends()))
                    .append(p.keys()).append(p.stuckAfterMicros());
        }
        // What an objective's ledger and alerts depend on: a change rebuilds them from the journal.
        for (dev.vigil.assess.Objective o : c.objectives()) {
            var spec = o.spec();
            s.append("|o:").append(o.name()).append(o.series()).append(spec.indicator()).append(spec.target())
                    .append(spec.window()).append(spec.budgeting());
            spec.rules().forEach(r -> s.append(',').append(r.id()));
        }
        return Integer.toHexString(s.toString().hashCode()) + "-" + s.length();
    }
}
