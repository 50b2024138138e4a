package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.event.Event;
import dev.vigil.event.StoredEvent;
import dev.vigil.query.EventQuery;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk and failing writes, injected where no small file system can be mounted: a failed journal write
 * leaves the journal as it was, a refused DuckDB commit is retried without storing anything twice, and the
 * store says it is stuck while it is. DiskFullIT does the same on a real full tmpfs.
 */
class JournalFaultTest {

    @TempDir
    Path dir;

    private static JournalRecord record(long no, long firstSeq, int events) {
        List<Event> es = new ArrayList<>();
        List<String> attrs = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            es.add(EventStoreTest.event(no * 100 + i, "s", "r" + no, Map.of("id", no + "-" + i)));
            attrs.add("{\"pad\":\"" + "x".repeat(100) + "\"}");
        }
        return new JournalRecord(no, firstSeq, 0, es, attrs, Map.of());
    }

    private static List<Long> replayed(Path journalDir) throws IOException {
        List<Long> numbers = new ArrayList<>();
        try (JournalFile j = JournalFile.open(journalDir, 1 << 20, r -> numbers.add(r.recordNo()))) {
            return numbers;
        }
    }

    @Test
    void aWriteThatRunsOutOfSpaceIsCutOffSoTheRecordsAcknowledgedAfterItSurviveReopening() throws Exception {
        FullDisk disk = new FullDisk();
        try (JournalFile j = JournalFile.open(dir, 1 << 20, r -> { }, disk)) {
            j.append(record(1, 1, 3));
            j.append(record(2, 4, 3));
            disk.full = true;
            assertThatThrownBy(() -> j.append(record(3, 7, 3))).hasMessageContaining("No space left");
            disk.full = false;
            // The refused record's number is used again by the next group, as the writer does.
            j.append(record(3, 7, 3));
            j.append(record(4, 10, 3));
        }
        assertThat(replayed(dir)).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void whenCuttingTheFailedWriteOffFailsTooTheNextAppendRepairsTheSegmentBeforeWriting() throws Exception {
        FullDisk disk = new FullDisk();
        try (JournalFile j = JournalFile.open(dir, 1 << 20, r -> { }, disk)) {
            j.append(record(1, 1, 3));
            disk.full = true;
            disk.truncateFails = true;
            assertThatThrownBy(() -> j.append(record(2, 4, 3))).hasMessageContaining("No space left");
            // Still broken: refused, and nothing is written after the partial bytes.
            assertThatThrownBy(() -> j.append(record(2, 4, 3))).hasMessageContaining("could not be cut back");
            disk.full = false;
            disk.truncateFails = false;
            j.append(record(2, 4, 3));
            j.append(record(3, 7, 3));
        }
        assertThat(replayed(dir)).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aWriteThatFailsRightAfterRollingToANewSegmentLeavesNoGapAtTheNextOpen() throws Exception {
        FullDisk disk = new FullDisk();
        // Tiny segments: every record rolls to a new one.
        try (JournalFile j = JournalFile.open(dir, 100, r -> { }, disk)) {
            j.append(record(1, 1, 2));
            disk.full = true;
            assertThatThrownBy(() -> j.append(record(2, 3, 2))).hasMessageContaining("No space left");
            disk.full = false;
            j.append(record(2, 3, 2));
            j.append(record(3, 5, 2));
        }
        List<Long> numbers = new ArrayList<>();
        try (JournalFile j = JournalFile.open(dir, 100, r -> numbers.add(r.recordNo()))) {
            j.append(record(4, 7, 2));
        }
        assertThat(numbers).containsExactly(1L, 2L, 3L);
        assertThat(replayed(dir)).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void recoveryKeepsAcknowledgedRecordsThatAnOlderVersionWroteAfterTheBytesOfAFailedWrite() throws Exception {
        // What an older Vigil left after a full disk: part of a refused record, then acknowledged records.
        Files.createDirectories(dir);
        Path segment = dir.resolve(String.format("%020d.journal", 1));
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(JournalCodec.encode(record(1, 1, 3)));
            ByteBuffer torn = JournalCodec.encode(record(2, 4, 3));
            ch.write(torn.slice(0, torn.remaining() / 3));
            ch.write(JournalCodec.encode(record(2, 4, 3)));
            ch.write(JournalCodec.encode(record(3, 7, 3)));
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 7, 7})); // and a torn tail
        }
        assertThat(replayed(dir)).containsExactly(1L, 2L, 3L);
        // The tail was cut, the damaged bytes between records are kept (skipped again at every open).
        try (JournalFile j = JournalFile.open(dir, 1 << 20, r -> { })) {
            j.append(record(4, 10, 3));
        }
        assertThat(replayed(dir)).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aJournalThatCannotWriteRefusesWithStoreUnavailableSaysSoAndRecoversOnceSpaceIsBack() throws Exception {
        FullDisk disk = new FullDisk();
        List<String> acked = new ArrayList<>();
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT, disk)) {
            append(j, "before", acked);
            disk.full = true;
            assertThatThrownBy(() -> append(j, "refused", acked))
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(StoreUnavailable.class)
                    .hasMessageContaining("No space left");
            assertThat(j.problem()).contains("journal cannot write").contains("No space left");
            disk.full = false;
            // Nobody posts: the journal finds out by itself that it can write again.
            await("the journal to notice the space is back", () -> j.problem() == null, j::problem);
            append(j, "after", acked);
            assertThat(names(j)).containsExactlyElementsOf(acked);
        }
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            assertThat(names(j)).containsExactlyElementsOf(acked);
        }
    }

    @Test
    void aCommitDuckDbEndsByItselfIsRetriedWithoutStoringTheBatchTwice() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            // What a full disk does to DuckDB: the transaction ends (here: committed with part of the batch)
            // and the commit reports a failure.
            j.loader().fault = conn -> {
                if (attempts.incrementAndGet() == 1) {
                    try (Statement st = conn.createStatement()) {
                        st.execute("COMMIT");
                    }
                    throw new SQLException("Failed to commit: Could not write file \"vigil.duckdb.wal\": No space left on device");
                }
            };
            List<String> acked = new ArrayList<>();
            append(j, "a", acked);
            append(j, "b", acked);
            await("the loader to store the batch", () -> j.loadedRecordNo() >= 2, () -> "loaded " + j.loadedRecordNo());
            assertThat(attempts.get()).isGreaterThanOrEqualTo(2);
            assertThat(names(j)).containsExactlyElementsOf(acked);
            assertThat(j.stats().storedEvents()).isEqualTo(acked.size());
            // And the keys once each: a key query finds exactly one event.
            assertThat(j.query(new EventQuery(null, null, "id", "a-0", null, null, 10, false, null)).events()).hasSize(1);
            assertThat(j.problem()).isNull();
        }
    }

    @Test
    void readsAnswerStoreUnavailableInsteadOfWaitingWhileTheLoaderKeepsFailing() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            j.loader().fault = conn -> {
                throw new SQLException("No space left on device");
            };
            j.append(List.of(EventStoreTest.event(1, "s", "n", Map.of())), Map.of(), 0).join();
            await("the loader to report its failure", () -> j.problem() != null, () -> "no problem reported");
            assertThat(j.problem()).contains("cannot load").contains("No space left");
            assertThatThrownBy(() -> j.query(EventQuery.all(10))).isInstanceOf(StoreUnavailable.class);
            // What users see of it: one record, one event waiting, for longer and longer.
            assertThat(j.backlog().records()).isEqualTo(1);
            assertThat(j.backlog().events()).isEqualTo(1);
            long waited = j.backlog().oldestWaitMillis();
            await("the wait to grow", () -> j.backlog().oldestWaitMillis() > waited, () -> j.backlog().toString());
            j.loader().fault = conn -> { };
            await("the loader to recover", () -> j.problem() == null, j::problem);
            await("the backlog to drain", () -> j.backlog().records() == 0 && j.backlog().oldestWaitMillis() == 0,
                    () -> j.backlog().toString());
            assertThat(j.query(EventQuery.all(10)).events()).hasSize(1);
        }
    }

    @Test
    void closeEndsInBoundedTimeWhileTheStoreRefusesAndTheNextOpenLoadsWhatWasLeft() throws Exception {
        EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
        j.loader().closeGraceNanos = 0;
        j.loader().fault = conn -> {
            throw new SQLException("No space left on device");
        };
        j.append(List.of(EventStoreTest.event(1, "s", "kept", Map.of())), Map.of(), 0).join();
        j.close(); // returns: the loader gives up after its grace, the record stays in the journal
        try (EventStore again = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            assertThat(names(again)).containsExactly("kept");
        }
    }

    private static int counter;

    private static void append(EventStore j, String prefix, List<String> acked) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(EventStoreTest.event(++counter, "s", prefix + "-" + i, Map.of("id", prefix + "-" + i)));
        }
        j.append(events, Map.of(), 0).join();
        events.forEach(e -> acked.add(e.name()));
    }

    private static List<String> names(EventStore j) throws SQLException {
        Map<Long, String> bySeq = new HashMap<>();
        for (StoredEvent e : j.query(EventQuery.all(1000)).events()) {
            bySeq.put(e.seq(), e.event().name());
        }
        return bySeq.keySet().stream().sorted().map(bySeq::get).toList();
    }

    private static void await(String what, Supplier<Boolean> condition, Supplier<String> lastSeen)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 60 s for " + what + "; last seen: " + lastSeen.get());
            }
            Thread.sleep(20);
        }
    }
}
