package dev.vigil.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.testkit.Exporter;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The parser against the real node_exporter from the distribution's package (prometheus-node-exporter, which
 * {@code ./vigil test} installs when missing): one target scraped as text and as the protobuf format, read by
 * Vigil's parser and by the format's generated classes, must give the same series and types, and the same
 * values where they cannot change between two scrapes.
 */
class NodeExporterCrossCheckTest {

    static final String PROTOBUF = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";

    Exporter exporter;
    URI metrics;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() throws Exception {
        exporter = Exporter.node();
        metrics = exporter.metrics();
    }

    @AfterEach
    void stop() throws Exception {
        if (exporter != null) {
            exporter.close();
        }
    }

    HttpResponse<byte[]> scrape(String accept) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(metrics).header("Accept", accept).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theTextScrapeReadsAsTheProtobufScrapeOfTheSameExporter() throws Exception {
        HttpResponse<byte[]> text = scrape("text/plain;version=0.0.4");
        HttpResponse<byte[]> proto = scrape(PROTOBUF);
        assertThat(proto.headers().firstValue("content-type").orElse("")).startsWith("application/vnd.google.protobuf");

        Collected read = new Collected();
        var format = ExpositionParser.Format.ofContentType(text.headers().firstValue("content-type").orElse(null));
        int samples = new ExpositionParser(format).parse(text.body(), 0, text.body().length, read);
        assertThat(read.errors).isEmpty();
        assertThat(samples).isGreaterThan(100);

        Map<String, Double> expected = new HashMap<>();
        Map<String, MetricType> expectedTypes = new HashMap<>();
        ByteArrayInputStream in = new ByteArrayInputStream(proto.body());
        Metrics.MetricFamily f;
        while ((f = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            expectedTypes.put(f.getName(), MetricType.valueOf(f.getType().name()));
            for (Metrics.Metric m : f.getMetricList()) {
                Map<String, String> labels = new TreeMap<>();
                m.getLabelList().forEach(l -> labels.put(l.getName(), l.getValue()));
                switch (f.getType()) {
                    case COUNTER -> expected.put(f.getName() + labels, m.getCounter().getValue());
                    case GAUGE -> expected.put(f.getName() + labels, m.getGauge().getValue());
                    case UNTYPED -> expected.put(f.getName() + labels, m.getUntyped().getValue());
                    case SUMMARY -> {
                        for (Metrics.Quantile q : m.getSummary().getQuantileList()) {
                            Map<String, String> ql = new TreeMap<>(labels);
                            ql.put("quantile", goFloat(q.getQuantile()));
                            expected.put(f.getName() + ql, q.getValue());
                        }
                        expected.put(f.getName() + "_sum" + labels, m.getSummary().getSampleSum());
                        expected.put(f.getName() + "_count" + labels, (double) m.getSummary().getSampleCount());
                    }
                    case HISTOGRAM -> {
                        for (Metrics.Bucket b : m.getHistogram().getBucketList()) {
                            Map<String, String> bl = new TreeMap<>(labels);
                            bl.put("le", goFloat(b.getUpperBound()));
                            expected.put(f.getName() + "_bucket" + bl, (double) b.getCumulativeCount());
                        }
                        Map<String, String> inf = new TreeMap<>(labels);
                        inf.put("le", "+Inf");
                        expected.put(f.getName() + "_bucket" + inf, (double) m.getHistogram().getSampleCount());
                        expected.put(f.getName() + "_sum" + labels, m.getHistogram().getSampleSum());
                        expected.put(f.getName() + "_count" + labels, (double) m.getHistogram().getSampleCount());
                    }
                    default -> throw new AssertionError("node_exporter wrote a " + f.getType());
                }
            }
        }
        Map<String, Double> got = new HashMap<>();
        Set<String> families = new HashSet<>();
        for (Collected.Point p : read.samples) {
            got.put(p.series(), p.value());
            families.add(p.family());
            assertThat(p.type()).as(p.series()).isEqualTo(expectedTypes.get(p.family()));
        }
        assertThat(got.keySet()).as("the series of the two scrapes").containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(families).containsExactlyInAnyOrderElementsOf(expectedTypes.keySet());
        // values that cannot move between the two scrapes: sizes, totals, build and host facts
        List<String> still = got.keySet().stream().filter(s -> s.startsWith("node_memory_MemTotal_bytes")
                || s.startsWith("node_filesystem_size_bytes") || s.startsWith("node_exporter_build_info")
                || s.startsWith("node_uname_info") || s.startsWith("go_info") || s.startsWith("node_os_info")).toList();
        assertThat(still).hasSizeGreaterThan(3);
        for (String s : still) {
            assertThat(got.get(s)).as(s).isEqualTo(expected.get(s));
        }
    }

    /** How Go's text writer formats a bound: the shortest representation, "+Inf" for infinity. */
    static String goFloat(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        String s = Double.toString(d);
        if (s.endsWith(".0")) {
            s = s.substring(0, s.length() - 2);
        }
        return s.replace("E", "e");
    }
}
