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

    /** Whether a sample named {@code name}, whose first {@code familyLength} characters are its family's, is one of this type's. */
    boolean hasSuffix(String name, int familyLength) {
        return switch (this) {
            case COUNTER -> is(name, familyLength, "_total") || is(name, familyLength, "_created");
            case HISTOGRAM -> is(name, familyLength, "_bucket") || is(name, familyLength, "_sum")
                    || is(name, familyLength, "_count") || is(name, familyLength, "_created");
            case GAUGE_HISTOGRAM -> is(name, familyLength, "_bucket") || is(name, familyLength, "_gsum")
                    || is(name, familyLength, "_gcount");
            case SUMMARY -> is(name, familyLength, "_sum") || is(name, familyLength, "_count")
                    || is(name, familyLength, "_created");
            case INFO -> is(name, familyLength, "_info");
            default -> false;
        };
    }

    /** The name's rest after the family is exactly {@code suffix}: compared in place, no substring per sample. */
    private static boolean is(String name, int familyLength, String suffix) {
        return name.length() - familyLength == suffix.length() && name.endsWith(suffix);
    }
}
