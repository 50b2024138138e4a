package dev.vigil.server.runtime;

import dev.vigil.pipeline.Arrival;
import dev.vigil.store.EventStore;
import dev.vigil.store.JournalRecords;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards the journal, record by record, to a Kafka topic, where Vigil's Flink job reads it (docs/SCALE.md).
 *
 * <p>Acknowledgement does not change: a client's events are acknowledged once the local journal holds them, and
 * the forwarder follows the store behind it, so a Kafka outage delays forwarding and loses nothing. It keeps its
 * position in Kafka itself: on start it reads the topic's last record and continues after it. A record is sent
 * again only when a send failed and is retried; the job's order stage skips a record number it has taken in
 * already, so that does not count twice.
 */
public final class JournalForwarder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JournalForwarder.class);
    private static final long POLL_MILLIS = 200;

    private final EventStore journal;
    private final KafkaJournal target;
    private final Thread thread;
    private final AtomicReference<String> problem = new AtomicReference<>();
    private volatile long forwardedRecordNo;
    private volatile boolean stopping;

    private JournalForwarder(EventStore journal, KafkaJournal target) {
        this.journal = journal;
        this.target = target;
        this.thread = Thread.ofPlatform().daemon(true).name("vigil-journal-forwarder").unstarted(this::run);
    }

    /** Starts forwarding; the first contact with Kafka happens on the forwarder's thread (a broker may be down). */
    public static JournalForwarder start(EventStore journal, KafkaJournal target) {
        JournalForwarder f = new JournalForwarder(journal, target);
        f.thread.start();
        return f;
    }

    private Properties props() {
        Properties p = new Properties();
        p.put("bootstrap.servers", target.bootstrapServers());
        p.put("client.id", "vigil-journal-forwarder");
        return p;
    }

    private void run() {
        while (!stopping) {
            KafkaProducer<byte[], byte[]> producer = producer();
            try {
                long last = lastRecordInTopic();
                forwardedRecordNo = last;
                LOG.info("journal: forwarding to {} after record {}", target, last);
                // Not holding the journal: a forwarder far behind (Kafka down for days) reads from the event table.
                try (EventStore.Tail tail = journal.tail(last, false)) {
                    while (!stopping) {
                        forward(producer, tail);
                        if (problem.getAndSet(null) != null) {
                            LOG.info("journal: forwarding to {} works again", target);
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (stopping) {
                    return;
                }
                // Not-sent records are sent again from the last position Kafka confirmed.
                String why = "forwarding the journal to " + target + " fails: " + e.getMessage() + " (retrying every 5 s)";
                if (problem.getAndSet(why) == null) {
                    LOG.warn("journal: {}", why, e);
                }
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException ie) {
                    return;
                }
            } finally {
                // Bounded: a broker that is down must not hold a stopping server.
                producer.close(Duration.ofSeconds(5));
            }
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = props();
        // Every in-sync replica has it before it counts as sent; retries keep the order and add no duplicates.
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("max.in.flight.requests.per.connection", "5");
        p.put("linger.ms", "5");
        p.put("compression.type", "lz4");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * The number of the last journal record in the topic, 0 when it is empty; creates the topic (one partition)
     * when it does not exist, and refuses one with several partitions (their order would not be the journal's).
     */
    private long lastRecordInTopic() throws Exception {
        try (Admin admin = Admin.create(props())) {
            TopicDescription d;
            try {
                d = admin.describeTopics(List.of(target.topic())).allTopicNames().get(30, TimeUnit.SECONDS).get(target.topic());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                admin.createTopics(List.of(new NewTopic(target.topic(), java.util.Optional.of(1), java.util.Optional.empty()))).all().get(30, TimeUnit.SECONDS);
                LOG.info("journal: created topic {} (one partition)", target.topic());
                return 0;
            }
            if (d.partitions().size() != 1) {
                throw new IllegalStateException("topic " + target.topic() + " has " + d.partitions().size()
                        + " partitions; the journal topic must have exactly one (its order is the journal's)");
            }
        }
        TopicPartition tp = new TopicPartition(target.topic(), 0);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            if (end == 0) {
                return 0;
            }
            // Transaction markers or compaction could hide the very last offsets: look back a little further.
            c.seek(tp, Math.max(0, end - 16));
            long last = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    Arrival a = JournalRecords.decode(r.value());
                    last = Math.max(last, a instanceof Arrival.Events e ? e.recordNo() : ((Arrival.Tick) a).recordNo());
                }
            }
            if (c.position(tp) < end) {
                throw new IllegalStateException("could not read the last records of " + target.topic() + " within 30 s");
            }
            return last;
        }
    }

    /** Sends the next records of the journal's tail; the position moves on once Kafka has every one of them. */
    private void forward(KafkaProducer<byte[], byte[]> producer, EventStore.Tail tail) throws Exception {
        AtomicReference<Exception> failed = new AtomicReference<>();
        boolean more = tail.next((recordNo, firstSeq, ingestedMicros, events) -> {
            byte[] value = events.isEmpty() ? JournalRecords.tick(recordNo, ingestedMicros)
                    : JournalRecords.encode(recordNo, firstSeq, ingestedMicros, events, null);
            producer.send(new ProducerRecord<>(target.topic(), 0, null, value), (meta, e) -> {
                if (e != null) {
                    failed.compareAndSet(null, e);
                }
            });
        }, 50_000, POLL_MILLIS);
        producer.flush();
        if (failed.get() != null) {
            throw failed.get();
        }
        forwardedRecordNo = tail.position();
        if (!more) {
            Thread.sleep(POLL_MILLIS); // the journal takes no more: the server is stopping
        }
    }

    /** The last journal record Kafka holds, as far as this forwarder knows. */
    public long forwardedRecordNo() {
        return forwardedRecordNo;
    }

    /** Why forwarding does not work now, or null. */
    public String problem() {
        return problem.get();
    }

    public KafkaJournal target() {
        return target;
    }

    /**
     * Stops, having first waited (at most {@code patience}) for what the store holds now to reach Kafka; the rest
     * is forwarded at the next start.
     */
    public void closeAfterCatchingUp(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        try {
            while (forwardedRecordNo < journal.acknowledgedRecordNo() && problem.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(10_000);
    }
}
