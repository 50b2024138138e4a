package dev.vigil.server.runtime;

import java.util.List;

/**
 * Where to forward the journal: {@code kafka://HOST:PORT[,HOST:PORT...]/TOPIC}.
 *
 * @param bootstrapServers the brokers to reach the cluster through
 * @param topic            the journal topic (one partition)
 */
public record KafkaJournal(String bootstrapServers, String topic) {

    /** Reads the URI form of a journal topic, or says what is wrong with it and what a right one looks like. */
    public static KafkaJournal parse(String text) {
        return parse(text, "Kafka journal", "TOPIC", "kafka://kafka-1:9092,kafka-2:9092/vigil.journal");
    }

    /**
     * Reads the URI form of where the Flink job's outputs are: brokers and the prefix of the topics
     * {@code PREFIX.windows}, {@code PREFIX.cases} and {@code PREFIX.alerts}.
     */
    public static KafkaJournal parseOutputs(String text) {
        return parse(text, "place of the Flink job's outputs", "PREFIX", "kafka://kafka-1:9092/vigil (the topics "
                + "vigil.windows, vigil.cases and vigil.alerts)");
    }

    private static KafkaJournal parse(String text, String what, String last, String sample) {
        String example = "write kafka://HOST:PORT/" + last + ", e.g. " + sample;
        if (text == null || !text.startsWith("kafka://")) {
            throw new IllegalArgumentException("'" + text + "' is not a " + what + ": " + example);
        }
        String rest = text.substring("kafka://".length());
        int slash = rest.indexOf('/');
        if (slash == 0) {
            throw new IllegalArgumentException("'" + text + "' names no broker: " + example);
        }
        if (slash < 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' names no " + last.toLowerCase(java.util.Locale.ROOT)
                    + ": " + example);
        }
        String brokers = rest.substring(0, slash);
        String topic = rest.substring(slash + 1);
        for (String b : List.of(brokers.split(",", -1))) {
            // By hand, not java.net.URI: broker names may hold '_' (kafka_1), which URI refuses.
            int colon = b.lastIndexOf(':');
            String host = colon < 0 ? "" : b.substring(0, colon);
            int port = -1;
            try {
                port = colon < 0 ? -1 : Integer.parseInt(b.substring(colon + 1));
            } catch (NumberFormatException e) {
                // reported below
            }
            if (host.isEmpty() || !host.matches("[A-Za-z0-9._\\-]+|\\[[0-9a-fA-F:.]+\\]") || port < 1 || port > 65535) {
                throw new IllegalArgumentException("'" + b + "' in '" + text + "' is not HOST:PORT (a port from 1 to "
                        + "65535): " + example);
            }
        }
        if (!topic.matches("[a-zA-Z0-9._-]{1,240}")) {
            throw new IllegalArgumentException("'" + topic + "' in '" + text + "' is not a Kafka topic name (letters, "
                    + "digits, '.', '_' and '-', at most 240)");
        }
        return new KafkaJournal(brokers, topic);
    }

    @Override
    public String toString() {
        return "kafka://" + bootstrapServers + "/" + topic;
    }
}
