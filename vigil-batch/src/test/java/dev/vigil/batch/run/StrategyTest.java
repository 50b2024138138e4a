package dev.vigil.batch.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StrategyTest {

    @Test
    void partsCombineWithPlusOrCommaAndReadBackFromTheirCanonicalSpelling() {
        assertThat(Strategy.parse("chunk:100,parallel:8")).isEqualTo(new Strategy(100, 8, false, Strategy.Validate.NONE));
        assertThat(Strategy.parse("chunk:100+parallel:8")).isEqualTo(Strategy.parse("parallel:8+chunk:100"));
        assertThat(Strategy.parse("per-record")).isEqualTo(Strategy.PER_RECORD);
        assertThat(Strategy.parse("stream")).isEqualTo(new Strategy(10_000, 1, true, Strategy.Validate.NONE));
        for (String s : new String[] {"per-record", "chunk:100+parallel:8", "stream:500+parallel:2",
                "validate-then-load+chunk:100", "validate-then-load:local+per-record+parallel:16",
                "chunk:10+parallel:4+throttle:2000", "chunk:100+parallel:8+throttle:5000+adaptive:150ms"}) {
            assertThat(Strategy.parse(Strategy.parse(s).toString())).isEqualTo(Strategy.parse(s));
        }
        assertThat(Strategy.parseList("per-record,chunk:100,chunk:100+parallel:8")).hasSize(3);
    }

    @Test
    void aBadStrategySaysWhichPartAndWhatIsAllowed() {
        assertThatThrownBy(() -> Strategy.parse("chunky:5")).hasMessage("in \"chunky:5\": unknown part \"chunky:5\"; "
                + "parts are per-record, chunk:N, parallel:C, stream[:N], validate-then-load[:local], throttle:R, "
                + "adaptive[:P99], joined by +");
        assertThatThrownBy(() -> Strategy.parse("adaptive:fast")).hasMessage("\"adaptive:fast\": the online p99 to keep "
                + "under is a duration, e.g. adaptive:200ms");
        assertThat(Strategy.parse("throttle:500/s").rate()).isEqualTo(500);
        assertThat(Strategy.parse("adaptive").adaptiveP99Millis()).isEqualTo(200);
        assertThatThrownBy(() -> Strategy.parse("chunk")).hasMessage("\"chunk\" needs a number, e.g. chunk:100");
        assertThatThrownBy(() -> Strategy.parse("parallel:x")).hasMessage("\"parallel:x\": \"x\" is not a whole number");
        assertThatThrownBy(() -> Strategy.parse("parallel:0")).hasMessage("\"parallel:0\": the number must be 1..4096");
    }
}
