package dev.vigil.bench;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import dev.vigil.infra.ScrapeTarget;
import dev.vigil.server.scrape.Scraper;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Whether one Vigil keeps up with many scrape targets: {@code targets} node-exporter-like endpoints simulated
 * in this JVM (one Armeria server, one path per target, about 500 samples each, CPU counters that move with the
 * clock), scraped by the real {@link Scraper} every {@code interval} seconds for {@code seconds}. Prints the
 * scrapes each target got against those due, the intervals skipped because a scrape was still running, the
 * failures, the scrape durations and the CPU the process used (the simulated targets included).
 *
 * <pre>java -cp vigil-bench/target/benchmarks.jar dev.vigil.bench.ScrapeLoad 500 15 60</pre>
 */
public final class ScrapeLoad {

    public static void main(String[] args) throws Exception {
        int targets = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int interval = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        String body = ExpositionBench.nodeExporterLike(500, new Random(7));
        // The simulated exporters: the same families, CPU counters advancing with time (about 30% busy).
        Server server = Server.builder().http(0).serviceUnder("/t/", (ctx, req) -> {
            double t = System.currentTimeMillis() / 1000.0;
            String cpu = String.format(Locale.ROOT, "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} %.3f%n"
                    + "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} %.3f%nnode_load1 0.4%n"
                    + "node_memory_MemTotal_bytes 8.0e9%nnode_memory_MemAvailable_bytes 3.0e9%n", t * 0.7, t * 0.3);
            return HttpResponse.of(com.linecorp.armeria.common.HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8,
                    (cpu + body).getBytes(StandardCharsets.UTF_8));
        }).build();
        server.start().join();
        List<ScrapeTarget> list = new ArrayList<>();
        for (int i = 0; i < targets; i++) {
            list.add(new ScrapeTarget("http://127.0.0.1:" + server.activeLocalPort() + "/t/" + i + "/metrics", "host-" + i,
                    interval * 1000L, Map.of()));
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        try (Scraper scraper = Scraper.start(list)) {
            Thread.sleep(seconds * 1000L);
            double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
            double wall = (System.nanoTime() - wall0) / 1e9;
            List<Scraper.Health> health = scraper.health();
            long scrapes = health.stream().mapToLong(Scraper.Health::scrapes).sum();
            long skipped = health.stream().mapToLong(Scraper.Health::skipped).sum();
            long failures = health.stream().mapToLong(Scraper.Health::failures).sum();
            long down = health.stream().filter(h -> !h.up()).count();
            double[] durations = health.stream().mapToDouble(Scraper.Health::durationMillis).sorted().toArray();
            long hosts = scraper.hosts().size();
            long due = (long) targets * (seconds / interval);
            System.out.printf(Locale.ROOT, "%d targets every %d s for %d s: %d scrapes (%d due), %d skipped, %d failed, "
                            + "%d down at the end, %d hosts with minutes; last scrape per target: median %.1f ms, p99 %.1f ms, "
                            + "max %.1f ms; process CPU %.1f s in %.1f s (%.1f%% of one core; targets simulated in-process)%n",
                    targets, interval, seconds, scrapes, due, skipped, failures, down, hosts,
                    durations[durations.length / 2], durations[(int) (durations.length * 0.99)],
                    durations[durations.length - 1], cpuSeconds, wall, 100 * cpuSeconds / wall);
            health.stream().filter(h -> h.lastError() != null).map(h -> h.lastError())
                    .collect(java.util.stream.Collectors.groupingBy(e -> e, java.util.stream.Collectors.counting()))
                    .forEach((why, n) -> System.out.println("  failed " + n + " x: " + why));
        } finally {
            server.stop().join();
        }
    }
}
