package dev.vigil.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeadroomTest {

    private static HostMinute minute(int i, double cpuPeak, double memoryUsed) {
        return new HostMinute("web-3", 1_780_000_020L * 60_000 + i * 60_000L, 4, cpuPeak * 0.8, cpuPeak, 0.3, 0.01, 4,
                memoryUsed, 16e9, 0, 0.1, 0.1, 0.5, 1e5, 0, 0);
    }

    @Test
    void headroomIsCapacityLessTheNinetyFifthPercentilePeakSoOneSpikeDoesNotHideIt() {
        List<HostMinute> day = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            // peaks 0.01 .. 1.00: the 95th of 100 by nearest rank is 0.95; one minute at 100% changes nothing
            day.add(minute(i, (i + 1) / 100.0, i < 95 ? 0.5 : 0.9));
        }
        java.util.Collections.shuffle(day, new java.util.Random(7));
        Headroom h = Headroom.of(day);
        assertThat(h.minutes()).isEqualTo(100);
        assertThat(h.cpus()).isEqualTo(4);
        assertThat(h.cpuPeakP95()).isEqualTo(0.95);
        assertThat(h.cpuHeadroomCores()).isCloseTo(0.2, within(1e-9));
        assertThat(h.memoryUsedP95()).as("the 95th minute is the first at 90%").isEqualTo(0.5);
        assertThat(h.memoryHeadroomBytes()).isCloseTo(8e9, within(1.0));
    }

    @Test
    void minutesWithoutFiguresAreLeftOutAndNoMinutesGiveNothing() {
        List<HostMinute> some = new ArrayList<>(List.of(minute(0, 0.4, 0.5), minute(1, Double.NaN, Double.NaN)));
        Headroom h = Headroom.of(some);
        assertThat(h.cpuPeakP95()).isEqualTo(0.4);
        assertThat(Headroom.of(List.of())).isNull();
        Headroom none = Headroom.of(List.of(minute(0, Double.NaN, Double.NaN)));
        assertThat(none.cpuHeadroomCores()).isNaN();
        assertThat(none.memoryHeadroomBytes()).isNaN();
    }
}
