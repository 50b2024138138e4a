package dev.vigil.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.exposition.ExpositionParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostMetricsTest {

    static NodeReading read(String text) {
        NodeReading r = new NodeReading();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        new ExpositionParser(ExpositionParser.Format.PROMETHEUS_TEXT).parse(b, 0, b.length, r);
        return r.done();
    }

    static String node(double idle0, double user0, double idle1, double user1, double disk, double rx, double avail) {
        return "# TYPE node_cpu_seconds_total counter\n"
                + "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} " + idle0 + "\n"
                + "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} " + user0 + "\n"
                + "node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} " + idle1 + "\n"
                + "node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} " + user1 + "\n"
                + "node_load1 1\n"
                + "node_memory_MemTotal_bytes 1000\n"
                + "node_memory_MemAvailable_bytes " + avail + "\n"
                + "node_disk_io_time_seconds_total{device=\"sda\"} " + disk + "\n"
                + "node_disk_io_time_seconds_total{device=\"sdb\"} 1\n"
                + "node_network_receive_bytes_total{device=\"eth0\"} " + rx + "\n"
                + "node_network_transmit_bytes_total{device=\"eth0\"} 0\n"
                + "node_network_receive_bytes_total{device=\"lo\"} " + (rx * 1000) + "\n"
                + "node_filesystem_avail_bytes{device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/\"} 20\n"
                + "node_filesystem_size_bytes{device=\"/dev/sda1\",fstype=\"ext4\",mountpoint=\"/\"} 100\n"
                + "node_filesystem_avail_bytes{device=\"tmpfs\",fstype=\"tmpfs\",mountpoint=\"/run\"} 0\n"
                + "node_filesystem_size_bytes{device=\"tmpfs\",fstype=\"tmpfs\",mountpoint=\"/run\"} 10\n";
    }

    @Test
    void twoScrapesGiveUtilisationSaturationAndRatesOverTheirInterval() {
        HostMetrics m = new HostMetrics(60);
        long t0 = 1_800_000_000_000L; // a minute's start
        m.observe("web-3", t0, read(node(100, 0, 100, 0, 10, 1000, 250)));
        m.observe("web-3", t0 + 15_000, read(node(107.5, 7.5, 115, 0, 13, 4000, 250)));
        List<HostMinute> minutes = m.minutes("web-3");
        assertThat(minutes).hasSize(1);
        HostMinute h = minutes.get(0);
        assertThat(h.minuteStartMillis()).isEqualTo(t0);
        assertThat(h.scrapes()).isEqualTo(2);
        assertThat(h.cpus()).isEqualTo(2);
        assertThat(h.cpuUtilisation()).isCloseTo(0.25, within(1e-12));
        assertThat(h.loadPerCore()).isCloseTo(0.5, within(1e-12));
        assertThat(h.memoryUtilisation()).isCloseTo(0.75, within(1e-12));
        assertThat(h.memoryTotalBytes()).isEqualTo(1000);
        assertThat(h.diskBusy()).as("the busiest disk").isCloseTo(0.2, within(1e-12));
        assertThat(h.networkBytesPerSecond()).as("loopback left out").isCloseTo(200, within(1e-9));
        assertThat(h.filesystemFree()).as("tmpfs is not a disk").isCloseTo(0.2, within(1e-12));
        assertThat(h.cpuPressure()).as("no PSI in the exposition").isNaN();
        assertThat(h.networkErrorsPerSecond()).as("no error counters in the exposition").isNaN();
    }

    @Test
    void aNewMinuteClosesTheLastAndAResetCounterGivesNoRate() {
        HostMetrics m = new HostMetrics(2);
        long t0 = 1_800_000_000_000L;
        m.observe("db-1", t0, read(node(100, 0, 100, 0, 10, 1000, 500)));
        m.observe("db-1", t0 + 30_000, read(node(130, 0, 100, 30, 10, 1000, 500)));
        m.observe("db-1", t0 + 60_000, read(node(1, 0, 1, 0, 0, 0, 500))); // the host restarted: counters from zero
        m.observe("db-1", t0 + 75_000, read(node(16, 0, 1, 15, 0, 0, 500)));
        List<HostMinute> minutes = m.minutes("db-1");
        assertThat(minutes).extracting(HostMinute::minuteStartMillis).containsExactly(t0, t0 + 60_000);
        assertThat(minutes.get(0).cpuUtilisation()).isCloseTo(0.5, within(1e-12));
        assertThat(minutes.get(1).scrapes()).isEqualTo(2);
        assertThat(minutes.get(1).cpuUtilisation()).as("only the interval after the reset").isCloseTo(0.5, within(1e-12));
        m.observe("db-1", t0 + 120_000, read(node(16, 0, 1, 15, 0, 0, 500)));
        m.observe("db-1", t0 + 180_000, read(node(16, 0, 1, 15, 0, 0, 500)));
        assertThat(m.minutes("db-1")).extracting(HostMinute::minuteStartMillis)
                .as("two closed minutes kept, and the open one").containsExactly(t0 + 60_000, t0 + 120_000, t0 + 180_000);
        m.observe("db-1", t0 + 170_000, read(node(16, 0, 1, 15, 0, 0, 500)));
        assertThat(m.minutes("db-1").get(2).scrapes()).as("an older scrape is ignored").isEqualTo(1);
    }

    @Test
    void minutesKeptBeforeARestartComeBackAndTheMinuteOfTheRestartGoesOnFilling() {
        HostMetrics before = new HostMetrics(60);
        long t0 = 1_800_000_000_000L;
        assertThat(before.observe("web-3", t0, read(node(100, 0, 100, 0, 10, 1000, 250)))).isNull();
        before.observe("web-3", t0 + 30_000, read(node(130, 0, 100, 30, 10, 1000, 250)));
        HostMinute closed = before.observe("web-3", t0 + 60_000, read(node(130, 0, 100, 30, 10, 1000, 250)));
        assertThat(closed).as("the scrape that opens a minute hands the last one out").isNotNull();
        assertThat(closed.minuteStartMillis()).isEqualTo(t0);
        before.observe("web-3", t0 + 75_000, read(node(145, 0, 100, 45, 10, 1000, 250)));
        List<HostMinute> kept = new java.util.ArrayList<>(List.of(closed));
        kept.addAll(before.openMinutes());

        HostMetrics after = new HostMetrics(60);
        after.restore(kept);
        assertThat(after.minutes("web-3")).isEqualTo(kept);
        // the first scrape after the restart falls in the kept open minute: no rate yet (no counters kept)
        after.observe("web-3", t0 + 90_000, read(node(150, 0, 100, 50, 10, 1000, 250)));
        after.observe("web-3", t0 + 105_000, read(node(150, 0, 100, 65, 10, 1000, 250)));
        List<HostMinute> minutes = after.minutes("web-3");
        assertThat(minutes).extracting(HostMinute::minuteStartMillis).containsExactly(t0, t0 + 60_000);
        HostMinute resumed = minutes.get(1);
        assertThat(resumed.scrapes()).isEqualTo(4);
        // two intervals: 0.5 (kept, standing for its two scrapes) and 1.0 (after the restart)
        assertThat(resumed.cpuUtilisation()).isCloseTo((0.5 * 2 + 1.0) / 3, within(1e-12));
    }

    @Test
    void aScrapeWithoutNodeMetricsSaysNothingOfAHost() {
        HostMetrics m = new HostMetrics(10);
        m.observe("app", 1_800_000_000_000L, read("http_requests_total 5\n"));
        assertThat(m.hosts()).isEmpty();
    }
}
