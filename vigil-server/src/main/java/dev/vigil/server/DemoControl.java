package dev.vigil.server;

import java.time.Instant;
import java.util.List;

/**
 * What {@code vigil demo} lets the dashboard do with its simulated estate: list the incidents it can replay, which
 * run now and which come next on its schedule, and start one on demand. Absent from a real server, whose API then
 * has no {@code /api/v1/demo}.
 */
public interface DemoControl {

    /** An incident the simulator can play: its name (as {@code --incident} takes it) and what it does, in words. */
    record Playable(String name, String description) {
    }

    /** An incident running (until when) or scheduled (from when). */
    record Played(String name, Instant at) {
    }

    List<Playable> scenarios();

    /** The incidents running now, each with when it ends. */
    List<Played> running();

    /** The next scheduled incidents, each with when it starts. */
    List<Played> upcoming();

    /** Starts the named incident now; returns it with when it ends. */
    Played inject(String name) throws UnknownScenario;

    /** An incident name the demo does not know: the message lists those it does. */
    final class UnknownScenario extends Exception {
        public UnknownScenario(String message) {
            super(message);
        }
    }
}
