package dev.vigil.server.runtime;

import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.config.VigilConfig;
import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.Processes;
import dev.vigil.pipeline.AssessOperator;
import dev.vigil.pipeline.Codec;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.store.AlertStore;
import dev.vigil.store.EventStore;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.WindowSpan;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outputs of Vigil's Flink job (docs/SCALE.md) brought into this server's store ({@code --outputs-from}): the
 * windows, cases and alerts topics, read from their start, are written into the very tables the embedded pipeline
 * writes, so the API and the dashboard serve them unchanged. The server then runs no pipeline of its own.
 *
 * <p>Every write is idempotent (a window's row is replaced by its latest revision, a case by its latest record, an
 * alert change already recorded is skipped), so reading the topics from their start at each start is safe; with
 * compacted topics it reads one record a window and case. The objectives' ledgers the API shows are kept here from
 * the same windows (the job's own ledgers are in its state); whether a rule fires is the job's word, from the
 * alerts topic, and alert notifications go out from here, through this server's webhooks.
 */
public final class FlinkOutputs implements PipelineView {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkOutputs.class);
    private static final long MINUTE = WindowSpan.MINUTE.micros();

    private final KafkaJournal from;
    private final String windowsTopic;
    private final String casesTopic;
    private final String alertsTopic;
    private final Processes processes;
    private final OutputStore store;
    private final AlertStore alerts;
    private final AlertWriter alertWriter;
    private final AssessOperator assess;
    private final long maxLatenessMicros;
    private final PipelineRuntime.Status status = new PipelineRuntime.Status(0);
    private final Thread thread;
    private volatile boolean stopping;
    private final AtomicReference<String> problem = new AtomicReference<>();
    private volatile long recordsBehind = -1;
    private volatile long recordsRead;
    private long maxWindowEnd = Long.MIN_VALUE;

    private FlinkOutputs(VigilConfig config, EventStore journal, KafkaJournal from) throws SQLException {
        this.from = from;
        this.windowsTopic = from.topic() + ".windows";
        this.casesTopic = from.topic() + ".cases";
        this.alertsTopic = from.topic() + ".alerts";
        this.processes = config.processes();
        this.store = new OutputStore(journal);
        this.alerts = new AlertStore(journal);
        this.alertWriter = new AlertWriter(alerts, config.objectives(), config.webhooks());
        this.assess = new AssessOperator(config.objectives());
        this.maxLatenessMicros = config.lateness().maxLatenessMicros();
        this.thread = new Thread(this::run, "vigil-flink-outputs");
        thread.setDaemon(true);
    }

    /** Starts reading the job's output topics named {@code PREFIX.windows}, {@code .cases} and {@code .alerts}. */
    public static FlinkOutputs start(VigilConfig config, EventStore journal, KafkaJournal from) throws SQLException {
        FlinkOutputs f = new FlinkOutputs(config, journal, from);
        journal.closeFirst(f);
        f.thread.start();
        return f;
    }

    private void run() {
        while (!stopping) {
            Properties p = new Properties();
            p.put("bootstrap.servers", from.bootstrapServers());
            p.put("client.id", "vigil-flink-outputs");
            p.put("max.poll.records", "5000");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = partitions(consumer);
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                LOG.info("reading the Flink job's outputs from {} ({}, {}, {})", from.bootstrapServers(), windowsTopic,
                        casesTopic, alertsTopic);
                long lastLag = 0;
                while (!stopping) {
                    apply(consumer.poll(Duration.ofMillis(200)));
                    if (problem.getAndSet(null) != null) {
                        LOG.info("reading the Flink job's outputs works again");
                    }
                    if (System.nanoTime() - lastLag > 1_000_000_000L) {
                        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                        long behind = 0;
                        for (TopicPartition tp : partitions) {
                            behind += Math.max(0, ends.get(tp) - consumer.position(tp));
                        }
                        recordsBehind = behind;
                        lastLag = System.nanoTime();
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                return;
            } catch (Exception e) {
                if (stopping) {
                    return;
                }
                String why = "reading the Flink job's outputs from " + from.bootstrapServers() + " fails: "
                        + e.getMessage() + " (retrying)";
                if (problem.getAndSet(why) == null) {
                    LOG.warn("{}", why);
                    LOG.debug("the failure in full", e);
                }
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Every partition of the three topics; a topic that does not exist yet is a problem, retried. */
    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : List.of(windowsTopic, casesTopic, alertsTopic)) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new IllegalStateException("no Kafka broker at " + from.bootstrapServers() + " answered within 10 s");
            }
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist (yet): start Vigil's Flink job, or "
                        + "create the topics (docs/SCALE.md)");
            }
            infos.forEach(i -> out.add(new TopicPartition(topic, i.partition())));
        }
        return out;
    }

    private void apply(Iterable<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        // The last word per window and per case: a batch may hold several revisions of one, and the store takes
        // one row per key in a write.
        Map<String, MergedWindow> windowsByKey = new java.util.LinkedHashMap<>();
        Map<String, CaseChange> casesById = new java.util.LinkedHashMap<>();
        List<ObjectiveLedger.Transition> changes = new ArrayList<>();
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            n++;
            // Removed first, so that the last word also takes the last place: the order they are written in.
            if (r.topic().equals(windowsTopic)) {
                String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                windowsByKey.remove(key);
                windowsByKey.put(key, (MergedWindow) Codec.MERGED_WINDOW.decode(r.value()));
            } else if (r.topic().equals(casesTopic)) {
                String id = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                casesById.remove(id);
                casesById.put(id, r.value() == null ? new CaseChange.Retired(id) : (CaseChange) Codec.CASE_CHANGE.decode(r.value()));
            } else if (r.value() != null) {
                changes.add((ObjectiveLedger.Transition) Codec.TRANSITION.decode(r.value()));
            }
        }
        if (n == 0) {
            return;
        }
        List<MergedWindow> windows = List.copyOf(windowsByKey.values());
        List<CaseChange> cases = List.copyOf(casesById.values());
        for (MergedWindow w : windows) {
            maxWindowEnd = Math.max(maxWindowEnd, w.startMicros() + MINUTE);
            assess.onElement(w, t -> { });
        }
        boolean visible = !windows.isEmpty();
        if (visible) {
            status.windowWritesBegun++;
        }
        store.write(windows, cases, List.of(), 0);
        if (maxWindowEnd != Long.MIN_VALUE) {
            // The job hands a window out once its watermark has passed the window's end: that is as far as this
            // server can tell event time from the windows alone. Its own judging's alert changes are the job's.
            assess.onWatermark(maxWindowEnd, maxWindowEnd - maxLatenessMicros, t -> { });
            status.watermark = maxWindowEnd;
            // The job's partitions reach this reader at their own pace: a straggler's window can come after a later
            // one, so minutes are rolled up a second lateness later still (and a window that comes after all the same
            // un-rolls its period: OutputStore#write).
            store.rollUp(maxWindowEnd - 2 * maxLatenessMicros);
        }
        if (!changes.isEmpty()) {
            alertWriter.write(changes);
            changes.forEach(assess::restoreFiring);
        }
        status.windowsWritten += windows.size();
        status.writes++;
        if (visible) {
            status.windowWritesDone++;
        }
        recordsRead += n;
    }

    /** Where the reading stands, for /api/v1/status. */
    public record Reading(String from, long recordsRead, long recordsBehind, String problem) {
    }

    public Reading reading() {
        return new Reading("kafka://" + from.bootstrapServers() + "/" + from.topic() + ".{windows,cases,alerts}",
                recordsRead, recordsBehind, problem.get());
    }

    @Override
    public OutputStore store() {
        return store;
    }

    @Override
    public PipelineRuntime.Status status() {
        return status;
    }

    @Override
    public AssessOperator assess() {
        return assess;
    }

    @Override
    public AlertStore alerts() {
        return alerts;
    }

    @Override
    public int partitions() {
        return 0;
    }

    @Override
    public Processes processes() {
        return processes;
    }

    @Override
    public long lastRecordNo() {
        return -1;
    }

    @Override
    public boolean failed() {
        return false;
    }

    /**
     * Null: a Kafka that cannot be read stalls KPIs, not ingest, so readiness does not depend on it; where the
     * reading stands (and why it fails) is in {@link #reading()}, which /api/v1/status shows.
     */
    @Override
    public String problem() {
        return null;
    }

    @Override
    public void close() throws SQLException {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        alerts.close();
    }
}
