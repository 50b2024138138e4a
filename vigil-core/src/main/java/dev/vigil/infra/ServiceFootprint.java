package dev.vigil.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * What a service uses of its hosts: its process groups' minutes added up across groups and hosts, their means, and
 * its use per event (the CPU time and disk bytes of its closed minutes over its events in the same minutes).
 *
 * @param cores             mean CPU cores busy over the minutes with figures
 * @param residentBytes     mean resident memory
 * @param events            the service's events in the closed minutes counted per event
 * @param cpuMsPerEvent     CPU milliseconds per event, NaN without events
 * @param diskBytesPerEvent disk bytes read and written per event, NaN without events
 */
public record ServiceFootprint(String service, Set<String> groups, Set<String> hosts, double cores, double residentBytes,
                               long events, double cpuMsPerEvent, double diskBytesPerEvent, List<Minute> minutes) {

    /** The service's use in one minute; {@code closed} once the minute is over (the last one may still fill). */
    public record Minute(long minuteStartMillis, boolean closed, double cores, double residentBytes,
                         double diskBytesPerSecond) {
    }

    /**
     * @param serviceOfGroup the service a process group is of
     * @param openMinute     the start of the minute still filling: minutes before it are closed
     * @param events         per service, its events per minute start (missing: none known)
     */
    public static List<ServiceFootprint> of(List<FootprintMinute> all, UnaryOperator<String> serviceOfGroup,
                                            long openMinute, Map<String, Map<Long, Long>> events) {
        Map<String, TreeMap<Long, double[]>> byService = new TreeMap<>();
        Map<String, Set<String>> groups = new TreeMap<>();
        Map<String, Set<String>> hosts = new TreeMap<>();
        for (FootprintMinute m : all) {
            String service = serviceOfGroup.apply(m.group());
            double[] sum = byService.computeIfAbsent(service, s -> new TreeMap<>())
                    .computeIfAbsent(m.minuteStartMillis(), t -> new double[] {Double.NaN, Double.NaN, Double.NaN});
            sum[0] = add(sum[0], m.cores());
            sum[1] = add(sum[1], m.residentBytes());
            sum[2] = add(sum[2], m.diskBytesPerSecond());
            groups.computeIfAbsent(service, s -> new TreeSet<>()).add(m.group());
            hosts.computeIfAbsent(service, s -> new TreeSet<>()).add(m.host());
        }
        List<ServiceFootprint> out = new ArrayList<>();
        byService.forEach((service, minutes) -> {
            Map<Long, Long> counts = events.getOrDefault(service, Map.of());
            double cpuSeconds = 0;
            double diskBytes = 0;
            long counted = 0;
            double coresSum = 0;
            int coresN = 0;
            double residentSum = 0;
            int residentN = 0;
            List<Minute> list = new ArrayList<>();
            for (Map.Entry<Long, double[]> m : minutes.entrySet()) {
                double[] v = m.getValue();
                boolean closed = m.getKey() < openMinute;
                list.add(new Minute(m.getKey(), closed, v[0], v[1], v[2]));
                if (!Double.isNaN(v[0])) {
                    coresSum += v[0];
                    coresN++;
                }
                if (!Double.isNaN(v[1])) {
                    residentSum += v[1];
                    residentN++;
                }
                long n = counts.getOrDefault(m.getKey(), 0L);
                if (closed && n > 0 && !Double.isNaN(v[0])) {
                    cpuSeconds += v[0] * 60;
                    diskBytes += Double.isNaN(v[2]) ? 0 : v[2] * 60;
                    counted += n;
                }
            }
            out.add(new ServiceFootprint(service, groups.get(service), hosts.get(service),
                    coresN == 0 ? Double.NaN : coresSum / coresN, residentN == 0 ? Double.NaN : residentSum / residentN,
                    counted, counted == 0 ? Double.NaN : cpuSeconds * 1000 / counted,
                    counted == 0 ? Double.NaN : diskBytes / counted, list));
        });
        return out;
    }

    private static double add(double a, double b) {
        return Double.isNaN(b) ? a : Double.isNaN(a) ? b : a + b;
    }
}
