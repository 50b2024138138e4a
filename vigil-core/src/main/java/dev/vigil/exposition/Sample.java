package dev.vigil.exposition;

/**
 * One sample as the parser hands it out: a reused view, valid only during {@link ExpositionSink#sample}.
 * Labels are in the order of the input.
 */
public final class Sample {

    /** {@link #timestampMillis()} of a sample that carries no timestamp. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    String family;
    MetricType type;
    String name;
    String[] labels = new String[16];
    int labelCount;
    double value;
    long timestampMillis;

    Sample() {
    }

    /**
     * A sample made by other means than the parser (an OTLP point read as the exposition it stands for), with its
     * labels as name, value pairs.
     */
    public static Sample of(String name, MetricType type, double value, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs: " + java.util.Arrays.toString(labels));
        }
        Sample s = new Sample();
        s.family = name;
        s.type = type;
        s.name = name;
        s.labels = labels.length <= s.labels.length ? java.util.Arrays.copyOf(labels, s.labels.length) : labels.clone();
        s.labelCount = labels.length / 2;
        s.value = value;
        s.timestampMillis = NO_TIMESTAMP;
        return s;
    }

    /** The metric family: the name of its {@code # TYPE}, without a suffix such as {@code _bucket} or {@code _total}. */
    public String family() {
        return family;
    }

    public MetricType type() {
        return type;
    }

    /** The sample's own name ({@code http_requests_total}, {@code latency_bucket}). */
    public String name() {
        return name;
    }

    public int labelCount() {
        return labelCount;
    }

    public String labelName(int i) {
        return labels[2 * i];
    }

    public String labelValue(int i) {
        return labels[2 * i + 1];
    }

    /** The value of label {@code name}, or {@code null} when the sample has no such label. */
    public String label(String name) {
        for (int i = 0; i < labelCount; i++) {
            if (labels[2 * i].equals(name)) {
                return labels[2 * i + 1];
            }
        }
        return null;
    }

    public double value() {
        return value;
    }

    /** Milliseconds since the epoch, or {@link #NO_TIMESTAMP}. */
    public long timestampMillis() {
        return timestampMillis;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(name).append('{');
        for (int i = 0; i < labelCount; i++) {
            b.append(i == 0 ? "" : ",").append(labelName(i)).append("=\"").append(labelValue(i)).append('"');
        }
        b.append("} ").append(value);
        if (timestampMillis != NO_TIMESTAMP) {
            b.append(' ').append(timestampMillis);
        }
        return b.toString();
    }
}
