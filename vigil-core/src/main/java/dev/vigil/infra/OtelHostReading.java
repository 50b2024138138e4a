package dev.vigil.infra;

import dev.vigil.exposition.MetricType;
import dev.vigil.exposition.Sample;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A host's reading from OpenTelemetry's system metrics (the Collector's {@code hostmetrics} receiver, or any SDK
 * that follows the semantic conventions), made into the node exporter reading {@link HostMetrics} folds, so that a
 * host's minutes mean the same whichever way they came. Both the older attribute names ({@code state},
 * {@code device}, {@code direction}) and the current ones ({@code cpu.mode}, {@code system.device},
 * {@code network.io.direction}) are read.
 */
public final class OtelHostReading {

    /** The metrics read; others are none of a host's (docs/TELEMETRY.md lists what each becomes). */
    public static final Set<String> METRICS = Set.of("system.cpu.time", "system.cpu.load_average.1m",
            "system.memory.usage", "system.linux.memory.available", "system.paging.faults", "system.disk.io_time",
            "system.disk.weighted_io_time", "system.filesystem.usage", "system.network.io", "system.network.errors",
            "system.network.dropped");

    /** Of these, the counters: their sums must be cumulative, as a node exporter's are. */
    public static final Set<String> COUNTERS = Set.of("system.cpu.time", "system.paging.faults", "system.disk.io_time",
            "system.disk.weighted_io_time", "system.network.io", "system.network.errors", "system.network.dropped");

    private static final Set<String> AVAILABLE_MEMORY = Set.of("free", "buffered", "cached", "slab_reclaimable");

    private final NodeReading reading = new NodeReading();
    private final Map<String, Double> memory = new HashMap<>();
    private double memoryAvailable = Double.NaN;
    /** Per mount point: its type, and its bytes by state (used, free, reserved). */
    private final Map<String, String> fsType = new TreeMap<>();
    private final Map<String, Map<String, Double>> fsBytes = new TreeMap<>();

    /** Takes one point of {@code metric}; false when it is none of the metrics read. */
    public boolean accept(String metric, Map<String, String> a, double value) {
        switch (metric) {
            case "system.cpu.time" -> {
                String mode = first(a, "cpu.mode", "state");
                sample("node_cpu_seconds_total", value, "cpu", String.valueOf(first(a, "system.cpu.logical_number", "cpu")),
                        "mode", "wait".equals(mode) ? "iowait" : String.valueOf(mode));
            }
            case "system.cpu.load_average.1m" -> sample("node_load1", value);
            case "system.memory.usage" -> memory.merge(String.valueOf(first(a, "system.memory.state", "state")), value, Double::sum);
            case "system.linux.memory.available" -> memoryAvailable = value;
            case "system.paging.faults" -> {
                if ("major".equals(first(a, "system.paging.fault.type", "type"))) {
                    sample("node_vmstat_pgmajfault", value);
                }
            }
            case "system.disk.io_time" -> sample("node_disk_io_time_seconds_total", value, "device", device(a));
            case "system.disk.weighted_io_time" -> sample("node_disk_io_time_weighted_seconds_total", value, "device", device(a));
            case "system.filesystem.usage" -> {
                String mount = String.valueOf(first(a, "system.filesystem.mountpoint", "mountpoint"));
                String type = first(a, "system.filesystem.type", "type");
                if (type != null) {
                    fsType.put(mount, type);
                }
                fsBytes.computeIfAbsent(mount, m -> new HashMap<>())
                        .merge(String.valueOf(first(a, "system.filesystem.state", "state")), value, Double::sum);
            }
            case "system.network.io" -> sample("node_network_" + direction(a) + "_bytes_total", value, "device", nic(a));
            case "system.network.errors" -> sample("node_network_" + direction(a) + "_errs_total", value, "device", nic(a));
            case "system.network.dropped" -> sample("node_network_" + direction(a) + "_drop_total", value, "device", nic(a));
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Ends the reading: memory and filesystems, whose totals are the sums of their states. */
    public NodeReading done() {
        if (!memory.isEmpty()) {
            double total = memory.values().stream().mapToDouble(Double::doubleValue).sum();
            double available = Double.isNaN(memoryAvailable)
                    ? memory.entrySet().stream().filter(e -> AVAILABLE_MEMORY.contains(e.getKey())).mapToDouble(Map.Entry::getValue).sum()
                    : memoryAvailable;
            sample("node_memory_MemTotal_bytes", total);
            sample("node_memory_MemAvailable_bytes", available);
        }
        for (Map.Entry<String, Map<String, Double>> fs : fsBytes.entrySet()) {
            double size = fs.getValue().values().stream().mapToDouble(Double::doubleValue).sum();
            String type = fsType.getOrDefault(fs.getKey(), "unknown");
            sample("node_filesystem_size_bytes", size, "mountpoint", fs.getKey(), "fstype", type);
            sample("node_filesystem_avail_bytes", fs.getValue().getOrDefault("free", 0.0), "mountpoint", fs.getKey(), "fstype", type);
        }
        return reading.done();
    }

    private void sample(String name, double value, String... labels) {
        reading.sample(Sample.of(name, MetricType.UNTYPED, value, labels));
    }

    private static String device(Map<String, String> a) {
        return String.valueOf(first(a, "system.device", "device"));
    }

    private static String nic(Map<String, String> a) {
        return String.valueOf(first(a, "network.interface.name", "system.device", "device"));
    }

    private static String direction(Map<String, String> a) {
        return "transmit".equals(first(a, "network.io.direction", "direction")) ? "transmit" : "receive";
    }

    private static String first(Map<String, String> a, String... names) {
        for (String n : names) {
            String v = a.get(n);
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
