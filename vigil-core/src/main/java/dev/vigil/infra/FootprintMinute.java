package dev.vigil.infra;

/**
 * What one process group used on one host in one minute: the means over the minute's scrape intervals.
 *
 * @param cores              CPU cores busy (CPU seconds per second)
 * @param residentBytes      resident memory
 * @param diskBytesPerSecond bytes read and written
 * @param processes          processes in the group at the minute's last scrape
 */
public record FootprintMinute(String host, String group, long minuteStartMillis, int scrapes, double cores,
                              double residentBytes, double diskBytesPerSecond, int processes) {
}
