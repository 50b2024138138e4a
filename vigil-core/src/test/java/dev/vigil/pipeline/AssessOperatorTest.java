package dev.vigil.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.assess.Budgeting;
import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Indicator;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.assess.TimeWindow;
import dev.vigil.operator.KeyedState;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.testkit.Props;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AssessOperatorTest {

    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_000_000 * MINUTE;
    private static final List<BurnRule> RULES = List.of(new BurnRule("page", 4.0, 10 * MINUTE, 2 * MINUTE),
            new BurnRule("ticket", 1.0, 30 * MINUTE, 5 * MINUTE));

    /** Availability over all of pay's operations, and pay/a's p95 under 100 ms. */
    static final List<Objective> OBJECTIVES = List.of(
            objective("pay-available", new Objective.Series(Dimension.SERVICE_OPERATION, "pay", null), new Indicator.NotFailed(), 0.99),
            objective("pay-a-fast", new Objective.Series(Dimension.SERVICE_OPERATION, "pay", "a"),
                    new Indicator.StatisticAtMost(0.95, 100_000), 0.9),
            objective("nobody-calls", new Objective.Series(Dimension.PEER, "fax", null), new Indicator.NotFailed(), 0.99));

    static Objective objective(String name, Objective.Series series, Indicator indicator, double target) {
        return new Objective(name, null, "svc", series, new ObjectiveLedger.Spec(name, indicator, target,
                new TimeWindow.Rolling(1440 * MINUTE), new Budgeting.Occurrences(), RULES));
    }

    static KpiWindow window(int count, int errors, long durationMicros) {
        KpiWindow w = new KpiWindow();
        for (int i = 0; i < count; i++) {
            w.accept(durationMicros, i < errors);
        }
        return w;
    }

    static MergedWindow merged(String op, long minute, KpiWindow w, int revision) {
        return new MergedWindow(new KpiKey(Dimension.SERVICE_OPERATION, "pay", op), minute, w, revision);
    }

    @Test
    void errorsInOneOperationFireTheServiceWideObjectiveAndTheirEndResolvesIt() {
        AssessOperator op = new AssessOperator(OBJECTIVES);
        List<ObjectiveLedger.Transition> out = new ArrayList<>();
        for (int m = 0; m < 40; m++) {
            long minute = T0 + m * MINUTE;
            boolean incident = m >= 10 && m < 14;
            op.onElement(merged("a", minute, window(100, incident ? 30 : 0, 5_000), 1), out::add);
            op.onElement(merged("b", minute, window(100, 0, 5_000), 1), out::add);
            op.onWatermark(minute + MINUTE + 1, minute - 5 * MINUTE, out::add);
        }
        assertThat(out).filteredOn(t -> t.rule().severity().equals("page"))
                .extracting(t -> t.objective() + (t.firing() ? " firing at " : " resolved at ") + (t.atMicros() - T0) / MINUTE)
                .containsExactly("pay-available firing at 13", "pay-available resolved at 16"); // 10 min: 1.5x, 3x, then 4.5x at 13
    }

    @Test
    void aStatisticOverEveryOperationIsTakenFromTheMergedWindowNotFromEachPart() {
        Objective p95 = objective("pay-p95", new Objective.Series(Dimension.SERVICE_OPERATION, "pay", null),
                new Indicator.StatisticAtMost(0.95, 100_000), 0.5);
        AssessOperator op = new AssessOperator(List.of(p95));
        // b alone has 8% of its calls at 1 s (its p95: 1 s, bad); of all 200 calls 4% are slow (p95: 10 ms, good).
        op.onElement(merged("a", T0, window(100, 0, 10_000), 1), t -> { });
        KpiWindow b = window(92, 0, 10_000);
        b.mergeWith(window(8, 0, 1_000_000));
        op.onElement(merged("b", T0, b, 1), t -> { });
        op.onWatermark(T0 + MINUTE + 1, Long.MIN_VALUE, t -> { });
        double good = op.read(accounts -> accounts.get(0).ledger().events(T0, T0 + MINUTE).good());
        assertThat(good).as("the minute, judged on all 200 calls").isEqualTo(1.0);
    }

    @Test
    void aRevisionThatTipsAnAlertFiresItAtTheNextWatermarkNotAMinuteLater() {
        AssessOperator op = new AssessOperator(OBJECTIVES);
        List<ObjectiveLedger.Transition> out = new ArrayList<>();
        for (int m = 0; m < 12; m++) {
            long minute = T0 + m * MINUTE;
            op.onElement(merged("a", minute, window(100, 0, 5_000), 1), out::add);
            op.onWatermark(minute + MINUTE + 1, minute - 5 * MINUTE, out::add);
        }
        assertThat(out).isEmpty();
        // Late events amend the last two minutes: 60% errors.
        op.onElement(merged("a", T0 + 10 * MINUTE, window(250, 150, 5_000), 2), out::add);
        op.onElement(merged("a", T0 + 11 * MINUTE, window(250, 150, 5_000), 2), out::add);
        op.onWatermark(T0 + 12 * MINUTE + 2, T0 + 6 * MINUTE, out::add);
        assertThat(out).extracting(t -> t.objective() + "/" + t.rule().severity() + " " + t.firing() + " at "
                + (t.atMicros() - T0) / MINUTE).contains("pay-available/page true at 12");
    }

    record Crash(long seed, int at) {
    }

    @Test
    void aSnapshotRestoredIntoAFreshInstanceGivesTheAlertsAndLedgersOfOneUninterruptedRun() {
        Props.forAll(60, g -> new Crash(g.anyLong(), g.ints(0, 179)), c -> {
            List<Step> steps = steps(c.seed());
            List<ObjectiveLedger.Transition> whole = new ArrayList<>();
            AssessOperator one = new AssessOperator(OBJECTIVES);
            steps.forEach(s -> s.apply(one, whole::add));

            List<ObjectiveLedger.Transition> crashed = new ArrayList<>();
            AssessOperator before = new AssessOperator(OBJECTIVES);
            steps.subList(0, c.at()).forEach(s -> s.apply(before, crashed::add));
            KeyedState state = new KeyedState();
            before.snapshot(state.sink());
            AssessOperator after = new AssessOperator(OBJECTIVES);
            KeyedState.fromBytes(state.toBytes()).restoreInto(new dev.vigil.operator.Operator<?, ?>[] {after});
            steps.subList(c.at(), steps.size()).forEach(s -> s.apply(after, crashed::add));

            assertThat(crashed).isEqualTo(whole);
            assertThat(whole).as("the stream has incidents that fire alerts").isNotEmpty();
            KeyedState a = new KeyedState();
            KeyedState b = new KeyedState();
            one.snapshot(a.sink());
            after.snapshot(b.sink());
            assertThat(b.entries().keySet()).isEqualTo(a.entries().keySet());
            a.entries().forEach((k, v) -> assertThat(b.entries().get(k)).as("state of %s", k).isEqualTo(v));
        });
    }

    /** One minute of the stream: its windows (and a revision of an earlier minute, now and then), then time. */
    record Step(List<MergedWindow> windows, long watermark, long finalBefore) {
        void apply(AssessOperator op, dev.vigil.operator.Output<ObjectiveLedger.Transition> out) {
            windows.forEach(w -> op.onElement(w, out));
            op.onWatermark(watermark, finalBefore, out);
        }
    }

    static List<Step> steps(long seed) {
        Random r = new Random(seed);
        List<Step> steps = new ArrayList<>();
        int incidentAt = 20 + r.nextInt(100);
        for (int m = 0; m < 180; m++) {
            long minute = T0 + m * MINUTE;
            boolean incident = m >= incidentAt && m < incidentAt + 3 + r.nextInt(10);
            List<MergedWindow> ws = new ArrayList<>();
            for (String op : List.of("a", "b")) {
                int count = 50 + r.nextInt(100);
                int errors = incident ? r.nextInt(count / 2) : (r.nextInt(10) == 0 ? 1 : 0);
                long duration = incident && op.equals("a") ? 150_000 : 2_000 + r.nextInt(50_000);
                ws.add(merged(op, minute, window(count, errors, duration), 1));
            }
            if (m > 3 && r.nextInt(4) == 0) {
                int count = 200 + r.nextInt(100);
                ws.add(merged("a", minute - (1 + r.nextInt(3)) * MINUTE, window(count, r.nextInt(count), 90_000), 2));
            }
            steps.add(new Step(ws, minute + MINUTE + r.nextInt(30_000_000), minute - 4 * MINUTE));
        }
        return steps;
    }
}
