package dev.vigil.app;

import dev.vigil.server.VigilServer;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Runs a server until SIGTERM or SIGINT, then stops it in order and exits 0. A JVM that simply lets the
 * signal through exits 143 and skips nothing, but orchestrators read 143 as a failure; here a requested
 * stop is a clean stop.
 */
public final class Lifecycle {

    private final CountDownLatch stopRequested = new CountDownLatch(1);

    public Lifecycle() {
        Signal.handle(new Signal("TERM"), s -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), s -> stopRequested.countDown());
    }

    public void awaitStop() throws InterruptedException {
        stopRequested.await();
    }

    public void requestStop() {
        stopRequested.countDown();
    }

    public static void stop(VigilServer server, PrintStream out) {
        out.println();
        out.println("stopping: finishing in-flight requests and committing queued events...");
        server.close();
        out.println("stopped; " + server.journal().storedEvents() + " events stored in " + server.journal().file());
        out.flush();
    }
}
