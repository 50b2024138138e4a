package dev.vigil.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Timestamps;
import dev.vigil.pipeline.Arrival;
import dev.vigil.store.EventStore;
import dev.vigil.store.JournalRecords;
import dev.vigil.testkit.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal forwarded to a real (in-process) Kafka broker: every record once, in order, across a restart. */
class JournalForwarderTest {

    static KafkaClusterTestKit kafka;

    @TempDir
    Path data;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static List<Event> events(String prefix, int n) {
        long now = Timestamps.toMicros(Instant.now());
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Event(now - i, "shop", prefix + i, EventKind.ACTIVITY, Map.of("orderId", prefix + i), Outcome.OK,
                    null, null, null, Map.of("note", "x")));
        }
        return out;
    }

    @Test
    void everyRecordReachesTheTopicOnceInJournalOrderAcrossARestart() throws Exception {
        KafkaJournal target = KafkaJournal.parse("kafka://" + kafka.bootstrapServers() + "/vigil.journal");
        List<String> sent = new ArrayList<>();
        try (EventStore journal = EventStore.open(data, EventStore.Options.DEFAULT)) {
            JournalForwarder f = JournalForwarder.start(journal, target);
            for (int r = 0; r < 5; r++) {
                List<Event> batch = events("a" + r + "-", 50);
                journal.append(batch, Map.of(), Timestamps.toMicros(Instant.now())).join();
                batch.forEach(e -> sent.add(e.name()));
            }
            Await.until("the first 250 events in the topic", () -> names(target.topic()).size(), n -> n == 250);
            f.closeAfterCatchingUp(Duration.ofSeconds(30));
        }
        try (EventStore journal = EventStore.open(data, EventStore.Options.DEFAULT)) {
            JournalForwarder f = JournalForwarder.start(journal, target);
            for (int r = 0; r < 3; r++) {
                List<Event> batch = events("b" + r + "-", 40);
                journal.append(batch, Map.of(), Timestamps.toMicros(Instant.now())).join();
                batch.forEach(e -> sent.add(e.name()));
            }
            Await.until("all 370 events in the topic", () -> names(target.topic()).size(), n -> n >= 370);
            f.close();
        }
        assertThat(names(target.topic())).as("every event once, in journal order").isEqualTo(sent);
        assertThat(recordNos(target.topic())).as("record numbers").isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aTopicWithSeveralPartitionsIsRefusedWithTheReason() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("wide", 3, (short) 1))).all().get();
        }
        try (EventStore journal = EventStore.open(data, EventStore.Options.DEFAULT)) {
            JournalForwarder f = JournalForwarder.start(journal, KafkaJournal.parse("kafka://" + kafka.bootstrapServers() + "/wide"));
            String why = Await.until("the forwarder's problem", () -> String.valueOf(f.problem()), p -> !p.equals("null"));
            assertThat(why).contains("topic wide has 3 partitions").contains("exactly one");
            f.close();
        }
    }

    @Test
    void aMalformedTargetIsRefusedWithAnExample() {
        assertThatThrownBy(() -> KafkaJournal.parse("kafka://broker:9092")).hasMessageContaining("names no topic")
                .hasMessageContaining("kafka://HOST:PORT/TOPIC");
        assertThatThrownBy(() -> KafkaJournal.parse("http://x:1/t")).hasMessageContaining("is not a Kafka journal");
        assertThatThrownBy(() -> KafkaJournal.parse("kafka://broker/t")).hasMessageContaining("'broker'").hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> KafkaJournal.parse("kafka://b:1/bad topic")).hasMessageContaining("not a Kafka topic name");
        assertThat(KafkaJournal.parse("kafka://a:1,b:2/vigil.journal")).isEqualTo(new KafkaJournal("a:1,b:2", "vigil.journal"));
        assertThatThrownBy(() -> KafkaJournal.parse("kafka://h:99999/t")).hasMessageContaining("a port from 1 to 65535");
        assertThat(KafkaJournal.parse("kafka://kafka_1:9092/t").bootstrapServers()).as("'_' in a broker's name").isEqualTo("kafka_1:9092");
    }

    @Test
    void whereTheFlinkJobsOutputsAreIsAPrefixAndItsErrorsSaySo() {
        assertThatThrownBy(() -> KafkaJournal.parseOutputs("kafka://h:9092/")).hasMessageContaining("names no prefix")
                .hasMessageContaining("kafka://HOST:PORT/PREFIX").hasMessageContaining("vigil.windows");
        assertThatThrownBy(() -> KafkaJournal.parseOutputs("http://x")).hasMessageContaining("is not a place of the Flink job's outputs");
        assertThat(KafkaJournal.parseOutputs("kafka://h:9092/vigil")).isEqualTo(new KafkaJournal("h:9092", "vigil"));
    }

    static List<ConsumerRecord<byte[], byte[]>> all(String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    static List<String> names(String topic) throws Exception {
        List<String> names = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : all(topic)) {
            if (JournalRecords.decode(r.value()) instanceof Arrival.Events e) {
                e.events().forEach(ev -> names.add(ev.name()));
            }
        }
        return names;
    }

    static List<Long> recordNos(String topic) throws Exception {
        List<Long> nos = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : all(topic)) {
            nos.add(switch (JournalRecords.decode(r.value())) {
                case Arrival.Events e -> e.recordNo();
                case Arrival.Tick t -> t.recordNo();
            });
        }
        return nos;
    }
}
