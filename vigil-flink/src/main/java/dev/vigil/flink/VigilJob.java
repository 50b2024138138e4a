package dev.vigil.flink;

import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.correlate.CaseChange;
import dev.vigil.pipeline.Arrival;
import dev.vigil.pipeline.AssessOperator;
import dev.vigil.pipeline.Codec;
import dev.vigil.pipeline.LinkOperator;
import dev.vigil.pipeline.MergeOperator;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.pipeline.SummariseOperator;
import dev.vigil.pipeline.Timed;
import dev.vigil.store.JournalRecords;
import dev.vigil.summarise.ClosedWindow;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Vigil's {@link dev.vigil.pipeline.Topology} as a Flink job over Kafka:
 *
 * <pre>
 *   journal topic ──► order (parallelism 1) ──┬─ keyBy source ──► summarise ── keyBy series ──► merge ──┬──► windows topic
 *                                             │                                                      └─ keyBy series ──► assess ──► alerts topic
 *                                             ├─ keyBy trace ──► link ──────── keyBy series ──► merge links ──► windows topic
 *                                             └─ keyBy process ─► correlate ───────────────────────────────► cases topic
 * </pre>
 *
 * The journal topic is the journal: one partition (its order is the journal's order, which the one clock reads),
 * one record per journal record, in {@link JournalRecords}' form. The output topics are keyed so that a compacted
 * topic keeps the last word: a window by series and minute (its latest revision), a case by its id (a retired
 * id gets a tombstone).
 */
public final class VigilJob {

    /** The topics the job reads and writes. */
    public record Topics(String journal, String windows, String cases, String alerts) {
        public static final Topics DEFAULT = new Topics("vigil.journal", "vigil.windows", "vigil.cases", "vigil.alerts");
    }

    /**
     * Where the journal is and how much of it to read.
     *
     * @param bounded read up to the journal's end as it is when the job starts, then finish (tests, rebuilds)
     */
    public record Source(String bootstrapServers, Topics topics, String groupId, boolean bounded) {
    }

    private VigilJob() {
    }

    /** Adds the job's graph to {@code env}; {@code env.execute()} runs it. */
    public static void build(StreamExecutionEnvironment env, TopologySpec spec, Source src) {
        var builder = KafkaSource.<Arrival>builder()
                .setBootstrapServers(src.bootstrapServers())
                .setTopics(src.topics().journal())
                .setGroupId(src.groupId())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new JournalDeserializer());
        if (src.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        DataStream<Arrival> journal = env.fromSource(builder.build(), WatermarkStrategy.noWatermarks(), "journal")
                .setParallelism(1).setMaxParallelism(1).uid("vigil-journal");
        Outputs out = topology(journal, spec);
        DataStream<MergedWindow> windows = out.windows();
        DataStream<CaseChange> cases = out.cases();
        DataStream<ObjectiveLedger.Transition> alerts = out.alerts();

        windows.sinkTo(KafkaSink.<MergedWindow>builder()
                .setBootstrapServers(src.bootstrapServers())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(new WindowRecords(src.topics().windows()))
                .build()).name("windows").uid("vigil-windows-sink");
        cases.sinkTo(KafkaSink.<CaseChange>builder()
                .setBootstrapServers(src.bootstrapServers())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(new CaseRecords(src.topics().cases()))
                .build()).name("cases").uid("vigil-cases-sink");
        alerts.sinkTo(KafkaSink.<ObjectiveLedger.Transition>builder()
                .setBootstrapServers(src.bootstrapServers())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(new AlertRecords(src.topics().alerts()))
                .build()).name("alerts").uid("vigil-alerts-sink");
    }

    /** What the topology hands out: KPI windows (each revision), case changes and alert changes. */
    public record Outputs(DataStream<MergedWindow> windows, DataStream<CaseChange> cases,
                          DataStream<ObjectiveLedger.Transition> alerts) {
    }

    /**
     * The topology on a stream of journal records (read at parallelism 1, in journal order), whatever its source:
     * the Kafka topic in {@link #build}, generated records in a benchmark.
     */
    public static Outputs topology(DataStream<Arrival> journal, TopologySpec spec) {
        TypeInformation<Timed> timedType = CodecSerializer.info(Codec.TIMED);
        DataStream<Timed> timed = journal
                .transform("order", timedType, new StageOperator<Arrival, Timed>(StageKind.ORDER, spec))
                .setParallelism(1).setMaxParallelism(1).uid("vigil-order");

        DataStream<ClosedWindow> parts = timed
                .keyBy(SummariseOperator::keyOf, Types.STRING)
                .transform("summarise", CodecSerializer.<ClosedWindow>info(Codec.CLOSED_WINDOW),
                        new StageOperator<Timed, ClosedWindow>(StageKind.SUMMARISE, spec))
                .uid("vigil-summarise");
        DataStream<ClosedWindow> links = timed
                .filter(t -> LinkOperator.keyOf(t) != null).setParallelism(1).name("spans")
                .keyBy(LinkOperator::keyOf, Types.STRING)
                .transform("link", CodecSerializer.<ClosedWindow>info(Codec.CLOSED_WINDOW),
                        new StageOperator<Timed, ClosedWindow>(StageKind.LINK, spec))
                .uid("vigil-link");
        DataStream<MergedWindow> windows = parts
                .keyBy(MergeOperator::keyOf, Types.STRING)
                .transform("merge", CodecSerializer.<MergedWindow>info(Codec.MERGED_WINDOW),
                        new StageOperator<ClosedWindow, MergedWindow>(StageKind.MERGE, spec))
                .uid("vigil-merge");
        // The map's windows are merged apart: one merge input fed by both stages would move its watermark when the
        // later of the two channels moves, and the assess stage would see revisions at other moments than the
        // embedded runtime's (objectives do not judge the map's series, so nothing else needs them together).
        DataStream<MergedWindow> linkWindows = links
                .keyBy(MergeOperator::keyOf, Types.STRING)
                .transform("merge links", CodecSerializer.<MergedWindow>info(Codec.MERGED_WINDOW),
                        new StageOperator<ClosedWindow, MergedWindow>(StageKind.MERGE, spec))
                .uid("vigil-merge-links");
        DataStream<CaseChange> cases = timed
                .filter(Timed::ofProcess).setParallelism(1).name("activities")
                .keyBy(Timed::processName, Types.STRING)
                .transform("correlate", CodecSerializer.<CaseChange>info(Codec.CASE_CHANGE),
                        new StageOperator<Timed, CaseChange>(StageKind.CORRELATE, spec))
                .uid("vigil-correlate");
        java.util.Set<String> judged = AssessOperator.judged(spec.objectives());
        DataStream<ObjectiveLedger.Transition> alerts = windows
                .filter(w -> judged.contains(AssessOperator.keyOf(w.key()))).name("judged series")
                .keyBy(w -> AssessOperator.keyOf(w.key()), Types.STRING)
                .transform("assess", CodecSerializer.<ObjectiveLedger.Transition>info(Codec.TRANSITION),
                        new StageOperator<MergedWindow, ObjectiveLedger.Transition>(StageKind.ASSESS, spec))
                .uid("vigil-assess");
        return new Outputs(windows.union(linkWindows), cases, alerts);
    }

    /** The key of a window's record: its series and minute, so that compaction keeps its latest revision. */
    static byte[] windowKey(MergedWindow w) {
        return (MergeOperator.keyOf(w.key()) + '\0' + w.startMicros()).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] encode(Codec codec, Object o) {
        return codec.encode(o);
    }

    static Object decode(Codec codec, byte[] bytes) throws IOException {
        return codec.decode(bytes);
    }

    /** The type information of journal records, for a source other than the Kafka topic. */
    public static TypeInformation<Arrival> arrivalType() {
        return CodecSerializer.info(Codec.ARRIVAL);
    }

    /** The type information of KPI windows, for whoever maps the job's window stream on. */
    public static TypeInformation<MergedWindow> mergedWindowType() {
        return CodecSerializer.info(Codec.MERGED_WINDOW);
    }

    /** Reads the journal topic's records. */
    static final class JournalDeserializer implements KafkaRecordDeserializationSchema<Arrival> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Arrival> out) throws IOException {
            try {
                out.collect(JournalRecords.decode(record.value()));
            } catch (IOException | RuntimeException e) {
                throw new IOException("journal record at offset " + record.offset() + " of " + record.topic() + "-"
                        + record.partition() + " cannot be read: " + e.getMessage(), e);
            }
        }

        @Override
        public TypeInformation<Arrival> getProducedType() {
            return CodecSerializer.info(Codec.ARRIVAL);
        }
    }

    static final class WindowRecords implements KafkaRecordSerializationSchema<MergedWindow> {
        private final String topic;

        WindowRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(MergedWindow w, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, windowKey(w), encode(Codec.MERGED_WINDOW, w));
        }
    }

    static final class CaseRecords implements KafkaRecordSerializationSchema<CaseChange> {
        private final String topic;

        CaseRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(CaseChange c, KafkaSinkContext context, Long timestamp) {
            return switch (c) {
                case CaseChange.Retired r -> new ProducerRecord<>(topic, r.id().getBytes(StandardCharsets.UTF_8), null);
                case CaseChange.Updated u -> new ProducerRecord<>(topic, u.record().id().getBytes(StandardCharsets.UTF_8),
                        encode(Codec.CASE_CHANGE, u));
            };
        }
    }

    /** Writes alert changes, keyed by objective and rule: compaction keeps each rule's last word. */
    static final class AlertRecords implements KafkaRecordSerializationSchema<ObjectiveLedger.Transition> {
        private final String topic;

        AlertRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(ObjectiveLedger.Transition t, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, (t.objective() + '\0' + t.rule().id()).getBytes(StandardCharsets.UTF_8),
                    encode(Codec.TRANSITION, t));
        }
    }
}
