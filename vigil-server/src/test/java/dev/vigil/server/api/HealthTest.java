package dev.vigil.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.summarise.KpiWindow;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A row's health from its window and its last closed minute: a minute of incident is not averaged away. */
class HealthTest {

    private static final long MINUTE = 60_000_000L;

    /** A minute of {@code n} calls, {@code errors} of them failed, latencies around {@code ms} (seeded). */
    private static KpiWindow minute(Random random, int n, int errors, double ms) {
        KpiWindow w = new KpiWindow();
        for (int i = 0; i < n; i++) {
            w.accept(Math.round(1000 * ms * Math.exp(0.3 * random.nextGaussian())), i < errors);
        }
        return w;
    }

    /** Fourteen usual minutes and a last one as given; the window their merge. */
    private static Health judge(KpiWindow last) {
        Random random = new Random(42);
        TreeMap<Long, KpiWindow> steps = new TreeMap<>();
        KpiWindow window = new KpiWindow();
        for (int m = 0; m < 14; m++) {
            KpiWindow w = minute(random, 1000, 10, 20);
            steps.put(m * MINUTE, w);
            window.mergeWith(w.copy());
        }
        steps.put(14 * MINUTE, last);
        window.mergeWith(last.copy());
        return Health.judge(window, new Recent(last, steps), List.of(), Map.of());
    }

    @Test
    void aMinuteOfTenPercentErrorsIsAtRiskNowThoughTheWindowAveragesItToUnderOnePercent() {
        Health h = judge(minute(new Random(7), 1000, 106, 20));
        assertThat(h.level()).isEqualTo(Health.Level.AT_RISK);
        assertThat(h.wrongNow()).isTrue();
        assertThat(h.reasons().get(0)).isEqualTo("now: error ratio 10.6% in the last closed minute");
        assertThat(h.reasons()).noneMatch(r -> r.contains("over the window"));
    }

    @Test
    void aMinuteWhoseP95IsManyTimesTheUsualMinutesIsAtRiskNowAndSaysByHowMuch() {
        Random random = new Random(9);
        KpiWindow slow = minute(random, 900, 0, 20);
        slow.mergeWith(minute(random, 100, 0, 5000));
        Health h = judge(slow);
        assertThat(h.level()).isEqualTo(Health.Level.AT_RISK);
        assertThat(h.wrongNow()).isTrue();
        assertThat(h.reasons()).anySatisfy(r -> assertThat(r).matches(
                "now: p95 [0-9,]+ ms in the last closed minute, [0-9]+× the usual 3[0-9] ms"));
    }

    @Test
    void aUsualMinuteLeavesTheRowOkAndAMinuteOfFewEventsIsNotJudgedOnItsOwn() {
        assertThat(judge(minute(new Random(3), 1000, 10, 20)).level()).isEqualTo(Health.Level.OK);
        // Two calls, one failed and slow: 50% of two calls says little; the minute is not called an incident.
        Health few = judge(minute(new Random(5), 2, 1, 5000));
        assertThat(few.wrongNow()).isFalse();
        assertThat(few.level()).isEqualTo(Health.Level.OK);
    }
}
