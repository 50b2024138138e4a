package dev.vigil.server.runtime;

import java.net.URI;
import java.util.List;

/**
 * Where to forward the journal: {@code kafka://HOST:PORT[,HOST:PORT...]/TOPIC}.
 *
 * @param bootstrapServers the brokers to reach the cluster through
 * @param topic            the journal topic (one partition)
 */
public record KafkaJournal(String bootstrapServers, String topic) {

    /** Reads the URI form, or says what is wrong with it and what a right one looks like. */
    public static KafkaJournal parse(String text) {
        String example = "write kafka://HOST:PORT/TOPIC, e.g. kafka://kafka-1:9092,kafka-2:9092/vigil.journal";
        if (text == null || !text.startsWith("kafka://")) {
            throw new IllegalArgumentException("'" + text + "' is not a Kafka journal: " + example);
        }
        String rest = text.substring("kafka://".length());
        int slash = rest.indexOf('/');
        if (slash == 0) {
            throw new IllegalArgumentException("'" + text + "' names no broker: " + example);
        }
        if (slash < 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' names no topic: " + example);
        }
        String brokers = rest.substring(0, slash);
        String topic = rest.substring(slash + 1);
        for (String b : List.of(brokers.split(","))) {
            URI u;
            try {
                u = URI.create("kafka://" + b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + b + "' in '" + text + "' is not HOST:PORT: " + example);
            }
            if (u.getHost() == null || u.getPort() < 1) {
                throw new IllegalArgumentException("'" + b + "' in '" + text + "' is not HOST:PORT: " + example);
            }
        }
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("'" + topic + "' in '" + text
                    + "' is not a Kafka topic name (letters, digits, '.', '_' and '-', at most 249)");
        }
        return new KafkaJournal(brokers, topic);
    }

    @Override
    public String toString() {
        return "kafka://" + bootstrapServers + "/" + topic;
    }
}
