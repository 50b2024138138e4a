package dev.vigil.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The parser against client_java's own writers: a seeded random registry (counters, gauges, histograms,
 * summaries; label values with quotes, backslashes, line breaks and non-ASCII text) is written as Prometheus text,
 * as OpenMetrics and as the protobuf format; the samples Vigil reads from each text must be exactly those the
 * protobuf's generated classes read, value for value. -Dvigil.seed=N replays a run.
 */
class ClientJavaCrossCheckProperties {

    private static final String ALPHABET = "ab_ \"\\\n{},=é☕0";

    private static String labelValue(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(8); i > 0; i--) {
            b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    private static double anyValue(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> r.nextInt(1000);
            case 1 -> r.nextDouble();
            case 2 -> r.nextGaussian() * 1e12;
            case 3 -> Math.scalb(r.nextDouble(), r.nextInt(200) - 100);
            case 4 -> -r.nextDouble() * 1e-5;
            default -> r.nextLong() / 1e3;
        };
    }

    static MetricSnapshots registry(Random r) {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter counter = Counter.builder().name("requests").help("requests \\ served\nso far").labelNames("path", "code")
                .register(registry);
        Gauge gauge = Gauge.builder().name("temperature_celsius").labelNames("room").register(registry);
        Histogram histogram = Histogram.builder().name("latency_seconds").classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.1, 1, 2.5, 10).labelNames("op").register(registry);
        Summary summary = Summary.builder().name("rpc_seconds").quantile(0.5, 0.01).quantile(0.99, 0.001)
                .labelNames("method").register(registry);
        for (int i = r.nextInt(20) + 1; i > 0; i--) {
            counter.labelValues(labelValue(r), String.valueOf(200 + r.nextInt(4))).inc(Math.abs(anyValue(r)));
            gauge.labelValues(labelValue(r)).set(anyValue(r));
            histogram.labelValues(labelValue(r)).observe(Math.abs(anyValue(r)) % 20);
            summary.labelValues(labelValue(r)).observe(Math.abs(anyValue(r)));
        }
        return registry.scrape();
    }

    /** "name{label=value, ...} value" for each sample of the protobuf exposition, with bounds as doubles. */
    static List<String> fromProtobuf(byte[] bytes) throws IOException {
        List<String> out = new ArrayList<>();
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        Metrics.MetricFamily f;
        while ((f = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            for (Metrics.Metric m : f.getMetricList()) {
                Map<String, String> labels = new TreeMap<>();
                m.getLabelList().forEach(l -> labels.put(l.getName(), l.getValue()));
                String name = f.getName();
                switch (f.getType()) {
                    case COUNTER -> out.add(line(name.endsWith("_total") ? name : name + "_total", labels, m.getCounter().getValue()));
                    case GAUGE -> out.add(line(name, labels, m.getGauge().getValue()));
                    case UNTYPED -> out.add(line(name, labels, m.getUntyped().getValue()));
                    case SUMMARY -> {
                        for (Metrics.Quantile q : m.getSummary().getQuantileList()) {
                            out.add(line(name, with(labels, "quantile", q.getQuantile()), q.getValue()));
                        }
                        out.add(line(name + "_count", labels, m.getSummary().getSampleCount()));
                        out.add(line(name + "_sum", labels, m.getSummary().getSampleSum()));
                    }
                    case HISTOGRAM -> {
                        boolean inf = false;
                        for (Metrics.Bucket bucket : m.getHistogram().getBucketList()) {
                            inf |= Double.isInfinite(bucket.getUpperBound());
                            out.add(line(name + "_bucket", with(labels, "le", bucket.getUpperBound()), bucket.getCumulativeCount()));
                        }
                        if (!inf) {
                            out.add(line(name + "_bucket", with(labels, "le", Double.POSITIVE_INFINITY),
                                    m.getHistogram().getSampleCount()));
                        }
                        out.add(line(name + "_count", labels, m.getHistogram().getSampleCount()));
                        out.add(line(name + "_sum", labels, m.getHistogram().getSampleSum()));
                    }
                    default -> throw new AssertionError("not generated: " + f.getType());
                }
            }
        }
        return out;
    }

    private static Map<String, String> with(Map<String, String> labels, String name, double bound) {
        Map<String, String> copy = new TreeMap<>(labels);
        copy.put(name, Double.toString(bound));
        return copy;
    }

    private static String line(String name, Map<String, String> labels, double value) {
        return name + labels + " " + value;
    }

    /** The same lines from what Vigil's parser read ({@code _created} samples left out: protobuf has no such sample). */
    static List<String> fromParser(ExpositionParser.Format format, byte[] bytes, List<ParseError> errors) {
        List<String> out = new ArrayList<>();
        new ExpositionParser(format).parse(bytes, 0, bytes.length, new ExpositionSink() {
            @Override
            public void sample(Sample s) {
                if (s.name().endsWith("_created")) {
                    return;
                }
                Map<String, String> labels = new TreeMap<>();
                for (int i = 0; i < s.labelCount(); i++) {
                    String v = s.labelValue(i);
                    if (s.labelName(i).equals("le") || s.labelName(i).equals("quantile")) {
                        v = Double.toString(v.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v));
                    }
                    labels.put(s.labelName(i), v);
                }
                out.add(line(s.name(), labels, s.value()));
            }

            @Override
            public void error(ParseError error) {
                errors.add(error);
            }
        });
        return out;
    }

    @Test
    void everySampleClientJavaWritesAsTextOrOpenMetricsIsReadExactlyAsItsProtobufSays() throws Exception {
        long seed = Long.getLong("vigil.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            MetricSnapshots snapshots = registry(random);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(text, snapshots, EscapingScheme.ALLOW_UTF8);
            ByteArrayOutputStream om = new ByteArrayOutputStream();
            OpenMetricsTextFormatWriter.create().write(om, snapshots, EscapingScheme.ALLOW_UTF8);
            ByteArrayOutputStream proto = new ByteArrayOutputStream();
            new PrometheusProtobufWriter().write(proto, snapshots, EscapingScheme.ALLOW_UTF8);

            List<String> expected = fromProtobuf(proto.toByteArray());
            String where = "seed " + seed + " (-Dvigil.seed=" + seed + " replays it), round " + round;
            for (var format : ExpositionParser.Format.values()) {
                byte[] body = (format == ExpositionParser.Format.OPENMETRICS ? om : text).toByteArray();
                List<ParseError> errors = new ArrayList<>();
                List<String> read = fromParser(format, body, errors);
                assertThat(errors).as(where + ", " + format + ":\n" + new String(body, java.nio.charset.StandardCharsets.UTF_8))
                        .isEmpty();
                assertThat(read).as(where + ", " + format).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }
}
