package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.pipeline.MergedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import dev.vigil.testkit.Gen;
import dev.vigil.testkit.Props;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever was written, rolled and un-rolled, and wherever a store was reopened, every read over any range answers
 * what the minutes alone say: roll-ups change how fast a range is read, never what it holds.
 */
class KpiRollupsProperties {

    static final long MINUTE = 60_000_000L;
    /** Three days and a bit, from a little before a day's start, so that every grain has whole periods and edges. */
    static final long SPAN = 3 * 1440 * MINUTE + 200 * MINUTE;
    static final long ORIGIN = 20 * 1440 * MINUTE - 90 * MINUTE;

    @TempDir
    Path dir;

    /** A step of a run: write windows, roll up to a line, reopen the store, or check reads. */
    sealed interface Step {
    }

    /** Windows of the series at the minutes, each with this many timed events (a revision replaces the row). */
    record Write(List<Integer> series, List<Integer> minutes, int events) implements Step {
    }

    /** Rolls what is final before {@code minute}, reading about {@code budget} rows at most. */
    record Roll(int minute, long budget) implements Step {
    }

    record Reopen() implements Step {
    }

    record Check(int fromMinute, int toMinute) implements Step {
    }

    static List<Step> run(Gen g) {
        List<Step> steps = new ArrayList<>();
        int line = 0;
        int total = (int) (SPAN / MINUTE);
        for (int n = g.ints(4, 16); n > 0; n--) {
            switch (g.ints(0, 9)) {
                case 0, 1, 2, 3 -> {
                    // Mostly after the roll line, as the pipeline writes; sometimes before it (a straggler).
                    int lo = g.chance(0.8) ? Math.min(line, total - 1) : 0;
                    steps.add(new Write(g.list(1, 3, () -> g.ints(0, 3)), g.list(1, 40, () -> g.ints(lo, total - 1)),
                            g.ints(1, 5)));
                }
                case 4, 5, 6 -> {
                    line = Math.min(total, line + g.ints(0, total / 2));
                    steps.add(new Roll(line, g.oneOf(1L, 50L, 1_000_000L)));
                }
                case 7 -> steps.add(new Reopen());
                default -> {
                    // Often a range asked before, as the dashboard asks the same view again: what was read of rolled
                    // periods and kept must not outlive a straggler that changed them.
                    if (g.chance(0.5)) {
                        steps.add(g.oneOf(new Check(0, total), new Check(total / 3, total)));
                    } else {
                        int a = g.ints(0, total);
                        steps.add(new Check(a, g.ints(a, total)));
                    }
                }
            }
        }
        steps.add(new Check(0, total));
        steps.add(new Check(total / 3, total));
        steps.add(new Check(g.ints(0, total / 3), g.ints(total / 2, total)));
        return steps;
    }

    @Test
    void everyReadOverAnyRangeAnswersWhatTheMinutesAloneSay() {
        int[] trial = {0};
        Props.forAll(60, KpiRollupsProperties::run, steps -> {
            Path folder = Files.createDirectories(dir.resolve("t" + trial[0]++));
            Map<Integer, TreeMap<Long, KpiWindow>> model = new HashMap<>();
            EventStore journal = EventStore.open(folder, EventStore.Options.DEFAULT);
            OutputStore store = new OutputStore(journal);
            try {
                for (Step step : steps) {
                    switch (step) {
                        case Write w -> {
                            List<MergedWindow> windows = new ArrayList<>();
                            for (int s : w.series()) {
                                for (int m : w.minutes()) {
                                    long start = ORIGIN + m * MINUTE;
                                    KpiWindow win = window(w.events(), s, m);
                                    windows.add(new MergedWindow(KpiKey.of(Dimension.PEER, "peer-" + s), start, win, 1));
                                    model.computeIfAbsent(s, k -> new TreeMap<>()).put(start, win);
                                }
                            }
                            store.write(windows, List.of(), List.of(), 0);
                        }
                        case Roll r -> {
                            // Only what is final is rolled: a write before the line afterwards is the straggler case.
                            store.rollUp(ORIGIN + r.minute() * MINUTE, r.budget());
                        }
                        case Reopen ignored -> {
                            store.close();
                            journal.close();
                            journal = EventStore.open(folder, EventStore.Options.DEFAULT);
                            store = new OutputStore(journal);
                        }
                        case Check c -> check(store, model, ORIGIN + c.fromMinute() * MINUTE, ORIGIN + c.toMinute() * MINUTE);
                    }
                }
            } finally {
                store.close();
                journal.close();
            }
        });
    }

