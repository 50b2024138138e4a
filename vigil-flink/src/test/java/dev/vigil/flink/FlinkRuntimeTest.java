package dev.vigil.flink;

import dev.vigil.pipeline.Codec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.assess.Budgeting;
import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Indicator;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.assess.TimeWindow;
import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.CaseRecord;
import dev.vigil.correlate.ProcessDef;
import dev.vigil.correlate.Processes;
import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.order.LatenessPolicy;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.pipeline.Pipeline;
import dev.vigil.store.JournalRecords;
import dev.vigil.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same journal through the embedded topology and through the Flink job over a real (in-process) Kafka broker,
 * at parallelism 1 and 2: the same KPI windows, window by window, and the same cases, case by case.
 */
class FlinkRuntimeTest {

    static final long SECOND = 1_000_000L;
    /** Idle progress on: a quiet estate's windows close on the journal's ticks. */
    static final LatenessPolicy POLICY = new LatenessPolicy(2 * SECOND, 300 * SECOND, 20_000);
    static final ProcessDef ORDER = new ProcessDef("order-to-cash", List.of("Placed", "Paid", "Shipped", "Delivered"),
            "Placed", Set.of("Delivered"), List.of("orderId", "shipmentId"), 600 * SECOND);
    static final ProcessDef TICKET = new ProcessDef("support", List.of("Opened", "Answered", "Closed"),
            "Opened", Set.of("Closed"), List.of("ticket"), 300 * SECOND);
    static final Processes PROCESSES = new Processes(List.of(ORDER, TICKET));
    static final long T0 = 1_800_000_000_000_000L;
    static final long MINUTE = 60 * SECOND;
    static final List<BurnRule> RULES = List.of(new BurnRule("page", 2.0, 5 * MINUTE, MINUTE),
            new BurnRule("ticket", 1.0, 10 * MINUTE, 2 * MINUTE));
    /** The bank's availability (3% of calls fail: alerts fire), and shop's p95 over all its operations. */
    static final List<Objective> OBJECTIVES = List.of(
            objective("bank-available", new Objective.Series(dev.vigil.summarise.Dimension.PEER, "bank", null),
                    new Indicator.NotFailed(), 0.99),
            objective("shop-fast", new Objective.Series(dev.vigil.summarise.Dimension.SERVICE_OPERATION, "shop", null),
                    new Indicator.StatisticAtMost(0.95, 1_800_000), 0.6));

    static Objective objective(String name, Objective.Series series, Indicator indicator, double target) {
        return new Objective(name, null, "estate", series, new ObjectiveLedger.Spec(name, indicator, target,
                new TimeWindow.Rolling(1440 * MINUTE), new Budgeting.Occurrences(), RULES));
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = broker();
    }

