package dev.vigil.store;

import static dev.vigil.store.EventStoreTest.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.query.EventQuery;
import dev.vigil.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consumers read the journal's tail at their own pace: from memory, from the files, or from the event table. */
class JournalTailTest {

    @TempDir
    Path dir;

    /** Small segments (a few records each) and room in memory for a handful of events. */
    private static EventStore.Options small(long maxBacklogBytes) {
        return new EventStore.Options(1_000_000, 1_000, 2_000, 1, 0, maxBacklogBytes, 5);
    }

    private static final EventLoader.LoadFault NEVER_LOADS = c -> {
        throw new SQLException("the event table takes nothing (test)");
    };

    /** "recordNo:firstSeq:name,name..." per record told, in the order told. */
    private static List<String> readAll(EventStore j, long after, long upTo) throws Exception {
        List<String> told = new ArrayList<>();
        try (EventStore.Tail t = j.tail(after, false)) {
            while (t.position() < upTo) {
                t.next((no, first, at, events) -> told.add(no + ":" + first + ":"
                        + String.join(",", events.stream().map(e -> e.name()).toList())), 7, 1_000);
            }
        }
        return told;
    }

    private static List<String> expected(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(i + ":" + i + ":n" + i);
        }
        return out;
    }

    @Test
    void aConsumerFarBehindWhatMemoryKeepsReadsEveryRecordInOrderFromTheJournalFiles() throws Exception {
        try (EventStore j = EventStore.open(dir, small(1L << 30))) {
            j.loader().fault = NEVER_LOADS; // nothing leaves the journal's files
            for (int i = 1; i <= 120; i++) {
                j.append(List.of(event(i, "s", "n" + i, Map.of())), Map.of(), i).get();
            }
            try (var files = Files.list(dir.resolve(EventStore.JOURNAL_DIR))) {
                assertThat(files.count()).as("records spread over many segments").isGreaterThan(5);
            }
            assertThat(readAll(j, 0, 120)).isEqualTo(expected(1, 120));
            assertThat(readAll(j, 57, 120)).as("starting in the middle of a segment").isEqualTo(expected(58, 120));
            j.loader().fault = c -> { };
        }
    }

    @Test
    void aTailFromTheStartReadsReleasedRecordsFromTheEventTableThenTheRestFromTheJournal() throws Exception {
        try (EventStore j = EventStore.open(dir, small(1L << 30))) {
            for (int i = 1; i <= 60; i++) {
                j.append(List.of(event(i, "s", "n" + i, Map.of())), Map.of(), i).get();
            }
            Await.until("the loader to take every record", j::loadedRecordNo, n -> n >= 60);
            Await.until("released segments", j::backlog, b -> b.journalBytes() < 2_000 * 3);
            j.loader().fault = NEVER_LOADS; // what follows stays in the journal's files only
            for (int i = 61; i <= 80; i++) {
                j.append(List.of(event(i, "s", "n" + i, Map.of())), Map.of(), i).get();
            }
            assertThat(readAll(j, 0, 80)).isEqualTo(expected(1, 80));
            j.loader().fault = c -> { };
        }
    }

    /** A span as the OTLP receiver makes it, with attributes the pipeline reads and some it does not. */
    private static dev.vigil.event.Event span(int i) {
        Map<String, Object> attrs = new java.util.LinkedHashMap<>();
        attrs.put("http.route", "/orders");
        attrs.put("spanId", "s" + i);
        attrs.put("parentSpanId", "p" + i);
        attrs.put("spanKind", "server");
        attrs.put("host.name", "web-1");
        attrs.put("db.rows", 3L);
        return new dev.vigil.event.Event(i, "web", "n" + i, dev.vigil.event.EventKind.CALL, Map.of("traceId", "t" + i),
                dev.vigil.event.Outcome.OK, 5L, null, null, attrs);
    }

    @Test
    void aSpanReachesThePipelineWithItsIdsKindAndHostFromMemoryTheFilesAndTheEventTable() throws Exception {
        try (EventStore j = EventStore.open(dir, small(1L << 30))) {
            for (int i = 1; i <= 60; i++) {
                j.append(List.of(i % 2 == 0 ? span(i) : event(i, "s", "n" + i, Map.of())), Map.of(), i).get();
            }
            Await.until("the loader to take every record", j::loadedRecordNo, n -> n >= 60);
            Await.until("released segments", j::backlog, b -> b.journalBytes() < 2_000 * 3);
            j.loader().fault = NEVER_LOADS;
            for (int i = 61; i <= 80; i++) {
                j.append(List.of(i % 2 == 0 ? span(i) : event(i, "s", "n" + i, Map.of())), Map.of(), i).get();
            }
            List<String> told = new ArrayList<>();
            try (EventStore.Tail t = j.tail(0, false)) {
                while (t.position() < 80) {
                    t.next((no, first, at, events) -> events.forEach(e -> {
                        Map<String, Object> want = no % 2 == 1 ? Map.of() : new java.util.TreeMap<>(Map.of("spanId", "s" + no,
                                "parentSpanId", "p" + no, "spanKind", "server", "host.name", "web-1"));
                        // From memory an event comes as appended; from the files and the table, with these only.
                        var seen = new java.util.TreeMap<>(dev.vigil.link.SpanRef.carried(e.attributes()));
                        if (!seen.equals(want)) {
                            told.add(no + ": " + seen + " instead of " + want);
                        }
                    }), 7, 1_000);
                }
            }
            assertThat(told).as("records read without a span's carried attributes").isEmpty();
            j.loader().fault = c -> { };
        }
    }

    @Test
    void aHoldingConsumerKeepsSegmentsUntilItHoldsTheirRecordsDurably() throws Exception {
        try (EventStore j = EventStore.open(dir, small(1L << 30))) {
            EventStore.Tail pipeline = j.tail(0, true);
            for (int i = 1; i <= 60; i++) {
                j.append(List.of(event(i, "s", "n" + i, Map.of())), Map.of(), i).get();
            }
            Await.until("the loader to take every record", j::loadedRecordNo, n -> n >= 60);
            long kept = j.backlog().journalBytes();
            assertThat(kept).as("every segment kept for the holding consumer").isGreaterThan(2_000 * 3);
            pipeline.durableUpTo(60);
            assertThat(j.backlog().journalBytes()).isLessThan(2_000 * 2);
            pipeline.close();
        }
    }

    @Test
    void aBurstBeyondTheBacklogLimitIsRefusedWhileTheLoaderIsBehindAndTakenAgainOnceItCatchesUp() throws Exception {
        try (EventStore j = EventStore.open(dir, small(6_000))) {
            j.loader().fault = NEVER_LOADS;
            int acked = 0;
            Throwable refused = null;
            for (int i = 1; i <= 1_000 && refused == null; i++) {
                try {
                    j.append(List.of(event(i, "s", "n" + i, Map.of())), Map.of(), i).join();
                    acked++;
                } catch (CompletionException e) {
                    refused = e.getCause();
                }
            }
            assertThat(refused).isInstanceOf(Overloaded.class).hasMessageContaining("not taken yet")
                    .hasMessageContaining("loader is behind");
            assertThat(acked).as("the burst absorbed on disk first").isGreaterThan(10);
            j.loader().fault = c -> { };
            Await.until("the loader to catch up and the journal to let go", j::backlog,
                    b -> b.records() == 0 && b.journalBytes() < 6_000);
            j.append(List.of(event(9_999, "s", "after", Map.of())), Map.of(), 0).join();
            assertThat(j.query(EventQuery.all(10_000)).events()).hasSize(acked + 1);
        }
    }

    @Test
    void aSegmentFileThatWentMissingIsAnErrorNotALoop() throws Exception {
        try (EventStore j = EventStore.open(dir, small(1L << 30))) {
            j.loader().fault = NEVER_LOADS;
            j.loader().closeGraceNanos = 0;
            for (int i = 1; i <= 40; i++) {
                j.append(List.of(event(i, "s", "n" + i, Map.of())), Map.of(), i).get();
            }
            Path first;
            try (var files = Files.list(dir.resolve(EventStore.JOURNAL_DIR))) {
                first = files.sorted().findFirst().orElseThrow();
            }
            Files.delete(first);
            assertThatThrownBy(() -> readAll(j, 0, 40)).isInstanceOf(JournalFile.Released.class)
                    .hasMessageContaining("journal record 1 ");
            j.loader().fault = c -> { };
        }
    }
}