    @Test
    void aRangeAskedAgainAfterAStragglerChangedARolledPeriodAndItWasRolledAgainSeesTheChange() throws Exception {
        long origin = 100 * 1440 * MINUTE;
        try (EventStore journal = EventStore.open(dir, EventStore.Options.DEFAULT);
             OutputStore store = new OutputStore(journal)) {
            List<MergedWindow> windows = new ArrayList<>();
            for (int m = 0; m < 180; m++) {
                windows.add(new MergedWindow(KpiKey.of(Dimension.PEER, "bank"), origin + m * MINUTE, window(2, 0, m), 1));
            }
            store.write(windows, List.of(), List.of(), 0);
            store.rollUp(origin + 180 * MINUTE);
            assertThat(store.rolledUp().hours()).isEqualTo(origin + 180 * MINUTE);
            assertThat(store.totals(Dimension.PEER, origin, origin + 180 * MINUTE)).singleElement()
                    .satisfies(t -> assertThat(t.window().count()).isEqualTo(360));

            // A straggler for minute 70, in the second rolled hour: that hour and the one after are taken back.
            store.write(List.of(new MergedWindow(KpiKey.of(Dimension.PEER, "bank"), origin + 70 * MINUTE, window(5, 0, 70), 2)),
                    List.of(), List.of(), 0);
            assertThat(store.rolledUp().hours()).isEqualTo(origin + 60 * MINUTE);
            assertThat(store.totals(Dimension.PEER, origin, origin + 180 * MINUTE)).singleElement()
                    .satisfies(t -> assertThat(t.window().count()).isEqualTo(363));

            store.rollUp(origin + 180 * MINUTE);
            assertThat(store.rolledUp().hours()).isEqualTo(origin + 180 * MINUTE);
            assertThat(store.totals(Dimension.PEER, origin, origin + 180 * MINUTE)).singleElement()
                    .satisfies(t -> assertThat(t.window().count()).isEqualTo(363));
        }
    }

    /** A window whose durations depend on the series and minute, so that a minute read twice or missed shows. */
    static KpiWindow window(int events, int series, int minute) {
        KpiWindow w = new KpiWindow();
        for (int i = 0; i < events; i++) {
            w.accept(1_000L * (1 + series) + 7L * minute + i, (minute + i) % 3 == 0);
        }
        return w;
    }

    static void check(OutputStore store, Map<Integer, TreeMap<Long, KpiWindow>> model, long from, long to)
            throws Exception {
        Map<String, KpiWindow> expected = new TreeMap<>();
        Map<String, Long> firsts = new HashMap<>();
        model.forEach((s, minutes) -> minutes.subMap(from, to).forEach((start, w) -> {
            expected.computeIfAbsent("peer-" + s, k -> new KpiWindow()).mergeWith(w);
            firsts.merge("peer-" + s, start, Math::min);
        }));
        List<OutputStore.SeriesTotal> totals = store.totals(Dimension.PEER, from, to);
        assertThat(totals).extracting(OutputStore.SeriesTotal::key).as("series over [%d, %d)", from, to)
                .containsExactlyElementsOf(expected.keySet());
        for (OutputStore.SeriesTotal t : totals) {
            assertThat(t.window().sameAs(expected.get(t.key()))).as("%s over [%d, %d)", t.key(), from, to).isTrue();
            assertThat(t.firstMicros()).as("first minute of %s", t.key()).isEqualTo(firsts.get(t.key()));
        }
        assertThat(store.series(Dimension.PEER, from, to)).extracting(OutputStore.Series::count)
                .containsExactlyElementsOf(expected.values().stream().map(KpiWindow::count).toList());
        for (WindowSpan step : WindowSpan.values()) {
            for (int s : model.keySet()) {
                TreeMap<Long, KpiWindow> steps = new TreeMap<>();
                model.get(s).subMap(from, to).forEach((start, w) ->
                        steps.computeIfAbsent(step.startOf(start), k -> new KpiWindow()).mergeWith(w));
                List<OutputStore.KpiStep> read = store.kpis(Dimension.PEER, "peer-" + s, null, from, to, step);
                assertThat(read).extracting(OutputStore.KpiStep::startMicros).as("%s steps of peer-%d", step, s)
                        .containsExactlyElementsOf(steps.keySet());
                for (OutputStore.KpiStep k : read) {
                    assertThat(k.window().sameAs(steps.get(k.startMicros())))
                            .as("%s step %d of peer-%d", step, k.startMicros(), s).isTrue();
                }
            }
        }
    }
}
