package dev.vigil.testkit;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waiting in tests: for a condition, never for a time. Polls until the condition holds and fails after a
 * generous deadline with the last state seen, so that a slow or loaded machine only makes a test slower,
 * never red, and a real failure says what was there instead.
 */
public final class Await {

    /** Long enough for a loaded two-core machine; a passing test waits only as long as it must. */
    public static final Duration PATIENCE = Duration.ofSeconds(90);

    private Await() {
    }

    /** Reads a state; may throw while the thing is not ready (a server starting): that is a state too. */
    public interface Probe<T> {
        T read() throws Exception;
    }

    /** Polls {@code read} until {@code done} holds for what it read; returns that. */
    public static <T> T until(String what, Probe<T> read, Predicate<? super T> done) throws InterruptedException {
        return until(what, PATIENCE, read, done);
    }

    public static <T> T until(String what, Duration patience, Probe<T> read, Predicate<? super T> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        Object last = "nothing yet";
        Exception failure = null;
        while (true) {
            try {
                T seen = read.read();
                if (done.test(seen)) {
                    return seen;
                }
                last = seen;
                failure = null;
            } catch (Exception e) {
                last = e;
                failure = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + patience.toSeconds() + " s for " + what + "; the last state seen: "
                        + last, failure);
            }
            Thread.sleep(50);
        }
    }
}
