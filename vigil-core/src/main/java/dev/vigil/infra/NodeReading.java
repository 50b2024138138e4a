package dev.vigil.infra;

import dev.vigil.exposition.ExpositionSink;
import dev.vigil.exposition.ParseError;
import dev.vigil.exposition.Sample;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one scrape of a host's node exporter says of the host's resources, read from the exposition as it is
 * parsed (node_exporter's metric names; a process or application exporter gives none of these, and its reading
 * is simply empty). Counters are kept as they came; {@link HostMetrics} turns two readings into rates.
 */
public final class NodeReading implements ExpositionSink {

    /** Filesystems that are not disks: their space says nothing of a host's capacity. */
    private static final Set<String> NOT_DISKS = Set.of("tmpfs", "devtmpfs", "overlay", "squashfs", "proc", "sysfs",
            "ramfs", "nsfs", "cgroup", "cgroup2", "fuse.lxcfs", "autofs");

    double cpuSeconds;
    double cpuIdleSeconds;
    final Set<String> cpus = new HashSet<>();
    double load1 = Double.NaN;
    double memTotal = Double.NaN;
    double memAvailable = Double.NaN;
    double majorFaults = Double.NaN;
    double cpuPressureSeconds = Double.NaN;
    final Map<String, Double> diskBusySeconds = new HashMap<>();
    final Map<String, Double> diskWeightedSeconds = new HashMap<>();
    double netBytes;
    double netErrors = Double.NaN;
    double netDrops = Double.NaN;
    boolean sawNet;
    /** Filesystems' available and total bytes by mount point (null for those that are not disks). */
    private final Map<String, Double> fsAvail = new HashMap<>();
    private final Map<String, Double> fsSize = new HashMap<>();
    double fsFreeFraction = Double.NaN;
    int samples;
    int refusedLines;
    String firstError;

    /** Whether the scrape held a node exporter's CPU counters (else there is nothing to say of a host). */
    public boolean isNode() {
        return !cpus.isEmpty();
    }

    public int samples() {
        return samples;
    }

    public int refusedLines() {
        return refusedLines;
    }

    /** The first line the parser refused, or null. */
    public String firstError() {
        return firstError;
    }

    @Override
    public void sample(Sample s) {
        samples++;
        double v = s.value();
        switch (s.name()) {
            case "node_cpu_seconds_total" -> {
                String mode = s.label("mode");
                cpus.add(String.valueOf(s.label("cpu")));
                cpuSeconds += v;
                if ("idle".equals(mode) || "iowait".equals(mode)) {
                    cpuIdleSeconds += v;
                }
            }
            case "node_load1" -> load1 = v;
            case "node_memory_MemTotal_bytes" -> memTotal = v;
            case "node_memory_MemAvailable_bytes" -> memAvailable = v;
            case "node_vmstat_pgmajfault" -> majorFaults = v;
            case "node_pressure_cpu_waiting_seconds_total" -> cpuPressureSeconds = v;
            case "node_disk_io_time_seconds_total" -> diskBusySeconds.put(String.valueOf(s.label("device")), v);
            case "node_disk_io_time_weighted_seconds_total" -> diskWeightedSeconds.put(String.valueOf(s.label("device")), v);
            case "node_network_receive_bytes_total", "node_network_transmit_bytes_total" -> {
                if (!"lo".equals(s.label("device"))) {
                    netBytes += v;
                    sawNet = true;
                }
            }
            case "node_network_receive_errs_total", "node_network_transmit_errs_total" -> {
                if (!"lo".equals(s.label("device"))) {
                    netErrors = (Double.isNaN(netErrors) ? 0 : netErrors) + v;
                }
            }
            case "node_network_receive_drop_total", "node_network_transmit_drop_total" -> {
                if (!"lo".equals(s.label("device"))) {
                    netDrops = (Double.isNaN(netDrops) ? 0 : netDrops) + v;
                }
            }
            case "node_filesystem_avail_bytes" -> fsAvail.put(filesystem(s), v);
            case "node_filesystem_size_bytes" -> fsSize.put(filesystem(s), v);
            default -> {
            }
        }
    }

    private static String filesystem(Sample s) {
        String type = s.label("fstype");
        return type != null && NOT_DISKS.contains(type) ? null : s.label("mountpoint");
    }

    /** Ends the reading: the filesystems' least free fraction. */
    public NodeReading done() {
        for (Map.Entry<String, Double> size : fsSize.entrySet()) {
            Double avail = fsAvail.get(size.getKey());
            if (size.getKey() != null && avail != null && size.getValue() > 0) {
                double free = avail / size.getValue();
                fsFreeFraction = Double.isNaN(fsFreeFraction) ? free : Math.min(fsFreeFraction, free);
            }
        }
        return this;
    }

    @Override
    public void error(ParseError error) {
        refusedLines++;
        if (firstError == null) {
            firstError = error.toString();
        }
    }
}