    /** A real Kafka broker (KRaft, one combined node) in this JVM. */
    static KafkaClusterTestKit broker() throws Exception {
        KafkaClusterTestKit k = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        k.format();
        k.startup();
        k.waitForReadyBrokers();
        return k;
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A journal record: events with the wall-clock time it was taken in, or a tick (no events). */
    record Rec(long at, List<Event> events) {
    }

    @Test
    void theFlinkJobGivesTheEmbeddedRuntimesWindowsAndCasesAtParallelismOneAndTwo() throws Exception {
        List<Rec> journal = journal(42);
        Outputs embedded = embedded(journal, 1);
        assertThat(embedded(journal, 3)).as("the embedded topology on 1 and 3 partitions").isEqualTo(embedded);
        assertThat(embedded.windows()).as("windows").hasSizeGreaterThan(100);
        assertThat(embedded.windows().keySet()).as("the map's windows: paired calls, a virtual node, unpaired spans")
                .anyMatch(k -> k.startsWith("link\0web\0orders")).anyMatch(k -> k.startsWith("link\0orders\0postgres"))
                .anyMatch(k -> k.startsWith("link-unpaired\0orders\0server")).anyMatch(k -> k.startsWith("placement\0web\0web-1"));
        assertThat(embedded.cases().values()).extracting(c -> c.status().wire()).as("completed and stuck cases (the quiet half hour at the end judges every open one)")
                .contains("completed", "stuck");
        assertThat(embedded.maxRevision()).as("late events amended windows").isGreaterThan(1);
        assertThat(embedded.alerts().keySet()).as("alerts of both objectives").anyMatch(k -> k.startsWith("bank-available"))
                .anyMatch(k -> k.startsWith("shop-fast"));

        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        for (int parallelism : new int[] {1, 2}) {
            VigilJob.Topics topics = new VigilJob.Topics("journal-" + parallelism, "windows-" + parallelism, "cases-" + parallelism,
                    "alerts-" + parallelism);
            admin.createTopics(List.of(new NewTopic(topics.journal(), 1, (short) 1), new NewTopic(topics.windows(), 1, (short) 1),
                    new NewTopic(topics.cases(), 1, (short) 1), new NewTopic(topics.alerts(), 1, (short) 1))).all().get();
            produce(topics.journal(), journal);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(parallelism);
            VigilJob.build(env, new TopologySpec(PROCESSES.all(), POLICY, OBJECTIVES),
                    new VigilJob.Source(kafka.bootstrapServers(), topics, "vigil-test-" + parallelism, true));
            env.execute("vigil-" + parallelism);

            Outputs flink = consume(topics);
            assertThat(flink.windows().keySet()).as("windows' keys at parallelism %d", parallelism)
                    .isEqualTo(embedded.windows().keySet());
            if (parallelism == 1) {
                assertThat(flink.alerts()).as("alert changes at parallelism 1").isEqualTo(embedded.alerts());
            } else {
                // With two merge subtasks, when a late event's revision reaches the assess stage depends on how the
                // subtasks' watermarks interleave, and an alert may change a minute earlier or later (docs/SCALE.md);
                // once every minute is final, each rule's standing is the same.
                assertThat(lastWords(flink.alerts())).as("each rule's last word at parallelism 2")
                        .isEqualTo(lastWords(embedded.alerts()));
            }
            assertThat(flink).as("windows and cases at parallelism %d", parallelism).isEqualTo(embedded);
        }
        admin.close();
    }

    @Test
    void aJobStoppedWithASavepointMidStreamAndRestartedOnTwiceTheSubtasksGivesTheSameOutputs() throws Exception {
        List<Rec> journal = journal(7);
        Outputs embedded = embedded(journal, 1);
        int half = journal.size() / 2;
        VigilJob.Topics topics = new VigilJob.Topics("journal-r", "windows-r", "cases-r", "alerts-r");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topics.journal(), 1, (short) 1), new NewTopic(topics.windows(), 1, (short) 1),
                    new NewTopic(topics.cases(), 1, (short) 1), new NewTopic(topics.alerts(), 1, (short) 1))).all().get();
        }
        produce(topics.journal(), journal, 0, half);
        TopologySpec spec = new TopologySpec(PROCESSES.all(), POLICY, OBJECTIVES);

        // First run: one subtask per stage, reading on and on; stopped with a savepoint once it has written windows.
        StreamExecutionEnvironment first = StreamExecutionEnvironment.getExecutionEnvironment();
        first.setParallelism(1);
        first.setMaxParallelism(128);
        VigilJob.build(first, spec, new VigilJob.Source(kafka.bootstrapServers(), topics, "vigil-restart", false));
        JobClient running = first.executeAsync("vigil-first");
        Await.until("the first run writing windows", () -> consume(topics).windows().size(), n -> n > 20);
        String savepoint = running.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get();

        // The rest of the journal arrives while the job is stopped; the second run starts from the savepoint with
        // two subtasks per keyed stage. (It reads on: a source restored from an unbounded run stays unbounded.)
        produce(topics.journal(), journal, half, journal.size());
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment second = StreamExecutionEnvironment.getExecutionEnvironment(restore);
        second.setParallelism(2);
        second.setMaxParallelism(128);
        VigilJob.build(second, spec, new VigilJob.Source(kafka.bootstrapServers(), topics, "vigil-restart", false));
        JobClient restarted = second.executeAsync("vigil-second");
        try {
            Await.until("the restarted job's windows and cases equal the embedded runtime's",
                    () -> difference(embedded, consume(topics)), "none"::equals);
        } finally {
            restarted.cancel().get();
        }
    }

    /** The first difference between two runs' outputs, or "none". */
    static String difference(Outputs want, Outputs got) {
        for (var e : want.windows().entrySet()) {
            String g = got.windows().get(e.getKey());
            if (!e.getValue().equals(g)) {
                return "window " + e.getKey().replace('\0', ' ') + ": want " + e.getValue() + ", got " + g;
            }
        }
        for (String k : got.windows().keySet()) {
            if (!want.windows().containsKey(k)) {
                return "window " + k.replace('\0', ' ') + " not in the embedded run's";
            }
        }
        for (var e : want.cases().entrySet()) {
            CaseRecord g = got.cases().get(e.getKey());
            if (!e.getValue().equals(g)) {
                return "case " + e.getKey() + ": want " + e.getValue() + ", got " + g;
            }
        }
        for (String k : got.cases().keySet()) {
            if (!want.cases().containsKey(k)) {
                return "case " + k + " not in the embedded run's";
            }
        }
        if (!lastWords(want.alerts()).equals(lastWords(got.alerts()))) {
            return "alerts: want " + want.alerts() + ", got " + got.alerts();
        }
        return "none";
    }

    @TempDir
    Path tmp;

    // --- the journal ------------------------------------------------------------------------------------------

    /**
     * Orders whose key changes on the way (the shipment id joins the order when it ships), support tickets, calls
     * between services and to suppliers; arriving up to 1.5 s out of order, a few up to two minutes late, some
     * cases pausing long enough to go stuck; quiet gaps with ticks every 5 s.
     */
    static List<Rec> journal(long seed) {
        return journal(seed, T0);
    }

    /** As above, from {@code T0}; durations in whole milliseconds, as a client sends them. */
    static List<Rec> journal(long seed, long T0) {
        Random r = new Random(seed);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            long t = T0 + (long) (r.nextDouble() * 15 * 60 * SECOND);
            boolean pause = r.nextDouble() < 0.15;
            int steps = 1 + r.nextInt(4);
            for (int s = 0; s < steps; s++) {
                Map<String, String> keys = new LinkedHashMap<>();
                if (s < 3) {
                    keys.put("orderId", "O-" + i);
                }
                if (s >= 2) {
                    keys.put("shipmentId", "S-" + i);
                }
                events.add(new Event(t, s < 2 ? "shop" : "logistics", ORDER.activities().get(s), EventKind.ACTIVITY, keys,
                        r.nextDouble() < 0.05 ? Outcome.ERROR : Outcome.OK, null, null, r.nextBoolean() ? "retail" : "b2b", Map.of()));
                t += (long) ((pause && s == 1 ? 700 : 5 + r.nextDouble() * 60) * SECOND);
            }
        }
        for (int i = 0; i < 40; i++) {
            long t = T0 + (long) (r.nextDouble() * 15 * 60 * SECOND);
            for (int s = 0; s < 1 + r.nextInt(3); s++) {
                events.add(new Event(t, "helpdesk", TICKET.activities().get(s), EventKind.ACTIVITY, Map.of("ticket", "T-" + i),
                        Outcome.OK, null, null, "support", Map.of()));
                t += (long) (r.nextDouble() * 400 * SECOND);
            }
        }
        String[] services = {"shop", "billing", "catalog", "logistics"};
        String[] peers = {"bank", "parcelco", "billing", null};
        for (int i = 0; i < 3000; i++) {
            long t = T0 + (long) (r.nextDouble() * 16 * 60 * SECOND);
            events.add(new Event(t, services[r.nextInt(services.length)], "Op" + r.nextInt(3), EventKind.CALL, Map.of(),
                    r.nextDouble() < 0.03 ? Outcome.ERROR : Outcome.OK, (long) (1 + r.nextInt(2_000)) * 1000,
                    peers[r.nextInt(peers.length)], null, Map.of()));
        }
        // Traced requests, for the link stage: web serves, calls orders, which queries a database it names.
        for (int i = 0; i < 300; i++) {
            long t = T0 + (long) (r.nextDouble() * 15 * 60 * SECOND);
            Map<String, String> trace = Map.of("traceId", "trace-" + i);
            events.add(new Event(t + 90_000, "web", "GET /checkout", EventKind.CALL, trace, Outcome.OK, 90_000L, null, null,
                    Map.of("spanId", "w" + i, "spanKind", "server", "host.name", "web-" + r.nextInt(2))));
            if (r.nextDouble() < 0.9) {
                events.add(new Event(t + 80_000, "web", "POST /orders", EventKind.CALL, trace, Outcome.OK, 70_000L, "orders",
                        null, Map.of("spanId", "c" + i, "parentSpanId", "w" + i, "spanKind", "client")));
            }
            events.add(new Event(t + 70_000, "orders", "POST /orders", EventKind.CALL, trace,
                    r.nextDouble() < 0.05 ? Outcome.ERROR : Outcome.OK, 50_000L, null, null,
                    Map.of("spanId", "o" + i, "parentSpanId", "c" + i, "spanKind", "server", "service.instance.id", "orders-1")));
            events.add(new Event(t + 30_000, "orders", "SELECT", EventKind.CALL, trace, Outcome.OK, 8_000L, "postgres", null,
                    Map.of("spanId", "d" + i, "parentSpanId", "o" + i, "spanKind", "client")));
        }
        record Arriving(long at, int i, Event e) {
        }
        List<Arriving> arriving = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            double late = r.nextDouble();
            long delay = late < 0.02 ? (long) (r.nextDouble() * 120 * SECOND) : (long) (r.nextDouble() * 1.5 * SECOND);
            arriving.add(new Arriving(e.timeMicros() + delay, i, e));
        }
        arriving.sort(Comparator.comparingLong(Arriving::at).thenComparingInt(Arriving::i));
        List<Rec> out = new ArrayList<>();
        int i = 0;
        while (i < arriving.size()) {
            int n = 1 + r.nextInt(20);
            List<Event> batch = new ArrayList<>();
            long at = arriving.get(i).at();
            for (int k = 0; k < n && i < arriving.size(); k++, i++) {
                batch.add(arriving.get(i).e());
                at = Math.max(at, arriving.get(i).at());
            }
            out.add(new Rec(at, batch));
            long until = i < arriving.size() ? arriving.get(i).at() : at + 1800 * SECOND;
            for (long t = at + 5 * SECOND; t < until; t += 5 * SECOND) {
                out.add(new Rec(t, List.of()));
            }
        }
        return out;
    }

    // --- outputs ----------------------------------------------------------------------------------------------

    /** The last word on every window (its latest revision, as text to compare exactly) and on every case. */
    /**
     * @param alerts each rule's changes in order, by objective and rule (an at-least-once resend after a restart
     *               repeats a change: repeats are dropped)
     */
    record Outputs(Map<String, String> windows, Map<String, CaseRecord> cases, int maxRevision,
                   Map<String, List<String>> alerts) {

        Outputs(Map<String, String> windows, Map<String, CaseRecord> cases, int maxRevision) {
            this(windows, cases, maxRevision, Map.of());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Outputs x && x.windows.equals(windows) && x.cases.equals(cases);
        }

        @Override
        public int hashCode() {
            return windows.hashCode() * 31 + cases.hashCode();
        }
    }

    /** Whether each rule fires at the end. */
    static Map<String, Boolean> lastWords(Map<String, List<String>> alerts) {
        Map<String, Boolean> out = new TreeMap<>();
        alerts.forEach((rule, changes) -> out.put(rule, changes.get(changes.size() - 1).startsWith("firing")));
        return out;
    }

    static void addAlert(Map<String, List<String>> alerts, ObjectiveLedger.Transition t) {
        List<String> changes = alerts.computeIfAbsent(t.objective() + "/" + t.rule().id(), k -> new ArrayList<>());
        String change = (t.firing() ? "firing at " : "resolved at ") + (t.atMicros() - T0) / MINUTE
                + String.format(java.util.Locale.ROOT, " (%.3f, %.3f)", t.longBurn(), t.shortBurn());
        if (changes.isEmpty() || !changes.get(changes.size() - 1).equals(change)) {
            changes.add(change);
        }
    }

    static String describe(MergedWindow w) {
        return describe(w.window());
    }

    static String describe(dev.vigil.summarise.KpiWindow k) {
        return k.count() + " events, " + k.errors() + " errors, " + k.timed() + " timed, p50 " + k.durationAt(0.5)
                + ", p95 " + k.durationAt(0.95) + ", p99 " + k.durationAt(0.99);
    }

    static Outputs embedded(List<Rec> journal, int partitions) {
        Pipeline p = new Pipeline(PROCESSES, POLICY, OBJECTIVES, partitions);
        Map<String, List<String>> alerts = new TreeMap<>();
        Map<String, String> windows = new TreeMap<>();
        Map<String, CaseRecord> cases = new TreeMap<>();
        int[] maxRevision = {0};
        long seq = 0;
        for (Rec r : journal) {
            if (r.events().isEmpty()) {
                p.tick(r.at());
            }
            for (Event e : r.events()) {
                p.accept(e, ++seq, r.at());
            }
            Pipeline.Emitted out = p.advance();
            for (MergedWindow w : out.windows()) {
                windows.put(new String(VigilJob.windowKey(w), StandardCharsets.UTF_8), describe(w));
                maxRevision[0] = Math.max(maxRevision[0], w.revision());
            }
            for (CaseChange c : out.cases()) {
                switch (c) {
                    case CaseChange.Retired x -> cases.remove(x.id());
                    case CaseChange.Updated u -> cases.put(u.record().id(), u.record());
                }
            }
            out.alerts().forEach(t -> addAlert(alerts, t));
        }
        return new Outputs(windows, cases, maxRevision[0], alerts);
    }

    static void produce(String topic, List<Rec> journal) throws Exception {
        produce(topic, journal, 0, journal.size());
    }

    /** Produces the journal's records {@code from} (inclusive) to {@code to}, numbered as in the whole journal. */
    static void produce(String topic, List<Rec> journal, int from, int to) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            long seq = 1;
            for (int i = 0; i < to; i++) {
                Rec r = journal.get(i);
                long recordNo = i + 1;
                if (i >= from) {
                    byte[] value = r.events().isEmpty() ? JournalRecords.tick(recordNo, r.at())
                            : JournalRecords.encode(recordNo, seq, r.at(), r.events(), null);
                    producer.send(new ProducerRecord<>(topic, 0, null, value));
                }
                seq += r.events().size();
            }
            producer.flush();
        }
    }

    static Outputs consume(VigilJob.Topics topics) throws Exception {
        return consume(kafka, topics);
    }

    static Outputs consume(KafkaClusterTestKit kafka, VigilJob.Topics topics) throws Exception {
        Map<String, String> windows = new TreeMap<>();
        Map<String, CaseRecord> cases = new TreeMap<>();
        Map<String, List<String>> alerts = new TreeMap<>();
        int maxRevision = 0;
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : List.of(topics.windows(), topics.cases(), topics.alerts())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                while (consumer.position(tp) < end) {
                    for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofSeconds(1))) {
                        String key = new String(rec.key(), StandardCharsets.UTF_8);
                        if (topic.equals(topics.alerts())) {
                            addAlert(alerts, (ObjectiveLedger.Transition) VigilJob.decode(Codec.TRANSITION, rec.value()));
                        } else if (topic.equals(topics.windows())) {
                            MergedWindow w = (MergedWindow) VigilJob.decode(Codec.MERGED_WINDOW, rec.value());
                            windows.put(key, describe(w));
                            maxRevision = Math.max(maxRevision, w.revision());
                        } else if (rec.value() == null) {
                            cases.remove(key);
                        } else {
                            cases.put(key, ((CaseChange.Updated) VigilJob.decode(Codec.CASE_CHANGE, rec.value())).record());
                        }
                    }
                }
            }
        }
        return new Outputs(windows, cases, maxRevision, alerts);
    }
}
