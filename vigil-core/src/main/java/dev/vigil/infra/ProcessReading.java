package dev.vigil.infra;

import dev.vigil.exposition.ExpositionSink;
import dev.vigil.exposition.ParseError;
import dev.vigil.exposition.Sample;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one scrape of a process exporter ({@code prometheus-process-exporter}) says of each process group: the CPU
 * time, resident memory and disk bytes of the processes it groups by name. Counters are kept as they came;
 * {@link Footprints} turns two readings into rates. A scrape of any other exporter reads as no group.
 */
public final class ProcessReading implements ExpositionSink {

    /** One group's figures in one scrape. */
    static final class Group {
        /** NaN until the source says: a figure never sent is unknown, not zero. */
        double cpuSeconds = Double.NaN;
        double residentBytes = Double.NaN;
        double diskBytes = Double.NaN;
        int processes = -1;
    }

    final Map<String, Group> groups = new TreeMap<>();

    @Override
    public void sample(Sample s) {
        if (!s.name().startsWith("namedprocess_namegroup_")) {
            return;
        }
        String group = s.label("groupname");
        if (group == null) {
            return;
        }
        switch (s.name()) {
            case "namedprocess_namegroup_cpu_seconds_total" -> group(group).cpuSeconds = plus(group(group).cpuSeconds, s.value());
            case "namedprocess_namegroup_memory_bytes" -> {
                if ("resident".equals(s.label("memtype"))) {
                    group(group).residentBytes = s.value();
                }
            }
            case "namedprocess_namegroup_read_bytes_total", "namedprocess_namegroup_write_bytes_total" ->
                    group(group).diskBytes = plus(group(group).diskBytes, s.value());
            case "namedprocess_namegroup_num_procs" -> group(group).processes = (int) s.value();
            default -> {
            }
        }
    }

    /** A sum that is NaN (unknown) until its first part. */
    static double plus(double sum, double part) {
        return Double.isNaN(sum) ? part : sum + part;
    }

    private Group group(String name) {
        return groups.computeIfAbsent(name, n -> new Group());
    }

    @Override
    public void error(ParseError error) {
        // the host reading of the same scrape counts and reports refused lines
    }

    /** Whether the scrape held any process group. */
    public boolean isEmpty() {
        return groups.isEmpty();
    }
}
