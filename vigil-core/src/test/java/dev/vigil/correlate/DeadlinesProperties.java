package dev.vigil.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.testkit.Props;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadlinesProperties {

    /** A deadline in tenths of a second, and whether its case, once handed out, queues again. */
    record Due(long tenths, boolean comesBack) {
    }

    record Drains(List<Due> deadlines, List<Long> limitTenths, boolean strictly, long requeueAfter) {
    }

    /**
     * Against a plain list: each drain hands out exactly the deadlines at or before the limit (before it,
     * when strict) that are still queued, each once, and keeps the rest, also when handlers queue again.
     */
    @Test
    void drainHandsOutExactlyTheDeadlinesPassedAndKeepsTheRest() {
        Props.forAll(1000, g -> new Drains(g.list(0, 300, () -> new Due(g.longs(-30, 200), g.bool())),
                        g.list(1, 8, () -> g.longs(-40, 220)), g.bool(), g.longs(0, 3_000_000L)),
                in -> drainHandsOutExactlyTheDeadlinesPassedAndKeepsTheRest(in.deadlines(), in.limitTenths(), in.strictly(),
                        in.requeueAfter()));
    }

    static void drainHandsOutExactlyTheDeadlinesPassedAndKeepsTheRest(List<Due> due, List<Long> limitTenths, boolean strictly,
                                                                      long requeueAfter) {
        Deadlines queue = new Deadlines();
        Map<CaseState, Long> pending = new IdentityHashMap<>();
        Map<CaseState, Boolean> requeued = new IdentityHashMap<>();
        Map<CaseState, Boolean> comesBack = new IdentityHashMap<>();
        // Tenths of a second: deadlines fall on limits and on bucket edges often enough to test both.
        List<Long> deadlineTenths = due.stream().map(Due::tenths).toList();
        List<Long> deadlines = deadlineTenths.stream().map(t -> t * 100_000L + (t % 3 == 0 ? 0 : t % 7)).toList();
        List<Long> limits = limitTenths.stream().map(t -> t * 100_000L).toList();
        for (int i = 0; i < deadlines.size(); i++) {
            long at = deadlines.get(i);
            CaseState s = new CaseState(0);
            queue.add(at, s);
            pending.put(s, at);
            comesBack.put(s, due.get(i).comesBack());
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
                // Half of them come back for a later deadline, as a case that got a new event does (drawn with
                // the input, so that a seed replays the same run).
                if (requeued.put(s, Boolean.TRUE) == null && comesBack.get(s)) {
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
            // New cases keep coming between drains, some due before the limit already passed (handed at the next
            // drain), some inside the second the limit is in, some later.
            for (long offset : new long[] {-150_000L, 1, 40_000L, 2_500_000L}) {
                CaseState s = new CaseState(0);
                queue.add(l + offset, s);
                pending.put(s, l + offset);
                comesBack.put(s, false);
            }
        }
    }
}
