package dev.vigil.infra;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hosts' resources per minute (the USE view, {@link HostMinute}) from successive node exporter readings: counters
 * become rates over the interval between two scrapes of a host, and the minute of the later scrape folds them in.
 * A counter that went down (the exporter or the host restarted) gives no rate for that interval. Keeps each
 * host's last {@code keepMinutes} closed minutes. Not thread-safe; no clock: time is the scrapes'.
 */
public final class HostMetrics {

    private static final long MINUTE = 60_000;

    private final int keepMinutes;
    private final Map<String, Host> hosts = new TreeMap<>();

    public HostMetrics(int keepMinutes) {
        this.keepMinutes = keepMinutes;
    }

    /** Running sums of one minute's scrape intervals. */
    private static final class Open {
        final long start;
        int scrapes;
        final Mean cpu = new Mean();
        double cpuMax = Double.NaN;
        final Mean load = new Mean();
        final Mean pressure = new Mean();
        final Mean faults = new Mean();
        final Mean disk = new Mean();
        final Mean queue = new Mean();
        final Mean net = new Mean();
        final Mean errors = new Mean();
        final Mean drops = new Mean();
        int cpus;
        double memory = Double.NaN;
        double memoryTotal = Double.NaN;
        double fsFree = Double.NaN;

        Open(long start) {
            this.start = start;
        }

        HostMinute close(String host) {
            return new HostMinute(host, start, scrapes, cpu.value(), cpuMax, load.value(), pressure.value(), cpus, memory,
                    memoryTotal, faults.value(), disk.value(), queue.value(), fsFree, net.value(), errors.value(),
                    drops.value());
        }
    }

    private static final class Mean {
        double sum;
        int n;

        void add(double v) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }

        double value() {
            return n == 0 ? Double.NaN : sum / n;
        }
    }

    private static final class Host {
        NodeReading last;
        long lastMillis;
        Open open;
        final ArrayDeque<HostMinute> closed = new ArrayDeque<>();
    }

    /** Folds one scrape of {@code host}, read at {@code timeMillis}. Readings that hold no node metrics are ignored. */
    public void observe(String host, long timeMillis, NodeReading r) {
        if (!r.isNode()) {
            return;
        }
        Host h = hosts.computeIfAbsent(host, k -> new Host());
        if (h.last != null && timeMillis <= h.lastMillis) {
            return; // out of order or repeated: the interval would be empty or negative
        }
        long minute = Math.floorDiv(timeMillis, MINUTE) * MINUTE;
        if (h.open != null && h.open.start != minute) {
            h.closed.addLast(h.open.close(host));
            while (h.closed.size() > keepMinutes) {
                h.closed.removeFirst();
            }
            h.open = null;
        }
        if (h.open == null) {
            h.open = new Open(minute);
        }
        Open o = h.open;
        o.scrapes++;
        o.cpus = r.cpus.size();
        if (!Double.isNaN(r.memTotal) && !Double.isNaN(r.memAvailable) && r.memTotal > 0) {
            o.memory = 1 - r.memAvailable / r.memTotal;
            o.memoryTotal = r.memTotal;
        }
        if (!Double.isNaN(r.fsFreeFraction)) {
            o.fsFree = r.fsFreeFraction;
        }
        if (!Double.isNaN(r.load1) && !r.cpus.isEmpty()) {
            o.load.add(r.load1 / r.cpus.size());
        }
        NodeReading p = h.last;
        if (p != null) {
            double seconds = (timeMillis - h.lastMillis) / 1000.0;
            double total = r.cpuSeconds - p.cpuSeconds;
            double idle = r.cpuIdleSeconds - p.cpuIdleSeconds;
            if (total > 0 && idle >= 0 && r.cpus.size() == p.cpus.size()) {
                double busy = Math.max(0, Math.min(1, 1 - idle / total));
                o.cpu.add(busy);
                o.cpuMax = Double.isNaN(o.cpuMax) ? busy : Math.max(o.cpuMax, busy);
            }
            o.pressure.add(rate(p.cpuPressureSeconds, r.cpuPressureSeconds, seconds));
            o.faults.add(rate(p.majorFaults, r.majorFaults, seconds));
            o.disk.add(busiest(p.diskBusySeconds, r.diskBusySeconds, seconds));
            o.queue.add(busiest(p.diskWeightedSeconds, r.diskWeightedSeconds, seconds));
            if (p.sawNet && r.sawNet) {
                o.net.add(rate(p.netBytes, r.netBytes, seconds));
                o.errors.add(rate(p.netErrors, r.netErrors, seconds));
                o.drops.add(rate(p.netDrops, r.netDrops, seconds));
            }
        }
        h.last = r;
        h.lastMillis = timeMillis;
    }

    /** Per second between two counter values; NaN when either is missing or the counter was reset. */
    private static double rate(double before, double after, double seconds) {
        if (Double.isNaN(before) || Double.isNaN(after) || after < before || seconds <= 0) {
            return Double.NaN;
        }
        return (after - before) / seconds;
    }

    private static double busiest(Map<String, Double> before, Map<String, Double> after, double seconds) {
        double max = Double.NaN;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            Double b = before.get(e.getKey());
            double r = b == null ? Double.NaN : rate(b, e.getValue(), seconds);
            if (!Double.isNaN(r)) {
                max = Double.isNaN(max) ? r : Math.max(max, r);
            }
        }
        return max;
    }

    /** The hosts seen, by name. */
    public List<String> hosts() {
        return List.copyOf(hosts.keySet());
    }

    /** A host's closed minutes and its open one (last), oldest first; empty for a host never seen. */
    public List<HostMinute> minutes(String host) {
        Host h = hosts.get(host);
        if (h == null) {
            return List.of();
        }
        List<HostMinute> out = new ArrayList<>(h.closed);
        if (h.open != null) {
            out.add(h.open.close(host));
        }
        return out;
    }
}
