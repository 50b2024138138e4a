package dev.vigil.bench;

import dev.vigil.exposition.ExpositionParser;
import dev.vigil.exposition.ExpositionSink;
import dev.vigil.exposition.ParseError;
import dev.vigil.exposition.Sample;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Prometheus text parsing on one thread: an exposition shaped like node_exporter's on a 16-core host (per-CPU
 * counters by mode, per-device disk and network counters, filesystems, memory gauges, a few histograms; HELP and
 * TYPE lines for every family; 10,000 samples, about 0.9 MB). One operation = one sample (the score is samples/s).
 * Each invocation checks the count and that no line was refused, so a fast wrong answer cannot be reported.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class ExpositionBench {

    static final int SAMPLES = 10_000;

    byte[] body;
    ExpositionParser parser;

    @Setup
    public void setUp() {
        body = nodeExporterLike(SAMPLES, new Random(42)).getBytes(StandardCharsets.UTF_8);
        parser = new ExpositionParser(ExpositionParser.Format.PROMETHEUS_TEXT);
    }

    /** Families in node_exporter's shapes, repeated over devices until {@code samples} lines are written. */
    static String nodeExporterLike(int samples, Random r) {
        StringBuilder b = new StringBuilder(samples * 90);
        String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
        int written = 0;
        for (int round = 0; written < samples; round++) {
            b.append("# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n# TYPE node_cpu_seconds_total counter\n");
            for (int cpu = 0; cpu < 16 && written < samples; cpu++) {
                for (String mode : modes) {
                    if (written >= samples) {
                        break;
                    }
                    b.append(String.format(Locale.ROOT, "node_cpu_seconds_total{cpu=\"%d\",mode=\"%s\"} %.2f%n", cpu, mode,
                            r.nextDouble() * 1e6));
                    written++;
                }
            }
            b.append("# HELP node_disk_read_bytes_total The total number of bytes read successfully.\n"
                    + "# TYPE node_disk_read_bytes_total counter\n");
            for (int d = 0; d < 8 && written < samples; d++) {
                b.append(String.format(Locale.ROOT, "node_disk_read_bytes_total{device=\"nvme%dn1\"} %d%n", d + round * 8,
                        r.nextLong() & 0xffffffffffL));
                written++;
            }
            b.append("# HELP node_network_receive_bytes_total Network device statistic receive_bytes.\n"
                    + "# TYPE node_network_receive_bytes_total counter\n");
            for (int d = 0; d < 8 && written < samples; d++) {
                b.append(String.format(Locale.ROOT, "node_network_receive_bytes_total{device=\"eth%d\"} %.6e%n", d + round * 8,
                        r.nextDouble() * 1e12));
                written++;
            }
            b.append("# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.\n"
                    + "# TYPE node_filesystem_avail_bytes gauge\n");
            for (int d = 0; d < 4 && written < samples; d++) {
                b.append(String.format(Locale.ROOT,
                        "node_filesystem_avail_bytes{device=\"/dev/sda%d\",fstype=\"ext4\",mountpoint=\"/data/%d\"} %d%n",
                        d, round * 4 + d, r.nextLong() & 0xffffffffffL));
                written++;
            }
            b.append("# HELP node_memory_MemAvailable_bytes Memory information field MemAvailable_bytes.\n"
                    + "# TYPE node_memory_MemAvailable_bytes gauge\n");
            if (written < samples) {
                b.append(String.format(Locale.ROOT, "node_memory_MemAvailable_bytes %d%n", r.nextLong() & 0xfffffffffL));
                written++;
            }
            b.append("# HELP http_request_duration_seconds A histogram of request latencies.\n"
                    + "# TYPE http_request_duration_seconds histogram\n");
            String[] les = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
            long count = 0;
            for (String le : les) {
                if (written >= samples) {
                    break;
                }
                count += r.nextInt(1000);
                b.append("http_request_duration_seconds_bucket{handler=\"/api/").append(round).append("\",le=\"").append(le)
                        .append("\"} ").append(count).append('\n');
                written++;
            }
        }
        return b.toString();
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void parsePrometheusText(Blackhole bh) {
        int[] errors = new int[1];
        int n = parser.parse(body, 0, body.length, new ExpositionSink() {
            @Override
            public void sample(Sample s) {
                bh.consume(s.value());
                bh.consume(s.labelCount());
            }

            @Override
            public void error(ParseError error) {
                errors[0]++;
            }
        });
        if (n != SAMPLES || errors[0] != 0) {
            throw new IllegalStateException(n + " samples, " + errors[0] + " lines refused; expected " + SAMPLES + ", 0");
        }
    }
}
