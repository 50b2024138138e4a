package dev.vigil.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.VigilConfig;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.correlate.CaseRecord;
import dev.vigil.event.Event;
import dev.vigil.event.Timestamps;
import dev.vigil.pipeline.MergeOperator;
import dev.vigil.server.ServerOptions;
import dev.vigil.server.VigilServer;
import dev.vigil.server.runtime.JournalForwarder;
import dev.vigil.server.runtime.KafkaJournal;
import dev.vigil.store.EventStore;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.WindowSpan;
import dev.vigil.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole way: events posted to a real Vigil server over HTTP, the server's journal forwarded to Kafka
 * ({@code --forward-journal}), Vigil's Flink job reading it; the job's windows and cases equal those the server's
 * own embedded pipeline stored, window by window and case by case, quiet-time ticks included.
 */
class ServerToFlinkTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir
    Path dir;

    @Test
    void theFlinkJobOnTheForwardedJournalGivesTheWindowsAndCasesTheServerStored() throws Exception {
        try (KafkaClusterTestKit kafka = FlinkRuntimeTest.broker()) {
            run(kafka);
        }
    }

    private void run(KafkaClusterTestKit kafka) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        VigilJob.Topics topics = new VigilJob.Topics("server.journal", "server.windows", "server.cases", "server.alerts");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topics.windows(), 1, (short) 1), new NewTopic(topics.cases(), 1, (short) 1),
                    new NewTopic(topics.alerts(), 1, (short) 1))).all().get();
        }
        Path yaml = dir.resolve("vigil.yaml");
        Files.writeString(yaml, """
                pipeline: {allowedLateness: 2s, maxLateness: 5m, idleTimeout: 3s, partitions: 2}
                processes:
                  order-to-cash:
                    activities: [Placed, Paid, Shipped, Delivered]
                    start: Placed
                    end: [Delivered]
                    keys: [orderId, shipmentId]
                    stuckAfter: 10m
                  support:
                    activities: [Opened, Answered, Closed]
                    start: Opened
                    end: [Closed]
                    keys: [ticket]
                    stuckAfter: 5m
                """);
        VigilConfig config = ConfigLoader.load(yaml);
        KafkaJournal target = KafkaJournal.parse("kafka://" + bootstrap + "/" + topics.journal());
        Path data = dir.resolve("data");
        long t0 = WindowSpan.MINUTE.startOf(Timestamps.toMicros(Instant.now()) - 40 * 60_000_000L);
        List<FlinkRuntimeTest.Rec> journal = FlinkRuntimeTest.journal(11, t0);

        try (VigilServer server = VigilServer.start(ServerOptions.defaults(data).withPort(0).withBindAddress("127.0.0.1")
                .withConfig(config).withForwardTo(target))) {
            HttpClient http = HttpClient.newHttpClient();
            URI ingest = URI.create("http://127.0.0.1:" + server.port() + "/ingest/events");
            int n = 0;
            for (FlinkRuntimeTest.Rec r : journal) {
                if (r.events().isEmpty()) {
                    continue;
                }
                String body = r.events().stream().map(ServerToFlinkTest::json).collect(Collectors.joining("\n"));
                HttpResponse<String> res = http.send(HttpRequest.newBuilder(ingest).header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
                n += r.events().size();
                // A few quiet moments, so that the journal's ticks move the watermark now and then: wait for five
                // ticks (records written while nothing arrives) rather than for a length of time.
                if (n % 1000 < r.events().size()) {
                    long before = server.journal().acknowledgedRecordNo();
                    Await.until("five ticks of quiet time", () -> server.journal().acknowledgedRecordNo(), no -> no >= before + 5);
                }
            }
            // The newest event, a second before its minute ends: only the ticks of the quiet time after it (idle
            // progress) close that minute, in the server and, if they were forwarded, in the job.
            long lastMinute = WindowSpan.MINUTE.startOf(newest(journal)) + 60_000_000L;
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(ingest).header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"time\":\"" + Timestamps.format(lastMinute + 59_000_000L)
                            + "\",\"source\":\"shop\",\"name\":\"Last\",\"durationMs\":1,\"peer\":\"bank\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            Await.until("the server's watermark past the newest minute, moved by quiet time",
                    () -> server.pipeline().status().watermark(), wm -> wm >= lastMinute + 60_000_000L);
            // The status says where forwarding stands: to the topic, caught up, no problem.
            URI status = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/status");
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var forwarding = Await.until("the status showing forwarding caught up", () -> json.readTree(http.send(
                    HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body()).get("forwarding"),
                    f -> f.path("recordsBehind").asLong(-1) == 0);
            assertThat(forwarding.get("to").asText()).isEqualTo(target.toString());
            assertThat(forwarding.get("problem").isNull()).isTrue();
            assertThat(forwarding.get("forwardedRecord").asLong()).isPositive();
        }
        // Whatever the stopping server had not forwarded yet goes now.
        try (EventStore j = EventStore.open(data, EventStore.Options.DEFAULT)) {
            JournalForwarder f = JournalForwarder.start(j, target);
            f.closeAfterCatchingUp(Duration.ofSeconds(60));
            assertThat(f.forwardedRecordNo()).as("every journal record forwarded").isEqualTo(j.acknowledgedRecordNo());
        }
        FlinkRuntimeTest.Outputs stored = stored(data, t0);
        assertThat(stored.windows()).as("the server stored windows").hasSizeGreaterThan(100)
                .containsKey(MergeOperator.keyOf(new KpiKey(Dimension.PEER, "bank", "")) + '\0'
                        + (WindowSpan.MINUTE.startOf(newest(journal)) + 60_000_000L));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        VigilJob.build(env, new TopologySpec(config.processes().all(), config.lateness(), config.objectives()),
                new VigilJob.Source(bootstrap, topics, "vigil-server-test", true));
        env.execute("vigil-from-server");
        FlinkRuntimeTest.Outputs flink = FlinkRuntimeTest.consume(kafka, topics);
        assertThat(FlinkRuntimeTest.difference(stored, flink)).isEqualTo("none");

        // A second server runs no pipeline of its own: it reads the job's output topics into its store and serves
        // them (--outputs-from), and what it stores equals what the first server's own pipeline stored.
        Path fromFlink = dir.resolve("data-from-flink");
        long written = records(bootstrap, List.of(topics.windows(), topics.cases(), topics.alerts()));
        try (VigilServer reader = VigilServer.start(ServerOptions.defaults(fromFlink).withPort(0).withBindAddress("127.0.0.1")
                .withConfig(config).withOutputsFrom(KafkaJournal.parse("kafka://" + bootstrap + "/server")))) {
            HttpClient http = HttpClient.newHttpClient();
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            URI status = URI.create("http://127.0.0.1:" + reader.port() + "/api/v1/status");
            var reading = Await.until("the second server having read every output record", () -> json.readTree(http.send(
                    HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString()).body()).get("flinkOutputs"),
                    f -> f.path("recordsRead").asLong() >= written && f.path("recordsBehind").asLong(-1) == 0);
            assertThat(reading.get("problem").isNull()).isTrue();
            URI kpis = URI.create("http://127.0.0.1:" + reader.port() + "/api/v1/kpis?dimension=peer&key=bank&from="
                    + Timestamps.format(t0 - 3_600_000_000L) + "&to=" + Timestamps.format(t0 + 3_600_000_000L));
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(kpis).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(json.readTree(res.body()).path("points").size()).as("the bank's minutes, served from the job's windows")
                    .isGreaterThan(10);
        }
        assertThat(FlinkRuntimeTest.difference(stored, stored(fromFlink, t0))).isEqualTo("none");
    }

    /** How many records the topics hold (their end offsets: nothing is compacted away in this test). */
    static long records(String bootstrap, List<String> topicNames) {
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", bootstrap),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> tps = topicNames.stream()
                    .map(t -> new org.apache.kafka.common.TopicPartition(t, 0)).toList();
            return c.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static long newest(List<FlinkRuntimeTest.Rec> journal) {
        return journal.stream().flatMap(r -> r.events().stream()).mapToLong(Event::timeMicros).max().orElseThrow();
    }

    static String json(Event e) {
        StringBuilder s = new StringBuilder("{\"time\":\"").append(Timestamps.format(e.timeMicros())).append("\",\"source\":\"")
                .append(e.source()).append("\",\"name\":\"").append(e.name()).append("\",\"kind\":\"")
                .append(e.kind().wire()).append("\",\"outcome\":\"").append(e.outcome().wire()).append('"');
        if (e.durationMicros() != null) {
            s.append(",\"durationMs\":").append(e.durationMicros() / 1000);
        }
        if (e.peer() != null) {
            s.append(",\"peer\":\"").append(e.peer()).append('"');
        }
        if (e.unit() != null) {
            s.append(",\"unit\":\"").append(e.unit()).append('"');
        }
        if (!e.correlation().isEmpty()) {
            s.append(",\"correlation\":{").append(e.correlation().entrySet().stream()
                    .map(k -> "\"" + k.getKey() + "\":\"" + k.getValue() + "\"").collect(Collectors.joining(","))).append('}');
        }
        return s.append('}').toString();
    }

    /** What the server's own pipeline stored: every minute window of every series, and every case. */
    static FlinkRuntimeTest.Outputs stored(Path data, long t0) throws Exception {
        Map<String, String> windows = new TreeMap<>();
        Map<String, CaseRecord> cases = new TreeMap<>();
        try (EventStore j = EventStore.open(data, EventStore.Options.DEFAULT); OutputStore out = new OutputStore(j)) {
            long from = t0 - 3_600_000_000L;
            long to = t0 + 3 * 3_600_000_000L;
            for (Dimension d : Dimension.values()) {
                for (OutputStore.Series s : out.series(d, from, to)) {
                    String key = MergeOperator.keyOf(new KpiKey(d, s.key(), s.name()));
                    for (OutputStore.KpiStep step : out.kpis(d, s.key(), s.name(), from, to, WindowSpan.MINUTE)) {
                        windows.put(key + '\0' + step.startMicros(), FlinkRuntimeTest.describe(step.window()));
                    }
                }
            }
            for (CaseRecord c : out.cases(new OutputStore.CaseQuery(null, null, null, null, null, null, 100_000, false, null, null))) {
                cases.put(c.id(), c);
            }
        }
        return new FlinkRuntimeTest.Outputs(windows, cases, 0);
    }
}
