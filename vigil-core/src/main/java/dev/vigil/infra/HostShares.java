package dev.vigil.infra;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;

/**
 * A service's use of a host estimated from the host's own figures, for services no process exporter measures there:
 * what the host used in a minute, less what its measured process groups used, shared among the unmeasured services
 * placed on it in proportion to their declared weights. An estimate, and said to be one: the remainder also holds
 * the operating system and every process no service owns, so a lone service on a busy host is overstated.
 */
public final class HostShares {

    private HostShares() {
    }

    /**
     * @param hostMinutes    each host's minutes
     * @param measured       the process groups' measured minutes on any host
     * @param serviceOfGroup the service a process group is of
     * @param placements     per host, the services placed on it (from spans and scrape labels)
     * @param weight         a service's declared weight (1 unless declared)
     * @return per unmeasured service, host and minute its share, as minutes whose group is the service itself (no disk
     *         figure: a host's disk busy time says nothing of bytes)
     */
    public static List<FootprintMinute> estimate(Map<String, List<HostMinute>> hostMinutes, List<FootprintMinute> measured,
                                                 UnaryOperator<String> serviceOfGroup, Map<String, Set<String>> placements,
                                                 ToDoubleFunction<String> weight) {
        Map<String, Set<String>> measuredServices = new HashMap<>();
        Map<String, Map<Long, double[]>> measuredUse = new HashMap<>();
        for (FootprintMinute m : measured) {
            measuredServices.computeIfAbsent(m.host(), h -> new TreeSet<>()).add(serviceOfGroup.apply(m.group()));
            double[] use = measuredUse.computeIfAbsent(m.host(), h -> new HashMap<>())
                    .computeIfAbsent(m.minuteStartMillis(), t -> new double[2]);
            use[0] += Double.isNaN(m.cores()) ? 0 : m.cores();
            use[1] += Double.isNaN(m.residentBytes()) ? 0 : m.residentBytes();
        }
        List<FootprintMinute> out = new ArrayList<>();
        placements.forEach((host, services) -> {
            List<String> unmeasured = services.stream()
                    .filter(s -> !measuredServices.getOrDefault(host, Set.of()).contains(s)).sorted().toList();
            if (unmeasured.isEmpty()) {
                return;
            }
            double total = unmeasured.stream().mapToDouble(weight).sum();
            Map<Long, double[]> byMinute = measuredUse.getOrDefault(host, Map.of());
            for (HostMinute h : hostMinutes.getOrDefault(host, List.of())) {
                double[] less = byMinute.getOrDefault(h.minuteStartMillis(), new double[2]);
                double cores = Math.max(0, h.cpuUtilisation() * h.cpus() - less[0]);
                double memory = Math.max(0, h.memoryUtilisation() * h.memoryTotalBytes() - less[1]);
                if (h.cpus() <= 0 || Double.isNaN(h.cpuUtilisation())) {
                    cores = Double.NaN;
                }
                if (Double.isNaN(h.memoryUtilisation()) || Double.isNaN(h.memoryTotalBytes())) {
                    memory = Double.NaN;
                }
                for (String s : unmeasured) {
                    double share = weight.applyAsDouble(s) / total;
                    out.add(new FootprintMinute(host, s, h.minuteStartMillis(), h.scrapes(), cores * share,
                            memory * share, Double.NaN, 0));
                }
            }
        });
        return out;
    }
}
