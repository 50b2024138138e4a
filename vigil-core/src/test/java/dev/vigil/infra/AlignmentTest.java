package dev.vigil.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlignmentTest {

    private static final long T0 = 1_780_000_020L * 60_000; // a minute start

    /** An hour of the service: 200 ms p95, but 600 ms in the slow minutes. */
    private static List<Alignment.ServiceMinute> service(Set<Integer> slow) {
        List<Alignment.ServiceMinute> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            out.add(new Alignment.ServiceMinute(T0 + i * 60_000L, 120, slow.contains(i) ? 600 : 200));
        }
        return out;
    }

    /** An hour of a host: calm, but with load per core 1.4 in the busy minutes. */
    private static List<HostMinute> host(String name, Set<Integer> busy) {
        List<HostMinute> out = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            double load = busy.contains(i) ? 1.4 : 0.3;
            out.add(new HostMinute(name, T0 + i * 60_000L, 4, 0.4, 0.5, load, 0.01, 4, 0.5, 8e9, 0, 0.1, 0.1, 0.5,
                    1e5, 0, 0));
        }
        return out;
    }

    @Test
    void latencyThatRoseWhileAHostWasSaturatedIsSaidWithTheCountsItRestsOn() {
        Set<Integer> slow = Set.of(10, 11, 12, 13, 30, 31, 32, 50);
        Set<Integer> busy = Set.of(10, 11, 12, 13, 30, 31, 32, 5);
        List<Alignment.Finding> f = Alignment.findings("shipping", service(slow),
                Map.of("web-3", host("web-3", busy), "web-4", host("web-4", Set.of())));
        assertThat(f).hasSize(1);
        Alignment.Finding one = f.get(0);
        assertThat(one.kind()).isEqualTo("saturation");
        assertThat(one.host()).isEqualTo("web-3");
        assertThat(one.resource()).isEqualTo("cpu");
        assertThat(one.sentence()).isEqualTo("p95 of shipping rose with CPU saturation on host web-3: in 7 of 8 minutes "
                + "when p95 was 1.5 times its median or more (600 ms against 200 ms), web-3's CPU was saturated; in the "
                + "other minutes, 1 of 52.");
    }

    @Test
    void latencyThatRoseWhileEveryHostHadRoomPointsElsewhere() {
        List<Alignment.Finding> f = Alignment.findings("shipping", service(Set.of(3, 4, 5, 6)),
                Map.of("web-3", host("web-3", Set.of(40))));
        assertThat(f).extracting(Alignment.Finding::sentence).containsExactly("p95 of shipping rose in 4 minutes (600 ms "
                + "against a median of 200 ms) and its hosts (web-3) had room in 4 of them: the cause is elsewhere (its "
                + "calls out, or the service itself).");
    }

    @Test
    void aHostSaturatedAllTheTimeExplainsNothingAndIsNotSaidToHaveRoom() {
        Set<Integer> always = new java.util.HashSet<>();
        for (int i = 0; i < 60; i++) {
            always.add(i);
        }
        assertThat(Alignment.findings("shipping", service(Set.of(3, 4, 5, 6)), Map.of("web-3", host("web-3", always))))
                .isEmpty();
    }

    @Test
    void tooFewSlowMinutesOrTooLittleHistorySayNothing() {
        assertThat(Alignment.findings("shipping", service(Set.of(3, 4)), Map.of("web-3", host("web-3", Set.of(3, 4)))))
                .as("two slow minutes").isEmpty();
        assertThat(Alignment.findings("shipping", service(Set.of(3, 4, 5)).subList(0, 9), Map.of("web-3",
                host("web-3", Set.of(3, 4, 5))))).as("nine minutes of history").isEmpty();
        assertThat(Alignment.findings("shipping", service(Set.of(3, 4, 5)), Map.of())).as("no host known").isEmpty();
    }
}
