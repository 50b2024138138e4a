package dev.vigil.exposition;

/** The metric types of the Prometheus text format and OpenMetrics (a family's {@code # TYPE}). */
public enum MetricType {
    COUNTER("counter"),
    GAUGE("gauge"),
    HISTOGRAM("histogram"),
    /** OpenMetrics only. */
    GAUGE_HISTOGRAM("gaugehistogram"),
    SUMMARY("summary"),
    /** OpenMetrics only. */
    INFO("info"),
    /** OpenMetrics only. */
    STATESET("stateset"),
    /** Prometheus's "untyped", OpenMetrics's "unknown", and every sample without a {@code # TYPE}. */
    UNTYPED("untyped");

    private final String wire;

    MetricType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The type a {@code # TYPE} line names, or {@code null} when it names none. */
    static MetricType parse(String s) {
        return switch (s) {
            case "counter" -> COUNTER;
            case "gauge" -> GAUGE;
            case "histogram" -> HISTOGRAM;
            case "gaugehistogram" -> GAUGE_HISTOGRAM;
            case "summary" -> SUMMARY;
            case "info" -> INFO;
            case "stateset" -> STATESET;
            case "untyped", "unknown" -> UNTYPED;
            default -> null;
        };
    }

    /** Whether a sample named {@code family + suffix} belongs to a family of this type. */
    boolean hasSuffix(String suffix) {
        return switch (this) {
            case COUNTER -> suffix.equals("_total") || suffix.equals("_created");
            case HISTOGRAM -> suffix.equals("_bucket") || suffix.equals("_sum") || suffix.equals("_count")
                    || suffix.equals("_created");
            case GAUGE_HISTOGRAM -> suffix.equals("_bucket") || suffix.equals("_gsum") || suffix.equals("_gcount");
            case SUMMARY -> suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
            case INFO -> suffix.equals("_info");
            default -> false;
        };
    }
}
