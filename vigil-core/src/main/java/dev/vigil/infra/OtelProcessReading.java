package dev.vigil.infra;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Process groups' figures from OpenTelemetry's process metrics (the Collector's {@code hostmetrics} process scraper,
 * or an SDK's), made into the process exporter reading {@link Footprints} folds. A resource is one process; its group
 * is its {@code service.name} (an SDK's), else its {@code process.executable.name} (the Collector's); processes of
 * one group in one request are added up, so a group's processes must come in one request, as the Collector batches
 * them. A JVM's own {@code jvm.cpu.time} counts where {@code process.cpu.time} is not sent.
 */
public final class OtelProcessReading {

    /** The metrics read (docs/TELEMETRY.md says what each becomes). */
    public static final Set<String> METRICS = Set.of("process.cpu.time", "jvm.cpu.time", "process.memory.usage",
            "process.disk.io");

    /** Of these, the counters: their sums must be cumulative, as a process exporter's are. */
    public static final Set<String> COUNTERS = Set.of("process.cpu.time", "jvm.cpu.time", "process.disk.io");

    private static final class Group {
        double processCpu;
        boolean hasProcessCpu;
        double jvmCpu = Double.NaN;
        double resident = Double.NaN;
        double disk = Double.NaN;
        int processes;
    }

    private final Map<String, Group> groups = new TreeMap<>();

    /** The group a resource's process is in, or null when its attributes name none. */
    public static String groupOf(Map<String, String> resource) {
        String service = resource.get("service.name");
        if (service != null && !service.isBlank() && !service.startsWith("unknown_service")) {
            return service;
        }
        String executable = resource.get("process.executable.name");
        return executable == null || executable.isBlank() ? null : executable;
    }

    /** Counts one more process (resource) in {@code group}. */
    public void process(String group) {
        groups.computeIfAbsent(group, g -> new Group()).processes++;
    }

    /** Takes one point of {@code metric} for {@code group}; false when it is none of the metrics read. */
    public boolean accept(String group, String metric, double value) {
        Group g = groups.computeIfAbsent(group, k -> new Group());
        switch (metric) {
            case "process.cpu.time" -> {
                g.processCpu += value;
                g.hasProcessCpu = true;
            }
            case "jvm.cpu.time" -> g.jvmCpu = ProcessReading.plus(g.jvmCpu, value);
            case "process.memory.usage" -> g.resident = ProcessReading.plus(g.resident, value);
            case "process.disk.io" -> g.disk = ProcessReading.plus(g.disk, value);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The reading as a process exporter's scrape would give it. */
    public ProcessReading done() {
        ProcessReading r = new ProcessReading();
        groups.forEach((name, g) -> {
            ProcessReading.Group out = new ProcessReading.Group();
            out.cpuSeconds = g.hasProcessCpu ? g.processCpu : g.jvmCpu;
            out.residentBytes = g.resident;
            out.diskBytes = g.disk;
            out.processes = g.processes;
            r.groups.put(name, out);
        });
        return r;
    }
}
