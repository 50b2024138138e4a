package dev.vigil.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.vigil.exposition.MetricType;
import dev.vigil.exposition.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FootprintsTest {

    private static final long T0 = 1_780_000_020L * 60_000;

    /** A process exporter's scrape: each group's CPU seconds (user + system), resident bytes and disk bytes. */
    private static ProcessReading scrape(Object... groups) {
        ProcessReading r = new ProcessReading();
        for (int i = 0; i < groups.length; i += 4) {
            String g = (String) groups[i];
            double cpu = (Double) groups[i + 1];
            r.sample(Sample.of("namedprocess_namegroup_cpu_seconds_total", MetricType.COUNTER, cpu * 0.7, "groupname", g, "mode", "user"));
            r.sample(Sample.of("namedprocess_namegroup_cpu_seconds_total", MetricType.COUNTER, cpu * 0.3, "groupname", g, "mode", "system"));
            r.sample(Sample.of("namedprocess_namegroup_memory_bytes", MetricType.GAUGE, (Double) groups[i + 2], "groupname", g, "memtype", "resident"));
            r.sample(Sample.of("namedprocess_namegroup_memory_bytes", MetricType.GAUGE, 9e12, "groupname", g, "memtype", "virtual"));
            r.sample(Sample.of("namedprocess_namegroup_read_bytes_total", MetricType.COUNTER, (Double) groups[i + 3], "groupname", g));
            r.sample(Sample.of("namedprocess_namegroup_num_procs", MetricType.GAUGE, 2, "groupname", g));
        }
        r.sample(Sample.of("node_load1", MetricType.GAUGE, 3, "other", "exporter"));
        return r;
    }

    @Test
    void countersBecomeCoresAndBytesPerSecondBetweenScrapesAndAMinuteClosesWhenTheNextBegins() {
        Footprints f = new Footprints(60);
        assertThat(f.observe("web-3", T0 + 10_000, scrape("java", 100.0, 5e8, 1e6))).isEmpty();
        assertThat(f.observe("web-3", T0 + 40_000, scrape("java", 115.0, 7e8, 4e6))).isEmpty();
        List<FootprintMinute> closed = f.observe("web-3", T0 + 70_000, scrape("java", 124.0, 6e8, 4e6));
        assertThat(closed).hasSize(1);
        FootprintMinute m = closed.get(0);
        assertThat(m.cores()).as("15 CPU seconds in 30 s").isCloseTo(0.5, within(1e-9));
        assertThat(m.residentBytes()).as("the mean of 500 and 700 MB").isCloseTo(6e8, within(1.0));
        assertThat(m.diskBytesPerSecond()).isCloseTo(1e5, within(1e-6));
        assertThat(m.processes()).isEqualTo(2);
        // the next minute so far: 9 CPU seconds in 30 s
        assertThat(f.since(T0 + 60_000)).singleElement().satisfies(open -> assertThat(open.cores()).isCloseTo(0.3, within(1e-9)));
    }

    @Test
    void aCounterThatWentDownGivesNoRateForThatInterval() {
        Footprints f = new Footprints(60);
        f.observe("web-3", T0 + 10_000, scrape("java", 100.0, 5e8, 1e6));
        f.observe("web-3", T0 + 20_000, scrape("java", 3.0, 5e8, 0.0));
        assertThat(f.since(T0)).singleElement().satisfies(m -> assertThat(m.cores()).isNaN());
    }

    @Test
    void aFigureTheSourceNeverSendsIsUnknownNotZero() {
        Footprints f = new Footprints(60);
        OtelProcessReading first = new OtelProcessReading();
        first.accept("shop", "process.memory.usage", 5e8);
        f.observe("web-3", T0 + 10_000, first.done());
        OtelProcessReading second = new OtelProcessReading();
        second.accept("shop", "process.cpu.time", 12.0);
        second.accept("shop", "process.memory.usage", 5e8);
        f.observe("web-3", T0 + 40_000, second.done());
        assertThat(f.since(T0)).singleElement().satisfies(m -> {
            assertThat(m.residentBytes()).isCloseTo(5e8, within(1.0));
            assertThat(m.diskBytesPerSecond()).as("no disk counter was ever sent").isNaN();
            assertThat(m.cores()).as("no CPU counter in the first reading: no rate yet").isNaN();
        });
    }

    @Test
    void aServiceAddsUpItsGroupsOnItsHostsAndCountsItsUsePerEventOverClosedMinutesOnly() {
        List<FootprintMinute> minutes = List.of(
                new FootprintMinute("web-3", "shipping-api", T0, 4, 0.5, 4e8, 1000, 2),
                new FootprintMinute("web-4", "shipping-worker", T0, 4, 0.25, 2e8, 0, 1),
                new FootprintMinute("web-3", "shipping-api", T0 + 60_000, 2, 1.0, 4e8, 3000, 2),
                new FootprintMinute("db-1", "postgres", T0, 4, 2.0, 8e9, 5e6, 10));
        Map<String, String> groups = Map.of("shipping-api", "shipping", "shipping-worker", "shipping");
        List<ServiceFootprint> all = ServiceFootprint.of(minutes, List.of(), g -> groups.getOrDefault(g, g), T0 + 60_000,
                new ServiceFootprint.Counts(Map.of("shipping", Map.of(T0, 900L, T0 + 60_000, 100L)),
                        Map.of("shipping", Map.of(T0, 30L, T0 + 60_000, 5L)), Map.of("shipping", "order-to-cash")));
        assertThat(all).extracting(ServiceFootprint::service).containsExactly("postgres", "shipping");
        ServiceFootprint shipping = all.get(1);
        assertThat(shipping.groups()).containsExactly("shipping-api", "shipping-worker");
        assertThat(shipping.hosts()).containsExactly("web-3", "web-4");
        assertThat(shipping.cores()).as("(0.75 + 1.0) / 2").isCloseTo(0.875, within(1e-9));
        assertThat(shipping.events()).as("the open minute's events are not counted").isEqualTo(900);
        assertThat(shipping.cpuMsPerEvent()).as("0.75 cores for 60 s over 900 events").isCloseTo(50.0, within(1e-9));
        assertThat(shipping.diskBytesPerEvent()).isCloseTo(1000 * 60 / 900.0, within(1e-9));
        assertThat(all.get(0).cpuMsPerEvent()).as("postgres sends no events").isNaN();
        assertThat(shipping.method()).isEqualTo(ServiceFootprint.Method.MEASURED);
        assertThat(shipping.transaction()).isEqualTo("order-to-cash");
        assertThat(shipping.transactions()).isEqualTo(30);
        assertThat(shipping.cpuMsPerTransaction()).as("45 CPU seconds over 30 orders").isCloseTo(1500.0, within(1e-9));
        assertThat(all.get(0).transaction()).as("postgres declares no transaction").isNull();
        assertThat(all.get(0).cpuMsPerTransaction()).isNaN();
    }

    @Test
    void theTrendHoldsTheEarlierHalfOfTheClosedMinutesAgainstTheLater() {
        List<FootprintMinute> minutes = new java.util.ArrayList<>();
        Map<Long, Long> events = new java.util.HashMap<>();
        for (int i = 0; i < 5; i++) {
            minutes.add(new FootprintMinute("web-3", "shipping", T0 + i * 60_000L, 4, i < 2 ? 0.5 : 1.5, 4e8, 0, 1));
            events.put(T0 + i * 60_000L, 600L);
        }
        // the fifth minute is still open; of the four closed, two each side
        ServiceFootprint s = ServiceFootprint.of(minutes, List.of(), g -> g, T0 + 4 * 60_000L,
                new ServiceFootprint.Counts(Map.of("shipping", events), Map.of(), Map.of())).get(0);
        assertThat(s.trend().earlierCores()).isCloseTo(0.5, within(1e-9));
        assertThat(s.trend().laterCores()).isCloseTo(1.5, within(1e-9));
        assertThat(s.trend().earlierCpuMsPerEvent()).as("0.5 cores for 60 s over 600 events").isCloseTo(50.0, within(1e-9));
        assertThat(s.trend().laterCpuMsPerEvent()).isCloseTo(150.0, within(1e-9));
    }

    @Test
    void aHostsUnmeasuredUseIsSharedAmongItsUnmeasuredServicesByTheirWeights() {
        // 4 CPUs at 50%: 2 cores busy, of which postgres (measured) used 0.5; 8 GB at 25%: 2 GB, postgres 0.5 GB
        HostMinute db1 = new HostMinute("db-1", T0, 4, 0.5, 0.6, 0.2, 0.0, 4, 0.25, 8e9, 0, 0.1, 0.1, 0.5, 1e5, 0, 0);
        List<FootprintMinute> measured = List.of(new FootprintMinute("db-1", "postgres", T0, 4, 0.5, 5e8, 1e4, 3));
        List<FootprintMinute> shares = HostShares.estimate(Map.of("db-1", List.of(db1)), measured, g -> g,
                Map.of("db-1", java.util.Set.of("postgres", "audit", "reports")),
                s -> s.equals("reports") ? 2.0 : 1.0);
        assertThat(shares).extracting(FootprintMinute::group).containsExactly("audit", "reports");
        assertThat(shares.get(0).cores()).as("a third of the 1.5 cores postgres leaves").isCloseTo(0.5, within(1e-9));
        assertThat(shares.get(1).cores()).as("two thirds").isCloseTo(1.0, within(1e-9));
        assertThat(shares.get(1).residentBytes()).isCloseTo(1e9, within(1.0));
        assertThat(shares.get(0).diskBytesPerSecond()).isNaN();

        ServiceFootprint audit = ServiceFootprint.of(measured, shares, g -> g, T0 + 60_000,
                new ServiceFootprint.Counts(Map.of("audit", Map.of(T0, 100L)), Map.of(), Map.of())).get(0);
        assertThat(audit.service()).isEqualTo("audit");
        assertThat(audit.method()).isEqualTo(ServiceFootprint.Method.ESTIMATED);
        assertThat(audit.groups()).isEmpty();
        assertThat(audit.cpuMsPerEvent()).as("0.5 cores for 60 s over 100 events").isCloseTo(300.0, within(1e-9));
        assertThat(audit.diskBytesPerEvent()).isNaN();
    }

    @Test
    void aServiceMeasuredOnOneHostAndPlacedOnAnotherIsPartlyEstimated() {
        HostMinute web4 = new HostMinute("web-4", T0, 4, 0.25, 0.3, 0.1, 0.0, 4, 0.5, 4e9, 0, 0.1, 0.1, 0.5, 1e5, 0, 0);
        List<FootprintMinute> measured = List.of(new FootprintMinute("web-3", "shipping", T0, 4, 0.5, 5e8, 1e4, 3));
        List<FootprintMinute> shares = HostShares.estimate(Map.of("web-4", List.of(web4)), measured, g -> g,
                Map.of("web-3", java.util.Set.of("shipping"), "web-4", java.util.Set.of("shipping")), s -> 1.0);
        assertThat(shares).singleElement().satisfies(m -> assertThat(m.cores()).isCloseTo(1.0, within(1e-9)));
        ServiceFootprint shipping = ServiceFootprint.of(measured, shares, g -> g, T0 + 60_000,
                new ServiceFootprint.Counts(Map.of(), Map.of(), Map.of())).get(0);
        assertThat(shipping.method()).isEqualTo(ServiceFootprint.Method.PARTLY_ESTIMATED);
        assertThat(shipping.hosts()).containsExactly("web-3", "web-4");
        assertThat(shipping.cores()).isCloseTo(1.5, within(1e-9));
    }

    @Test
    void minutesAveragedIntoStepsKeepEachFiguresMeanOverTheMinutesThatHaveItAndCloseWhenAllDo() {
        long step = 30 * 60_000L;
        List<ServiceFootprint.Minute> minutes = List.of(
                new ServiceFootprint.Minute(0, true, 1.0, 100, Double.NaN),
                new ServiceFootprint.Minute(60_000, true, 3.0, 300, 10),
                new ServiceFootprint.Minute(step, true, 2.0, 200, 20),
                new ServiceFootprint.Minute(step + 60_000, false, Double.NaN, 400, 40));

        List<ServiceFootprint.Minute> steps = ServiceFootprint.inSteps(minutes, step);

        assertThat(steps).containsExactly(
                new ServiceFootprint.Minute(0, true, 2.0, 200, 10),
                new ServiceFootprint.Minute(step, false, 2.0, 300, 30));
        assertThat(ServiceFootprint.inSteps(minutes, 60_000)).isSameAs(minutes);
    }
}
