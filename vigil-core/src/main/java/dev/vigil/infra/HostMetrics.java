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

        /** A closed minute opened again (a restart within it): its means stand for as many values as it had scrapes. */
        static Open reopen(HostMinute m) {
            Open o = new Open(m.minuteStartMillis());
            o.scrapes = m.scrapes();
            o.cpu.restore(m.cpuUtilisation(), m.scrapes());
            o.cpuMax = m.cpuUtilisationMax();
            o.load.restore(m.loadPerCore(), m.scrapes());
            o.pressure.restore(m.cpuPressure(), m.scrapes());
            o.faults.restore(m.majorFaultsPerSecond(), m.scrapes());
            o.disk.restore(m.diskBusy(), m.scrapes());
            o.queue.restore(m.diskQueue(), m.scrapes());
            o.net.restore(m.networkBytesPerSecond(), m.scrapes());
            o.errors.restore(m.networkErrorsPerSecond(), m.scrapes());
            o.drops.restore(m.networkDropsPerSecond(), m.scrapes());
            o.cpus = m.cpus();
            o.memory = m.memoryUtilisation();
            o.memoryTotal = m.memoryTotalBytes();
            o.fsFree = m.filesystemFree();
            return o;
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

        void restore(double mean, int count) {
            if (!Double.isNaN(mean) && count > 0) {
                sum = mean * count;
                n = count;
            }
        }
    }

    private static final class Host {
        NodeReading last;
        long lastMillis;
        Open open;
        final ArrayDeque<HostMinute> closed = new ArrayDeque<>();
    }

    /**
     * Folds one scrape of {@code host}, read at {@code timeMillis}. Readings that hold no node metrics are ignored.
     *
     * @return the minute this scrape closed (to be kept), or null
     */
    public HostMinute observe(String host, long timeMillis, NodeReading r) {
        if (!r.isNode()) {
            return null;
        }
        Host h = hosts.computeIfAbsent(host, k -> new Host());
        if (h.last != null && timeMillis <= h.lastMillis) {
            return null; // out of order or repeated: the interval would be empty or negative
        }
        long minute = Math.floorDiv(timeMillis, MINUTE) * MINUTE;
        HostMinute closed = null;
        if (h.open != null && h.open.start != minute) {
            closed = h.open.close(host);
            h.closed.addLast(closed);
            trim(h);
            h.open = null;
        }
        if (h.open == null) {
            HostMinute last = h.closed.peekLast();
            // restored from the store and still running: go on filling it rather than list it twice
            h.open = last != null && last.minuteStartMillis() == minute ? Open.reopen(h.closed.removeLast()) : new Open(minute);
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
        return closed;
    }

    private void trim(Host h) {
        while (h.closed.size() > keepMinutes) {
            h.closed.removeFirst();
        }
    }

    /**
     * Puts back minutes kept before a restart (oldest first per host), before any scrape of theirs. Counters are not
     * kept, so the first interval after a restart gives no rates.
     */
    public void restore(List<HostMinute> minutes) {
        for (HostMinute m : minutes) {
            Host h = hosts.computeIfAbsent(m.host(), k -> new Host());
            HostMinute last = h.closed.peekLast();
            if (h.open == null && (last == null || last.minuteStartMillis() < m.minuteStartMillis())) {
                h.closed.addLast(m);
                trim(h);
            }
        }
    }

    /** The minutes still filling, one per host: what to keep at a stop. */
    public List<HostMinute> openMinutes() {
        List<HostMinute> out = new ArrayList<>();
        hosts.forEach((name, h) -> {
            if (h.open != null) {
                out.add(h.open.close(name));
            }
        });
        return out;
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

    /** A host's open minute as it stands, or null. */
    public HostMinute openMinute(String host) {
        Host h = hosts.get(host);
        return h == null || h.open == null ? null : h.open.close(host);
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
