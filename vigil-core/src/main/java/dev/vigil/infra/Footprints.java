package dev.vigil.infra;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Process groups' use of their hosts per minute, from successive process exporter readings: counters become rates
 * over the interval between two scrapes, as {@link HostMetrics} does for hosts. A counter that went down (the group's
 * processes restarted) gives no rate for that interval. Keeps each group's last {@code keepMinutes} closed minutes.
 * Not thread-safe; no clock: time is the scrapes'.
 */
public final class Footprints {

    private static final long MINUTE = 60_000;

    private final int keepMinutes;
    /** By host, then group. */
    private final Map<String, Map<String, Group>> hosts = new TreeMap<>();

    public Footprints(int keepMinutes) {
        this.keepMinutes = keepMinutes;
    }

    private static final class Group {
        ProcessReading.Group last;
        long lastMillis;
        long openStart = Long.MIN_VALUE;
        int scrapes;
        double cores;
        int coresN;
        double resident;
        int residentN;
        double disk;
        int diskN;
        int processes;
        final ArrayDeque<FootprintMinute> closed = new ArrayDeque<>();

        FootprintMinute close(String host, String group) {
            return new FootprintMinute(host, group, openStart, scrapes, coresN == 0 ? Double.NaN : cores / coresN,
                    residentN == 0 ? Double.NaN : resident / residentN, diskN == 0 ? Double.NaN : disk / diskN, processes);
        }
    }

    /** Folds one scrape of {@code host}'s process exporter, read at {@code timeMillis}; returns the minutes it closed. */
    public List<FootprintMinute> observe(String host, long timeMillis, ProcessReading r) {
        List<FootprintMinute> closed = new ArrayList<>();
        Map<String, Group> groups = hosts.computeIfAbsent(host, h -> new TreeMap<>());
        long minute = Math.floorDiv(timeMillis, MINUTE) * MINUTE;
        for (Map.Entry<String, ProcessReading.Group> e : r.groups.entrySet()) {
            Group g = groups.computeIfAbsent(e.getKey(), k -> new Group());
            if (g.last != null && timeMillis <= g.lastMillis) {
                continue;
            }
            if (g.openStart != Long.MIN_VALUE && g.openStart != minute) {
                FootprintMinute done = g.close(host, e.getKey());
                g.closed.addLast(done);
                while (g.closed.size() > keepMinutes) {
                    g.closed.removeFirst();
                }
                closed.add(done);
                g.scrapes = 0;
                g.cores = g.resident = g.disk = 0;
                g.coresN = g.residentN = g.diskN = 0;
            }
            g.openStart = minute;
            ProcessReading.Group now = e.getValue();
            g.scrapes++;
            g.processes = Math.max(0, now.processes);
            if (!Double.isNaN(now.residentBytes)) {
                g.resident += now.residentBytes;
                g.residentN++;
            }
            if (g.last != null) {
                double seconds = (timeMillis - g.lastMillis) / 1000.0;
                // NaN compares false: a figure the source does not send gives no rate, rather than a rate of 0.
                if (now.cpuSeconds >= g.last.cpuSeconds) {
                    g.cores += (now.cpuSeconds - g.last.cpuSeconds) / seconds;
                    g.coresN++;
                }
                if (now.diskBytes >= g.last.diskBytes) {
                    g.disk += (now.diskBytes - g.last.diskBytes) / seconds;
                    g.diskN++;
                }
            }
            g.last = now;
            g.lastMillis = timeMillis;
        }
        return closed;
    }

    /**
     * Puts back closed minutes kept before a restart (oldest first per host and group), before any scrape is folded.
     * The minute open when the server stopped is not among them: its counters cannot be resumed, so it is lost.
     */
    public void restore(List<FootprintMinute> minutes) {
        for (FootprintMinute m : minutes) {
            Group g = hosts.computeIfAbsent(m.host(), h -> new TreeMap<>()).computeIfAbsent(m.group(), k -> new Group());
            if (g.closed.isEmpty() || g.closed.peekLast().minuteStartMillis() < m.minuteStartMillis()) {
                g.closed.addLast(m);
                while (g.closed.size() > keepMinutes) {
                    g.closed.removeFirst();
                }
            }
        }
    }

    /** Every group's closed minutes and its open one, from {@code fromMillis} on, by host and group. */
    public List<FootprintMinute> since(long fromMillis) {
        List<FootprintMinute> out = new ArrayList<>();
        hosts.forEach((host, groups) -> groups.forEach((name, g) -> {
            g.closed.stream().filter(m -> m.minuteStartMillis() >= fromMillis).forEach(out::add);
            if (g.openStart != Long.MIN_VALUE && g.openStart >= fromMillis) {
                out.add(g.close(host, name));
            }
        }));
        return out;
    }
}
