package dev.vigil.infra;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A service's latency beside its hosts' saturation, minute by minute, and what the two say together. The rule, in
 * words: a minute is <em>slow</em> when the service's p95 is at least {@value #SLOW_FACTOR} times its median p95
 * over the period (minutes with at least {@value #MIN_CALLS} events); a host's resource is <em>saturated</em> in a
 * minute when work waited for it (see {@link Resource}). When at least {@value #MIN_SLOW} minutes are slow and at
 * least half of them have the same host's same resource saturated, more often than the other minutes do, Vigil says
 * the latency rose with that saturation. When slow minutes have no saturated host, it says the hosts had room, so
 * the cause is to be looked for elsewhere. A coincidence, not a proof: the sentence gives the counts it rests on.
 */
public final class Alignment {

    static final double SLOW_FACTOR = 1.5;
    static final int MIN_CALLS = 5;
    static final int MIN_SLOW = 3;
    /** Minutes with a p95 needed before a median means anything. */
    static final int MIN_BASELINE = 10;

    private Alignment() {
    }

    /** A minute of the service: its start, events and p95 (NaN without durations). */
    public record ServiceMinute(long minuteStartMillis, long count, double p95Ms) {
    }

    /** A resource of a host and when it counts as saturated: work waited for it, not merely used it. */
    public enum Resource {
        CPU("CPU", m -> m.loadPerCore() >= 1.0 || m.cpuPressure() >= 0.10 || m.cpuUtilisation() >= 0.90),
        MEMORY("memory", m -> m.memoryUtilisation() >= 0.90 || m.majorFaultsPerSecond() >= 10),
        DISK("disk", m -> m.diskBusy() >= 0.90 || m.diskQueue() >= 1.0),
        NETWORK("network", m -> m.networkErrorsPerSecond() + m.networkDropsPerSecond() > 0);

        private final String word;
        private final Predicate<HostMinute> saturated;

        Resource(String word, Predicate<HostMinute> saturated) {
            this.word = word;
            this.saturated = saturated;
        }

        /** NaN figures (not measured) compare false: an unmeasured resource is never called saturated. */
        public boolean saturated(HostMinute m) {
            return saturated.test(m);
        }

        public String word() {
            return word;
        }
    }

    /**
     * What the minutes say.
     *
     * @param kind      "saturation" (latency rose with a host's saturation) or "room" (its hosts had room)
     * @param host      the saturated host, or null
     * @param resource  its saturated resource, or null
     * @param together  slow minutes with that resource saturated (for "room": slow minutes with host figures)
     * @param slow      slow minutes
     * @param elsewhere other minutes with that resource saturated, of {@code others}
     * @param medianP95 the period's median p95
     * @param slowP95   the median p95 of the slow minutes
     * @param sentence  all of it, in words
     */
    public record Finding(String kind, String host, String resource, int together, int slow, int elsewhere, int others,
                          double medianP95, double slowP95, String sentence) {
    }

    /** The findings for {@code service} over its minutes and its hosts' minutes (any order; matched by minute). */
    public static List<Finding> findings(String service, List<ServiceMinute> minutes, Map<String, List<HostMinute>> hosts) {
        double[] p95s = minutes.stream().filter(m -> m.count() >= MIN_CALLS && !Double.isNaN(m.p95Ms()))
                .mapToDouble(ServiceMinute::p95Ms).sorted().toArray();
        if (p95s.length < MIN_BASELINE || hosts.isEmpty()) {
            return List.of();
        }
        double median = p95s[p95s.length / 2];
        List<ServiceMinute> slow = new ArrayList<>();
        List<ServiceMinute> normal = new ArrayList<>();
        for (ServiceMinute m : minutes) {
            if (m.count() >= MIN_CALLS && !Double.isNaN(m.p95Ms())) {
                (m.p95Ms() >= SLOW_FACTOR * median ? slow : normal).add(m);
            }
        }
        if (slow.size() < MIN_SLOW) {
            return List.of();
        }
        double slowP95 = slow.stream().mapToDouble(ServiceMinute::p95Ms).sorted().toArray()[slow.size() / 2];
        List<Finding> out = new ArrayList<>();
        Map<String, Map<Long, HostMinute>> byHost = new java.util.TreeMap<>();
        hosts.forEach((host, list) -> {
            Map<Long, HostMinute> byMinute = new HashMap<>();
            list.forEach(m -> byMinute.put(m.minuteStartMillis(), m));
            byHost.put(host, byMinute);
        });
        for (Map.Entry<String, Map<Long, HostMinute>> h : byHost.entrySet()) {
            Map<Long, HostMinute> byMinute = h.getValue();
            for (Resource r : Resource.values()) {
                int together = count(slow, byMinute, r);
                int elsewhere = count(normal, byMinute, r);
                int others = (int) normal.stream().filter(m -> byMinute.containsKey(m.minuteStartMillis())).count();
                double shareSlow = together / (double) slow.size();
                double shareOthers = others == 0 ? 0 : elsewhere / (double) others;
                if (together * 2 >= slow.size() && shareSlow > shareOthers) {
                    out.add(new Finding("saturation", h.getKey(), r.name().toLowerCase(Locale.ROOT), together, slow.size(),
                            elsewhere, others, median, slowP95, String.format(Locale.ROOT,
                            "p95 of %s rose with %s saturation on host %s: in %d of %d minutes when p95 was %.1f times its "
                                    + "median or more (%s against %s), %s's %s was saturated; in the other minutes, %d of %d.",
                            service, r.word(), h.getKey(), together, slow.size(), SLOW_FACTOR, ms(slowP95), ms(median),
                            h.getKey(), r.word(), elsewhere, others)));
                }
            }
        }
        // Slow minutes whose hosts were all measured and none saturated: then the hosts are not why.
        int room = 0;
        for (ServiceMinute m : slow) {
            boolean measured = true;
            boolean saturated = false;
            for (Map<Long, HostMinute> byMinute : byHost.values()) {
                HostMinute h = byMinute.get(m.minuteStartMillis());
                if (h == null) {
                    measured = false;
                } else {
                    for (Resource r : Resource.values()) {
                        saturated |= r.saturated(h);
                    }
                }
            }
            if (measured && !saturated) {
                room++;
            }
        }
        if (out.isEmpty() && room * 2 >= slow.size()) {
            out.add(new Finding("room", null, null, room, slow.size(), 0, normal.size(), median, slowP95,
                    String.format(Locale.ROOT, "p95 of %s rose in %d minutes (%s against a median of %s) and its hosts (%s) "
                                    + "had room in %d of them: the cause is elsewhere (its calls out, or the service itself).",
                            service, slow.size(), ms(slowP95), ms(median), String.join(", ", byHost.keySet()), room)));
        }
        out.sort((a, b) -> Integer.compare(b.together(), a.together()));
        return out;
    }

    private static int count(List<ServiceMinute> minutes, Map<Long, HostMinute> byMinute, Resource r) {
        int n = 0;
        for (ServiceMinute m : minutes) {
            HostMinute h = byMinute.get(m.minuteStartMillis());
            if (h != null && r.saturated(h)) {
                n++;
            }
        }
        return n;
    }

    private static String ms(double v) {
        return v >= 10_000 ? String.format(Locale.ROOT, "%.1f s", v / 1000) : String.format(Locale.ROOT, "%.0f ms", v);
    }
}
