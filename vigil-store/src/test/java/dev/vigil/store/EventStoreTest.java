package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.event.Event;
import dev.vigil.event.EventKind;
import dev.vigil.event.Outcome;
import dev.vigil.event.Rejection;
import dev.vigil.event.StoredEvent;
import dev.vigil.query.EventPage;
import dev.vigil.query.EventQuery;
import dev.vigil.query.IngestStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventStoreTest {

    @TempDir
    Path dir;

    static Event event(long t, String source, String name, Map<String, String> keys) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("region", "eu");
        attrs.put("retries", 2);
        attrs.put("nothing", null);
        return new Event(t, source, name, EventKind.CALL, keys, Outcome.OK, 12_500L, "tax-gateway", "retail", attrs);
    }

    @Test
    void appendedEventsComeBackWithEveryFieldAndIncreasingSequenceNumbers() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            Event a = event(2_000_000L, "billing", "CreateInvoice", Map.of("orderId", "A-17"));
            Event b = new Event(1_000_000L, "shop", "PlaceOrder", EventKind.ACTIVITY, Map.of(), Outcome.TIMEOUT,
                    null, null, null, Map.of());
            Appended ack = j.append(List.of(a, b), Map.of(), 5L).get();
            assertThat(ack).isEqualTo(new Appended(1, 2));

            EventPage page = j.query(EventQuery.all(10));
            assertThat(page.events()).extracting(StoredEvent::seq).containsExactly(2L, 1L);
            assertThat(page.events().get(1).event()).isEqualTo(a);
            assertThat(page.events().get(0).event()).isEqualTo(b);
            assertThat(page.next()).isNull();
        }
    }

    @Test
    void eventsSurviveCloseAndReopenAndSequenceNumbersContinue() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            j.append(List.of(event(1, "s", "n", Map.of())), Map.of(), 0).get();
        }
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            assertThat(j.append(List.of(event(2, "s", "n", Map.of())), Map.of(), 0).get().firstSeq()).isEqualTo(2);
            assertThat(j.storedEvents()).isEqualTo(2);
        }
    }

    @Test
    void cursorPagesVisitEveryEventOnceInEventTimeOrderBothWays() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 57; i++) {
                // Many equal timestamps: the cursor must break ties by sequence number.
                events.add(event(1_000L * (i % 7), "s", "n" + i, Map.of()));
            }
            j.append(events, Map.of(), 0).get();
            for (boolean newestFirst : new boolean[] {false, true}) {
                List<StoredEvent> seen = new ArrayList<>();
                EventQuery q = new EventQuery(null, null, null, null, null, null, 10, newestFirst, null);
                EventPage page = j.query(q);
                seen.addAll(page.events());
                while (page.next() != null) {
                    page = j.query(q.next(page.next()));
                    seen.addAll(page.events());
                }
                assertThat(seen).hasSize(57);
                assertThat(seen.stream().map(StoredEvent::seq).distinct().count()).isEqualTo(57);
                for (int i = 1; i < seen.size(); i++) {
                    long prev = seen.get(i - 1).event().timeMicros();
                    long cur = seen.get(i).event().timeMicros();
                    assertThat(newestFirst ? prev >= cur : prev <= cur).isTrue();
                }
            }
        }
    }

    @Test
    void filtersBySourceNameTimeRangeAndCorrelationKey() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            j.append(List.of(
                    event(10, "shop", "PlaceOrder", Map.of("orderId", "A-1")),
                    event(20, "shop", "PlaceOrder", Map.of("orderId", "A-2")),
                    event(30, "wms", "Ship", Map.of("orderId", "A-1", "shipmentId", "S-9")),
                    event(40, "wms", "Deliver", Map.of("shipmentId", "S-9"))), Map.of(), 0).get();
            assertThat(names(j.query(new EventQuery("shop", null, null, null, null, null, 10, false, null))))
                    .containsExactly("PlaceOrder", "PlaceOrder");
            assertThat(names(j.query(new EventQuery(null, null, "orderId", "A-1", null, null, 10, false, null))))
                    .containsExactly("PlaceOrder", "Ship");
            assertThat(names(j.query(new EventQuery(null, null, "shipmentId", "S-9", null, null, 10, false, null))))
                    .containsExactly("Ship", "Deliver");
            assertThat(names(j.query(new EventQuery(null, "Ship", null, null, 20L, 40L, 10, false, null))))
                    .containsExactly("Ship");
            assertThat(names(j.query(new EventQuery(null, null, null, null, 20L, 40L, 10, false, null))))
                    .containsExactly("PlaceOrder", "Ship");
        }
    }

    @Test
    void statsCountEventsBySourceAndNameAndRejectionsByCode() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            j.append(List.of(event(1, "a", "x", Map.of()), event(2, "a", "x", Map.of()), event(3, "b", "y", Map.of())),
                    Map.of(Rejection.Code.MISSING_FIELD, 2), 0).get();
            j.append(List.of(), Map.of(Rejection.Code.MISSING_FIELD, 1, Rejection.Code.TIME_IN_FUTURE, 4), 0).get();
            IngestStats s = j.stats();
            assertThat(s.storedEvents()).isEqualTo(3);
            assertThat(s.lastSeq()).isEqualTo(3);
            assertThat(s.bySourceAndName()).containsExactly(
                    new IngestStats.SourceNameCount("a", "x", 2), new IngestStats.SourceNameCount("b", "y", 1));
            assertThat(s.rejectedByReason()).containsExactly(Map.entry("time_in_future", 4L), Map.entry("missing_field", 3L));
        }
    }

    @Test
    void concurrentAppendsShareCommitsAndGetDisjointSequenceRanges() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            List<CompletableFuture<Appended>> acks = IntStream.range(0, 200)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> j.append(
                            List.of(event(i, "s", "n", Map.of()), event(i, "s", "n", Map.of())), Map.of(), 0).join()))
                    .toList();
            Set<Long> seqs = new HashSet<>();
            for (CompletableFuture<Appended> f : acks) {
                Appended a = f.get();
                seqs.add(a.firstSeq());
                seqs.add(a.firstSeq() + 1);
            }
            assertThat(seqs).hasSize(400);
            assertThat(j.commitStats().events()).isEqualTo(400);
        }
    }

    @Test
    void appendsThatArriveDuringACommitShareTheNextOne() throws Exception {
        FullDisk disk = new FullDisk();
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT, disk)) {
            disk.gate = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<Appended> first = j.append(List.of(event(0, "s", "n", Map.of())), Map.of(), 0);
            assertThat(disk.atGate.await(60, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the writer to be inside the first commit").isTrue();
            // The writer is held inside the first commit's write; ten more appends queue behind it.
            List<CompletableFuture<Appended>> later = IntStream.range(1, 11)
                    .mapToObj(i -> j.append(List.of(event(i, "s", "n", Map.of())), Map.of(), 0)).toList();
            disk.gate.countDown();
            first.get();
            for (CompletableFuture<Appended> f : later) {
                f.get();
            }
            assertThat(j.commitStats().commits()).isEqualTo(2);
            assertThat(j.commitStats().events()).isEqualTo(11);
        }
    }

    @Test
    void whileNothingArrivesTheJournalTicksAndAReplayTellsEachTickWhereTheLiveRunDid() throws Exception {
        List<String> live = java.util.Collections.synchronizedList(new ArrayList<>());
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT.withTickEveryMillis(50))) {
            follow(j, (no, first, at, events) -> live.add(no + " at " + at + ": " + events.size()));
            assertThat(j.append(List.of(), Map.of(Rejection.Code.MISSING_FIELD, 1), 1).get().count()).isZero();
            j.append(List.of(event(1, "s", "n", Map.of())), Map.of(), 2).get();
            dev.vigil.testkit.Await.until("three ticks after the event", () -> List.copyOf(live),
                    l -> l.stream().filter(r -> r.endsWith(": 0")).count() >= 3);
            j.append(List.of(event(2, "s", "n", Map.of()), event(3, "s", "n", Map.of())), Map.of(), 3).get();
            dev.vigil.testkit.Await.until("the second record", () -> List.copyOf(live), l -> l.stream().anyMatch(r -> r.endsWith(": 2")));
        }
        List<String> told = List.copyOf(live);
        // The record of one refused item alone is not told (a replay from the store could not tell it).
        assertThat(told).noneMatch(r -> r.contains(" at 1: ")).anyMatch(r -> r.endsWith(" at 2: 1"));
        List<Long> tickTimes = told.stream().filter(r -> r.endsWith(": 0"))
                .map(r -> Long.parseLong(r.substring(r.indexOf(" at ") + 4, r.indexOf(':')))).toList();
        assertThat(tickTimes).isSorted().allMatch(t -> t > 1_000_000_000_000_000L, "a wall-clock time in microseconds");

        List<String> replayed = new ArrayList<>();
        List<String> tailed = new ArrayList<>();
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            try (java.sql.Connection c = j.newConnection()) {
                Replay.run(c, 0, j.acknowledgedRecordNo(), (no, first, at, events) -> replayed.add(no + " at " + at + ": " + events.size()));
            }
            // A tail from the start reads what the journal's files no longer hold from the event table.
            try (EventStore.Tail t = j.tail(0, false)) {
                while (t.position() < j.acknowledgedRecordNo()) {
                    t.next((no, first, at, events) -> tailed.add(no + " at " + at + ": " + events.size()), 1000, 1000);
                }
            }
        }
        assertThat(replayed).isEqualTo(told);
        assertThat(tailed).isEqualTo(told);
    }

    @Test
    void appendsAfterCloseAreRefused() throws Exception {
        EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
        j.close();
        assertThatThrownBy(() -> j.append(List.of(event(1, "s", "n", Map.of())), Map.of(), 0).join())
                .hasCauseInstanceOf(StoreClosed.class);
    }

    @Test
    void aDuckDbLoadThatFailsHalfWayIsRolledBackAndRetriedSoEachEventIsStoredOnce() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
            j.loader().fault = conn -> {
                if (failures.incrementAndGet() == 1) {
                    throw new IllegalStateException("injected fault");
                }
            };
            // Acknowledged as soon as it is in the journal, whatever DuckDB does.
            Appended ok = j.append(List.of(event(2, "s", "n", Map.of("k", "v"))), Map.of(), 0).get();
            assertThat(ok.firstSeq()).isEqualTo(1);
            EventPage page = j.query(new EventQuery(null, null, "k", "v", null, null, 10, false, null));
            assertThat(page.events()).hasSize(1);
            assertThat(j.query(EventQuery.all(10)).events()).hasSize(1);
            assertThat(failures.get()).isEqualTo(2);
        }
    }

    @Test
    void eventsOnlyInTheJournalAreLoadedIntoTheStoreAtTheNextOpen() throws Exception {
        EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
        j.loader().fault = conn -> {
            throw new IllegalStateException("DuckDB never gets them");
        };
        j.append(List.of(event(1, "s", "a", Map.of("k", "1")), event(2, "s", "b", Map.of("k", "2"))),
                Map.of(Rejection.Code.WRONG_TYPE, 3), 0).get();
        // Simulate the crash: the loader never succeeded; reopen from the files alone.
        copyFolder(dir, dir.resolveSibling(dir.getFileName() + "-crashed"));
        j.loader().fault = conn -> { };
        j.close();
        try (EventStore again = EventStore.open(dir.resolveSibling(dir.getFileName() + "-crashed"), EventStore.Options.DEFAULT)) {
            assertThat(again.query(EventQuery.all(10)).events()).extracting(e -> e.event().name()).containsExactly("a", "b");
            assertThat(again.stats().rejectedByReason()).containsExactly(Map.entry("wrong_type", 3L));
            assertThat(again.append(List.of(event(3, "s", "c", Map.of())), Map.of(), 0).get().firstSeq()).isEqualTo(3);
        }
        try (EventStore again = EventStore.open(dir.resolveSibling(dir.getFileName() + "-crashed"), EventStore.Options.DEFAULT)) {
            assertThat(again.query(EventQuery.all(10)).events()).hasSize(3);
            assertThat(again.stats().rejectedByReason()).containsExactly(Map.entry("wrong_type", 3L));
        }
    }

    @Test
    void aTornWriteAtTheEndOfTheJournalIsCutOffAndEverythingBeforeItKept() throws Exception {
        EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT);
        j.loader().fault = conn -> {
            throw new IllegalStateException("keep it in the journal only");
        };
        j.append(List.of(event(1, "s", "a", Map.of())), Map.of(), 0).get();
        Path crashed = dir.resolveSibling(dir.getFileName() + "-torn");
        copyFolder(dir, crashed);
        j.loader().fault = conn -> { };
        j.close();
        Path segment;
        try (var files = java.nio.file.Files.list(crashed.resolve(EventStore.JOURNAL_DIR))) {
            segment = files.findFirst().orElseThrow();
        }
        // Half a record: what a crash in the middle of a write leaves.
        java.nio.file.Files.write(segment, new byte[] {0, 0, 1, 0, 7, 7, 7, 7, 1, 2, 3},
                java.nio.file.StandardOpenOption.APPEND);
        try (EventStore again = EventStore.open(crashed, EventStore.Options.DEFAULT)) {
            assertThat(again.query(EventQuery.all(10)).events()).extracting(e -> e.event().name()).containsExactly("a");
            assertThat(again.append(List.of(event(2, "s", "b", Map.of())), Map.of(), 0).get().firstSeq()).isEqualTo(2);
        }
        try (EventStore again = EventStore.open(crashed, EventStore.Options.DEFAULT)) {
            assertThat(again.query(EventQuery.all(10)).events()).extracting(e -> e.event().name()).containsExactly("a", "b");
        }
    }

    @Test
    void journalSegmentsAreDeletedOnceTheStoreHoldsThem() throws Exception {
        EventStore.Options small = new EventStore.Options(1_000_000, 10, 2_000, 1, 0, 4L << 30, 100_000);
        try (EventStore j = EventStore.open(dir, small)) {
            for (int i = 0; i < 50; i++) {
                j.append(List.of(event(i, "s", "n" + i, Map.of())), Map.of(), 0).get();
            }
            j.query(EventQuery.all(1));
            try (var files = java.nio.file.Files.list(dir.resolve(EventStore.JOURNAL_DIR))) {
                assertThat(files.count()).isLessThanOrEqualTo(2);
            }
            assertThat(j.query(EventQuery.all(100)).events()).hasSize(50);
        }
        try (var files = java.nio.file.Files.list(dir.resolve(EventStore.JOURNAL_DIR))) {
            assertThat(files.count()).as("a clean close leaves an empty journal").isZero();
        }
    }

    /** Reads the journal's tail from the start on a thread of its own until the store closes. */
    static Thread follow(EventStore j, EventStore.RecordListener l) {
        EventStore.Tail tail = j.tail(0, false);
        return Thread.ofPlatform().daemon(true).start(() -> {
            try (tail) {
                while (tail.next(l, 10_000, 50)) {
                    // told
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void copyFolder(Path from, Path to) throws java.io.IOException {
        try (var paths = java.nio.file.Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
    }

    @Test
    void anEventWhoseAttributesAreNotJsonFailsOnlyItsOwnAppend() throws Exception {
        try (EventStore j = EventStore.open(dir, EventStore.Options.DEFAULT)) {
            Event bad = new Event(1, "s", "n", EventKind.OTHER, Map.of(), Outcome.OK, null, null, null,
                    Map.of("opaque", new Object()));
            assertThatThrownBy(() -> j.append(List.of(bad), Map.of(), 0).join())
                    .hasCauseInstanceOf(IllegalStateException.class);
            assertThat(j.append(List.of(event(1, "s", "n", Map.of())), Map.of(), 0).get().count()).isEqualTo(1);
        }
    }

    private static List<String> names(EventPage p) {
        return p.events().stream().map(e -> e.event().name()).toList();
    }
}
