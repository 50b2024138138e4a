package dev.vigil.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.assess.Budgeting;
import dev.vigil.assess.BurnRule;
import dev.vigil.assess.Indicator;
import dev.vigil.assess.Objective;
import dev.vigil.assess.ObjectiveLedger;
import dev.vigil.assess.TimeWindow;
import dev.vigil.event.Timestamps;
import dev.vigil.store.AlertStore;
import dev.vigil.store.EventStore;
import dev.vigil.summarise.Dimension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the runtime does with the assess stage's alert changes: record once, notify only while it matters. */
class AlertWriterTest {

    private static final long MINUTE = 60_000_000L;
    private static final BurnRule PAGE = new BurnRule("page", 14.4, 60 * MINUTE, 5 * MINUTE);
    private static final Objective BANK = new Objective("bank-available", null, "bank",
            new Objective.Series(Dimension.PEER, "bank", null), new ObjectiveLedger.Spec("bank-available",
            new Indicator.NotFailed(), 0.99, new TimeWindow.Rolling(1440 * MINUTE), new Budgeting.Occurrences(), List.of(PAGE)));

    @TempDir
    Path dir;

    @Test
    void aChangeHandedOutAgainAfterARestartIsRecordedAndNotifiedOnce() throws Exception {
        try (EventStore store = EventStore.open(dir, EventStore.Options.DEFAULT); AlertStore alerts = new AlertStore(store)) {
            AlertWriter writer = new AlertWriter(alerts, List.of(BANK), List.of("http://127.0.0.1:1/hook"));
            long now = WindowStart.of(Timestamps.toMicros(Instant.now()));
            ObjectiveLedger.Transition fired = new ObjectiveLedger.Transition("bank-available", PAGE, true, now, 20, 30);
            writer.write(List.of(fired));
            // The pipeline restored a checkpoint taken before this change and replays the journal: it comes again.
            new AlertWriter(alerts, List.of(BANK), List.of("http://127.0.0.1:1/hook")).write(List.of(fired));
            assertThat(alerts.history(10)).containsExactly(fired);
            assertThat(alerts.due(10)).hasSize(1);
        }
    }

    @Test
    void aChangeAboutAMinuteMoreThanAnHourAgoIsRecordedButNotSent() throws Exception {
        try (EventStore store = EventStore.open(dir, EventStore.Options.DEFAULT); AlertStore alerts = new AlertStore(store)) {
            AlertWriter writer = new AlertWriter(alerts, List.of(BANK), List.of("http://127.0.0.1:1/hook"));
            long old = WindowStart.of(Timestamps.toMicros(Instant.now())) - 3 * 60 * MINUTE;
            ObjectiveLedger.Transition fired = new ObjectiveLedger.Transition("bank-available", PAGE, true, old, 20, 30);
            ObjectiveLedger.Transition resolved = new ObjectiveLedger.Transition("bank-available", PAGE, false, old + 10 * MINUTE, 0, 0);
            writer.write(List.of(fired, resolved));
            assertThat(alerts.history(10)).containsExactly(resolved, fired);
            assertThat(alerts.due(10)).as("nothing sent about the past").isEmpty();
        }
    }

    /** Minute starts, as the assess stage's changes carry them. */
    private static final class WindowStart {
        static long of(long micros) {
            return Math.floorDiv(micros, MINUTE) * MINUTE;
        }
    }
}
