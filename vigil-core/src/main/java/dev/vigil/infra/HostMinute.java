package dev.vigil.infra;

/**
 * One host's resources over one minute, the USE view: utilisation and saturation of CPU, memory, disks and
 * network, and errors. Fractions are 0..1; {@code NaN} where the host's exporter does not say (no pressure
 * stall information on older kernels, no disks, the first scrape of a counter).
 *
 * @param minuteStartMillis   the minute's start, milliseconds since the epoch
 * @param scrapes             how many scrapes the minute holds
 * @param cpuUtilisation      busy CPU time over all CPU time, averaged over the minute
 * @param cpuUtilisationMax   the highest of the minute's scrape intervals
 * @param loadPerCore         1-minute load average per CPU (saturation above 1), averaged
 * @param cpuPressure         the share of time some task waited for a CPU (PSI), averaged
 * @param cpus                CPUs the host has
 * @param memoryUtilisation   1 − available / total, at the minute's last scrape
 * @param memoryTotalBytes    the host's memory
 * @param majorFaultsPerSecond memory saturation: major page faults per second
 * @param diskBusy            the busiest disk's busy time fraction, averaged
 * @param diskQueue           the busiest disk's weighted I/O time per second (its average queue), averaged
 * @param filesystemFree      the fullest real filesystem's free fraction, at the last scrape
 * @param networkBytesPerSecond received and sent over every interface but loopback
 * @param networkErrorsPerSecond receive and send errors
 * @param networkDropsPerSecond  receive and send drops
 */
public record HostMinute(String host, long minuteStartMillis, int scrapes, double cpuUtilisation, double cpuUtilisationMax,
                         double loadPerCore, double cpuPressure, int cpus, double memoryUtilisation,
                         double memoryTotalBytes, double majorFaultsPerSecond, double diskBusy, double diskQueue,
                         double filesystemFree, double networkBytesPerSecond, double networkErrorsPerSecond,
                         double networkDropsPerSecond) {
}
