package dev.vigil.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.VigilConfig;
import dev.vigil.event.Timestamps;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.config.yaml.ConfigLoader;
import dev.vigil.store.AlertStore;
import dev.vigil.store.EventStore;
import dev.vigil.store.OutputStore;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An objective's judgement follows the stored windows: a closed minute revised after it was judged (the part of
 * a partition that was slow to start, or late events) is judged again at once, not when the next minute closes.
 * Driven tick by tick, with the pipeline's status set by hand: nothing here waits.
 */
class ObjectivesRuntimeTest {

    private static final long MINUTE = 60_000_000L;

    @TempDir
    Path dir;

    @Test
    void aMinuteRevisedAfterItWasJudgedIsJudgedAgainAtOnce() throws Exception {
        Files.writeString(dir.resolve("slo.yaml"), dev.vigil.server.api.ObjectivesApiTest.BANK_SLO);
        Files.writeString(dir.resolve("vigil.yaml"), "objectives: [slo.yaml]\n");
        VigilConfig config = ConfigLoader.load(dir.resolve("vigil.yaml"));
        long t0 = WindowSpan.MINUTE.startOf(Timestamps.toMicros(Instant.now()) - 30 * MINUTE);
        KpiKey bank = KpiKey.of(Dimension.PEER, "bank");

        try (EventStore journal = EventStore.open(dir.resolve("data"), EventStore.Options.DEFAULT)) {
            OutputStore store = new OutputStore(journal);
            PipelineRuntime.Status status = new PipelineRuntime.Status(2);
            ObjectivesRuntime objectives = new ObjectivesRuntime(config.objectives(), store, new AlertStore(journal), List.of(),
                    status, config.lateness().maxLatenessMicros());
            try {
                // The first partition's part of minute t0 (50 failed calls), and the watermark past it.
                write(store, status, new MergedWindow(bank, t0, calls(50, 0), 1), t0 + 2 * MINUTE);
                assertThat(achieved(objectives)).isEqualTo("0.0 through " + Timestamps.format(t0 + 2 * MINUTE));

                // The second partition's part (50 good calls): the minute's second revision, no new minute closed.
                write(store, status, new MergedWindow(bank, t0, calls(50, 50), 2), t0 + 2 * MINUTE);
                assertThat(achieved(objectives)).isEqualTo("0.5 through " + Timestamps.format(t0 + 2 * MINUTE));

                // Nothing written since: nothing read again, the same judgement.
                assertThat(achieved(objectives)).isEqualTo("0.5 through " + Timestamps.format(t0 + 2 * MINUTE));
            } finally {
                objectives.close();
                store.close();
            }
        }
    }

    /** Writes one window as the pipeline's writer would: the store first, then the watermark and the version. */
    private static void write(OutputStore store, PipelineRuntime.Status status, MergedWindow w, long watermark)
            throws Exception {
        status.windowWritesBegun++;
        store.write(List.of(w), List.of(), List.of(), 0);
        status.watermark = watermark;
        status.windowWritesDone++;
    }

    private static KpiWindow calls(int failed, int ok) {
        KpiWindow w = new KpiWindow();
        for (int i = 0; i < failed; i++) {
            w.accept(10_000, true);
        }
        for (int i = 0; i < ok; i++) {
            w.accept(10_000, false);
        }
        return w;
    }

    private static String achieved(ObjectivesRuntime objectives) {
        return objectives.current(states -> {
            ObjectivesRuntime.State s = states.get(0);
            return s.ledger().status(s.evaluatedTo()).achieved() + " through " + Timestamps.format(s.evaluatedTo());
        });
    }
}
