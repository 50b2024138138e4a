package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.infra.FootprintMinute;
import dev.vigil.infra.HostMinute;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostStoreTest {

    @TempDir
    Path dir;

    static HostMinute minute(String host, long start, double cpu) {
        return new HostMinute(host, start, 4, cpu, 0.9, 0.6, Double.NaN, 8, 0.4, 1.6e10, 0.0, 0.2, 0.3, 0.42, 2.5e6,
                Double.NaN, 0.0);
    }

    @Test
    void minutesSurviveReopeningTheStoreWithUnknownFiguresStillUnknownAndARewriteReplacing() throws Exception {
        long t0 = 1_800_000_000_000L;
        try (EventStore journal = EventStore.open(dir, EventStore.Options.DEFAULT); HostStore store = new HostStore(journal)) {
            store.save(List.of(minute("web-3", t0, 0.5), minute("web-3", t0 + 60_000, 0.25), minute("db-1", t0, 0.75)));
            store.save(List.of(minute("web-3", t0 + 60_000, 0.3)));
        }
        try (EventStore journal = EventStore.open(dir, EventStore.Options.DEFAULT); HostStore store = new HostStore(journal)) {
            List<HostMinute> all = store.since(t0);
            assertThat(all).containsExactly(minute("db-1", t0, 0.75), minute("web-3", t0, 0.5),
                    minute("web-3", t0 + 60_000, 0.3));
            assertThat(store.since(t0 + 1)).containsExactly(minute("web-3", t0 + 60_000, 0.3));
        }
    }

    @Test
    void pruningForgetsHostAndFootprintMinutesBeforeTheLineAndKeepsTheRest() throws Exception {
        long t0 = 1_800_000_000_000L;
        try (EventStore journal = EventStore.open(dir, EventStore.Options.DEFAULT); HostStore store = new HostStore(journal)) {
            store.save(List.of(minute("web-3", t0, 0.5), minute("web-3", t0 + 60_000, 0.25)));
            FootprintMinute old = new FootprintMinute("web-3", "shop", t0, 4, 0.2, 1e9, 10, 3);
            FootprintMinute kept = new FootprintMinute("web-3", "shop", t0 + 60_000, 4, 0.3, 1e9, 10, 3);
            store.saveFootprints(List.of(old, kept));

            assertThat(store.prune(t0 + 60_000)).isEqualTo(2);

            assertThat(store.since(0)).containsExactly(minute("web-3", t0 + 60_000, 0.25));
            assertThat(store.footprintsSince(0)).containsExactly(kept);
        }
    }
}
