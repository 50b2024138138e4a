package dev.vigil.server.scrape;

import dev.vigil.infra.HostMinute;
import dev.vigil.store.EventStore;
import dev.vigil.store.HostStore;
import dev.vigil.testkit.Await;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScraperRetentionTest {

    @TempDir
    Path dir;

    static HostMinute minute(long start) {
        return new HostMinute("web-3", start, 4, 0.5, 0.9, 0.6, Double.NaN, 8, 0.4, 1.6e10, 0.0, 0.2, 0.3, 0.42, 2.5e6,
                Double.NaN, 0.0);
    }

    @Test
    void aStartedScraperForgetsKeptMinutesOlderThanItsRetentionAndKeepsTheRest() throws Exception {
        long now = System.currentTimeMillis() / 60_000 * 60_000;
        long old = now - Scraper.KEPT.toMillis() - 60 * 60_000L;
        long recent = now - Scraper.KEPT.toMillis() + 60 * 60_000L;
        try (EventStore journal = EventStore.open(dir, EventStore.Options.DEFAULT); HostStore store = new HostStore(journal)) {
            store.save(List.of(minute(old), minute(recent)));
            Scraper scraper = Scraper.start(List.of(), store);
            try {
                Await.until("the minute older than the retention to be forgotten", () -> store.since(0),
                        kept -> kept.equals(List.of(minute(recent))));
            } finally {
                scraper.close();
            }
        }
    }
}
