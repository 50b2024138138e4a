package dev.vigil.infra;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A host's capacity and what is left of it over a period: capacity minus the 95th percentile of the minutes' peaks,
 * so that a rare spike does not hide the room a host has, and a habit of running hot does not hide that it has
 * none. CPU peaks are each minute's busiest scrape interval; memory's are its used share.
 *
 * @param minutes        the minutes with figures in the period
 * @param cpus           the host's CPUs (its latest minute's)
 * @param cpuPeakP95     the 95th percentile of the minutes' CPU peaks (busy share), NaN without figures
 * @param memoryBytes    the host's memory (its latest minute's), NaN without figures
 * @param memoryUsedP95  the 95th percentile of the minutes' used memory share, NaN without figures
 */
public record Headroom(int minutes, int cpus, double cpuPeakP95, double memoryBytes, double memoryUsedP95) {

    /** CPUs left at the 95th percentile peak. */
    public double cpuHeadroomCores() {
        return Double.isNaN(cpuPeakP95) ? Double.NaN : cpus * (1 - cpuPeakP95);
    }

    /** Memory left at the 95th percentile use. */
    public double memoryHeadroomBytes() {
        return Double.isNaN(memoryUsedP95) || Double.isNaN(memoryBytes) ? Double.NaN : memoryBytes * (1 - memoryUsedP95);
    }

    /** Over a host's minutes (any order); null when there are none. */
    public static Headroom of(List<HostMinute> minutes) {
        if (minutes.isEmpty()) {
            return null;
        }
        HostMinute latest = minutes.get(0);
        for (HostMinute m : minutes) {
            if (m.minuteStartMillis() > latest.minuteStartMillis()) {
                latest = m;
            }
        }
        return new Headroom(minutes.size(), latest.cpus(),
                p95(minutes, m -> Double.isNaN(m.cpuUtilisationMax()) ? m.cpuUtilisation() : m.cpuUtilisationMax()),
                latest.memoryTotalBytes(), p95(minutes, HostMinute::memoryUtilisation));
    }

    /** The nearest-rank 95th percentile of the figures that exist; NaN when none does. */
    static double p95(List<HostMinute> minutes, ToDoubleFunction<HostMinute> figure) {
        double[] v = minutes.stream().mapToDouble(figure).filter(x -> !Double.isNaN(x)).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        return v[(int) Math.ceil(0.95 * v.length) - 1];
    }
}
