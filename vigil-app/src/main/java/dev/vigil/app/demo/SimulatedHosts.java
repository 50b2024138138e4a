package dev.vigil.app.demo;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import dev.vigil.infra.ScrapeTarget;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The demo estate's hosts, each with a simulated node exporter: {@code /hosts/NAME/metrics} on a loopback port of
 * its own, in node_exporter's text format, CPU counters advancing with a busy share that wanders (and rises for a
 * while now and then, as under an incident), memory, load, disk and network moving with it. The demo's vigil.yaml
 * gets one scrape target per host, so that {@code /api/v1/hosts} has data out of the box. Each host also serves a
 * process exporter's figures for the service that runs there (its group is named after it), so that
 * {@code /api/v1/footprints} has data too.
 */
final class SimulatedHosts implements AutoCloseable {

    /** The demo's hosts: where its units' services run (app-host-2 is the traced order service's, see TracedService). */
    static final List<String> HOSTS = List.of("app-host-1", "app-host-2", "app-host-3", "db-host-1");
    private static final int CPUS = 4;
    /** The process group (a service) each host runs: most of the host's busy time, memory and disk is its. */
    static final Map<String, String> GROUPS = Map.of("app-host-1", "web-shop", "app-host-2", "order-service",
            "app-host-3", "warehouse", "db-host-1", "postgres");

    private final Server server;
    private final Map<String, Host> hosts;

    /** One host's counters since the demo started. */
    private static final class Host {
        final String group;
        final Random random;
        final double baseBusy;
        long lastNanos = System.nanoTime();
        double busySeconds;
        double idleSeconds = 1e5;
        double diskBusySeconds;
        double netBytes;
        double busy;
        /** Until when (System.nanoTime) the host is saturated by a demo incident. */
        volatile long saturatedUntil = Long.MIN_VALUE;

        Host(String group, long seed, double baseBusy) {
            this.group = group;
            this.random = new Random(seed);
            this.baseBusy = baseBusy;
        }

        synchronized String exposition() {
            long now = System.nanoTime();
            double seconds = (now - lastNanos) / 1e9 * CPUS;
            lastNanos = now;
            // a busy share that wanders around the host's base, with a surge now and then
            // Long.MIN_VALUE is "never": now minus it would wrap around and read as saturated.
            boolean saturated = saturatedUntil != Long.MIN_VALUE && now - saturatedUntil < 0;
            busy = saturated ? 0.96 + 0.02 * random.nextDouble()
                    : Math.max(0.02, Math.min(0.98, baseBusy + 0.1 * random.nextGaussian()
                    + (random.nextDouble() < 0.05 ? 0.5 : 0)));
            // A saturated host queues: its load runs well past its cores.
            double queued = saturated ? 2.5 : 1.1;
            busySeconds += seconds * busy;
            idleSeconds += seconds * (1 - busy);
            diskBusySeconds += seconds / CPUS * Math.min(1, busy * 0.6);
            netBytes += seconds / CPUS * (2e5 + 4e6 * busy);
            StringBuilder b = new StringBuilder(4096);
            b.append("# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n# TYPE node_cpu_seconds_total counter\n");
            for (int cpu = 0; cpu < CPUS; cpu++) {
                b.append(String.format(Locale.ROOT, "node_cpu_seconds_total{cpu=\"%d\",mode=\"idle\"} %.3f%n", cpu, idleSeconds / CPUS));
                b.append(String.format(Locale.ROOT, "node_cpu_seconds_total{cpu=\"%d\",mode=\"user\"} %.3f%n", cpu, busySeconds / CPUS));
            }
            b.append(String.format(Locale.ROOT, "# TYPE node_load1 gauge%nnode_load1 %.2f%n", busy * CPUS * queued));
            b.append("# TYPE node_memory_MemTotal_bytes gauge\nnode_memory_MemTotal_bytes 1.6777216e+10\n");
            b.append(String.format(Locale.ROOT, "# TYPE node_memory_MemAvailable_bytes gauge%nnode_memory_MemAvailable_bytes %.0f%n",
                    1.6777216e10 * (0.55 - 0.3 * busy)));
            b.append(String.format(Locale.ROOT, "# TYPE node_disk_io_time_seconds_total counter%n"
                    + "node_disk_io_time_seconds_total{device=\"nvme0n1\"} %.3f%n", diskBusySeconds));
            b.append(String.format(Locale.ROOT, "# TYPE node_network_receive_bytes_total counter%n"
                    + "node_network_receive_bytes_total{device=\"eth0\"} %.0f%n", netBytes * 0.6));
            b.append(String.format(Locale.ROOT, "# TYPE node_network_transmit_bytes_total counter%n"
                    + "node_network_transmit_bytes_total{device=\"eth0\"} %.0f%n", netBytes * 0.4));
            b.append("# TYPE node_filesystem_avail_bytes gauge\n"
                    + "node_filesystem_avail_bytes{device=\"/dev/nvme0n1p1\",fstype=\"ext4\",mountpoint=\"/\"} 4.2e+10\n"
                    + "# TYPE node_filesystem_size_bytes gauge\n"
                    + "node_filesystem_size_bytes{device=\"/dev/nvme0n1p1\",fstype=\"ext4\",mountpoint=\"/\"} 1.0e+11\n");
            // as prometheus-process-exporter writes its groups: 70% of the busy time, a third of the disk time's bytes
            b.append(String.format(Locale.ROOT, "# TYPE namedprocess_namegroup_cpu_seconds_total counter%n"
                    + "namedprocess_namegroup_cpu_seconds_total{groupname=\"%s\",mode=\"user\"} %.3f%n"
                    + "namedprocess_namegroup_cpu_seconds_total{groupname=\"%s\",mode=\"system\"} %.3f%n"
                    + "# TYPE namedprocess_namegroup_memory_bytes gauge%n"
                    + "namedprocess_namegroup_memory_bytes{groupname=\"%s\",memtype=\"resident\"} %.0f%n"
                    + "# TYPE namedprocess_namegroup_read_bytes_total counter%n"
                    + "namedprocess_namegroup_read_bytes_total{groupname=\"%s\"} %.0f%n"
                    + "# TYPE namedprocess_namegroup_num_procs gauge%nnamedprocess_namegroup_num_procs{groupname=\"%s\"} 1%n",
                    group, busySeconds * 0.55, group, busySeconds * 0.15, group, 1.6777216e10 * (0.3 + 0.2 * busy), group,
                    diskBusySeconds * 3e7, group));
            return b.toString();
        }
    }

