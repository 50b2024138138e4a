package dev.vigil.exposition;

/**
 * Receives what a parser reads from one exposition (a scrape's body), in the order of the input. A line that
 * cannot be read costs only itself: {@link #error} says where and why, and reading goes on.
 */
public interface ExpositionSink {

    /** One sample. The view is the parser's own, valid only during this call: copy what you keep. */
    void sample(Sample sample);

    /** A line that was skipped, with its 1-based line and column and the reason in words. */
    void error(ParseError error);

    /** A family's {@code # HELP} text (unescaped). */
    default void help(String family, String text) {
    }

    /** A family's {@code # TYPE}; its samples carry the same type. */
    default void type(String family, MetricType type) {
    }

    /** A family's {@code # UNIT} (OpenMetrics). */
    default void unit(String family, String unit) {
    }

    /** One parse read into two sinks: a scrape's host figures and its process figures, say. */
    static ExpositionSink both(ExpositionSink a, ExpositionSink b) {
        return new ExpositionSink() {
            @Override
            public void sample(Sample sample) {
                a.sample(sample);
                b.sample(sample);
            }

            @Override
            public void error(ParseError error) {
                a.error(error);
                b.error(error);
            }

            @Override
            public void help(String family, String text) {
                a.help(family, text);
                b.help(family, text);
            }

            @Override
            public void type(String family, MetricType type) {
                a.type(family, type);
                b.type(family, type);
            }

            @Override
            public void unit(String family, String unit) {
                a.unit(family, unit);
                b.unit(family, unit);
            }
        };
    }
}
