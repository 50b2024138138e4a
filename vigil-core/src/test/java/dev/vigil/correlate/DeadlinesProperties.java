package dev.vigil.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class DeadlinesProperties {

    /**
     * Against a plain list: each drain hands out exactly the deadlines at or before the limit (before it,
     * when strict) that are still queued, each once, and keeps the rest, also when handlers queue again.
     */
    @Property
    void drainHandsOutExactlyTheDeadlinesPassedAndKeepsTheRest(
            @ForAll @Size(max = 300) List<@LongRange(min = -30, max = 200) Long> deadlineTenths,
            @ForAll @Size(min = 1, max = 8) List<@LongRange(min = -40, max = 220) Long> limitTenths,
            @ForAll boolean strictly,
            @ForAll @LongRange(min = 0, max = 3_000_000L) long requeueAfter) {
        Deadlines queue = new Deadlines();
        Map<CaseState, Long> pending = new IdentityHashMap<>();
        Map<CaseState, Boolean> requeued = new IdentityHashMap<>();
        // Tenths of a second: deadlines fall on limits and on bucket edges often enough to test both.
        List<Long> deadlines = deadlineTenths.stream().map(t -> t * 100_000L + (t % 3 == 0 ? 0 : t % 7)).toList();
        List<Long> limits = limitTenths.stream().map(t -> t * 100_000L).toList();
        for (long at : deadlines) {
            CaseState s = new CaseState(0);
            queue.add(at, s);
            pending.put(s, at);
        }
        long limit = Long.MIN_VALUE;
        for (long next : limits) {
            // The watermark only moves forward.
            limit = Math.max(limit, next);
            long l = limit;
            List<CaseState> handed = new ArrayList<>();
            queue.drain(l, strictly, (at, s) -> {
                assertThat(pending.get(s)).isEqualTo(at);
                handed.add(s);
                pending.remove(s);
                // Half of them come back for a later deadline, as a case that got a new event does.
                if (requeued.put(s, Boolean.TRUE) == null && System.identityHashCode(s) % 2 == 0) {
                    pending.put(s, l + 1 + requeueAfter);
                    queue.add(l + 1 + requeueAfter, s);
                }
            });
            for (Map.Entry<CaseState, Long> p : pending.entrySet()) {
                boolean passed = strictly ? p.getValue() < l : p.getValue() <= l;
                assertThat(passed).as("still queued though due: %s at limit %s", p.getValue(), l).isFalse();
            }
            assertThat(queue.size()).isEqualTo(pending.size());
            assertThat(handed).doesNotHaveDuplicates();
        }
    }
}
