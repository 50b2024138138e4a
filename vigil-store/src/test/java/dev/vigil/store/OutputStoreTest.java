package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.correlate.CaseChange;
import dev.vigil.correlate.CaseRecord;
import dev.vigil.correlate.CaseStatus;
import dev.vigil.pipeline.MergedWindow;
import dev.vigil.summarise.Dimension;
import dev.vigil.summarise.KpiKey;
import dev.vigil.summarise.KpiWindow;
import dev.vigil.summarise.WindowSpan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputStoreTest {

    static final long MINUTE = 60_000_000L;

    @TempDir
    Path dir;

    static MergedWindow window(String peer, long start, int calls, int revision) {
        KpiWindow w = new KpiWindow();
        for (int i = 0; i < calls; i++) {
            w.accept(1_000L * (i + 1), i % 10 == 0);
        }
        return new MergedWindow(KpiKey.of(Dimension.PEER, peer), start, w, revision);
    }

    static CaseRecord order(String id, CaseStatus status, long first) {
        return new CaseRecord(id, "order-to-cash", status, "ok", first, first + 5_000_000L, List.of("Placed", "Paid"),
                Map.of("orderId", List.of(id)), 2, 0);
    }

    @Test
    void readsAfterEarlierReadsSeeEveryLaterWrite() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
             OutputStore store = new OutputStore(j)) {
            assertThat(store.series(Dimension.PEER, 0, 100 * MINUTE)).isEmpty();
            assertThat(store.caseCounts()).isEmpty();

            store.write(List.of(window("bank", MINUTE, 20, 1)),
                    List.of(new CaseChange.Updated(order("O1", CaseStatus.OPEN, MINUTE))), List.of(), 0);

            assertThat(store.series(Dimension.PEER, 0, 100 * MINUTE)).singleElement()
                    .satisfies(s -> assertThat(s.count()).isEqualTo(20));
            assertThat(store.caseCounts()).isEqualTo(Map.of("open", 1L));
        }
    }

    @Test
    void aRevisedWindowReplacesTheEarlierOneAndStepsMergeTheirWindows() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
             OutputStore store = new OutputStore(j)) {
            store.write(List.of(window("bank", 0, 10, 1), window("bank", MINUTE, 30, 1)), List.of(), List.of(), 0);
            store.write(List.of(window("bank", 0, 11, 2)), List.of(), List.of(), 0);

            List<OutputStore.KpiStep> minutes = store.kpis(Dimension.PEER, "bank", null, 0, 2 * MINUTE, WindowSpan.MINUTE);
            assertThat(minutes).extracting(s -> s.window().count()).containsExactly(11L, 30L);
            List<OutputStore.KpiStep> hour = store.kpis(Dimension.PEER, "bank", null, 0, 60 * MINUTE, WindowSpan.HOUR);
            assertThat(hour).singleElement().satisfies(s -> {
                assertThat(s.window().count()).isEqualTo(41);
                assertThat(s.window().errors()).isEqualTo(2 + 3);
            });
        }
    }

    @Test
    void aCaseChangedTwiceInOneWriteKeepsItsLastStateAndARetiredCaseIsGone() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
             OutputStore store = new OutputStore(j)) {
            store.write(List.of(), List.of(new CaseChange.Updated(order("O1", CaseStatus.OPEN, 0)),
                    new CaseChange.Updated(order("O2", CaseStatus.OPEN, 0)),
                    new CaseChange.Updated(order("O1", CaseStatus.COMPLETED, 0))), List.of(), 0);
            assertThat(store.caseById("O1")).get().extracting(CaseRecord::status).isEqualTo(CaseStatus.COMPLETED);

            store.write(List.of(), List.of(new CaseChange.Retired("O2")), List.of(), 0);
            assertThat(store.caseById("O2")).isEmpty();
            assertThat(store.caseCounts()).isEqualTo(Map.of("completed", 1L));
        }
    }

    static OutputStore.CaseQuery byKey(String name, String value) {
        return new OutputStore.CaseQuery(null, null, null, null, name, value, 10, false, null, null);
    }

    @Test
    void aCaseIsFoundByEveryKeyItGainedAndAnIdRetiredThenReusedLosesItsOldKeys() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
             OutputStore store = new OutputStore(j)) {
            CaseRecord placed = order("O1", CaseStatus.OPEN, 0);
            store.write(List.of(), List.of(new CaseChange.Updated(placed)), List.of(), 0);
            CaseRecord shipped = new CaseRecord("O1", placed.process(), CaseStatus.OPEN, "ok", 0, 9_000_000L,
                    List.of("Placed", "Paid", "Shipped"), Map.of("orderId", List.of("O1"), "shipmentId", List.of("S1")), 3, 0);
            store.write(List.of(), List.of(new CaseChange.Updated(shipped)), List.of(), 0);
            assertThat(store.cases(byKey("shipmentId", "S1"))).extracting(CaseRecord::id).containsExactly("O1");
            assertThat(store.cases(byKey("orderId", "O1"))).extracting(CaseRecord::id).containsExactly("O1");

            CaseRecord other = new CaseRecord("O1", placed.process(), CaseStatus.OPEN, "ok", 0, 1, List.of("Placed"),
                    Map.of("orderId", List.of("O9")), 1, 0);
            store.write(List.of(), List.of(new CaseChange.Retired("O1"), new CaseChange.Updated(other)), List.of(), 0);
            assertThat(store.cases(byKey("shipmentId", "S1"))).isEmpty();
            assertThat(store.cases(byKey("orderId", "O9"))).extracting(CaseRecord::events).containsExactly(1);
        }
    }

    @Test
    void forgettingAfterACheckpointDeletesTheCasesWrittenSinceAndKeepsTheOlderOnes() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
             OutputStore store = new OutputStore(j)) {
            store.write(List.of(), List.of(new CaseChange.Updated(order("O1", CaseStatus.OPEN, 0))), List.of(), 0);
            store.write(List.of(), List.of(new CaseChange.Updated(order("O2", CaseStatus.OPEN, 0))), List.of(), 7);
            store.write(List.of(), List.of(new CaseChange.Updated(order("O3", CaseStatus.OPEN, 0))), List.of(), 9);

            store.forgetAfter(7);

            assertThat(store.caseById("O1")).isPresent();
            assertThat(store.caseById("O2")).isEmpty();
            assertThat(store.caseById("O3")).isEmpty();
            assertThat(store.cases(byKey("orderId", "O2"))).isEmpty();
        }
    }

    @Test
    void lateEventsAreKeptBySequenceNumberAndTheLastWordCounts() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
             OutputStore store = new OutputStore(j)) {
            store.write(List.of(), List.of(), List.of(new dev.vigil.order.LateEvent(5, dev.vigil.order.Lateness.LATE),
                    new dev.vigil.order.LateEvent(9, dev.vigil.order.Lateness.TOO_LATE)), 0);
            store.write(List.of(), List.of(), List.of(new dev.vigil.order.LateEvent(5, dev.vigil.order.Lateness.TOO_LATE)), 0);

            assertThat(store.lateness(List.of(5L, 6L, 9L))).isEqualTo(Map.of(5L, "tooLate", 9L, "tooLate"));
            assertThat(store.lateness(List.of())).isEmpty();
        }
    }

    @Test
    void forgettingAfterACheckpointAlsoDropsTheLateMarksOfLaterRecords() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
             OutputStore store = new OutputStore(j)) {
            long first = j.append(List.of(EventStoreTest.event(1, "s", "n", Map.of())), Map.of(), 0).get().firstSeq();
            long second = j.append(List.of(EventStoreTest.event(2, "s", "n", Map.of())), Map.of(), 0).get().firstSeq();
            j.query(dev.vigil.query.EventQuery.all(10));
            store.write(List.of(), List.of(), List.of(new dev.vigil.order.LateEvent(first, dev.vigil.order.Lateness.LATE),
                    new dev.vigil.order.LateEvent(second, dev.vigil.order.Lateness.LATE)), 0);

            store.forgetAfter(1);

            assertThat(store.lateness(List.of(first, second))).isEqualTo(Map.of(first, "late"));
        }
    }
}