    private SimulatedHosts(Server server, Map<String, Host> hosts) {
        this.server = server;
        this.hosts = hosts;
    }

    /** Saturates the host's CPUs until then (System.nanoTime), as under a runaway batch job. */
    void saturate(String host, long untilNanos) {
        Host h = hosts.get(host);
        if (h != null) {
            h.saturatedUntil = untilNanos;
        }
    }

    static SimulatedHosts start(long seed) {
        Map<String, Host> hosts = new java.util.LinkedHashMap<>();
        double[] bases = {0.35, 0.25, 0.3, 0.55};
        for (int i = 0; i < HOSTS.size(); i++) {
            hosts.put(HOSTS.get(i), new Host(GROUPS.get(HOSTS.get(i)), seed + i, bases[i]));
        }
        Server server = Server.builder().http(new InetSocketAddress("127.0.0.1", 0))
                .meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
                .route().get("/hosts/{host}/metrics").build((ctx, req) -> {
                    Host h = hosts.get(ctx.pathParam("host"));
                    return h == null ? HttpResponse.of(HttpStatus.NOT_FOUND)
                            : HttpResponse.of(HttpStatus.OK, MediaType.parse("text/plain; version=0.0.4; charset=utf-8"),
                                    h.exposition());
                })
                .build();
        server.start().join();
        return new SimulatedHosts(server, hosts);
    }

    /**
     * app-host-1 also runs catalog and pricing, which no process exporter measures: their footprints are estimated
     * from the host's figures by the demo's declared weights.
     */
    private static final Map<String, Map<String, String>> LABELS = Map.of("app-host-1",
            Map.of("simulated", "true", "service", "catalog, pricing"));

    /** One scrape target per host, every 5 s (the demo's minutes fill quickly). */
    List<ScrapeTarget> targets() {
        List<ScrapeTarget> out = new ArrayList<>();
        for (String h : HOSTS) {
            out.add(new ScrapeTarget("http://127.0.0.1:" + server.activeLocalPort() + "/hosts/" + h + "/metrics", h, 5_000,
                    LABELS.getOrDefault(h, Map.of("simulated", "true"))));
        }
        return out;
    }

    @Override
    public void close() {
        server.stop().join();
    }
}
