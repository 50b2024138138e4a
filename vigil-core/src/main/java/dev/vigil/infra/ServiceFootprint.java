package dev.vigil.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * What a service uses of its hosts: its process groups' minutes (measured) and its estimated shares of hosts no
 * process exporter measures it on, added up across hosts; their means; its use per event (the CPU time and disk bytes
 * of its closed minutes over its events in the same minutes) and per business transaction (the same over the cases of
 * its declared process begun in those minutes); and the trend, the earlier half of the period against the later.
 *
 * @param method            how the figures were got
 * @param cores             mean CPU cores busy over the minutes with figures
 * @param residentBytes     mean resident memory
 * @param events            the service's events in the closed minutes counted per event
 * @param cpuMsPerEvent     CPU milliseconds per event, NaN without events
 * @param diskBytesPerEvent disk bytes read and written per event, NaN without events or disk figures
 * @param transaction       the process whose cases are the service's business transactions, or null
 * @param transactions      that process's cases begun in the closed minutes counted per transaction
 * @param cpuMsPerTransaction CPU milliseconds per case, NaN without cases
 * @param diskBytesPerTransaction disk bytes per case, NaN without cases or disk figures
 */
public record ServiceFootprint(String service, Method method, Set<String> groups, Set<String> hosts, double cores,
                               double residentBytes, long events, double cpuMsPerEvent, double diskBytesPerEvent,
                               String transaction, long transactions, double cpuMsPerTransaction,
                               double diskBytesPerTransaction, Trend trend, List<Minute> minutes) {

    /** How a service's figures were got. */
    public enum Method implements dev.vigil.event.WireName {
        /** From its process groups (a process exporter, or OpenTelemetry process metrics). */
        MEASURED("measured"),
        /** Its hosts' use shared by declared weights: nothing measures its processes. */
        ESTIMATED("estimated"),
        /** Measured on some hosts, estimated on others. */
        PARTLY_ESTIMATED("partly estimated");

        private final String wire;

        Method(String wire) {
            this.wire = wire;
        }

        @Override
        public String wire() {
            return wire;
        }
    }

    /** The service's use in one minute; {@code closed} once the minute is over (the last one may still fill). */
    public record Minute(long minuteStartMillis, boolean closed, double cores, double residentBytes,
                         double diskBytesPerSecond) {
    }

    /**
     * Minutes averaged into steps of {@code stepMillis} (aligned on the epoch), for a long range listed in a few dozen
     * points: each figure the mean of the minutes that have it, a step closed when all its minutes are.
     */
    public static List<Minute> inSteps(List<Minute> minutes, long stepMillis) {
        if (stepMillis <= 60_000) {
            return minutes;
        }
        Map<Long, List<Minute>> steps = new TreeMap<>();
        for (Minute m : minutes) {
            steps.computeIfAbsent(Math.floorDiv(m.minuteStartMillis(), stepMillis) * stepMillis, k -> new ArrayList<>()).add(m);
        }
        List<Minute> out = new ArrayList<>();
        steps.forEach((start, in) -> out.add(new Minute(start, in.stream().allMatch(Minute::closed),
                mean(in, Minute::cores), mean(in, Minute::residentBytes), mean(in, Minute::diskBytesPerSecond))));
        return out;
    }

    private static double mean(List<Minute> minutes, java.util.function.ToDoubleFunction<Minute> figure) {
        return minutes.stream().mapToDouble(figure).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }

    /**
     * The earlier half of the period's closed minutes against the later: mean cores, and CPU milliseconds per event
     * (NaN where a half has no minutes or no events).
     */
    public record Trend(double earlierCores, double laterCores, double earlierCpuMsPerEvent, double laterCpuMsPerEvent) {
    }

    /** A service's counts per minute start: its events, or its process's cases begun. */
    public record Counts(Map<String, Map<Long, Long>> events, Map<String, Map<Long, Long>> transactions,
                         Map<String, String> transactionOf) {
    }

    /**
     * @param measured       process groups' minutes
     * @param estimated      estimated shares ({@link HostShares}), whose group is the service
     * @param serviceOfGroup the service a process group is of
     * @param openMinute     the start of the minute still filling: minutes before it are closed
     * @param counts         per service, its events and transactions per minute start (missing: none known)
     */
    public static List<ServiceFootprint> of(List<FootprintMinute> measured, List<FootprintMinute> estimated,
                                            UnaryOperator<String> serviceOfGroup, long openMinute, Counts counts) {
        Map<String, TreeMap<Long, double[]>> byService = new TreeMap<>();
        Map<String, Set<String>> groups = new TreeMap<>();
        Map<String, Set<String>> hosts = new TreeMap<>();
        Map<String, boolean[]> how = new TreeMap<>();
        for (List<FootprintMinute> list : List.of(measured, estimated)) {
            boolean isEstimate = list == estimated;
            for (FootprintMinute m : list) {
                String service = isEstimate ? m.group() : serviceOfGroup.apply(m.group());
                double[] sum = byService.computeIfAbsent(service, s -> new TreeMap<>())
                        .computeIfAbsent(m.minuteStartMillis(), t -> new double[] {Double.NaN, Double.NaN, Double.NaN});
                sum[0] = add(sum[0], m.cores());
                sum[1] = add(sum[1], m.residentBytes());
                sum[2] = add(sum[2], m.diskBytesPerSecond());
                Set<String> named = groups.computeIfAbsent(service, s -> new TreeSet<>());
                if (!isEstimate) {
                    named.add(m.group());
                }
                hosts.computeIfAbsent(service, s -> new TreeSet<>()).add(m.host());
                how.computeIfAbsent(service, s -> new boolean[2])[isEstimate ? 1 : 0] = true;
            }
        }
        List<ServiceFootprint> out = new ArrayList<>();
        byService.forEach((service, minutes) -> {
            Map<Long, Long> events = counts.events().getOrDefault(service, Map.of());
            Map<Long, Long> cases = counts.transactions().getOrDefault(service, Map.of());
            Per perEvent = new Per();
            Per perCase = new Per();
            Mean cores = new Mean();
            Mean resident = new Mean();
            List<Minute> list = new ArrayList<>();
            List<double[]> closed = new ArrayList<>();
            for (Map.Entry<Long, double[]> m : minutes.entrySet()) {
                double[] v = m.getValue();
                boolean isClosed = m.getKey() < openMinute;
                list.add(new Minute(m.getKey(), isClosed, v[0], v[1], v[2]));
                cores.add(v[0]);
                resident.add(v[1]);
                if (isClosed) {
                    long n = events.getOrDefault(m.getKey(), 0L);
                    perEvent.add(v, n);
                    perCase.add(v, cases.getOrDefault(m.getKey(), 0L));
                    closed.add(new double[] {v[0], Double.isNaN(v[0]) ? 0 : n});
                }
            }
            boolean[] h = how.get(service);
            Method method = h[0] && h[1] ? Method.PARTLY_ESTIMATED : h[1] ? Method.ESTIMATED : Method.MEASURED;
            String process = counts.transactionOf().get(service);
            out.add(new ServiceFootprint(service, method, groups.get(service), hosts.get(service), cores.value(),
                    resident.value(), perEvent.count, perEvent.cpuMs(), perEvent.diskBytes(), process,
                    process == null ? 0 : perCase.count, process == null ? Double.NaN : perCase.cpuMs(),
                    process == null ? Double.NaN : perCase.diskBytes(), trend(closed), list));
        });
        return out;
    }

    /** Halves the closed minutes (cores, events) in time order; the middle minute of an odd count goes to neither. */
    private static Trend trend(List<double[]> closed) {
        int half = closed.size() / 2;
        double[] earlier = half(closed.subList(0, half));
        double[] later = half(closed.subList(closed.size() - half, closed.size()));
        return new Trend(earlier[0], later[0], earlier[1], later[1]);
    }

    private static double[] half(List<double[]> minutes) {
        Mean cores = new Mean();
        double cpuSeconds = 0;
        long events = 0;
        for (double[] m : minutes) {
            cores.add(m[0]);
            if (!Double.isNaN(m[0]) && m[1] > 0) {
                cpuSeconds += m[0] * 60;
                events += (long) m[1];
            }
        }
        return new double[] {cores.value(), events == 0 ? Double.NaN : cpuSeconds * 1000 / events};
    }

    /** CPU time and disk bytes of the minutes with a count, over that count. */
    private static final class Per {
        double cpuSeconds;
        double diskBytes;
        boolean disk;
        long count;

        void add(double[] v, long n) {
            if (n > 0 && !Double.isNaN(v[0])) {
                cpuSeconds += v[0] * 60;
                if (!Double.isNaN(v[2])) {
                    diskBytes += v[2] * 60;
                    disk = true;
                }
                count += n;
            }
        }

        double cpuMs() {
            return count == 0 ? Double.NaN : cpuSeconds * 1000 / count;
        }

        double diskBytes() {
            return count == 0 || !disk ? Double.NaN : diskBytes / count;
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

    private static double add(double a, double b) {
        return Double.isNaN(b) ? a : Double.isNaN(a) ? b : a + b;
    }
}
